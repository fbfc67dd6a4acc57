"""What the site, the API and the feeds ask of the read models.

Every method reads tables; none replays an aggregate. Figures that depend on the day
(days overdue, stale) are worked out here, per request, from stored dates. Views of a
past day (``as_of``) rebuild the entries of the plan or commitment concerned and run
the same pure figures as the command line.

The delays feed and page ask SQL for the commitments they show, by the rule of
``tracker.domain.figures`` written over the stored dates (``_delayed``, ``_stale``),
through indexes and, for the feed, a ``LIMIT``: their cost follows what they show, not
the size of the log. A commitment with an event dated after the day asked has no exact
stored basis for that day, so it is always fetched and its figures replayed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Engine, Text, cast, func, or_, select

from tracker.domain.dates import PartialDate
from tracker.domain.entries import CLOSED_STATUSES, TRACKER_EVENT_TYPES, Entry, checked_slug
from tracker.domain.errors import InvalidInputError, NotFoundError
from tracker.domain.figures import STALE_AFTER_DAYS, Figures, figures, figures_from
from tracker.readmodels import schema as t
from tracker.readmodels.rows import entry_from_row, sortable_moment, stale_day, text_date
from tracker.readmodels.search import Found, search_index
from tracker.readmodels.searchtext import SearchQuery
from tracker.readmodels.views import (
    CommitmentDetail,
    CommitmentRow,
    Item,
    PlanInfo,
    PlanSummary,
    TransferredFrom,
    headline_counts,
    is_delayed,
    status_matches,
)


class ReadModel:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # Plans

    def plan_infos(self) -> list[PlanInfo]:
        with self.engine.connect() as conn:
            return [_plan_info(r) for r in conn.execute(select(t.plans).order_by(t.plans.c.slug))]

    def plan(self, slug: str) -> PlanInfo:
        _known_shape(slug, "plan")
        with self.engine.connect() as conn:
            row = conn.execute(select(t.plans).where(t.plans.c.slug == slug)).first()
        if row is None:
            raise NotFoundError(f"unknown plan '{slug}'")
        return _plan_info(row)

    def plans(self, today: date) -> list[PlanSummary]:
        summaries = []
        for info in self.plan_infos():
            rows = self.commitments(info.slug, today)
            summaries.append(PlanSummary(info, len(rows), headline_counts(rows)))
        return summaries

    # Commitments

    def commitments(self, plan: str, as_of: date, **filters: str | None) -> list[CommitmentRow]:
        """A plan's commitments as of a day, filtered by status, theme, owner or text."""
        query = select(t.commitments).where(t.commitments.c.plan == plan)
        if filters.get("theme"):
            query = query.where(t.commitments.c.theme == filters["theme"])
        if filters.get("owner"):
            query = query.where(t.commitments.c.owner == filters["owner"])
        if filters.get("q"):
            query = query.where(t.commitments.c.search.contains(filters["q"].lower()))
        query = query.order_by(t.commitments.c.theme, t.commitments.c.slug)
        with self.engine.connect() as conn:
            rows = list(conn.execute(query))
            past = [r for r in rows if as_of < r.latest_start]
            entries = self._entries_of(conn, plan, {r.slug for r in past}) if past else {}
            arrivals = _transfers_into(conn, plan, None, as_of)
        result = [
            _commitment_row(r, as_of, entries.get(r.slug), arrivals.get(r.slug, ())) for r in rows
        ]
        if filters.get("status"):
            result = [r for r in result if status_matches(r.figures, filters["status"], as_of)]
        return result

    def commitment(self, plan: str, slug: str, as_of: date) -> CommitmentDetail:
        _known_shape(plan, "plan")
        _known_shape(slug, f"commitment in plan '{plan}'")
        with self.engine.connect() as conn:
            row = conn.execute(
                select(t.commitments).where(
                    t.commitments.c.plan == plan, t.commitments.c.slug == slug
                )
            ).first()
            if row is None:
                self.plan(plan)
                raise NotFoundError(f"unknown commitment '{slug}' in plan '{plan}'")
            item_rows = list(
                conn.execute(
                    select(t.entries)
                    .where(t.entries.c.plan == plan, t.entries.c.commitment == slug)
                    .order_by(t.entries.c.number)
                )
            )
            arrivals = _transfers_into(conn, plan, slug, as_of).get(slug, ())
        items = [_item(r, row.title) for r in item_rows]
        entries = [i.entry for i in items]
        return CommitmentDetail(_commitment_row(row, as_of, entries, arrivals), items)

    def plan_items(self, plan: str) -> list[Item]:
        """Plan-wide events (context, baseline figures), in date order."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.entries)
                .where(t.entries.c.plan == plan, t.entries.c.commitment.is_(None))
                .order_by(t.entries.c.date_start, t.entries.c.position)
            )
            return [_item(r, None) for r in rows]

    def cited_sources(self, plan: str) -> list[dict[str, Any]]:
        """Every source the plan's events and its commitments' events cite, each once,
        as stored; not the tracker's own (a deadline seen to pass cites the tracker).
        Compared as text in SQL, so that a plan of many events returns only its few
        documents (PostgreSQL cannot compare ``json`` values themselves)."""
        text = cast(t.entries.c.source, Text)
        query = (
            select(text.label("source"))
            .where(
                t.entries.c.plan == plan,
                t.entries.c.type.not_in(TRACKER_EVENT_TYPES),
            )
            .group_by(text)
            .order_by(func.min(t.entries.c.position))
        )
        with self.engine.connect() as conn:
            return [json.loads(row.source) for row in conn.execute(query)]

    def delays(self, today: date) -> list[CommitmentRow]:
        """Overdue, slipped, stale and deadline-less commitments, most overdue first."""
        c = t.commitments.c
        query = (
            select(t.commitments)
            .where(_delayed(today) | (c.latest_start > today))
            .order_by(c.plan, c.theme, c.slug)  # plan by plan, as ``commitments`` lists them
        )
        rows = [r for r in self._rows_as_of(query, today) if is_delayed(r.figures)]
        return sorted(
            rows,
            key=lambda r: (-r.figures.days_overdue, -r.figures.slip_days, not r.figures.stale),
        )

    # Search

    def search(self, query: SearchQuery, limit: int, offset: int = 0) -> Found:
        """Every plan's titles, summaries, notes, quotes and sources that match, best
        first (``tracker/readmodels/search.py``)."""
        return search_index(self.engine, query, limit, offset)

    # Events

    def timeline(
        self,
        page: int,
        per_page: int,
        plan: str | None = None,
        since: date | None = None,
        until: date | None = None,
    ) -> tuple[list[Item], int]:
        """Every event, newest first by the date it happened, ``per_page`` at a time;
        with ``since`` or ``until``, those whose date's span overlaps the window
        (``_overlaps``)."""
        query = select(t.entries, t.commitments.c.title.label("commitment_title")).outerjoin(
            t.commitments,
            (t.commitments.c.plan == t.entries.c.plan)
            & (t.commitments.c.slug == t.entries.c.commitment),
        )
        count = select(func.coalesce(func.sum(t.plans.c.events), 0))  # kept by the projector
        if plan:
            query = query.where(t.entries.c.plan == plan)
            count = count.where(t.plans.c.slug == plan)
        if since or until:
            query = query.where(*_overlaps(since, until))
            count = select(func.count()).select_from(query.subquery())
        query = query.order_by(t.entries.c.date_start.desc(), t.entries.c.position.desc())
        with self.engine.connect() as conn:
            total = conn.scalar(count)
            rows = conn.execute(query.limit(per_page).offset((page - 1) * per_page))
            return [_item(r, r.commitment_title) for r in rows], total

    def recent(
        self,
        limit: int,
        plan: str | None = None,
        commitment: str | None = None,
        delays_only: bool = False,
    ) -> list[Item]:
        """The latest recorded events, newest first (what feeds carry)."""
        query = select(t.entries, t.commitments.c.title.label("commitment_title")).outerjoin(
            t.commitments,
            (t.commitments.c.plan == t.entries.c.plan)
            & (t.commitments.c.slug == t.entries.c.commitment),
        )
        if plan:
            query = query.where(t.entries.c.plan == plan)
        if commitment:
            query = query.where(t.entries.c.commitment == commitment)
        if delays_only:
            query = query.where(t.entries.c.delay.is_not(None))
        query = query.order_by(t.entries.c.position.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [_item(r, r.commitment_title) for r in conn.execute(query)]

    def stale_since(
        self,
        today: date,
        plan: str | None = None,
        limit: int | None = None,
        beside: list[Item] | None = None,
    ) -> list[tuple[CommitmentRow, date]]:
        """Open commitments gone stale by ``today``, with the day each went stale.

        With ``limit``, those a feed of ``limit`` items can show: the newest in its
        order (``stale_news_at``), and any tied with the last, through one index, and
        none that ``limit`` of the events ``beside`` them come before (a feed puts an
        event recorded at the same moment first). Those with an event dated after
        ``today`` are replayed and all kept: they are few, and the stored order does
        not hold for them."""
        c = t.commitments.c
        scope = [c.plan == plan] if plan else []
        stale = _stale(today)
        future = c.latest_start > today
        with self.engine.connect() as conn:
            if limit is None:
                query = select(t.commitments).where(stale | future, *scope)
                rows = list(conn.execute(query.order_by(c.plan, c.theme, c.slug)))
            else:
                where = [stale, *scope]
                if beside and len(beside) >= limit:
                    oldest = min(sortable_moment(i.entry.recorded_at) for i in beside)
                    where.append(c.stale_news_at > oldest)
                rows = _newest(conn, where, c.stale_news_at, limit)
                rows += conn.execute(select(t.commitments).where(future, *scope))
            return [
                (row, stale_day(row.figures.last_event_on.start))
                for row in self._as_of(conn, rows, today)
                if row.figures.stale and row.figures.last_event_on
            ]

    def deadlines_before(self, items: list[Item]) -> dict[int, PartialDate | None]:
        """For each ``deadline_set`` item, by position, the deadline it replaced as the
        record stood just before it (None for a first deadline): what a feed needs to
        say "moved from February 2021 to August 2021". The projector stores it on the
        item's row, so no history is read here."""
        return {
            i.position: i.deadline_before
            for i in items
            if i.entry.type == "deadline_set" and i.commitment
        }

    def last_recorded(self) -> dict[str, str]:
        """By plan, when its latest event was recorded (ISO 8601): when its page last
        changed, for the sitemap."""
        e = t.entries.c
        query = select(e.plan, func.max(e.recorded_at).label("at")).group_by(e.plan)
        with self.engine.connect() as conn:
            return {row.plan: row.at for row in conn.execute(query)}

    def head(self) -> tuple[int, str | None]:
        """The latest projected position and when its event was recorded (for caching)."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(t.entries.c.position, t.entries.c.recorded_at)
                .order_by(t.entries.c.position.desc())
                .limit(1)
            ).first()
        return (row.position, row.recorded_at) if row else (0, None)

    def _rows_as_of(self, query: Any, as_of: date) -> list[CommitmentRow]:
        with self.engine.connect() as conn:
            return self._as_of(conn, list(conn.execute(query)), as_of)

    def _as_of(self, conn: Any, rows: Iterable[Any], as_of: date) -> list[CommitmentRow]:
        """Commitment rows with their figures on ``as_of``: from the stored basis, or
        replayed for those with an event dated after ``as_of``."""
        rows = list(rows)
        past: dict[str, set[str]] = {}
        for r in rows:
            if as_of < r.latest_start:
                past.setdefault(r.plan, set()).add(r.slug)
        entries = {
            (plan, slug): history
            for plan, slugs in past.items()
            for slug, history in self._entries_of(conn, plan, slugs).items()
        }
        return [_commitment_row(r, as_of, entries.get((r.plan, r.slug))) for r in rows]

    def _entries_of(self, conn: Any, plan: str, slugs: set[str]) -> dict[str, list[Entry]]:
        rows = conn.execute(
            select(t.entries)
            .where(t.entries.c.plan == plan, t.entries.c.commitment.in_(slugs))
            .order_by(t.entries.c.number)
        )
        grouped: dict[str, list[Entry]] = {}
        for r in rows:
            grouped.setdefault(r.commitment, []).append(entry_from_row(r))
        return grouped


def _known_shape(slug: str, what: str) -> None:
    """Anything that cannot be a slug is unknown, without asking the database (a NUL
    byte in a URL would make PostgreSQL fail rather than find nothing)."""
    try:
        checked_slug(slug)
    except InvalidInputError:
        raise NotFoundError(f"unknown {what} '{slug[:100]}'") from None


def _overlaps(since: date | None, until: date | None) -> list[ColumnElement[bool]]:
    """Events whose date's span overlaps ``since``..``until`` (either may be open):
    one dated "July 2022" may have happened on 15 July, so a window from then keeps
    it. Only the span's first day is stored; its precision is the text's length
    (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``), which gives the first day a span must
    start on to reach ``since``."""
    e = t.entries.c
    where = []
    if until:
        where.append(e.date_start <= until)
    if since:
        width = func.length(e.date)
        where.append(
            or_(
                e.date_start >= since,
                (width == 7) & (e.date_start >= since.replace(day=1)),
                (width == 4) & (e.date_start >= since.replace(month=1, day=1)),
            )
        )
    return where


def _stale_cutoff(as_of: date) -> date:
    """A commitment is stale on ``as_of`` when its last news started before this day:
    more than ``STALE_AFTER_DAYS`` days earlier."""
    return date.fromordinal(max(1, as_of.toordinal() - STALE_AFTER_DAYS))


def _exact_and_open(as_of: date) -> ColumnElement[bool]:
    """Rows whose stored basis holds on ``as_of`` (no event dated later), still open."""
    c = t.commitments.c
    return (c.latest_start <= as_of) & c.status.not_in(sorted(CLOSED_STATUSES))


def _stale(as_of: date) -> ColumnElement[bool]:
    """``Figures.stale`` over the stored basis."""
    return _exact_and_open(as_of) & (t.commitments.c.last_event_start < _stale_cutoff(as_of))


def _delayed(as_of: date) -> ColumnElement[bool]:
    """``is_delayed`` over the stored basis: overdue, slipped, stale or no deadline."""
    c = t.commitments.c
    return _exact_and_open(as_of) & or_(
        c.due_end < as_of,
        c.due_end > c.first_due_end,
        c.last_event_start < _stale_cutoff(as_of),
        c.due.is_(None),
    )


def _newest(conn: Any, where: list[Any], column: Any, limit: int) -> list[Any]:
    """The ``limit`` commitment rows with the latest ``column``, and any tied with the
    last of them (a tie could rank either way in a feed)."""
    query = select(t.commitments).where(*where)
    rows = list(conn.execute(query.order_by(column.desc()).limit(limit)))
    if len(rows) == limit:
        last = getattr(rows[-1], column.name)
        have = {(r.plan, r.slug) for r in rows}
        ties = conn.execute(query.where(column == last))
        rows += [r for r in ties if (r.plan, r.slug) not in have]  # those not in yet
    return rows


def _plan_info(row: Any) -> PlanInfo:
    return PlanInfo(
        row.slug,
        row.title,
        row.publisher,
        PartialDate.parse(row.published_on),
        row.url,
        dict(row.sources),
    )


def _item(row: Any, commitment_title: str | None) -> Item:
    return Item(
        position=row.position,
        plan=row.plan,
        commitment=row.commitment,
        commitment_title=commitment_title,
        entry=entry_from_row(row),
        corrected_by=row.corrected_by,
        delay=row.delay,
        delay_days=row.delay_days,
        deadline_before=text_date(row.deadline_before),
    )


def _transfers_into(
    conn: Any, plan: str, slug: str | None, as_of: date
) -> dict[str, tuple[TransferredFrom, ...]]:
    """By receiving commitment (one, or all of ``plan``'s): the uncorrected transfers
    dated by ``as_of`` that name it, whichever was recorded first."""
    e = t.entries.c
    query = select(e.plan, e.commitment, e.date, e.to_commitment).where(
        e.to_plan == plan,
        e.to_commitment == slug if slug else e.to_commitment.is_not(None),
        e.type == "transferred",
        e.corrected_by.is_(None),
        e.date_start <= as_of,
    )
    found: dict[str, list[TransferredFrom]] = {}
    for r in conn.execute(query.order_by(e.date_start, e.position)):
        arrival = TransferredFrom(r.plan, r.commitment, PartialDate.parse(r.date))
        found.setdefault(r.to_commitment, []).append(arrival)
    return {to: tuple(arrivals) for to, arrivals in found.items()}


def _commitment_row(
    row: Any,
    as_of: date,
    entries: list[Entry] | None,
    transferred_from: tuple[TransferredFrom, ...] = (),
) -> CommitmentRow:
    if as_of < row.latest_start and entries is not None:
        f = figures(entries, as_of)
    else:
        f = _figures_from_basis(row, as_of)
    return CommitmentRow(
        plan=row.plan,
        slug=row.slug,
        title=row.title,
        theme=row.theme,
        owner=row.owner,
        summary=row.summary,
        announced_on=PartialDate.parse(row.announced_on),
        version=row.version,
        recorded_at=row.recorded_at,
        figures=f,
        transferred_from=transferred_from,
    )


def _figures_from_basis(row: Any, as_of: date) -> Figures:
    """The stored basis counts every event; on or after ``latest_start`` it is exact."""

    def day(text: str | None) -> PartialDate | None:
        return PartialDate.parse(text) if text else None

    return figures_from(
        as_of,
        status=row.status,
        status_since=day(row.status_since),
        first_due=day(row.first_due),
        due=day(row.due),
        last_event_on=day(row.last_event_on),
        status_source_kind=row.status_source_kind,
    )

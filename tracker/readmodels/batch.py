"""One projector batch's work on the read-model rows: the commitments it touches kept in
memory, their entries inserted in one statement and each commitment written once.

Split from the projector, which decides what to read and when; this decides what each
event does to the rows (``docs/projector.md`` has the design).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from tracker.domain.commitments import Commitment
from tracker.domain.dates import PartialDate
from tracker.domain.entries import ANNOUNCED, Entry, as_now_described, status_set_by
from tracker.domain.figures import SOURCED_TYPES, corrected_numbers
from tracker.domain.plans import Plan
from tracker.domain.sources import Source
from tracker.readmodels import schema as t
from tracker.readmodels.rows import (
    date_text,
    entry_from_row,
    entry_row,
    source_row,
    stale_news_at,
    text_date,
)
from tracker.readmodels.searchrows import index_entries, reindex_sources
from tracker.store.transcodings import restored_source

DELAY_STATUSES = frozenset({"delayed", "paused", "dropped"})


@dataclass
class _Basis:
    """``figures(entries, date.max)``, kept up to date one event at a time.

    Each figure comes from the latest event of its kind in date order, ties going to
    the later recorded (the first deadline: the earliest). A new event is always the
    latest recorded, so it takes a figure over when it starts on or after the day the
    figure's own event starts; for deadlines that day is kept too (``due_from``,
    ``first_due_from``). So an event needs its commitment's row, not its history. A
    correction takes an event away: then the basis is folded again from the history.
    """

    status: str = ANNOUNCED
    status_since: PartialDate | None = None
    status_source_kind: str | None = None
    first_due: PartialDate | None = None
    first_due_from: date | None = None  # the first day of the event that set first_due
    due: PartialDate | None = None
    due_from: date | None = None  # the first day of the event that set due
    last_event_on: PartialDate | None = None
    latest_start: date = date.min  # the latest first day of any counted event

    @classmethod
    def of(cls, entries: list[Entry]) -> _Basis:
        """Folded from a whole history (in recording order), corrected events left out."""
        corrected = corrected_numbers(entries)
        basis = cls()
        for entry in entries:
            if entry.number not in corrected:
                basis.add(entry)
        return basis

    @classmethod
    def from_row(cls, row: Any) -> _Basis:
        return cls(
            status=row.status,
            status_since=text_date(row.status_since),
            status_source_kind=row.status_source_kind,
            first_due=text_date(row.first_due),
            first_due_from=row.first_due_from,
            due=text_date(row.due),
            due_from=row.due_from,
            last_event_on=text_date(row.last_event_on),
            latest_start=row.latest_start,
        )

    def add(self, entry: Entry) -> None:
        """Count ``entry``, recorded after every event counted so far."""
        start = entry.date.start
        self.latest_start = max(self.latest_start, start)
        status = status_set_by(entry)
        if status and (self.status_since is None or start >= self.status_since.start):
            self.status, self.status_since = status, entry.date
            self.status_source_kind = entry.source.kind
        if entry.type == "deadline_set":
            if self.due_from is None or start >= self.due_from:
                self.due, self.due_from = entry.details["due"], start
            if self.first_due_from is None or start < self.first_due_from:
                self.first_due, self.first_due_from = entry.details["due"], start
        if entry.type in SOURCED_TYPES and (
            self.last_event_on is None or start >= self.last_event_on.start
        ):
            self.last_event_on = entry.date

    def columns(self) -> dict[str, Any]:
        """The row's basis columns: what the request-time figures need."""
        return {
            "status": self.status,
            "status_since": date_text(self.status_since),
            "status_source_kind": self.status_source_kind,
            "first_due": date_text(self.first_due),
            "first_due_end": self.first_due.end if self.first_due else None,
            "first_due_from": self.first_due_from,
            "due": date_text(self.due),
            "due_end": self.due.end if self.due else None,
            "due_from": self.due_from,
            "last_event_on": date_text(self.last_event_on),
            "last_event_start": self.last_event_on.start if self.last_event_on else None,
            "latest_start": self.latest_start,
        }


@dataclass
class _Commitment:
    """A commitment as the batch changes it."""

    id: str
    plan: str
    slug: str
    announced: date  # the first day of its announcement: delays count from it
    basis: _Basis
    position: int
    new: dict[str, Any] | None = None  # its row's own columns, if announced in this batch
    added: list[Entry] = field(default_factory=list)  # its events in this batch
    history: list[Entry] | None = None  # all its events, once a correction needs them

    def columns(self) -> dict[str, Any]:
        last, news = self.added[-1], self.basis.last_event_on
        return {
            "version": last.number,
            "position": self.position,
            "recorded_at": last.recorded_at.isoformat(),
            "stale_news_at": stale_news_at(news.start if news else None, last.recorded_at),
            **self.basis.columns(),
        }


class RowBatch:
    """What one batch changes: the commitments it touches, each read once (its row,
    and its history only for a correction), and the entry rows it adds; ``flush``
    writes them together."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.reset()

    def reset(self) -> None:
        """Forget what was flushed: the next event reads its commitment's row (and its
        plan's sources) again."""
        self.commitments: dict[str, _Commitment] = {}
        self.rows: dict[tuple[str, str, int], dict[str, Any]] = {}
        self.sources: dict[str, dict[Source, Source]] = {}  # each plan's described ones

    def described(self, plan: str, entry: Entry) -> Entry:
        """The entry citing its source as the plan now describes it (an event may cite
        a registered source without the kind the plan has since given it)."""
        sources = self.sources.get(plan)
        if sources is None:
            row = self.conn.execute(select(t.plans.c.sources).where(t.plans.c.slug == plan)).one()
            described = [restored_source(data) for data in row.sources.values()]
            sources = {s: s for s in described if any(s.description())}
            self.sources[plan] = sources
        if entry.source in sources:
            (entry,) = as_now_described([entry], sources)
        return entry

    def announce(self, position: int, event: Commitment.Announced) -> None:
        entry = event.entry()
        commitment = _Commitment(
            str(event.originator_id), event.plan, event.slug, entry.date.start, _Basis(), position
        )
        commitment.new = {
            "id": commitment.id,
            "plan": event.plan,
            "slug": event.slug,
            "title": event.title,
            "theme": event.theme,
            "owner": event.owner,
            "summary": event.summary,
            "announced_on": str(entry.date),
            "search": " ".join(
                x for x in (event.title, event.summary, event.theme, event.owner) if x
            ).lower(),
        }
        commitment.history = []
        self.commitments[commitment.id] = commitment
        self._add(commitment, position, entry)

    def develop(self, position: int, event: Any) -> None:
        commitment = self._commitment(str(event.originator_id))
        self._add(commitment, position, event.entry(event.originator_version))

    def flush(self) -> None:
        """Insert the batch's entry rows and write each commitment's row once."""
        touched = self.commitments.values()
        if self.rows:
            self.conn.execute(insert(t.entries), list(self.rows.values()))
            self._count_events()
            titles = {(c.plan, c.slug): c.new["title"] for c in touched if c.new}
            index_entries(self.conn, self.rows.values(), titles)
        new = [c.new | c.columns() for c in touched if c.new]
        if new:
            self.conn.execute(insert(t.commitments), new)
        changed = [{"target": c.id, **c.columns()} for c in touched if not c.new]
        if changed:
            where = t.commitments.c.id == bindparam("target")
            self.conn.execute(update(t.commitments).where(where), changed)

    def _count_events(self) -> None:
        """Add the batch's entry rows to their plans' counts (a count of the table
        would read every row)."""
        added: dict[str, int] = {}
        for plan, _, _ in self.rows:
            added[plan] = added.get(plan, 0) + 1
        events = t.plans.c.events
        self.conn.execute(
            update(t.plans)
            .where(t.plans.c.slug == bindparam("target"))
            .values(events=events + bindparam("added")),
            [{"target": plan, "added": n} for plan, n in added.items()],
        )

    def _add(self, commitment: _Commitment, position: int, entry: Entry) -> None:
        entry = self.described(commitment.plan, entry)
        values = entry_row(position, commitment.plan, commitment.slug, entry)
        values["delay"], values["delay_days"] = _delay(commitment, entry)
        if entry.type == "deadline_set":
            values["deadline_before"] = date_text(commitment.basis.due)
        self.rows[commitment.plan, commitment.slug, entry.number] = values
        commitment.added.append(entry)
        commitment.position = position
        if commitment.history is not None:
            commitment.history.append(entry)
        if entry.type == "correction":
            self._mark_corrected(commitment, entry)
            commitment.basis = _Basis.of(self._history(commitment))
        else:
            commitment.basis.add(entry)

    def _mark_corrected(self, commitment: _Commitment, entry: Entry) -> None:
        key = (commitment.plan, commitment.slug, entry.details["corrects"])
        pending = self.rows.get(key)
        if pending is not None:
            pending["corrected_by"] = entry.number
        else:
            mark_corrected(self.conn, commitment.plan, commitment.slug, entry)

    def _commitment(self, id_: str) -> _Commitment:
        """The commitment, from its row the first time the batch touches it."""
        commitment = self.commitments.get(id_)
        if commitment is None:
            row = self.conn.execute(select(t.commitments).where(t.commitments.c.id == id_)).one()
            announced = PartialDate.parse(row.announced_on).start
            basis = _Basis.from_row(row)
            commitment = _Commitment(id_, row.plan, row.slug, announced, basis, row.position)
            self.commitments[id_] = commitment
        return commitment

    def _history(self, commitment: _Commitment) -> list[Entry]:
        """Every event of the commitment: those in the tables, then this batch's."""
        if commitment.history is None:
            stored = commitment_entries(self.conn, commitment.plan, commitment.slug)
            commitment.history = stored + commitment.added
        return commitment.history


def describe_source(conn: Connection, event: Plan.SourceRegistered | Plan.SourceDescribed) -> None:
    """A plan gives a source a kind or a note: its own list, the events already
    recorded citing that document, and the basis of their commitments (the status's
    source kind) show the new description, as ``as_now_described`` has it. Rare (a
    plan file gaining kinds), so the plan's rows are simply read and matched here;
    events recorded later are described as they come (``RowBatch.described``)."""
    plan = conn.execute(select(t.plans).where(t.plans.c.id == str(event.originator_id))).one()
    sources = dict(plan.sources)
    if isinstance(event, Plan.SourceRegistered):
        now = event.source
    else:
        now = restored_source(sources[event.key]).described(event.kind, event.note)
    sources[event.key] = source_row(now)
    conn.execute(update(t.plans).where(t.plans.c.slug == plan.slug).values(sources=sources))
    rows = conn.execute(
        select(t.entries.c.position, t.entries.c.commitment, t.entries.c.source).where(
            t.entries.c.plan == plan.slug
        )
    )
    citing = [r for r in rows if restored_source(r.source) == now]
    if not citing:
        return
    conn.execute(
        update(t.entries).where(t.entries.c.position == bindparam("target")),
        [{"target": r.position, "source": source_row(now)} for r in citing],
    )
    reindex_sources(conn, [r.position for r in citing], source_row(now))
    for slug in sorted({r.commitment for r in citing if r.commitment}):
        basis = _Basis.of(commitment_entries(conn, plan.slug, slug))
        conn.execute(
            update(t.commitments)
            .where(t.commitments.c.plan == plan.slug, t.commitments.c.slug == slug)
            .values(**basis.columns())
        )


def commitment_entries(conn: Connection, plan: str, slug: str) -> list[Entry]:
    rows = conn.execute(
        select(t.entries)
        .where(t.entries.c.plan == plan, t.entries.c.commitment == slug)
        .order_by(t.entries.c.number)
    )
    return [entry_from_row(r) for r in rows]


def mark_corrected(conn: Connection, plan: str, commitment: str | None, entry: Entry) -> None:
    if entry.type != "correction":
        return
    which = (
        t.entries.c.commitment.is_(None)
        if commitment is None
        else (t.entries.c.commitment == commitment)
    )
    conn.execute(
        update(t.entries)
        .where(t.entries.c.plan == plan, which, t.entries.c.number == entry.details["corrects"])
        .values(corrected_by=entry.number)
    )


def _delay(commitment: _Commitment, entry: Entry) -> tuple[str | None, int | None]:
    """Whether this event announces a delay, and by how many days (``commitment`` as
    it stood just before the event)."""
    if entry.type == "deadline_missed":
        return "missed", (entry.date.start - commitment.announced).days
    if entry.type == "status_changed" and entry.details["status"] in DELAY_STATUSES:
        return "status", (entry.date.start - commitment.announced).days
    if entry.type == "deadline_set":
        before = commitment.basis.due
        if before and entry.details["due"].end > before.end:
            return "slip", (entry.details["due"].end - before.end).days
    return None, None

"""Entries to table rows and back. The figures are pure functions of entries, so the
read models store entries faithfully and rebuild ``Entry`` objects when a view needs
figures as of a past date."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from tracker.domain import numbers
from tracker.domain.dates import PartialDate
from tracker.domain.entries import Entry
from tracker.domain.figures import STALE_AFTER_DAYS
from tracker.domain.sources import Fact, Source
from tracker.store.transcodings import restored_source, source_data

DATES = frozenset({"due"})
NUMBERS = frozenset({"amount_gbp", "target", "value"})


def entry_row(position: int, plan: str, commitment: str | None, entry: Entry) -> dict[str, Any]:
    """Every column of the entry's row, those the projector works out (delay, deadline
    before, corrected by) as None: rows of one batch are inserted together, with the
    same keys."""
    fact = entry.fact
    return {
        "position": position,
        "plan": plan,
        "commitment": commitment,
        "number": entry.number,
        "type": entry.type,
        "date": str(fact.date),
        "date_start": fact.date.start,
        "recorded_at": entry.recorded_at.isoformat(),
        "recorded_by": fact.recorded_by,
        "source": source_data(fact.source),
        "note": fact.note,
        "quote": fact.quote,
        "details": {k: _plain(v) for k, v in entry.details.items()},
        "corrected_by": None,
        "delay": None,
        "delay_days": None,
        "deadline_before": None,
        "to_plan": entry.details.get("to_plan") if entry.type == "transferred" else None,
        "to_commitment": entry.details.get("to_commitment")
        if entry.type == "transferred"
        else None,
    }


def entry_from_row(row: Any) -> Entry:
    details = {}
    for name, value in row.details.items():
        if name in DATES:
            value = PartialDate.parse(value)
        elif name in NUMBERS:
            value = numbers.restored(value)
        details[name] = value
    fact = Fact(
        date=PartialDate.parse(row.date),
        source=restored_source(row.source),
        recorded_by=row.recorded_by,
        note=row.note,
        quote=row.quote,
    )
    return Entry(row.number, row.type, fact, datetime.fromisoformat(row.recorded_at), details)


def date_text(value: PartialDate | None) -> str | None:
    """A date column's text (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``), None for none."""
    return str(value) if value else None


def text_date(text: str | None) -> PartialDate | None:
    """The reverse of ``date_text``."""
    return PartialDate.parse(text) if text else None


def stale_day(last_news: date) -> date:
    """The day a commitment whose latest news starts on ``last_news`` goes stale if
    nothing follows: the first day more than ``STALE_AFTER_DAYS`` days after it."""
    return date.fromordinal(min(last_news.toordinal() + STALE_AFTER_DAYS + 1, date.max.toordinal()))


def stale_news_at(last_news: date | None, recorded_at: datetime) -> str | None:
    """When a commitment going stale is news (``sortable_moment``): the later of the day
    it goes stale and its latest record (a record, a correction say, can make it stale
    after that day). Feeds date and order a stale item so; stored, it lets them ask
    for the newest few through an index."""
    if last_news is None:
        return None
    became = sortable_moment(datetime.combine(stale_day(last_news), time(), UTC))
    return max(became, sortable_moment(recorded_at))


def sortable_moment(moment: datetime) -> str:
    """A moment as UTC text of fixed width, which sorts in time order (a moment with
    no time zone is taken as UTC, as feeds take it)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def _plain(value: Any) -> Any:
    """Details as JSON: dates and decimals as their exact text, the rest as they are."""
    return value if value is None or isinstance(value, (int, str)) else str(value)


def source_row(source: Source) -> dict[str, Any]:
    """A source as a fresh JSON object (``source_data`` is cached and shared)."""
    return dict(source_data(source))

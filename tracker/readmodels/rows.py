"""Entries to table rows and back. The figures are pure functions of entries, so the
read models store entries faithfully and rebuild ``Entry`` objects when a view needs
figures as of a past date."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from tracker.application.transcodings import restored_source, source_data
from tracker.domain.dates import PartialDate
from tracker.domain.entries import Entry
from tracker.domain.sources import Fact, Source

DATES = frozenset({"due"})
NUMBERS = frozenset({"amount_gbp", "target", "value"})


def entry_row(position: int, plan: str, commitment: str | None, entry: Entry) -> dict[str, Any]:
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
        "details": {
            k: v if isinstance(v, (int, str)) else str(v) for k, v in entry.details.items()
        },
    }


def entry_from_row(row: Any) -> Entry:
    details = {}
    for name, value in row.details.items():
        if name in DATES:
            value = PartialDate.parse(value)
        elif name in NUMBERS:
            value = Decimal(value)
        details[name] = value
    fact = Fact(
        date=PartialDate.parse(row.date),
        source=restored_source(row.source),
        recorded_by=row.recorded_by,
        note=row.note,
        quote=row.quote,
    )
    return Entry(row.number, row.type, fact, datetime.fromisoformat(row.recorded_at), details)


def _plain(value: Any) -> Any:
    """Details as JSON: dates and decimals as their exact text, the rest as they are."""
    return value if isinstance(value, (int, str)) else str(value)


def source_row(source: Source) -> dict[str, Any]:
    """A source as a fresh JSON object (``source_data`` is cached and shared)."""
    return dict(source_data(source))

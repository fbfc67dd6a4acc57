"""Entries as JSON-ready dictionaries: one shape for exports, the CLI and the API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tracker.domain import numbers
from tracker.domain.dates import PartialDate
from tracker.domain.entries import Entry

CSV_FIELDS = (
    "plan",
    "commitment",
    "number",
    "type",
    "date",
    "date_precision",
    "recorded_at",
    "recorded_by",
    "source_publisher",
    "source_title",
    "source_published_on",
    "source_url",
    "source_author",
    "source_kind",
    "source_note",
    "summary",
    "due",
    "status",
    "to_title",
    "to_plan",
    "to_commitment",
    "amount_gbp",
    "metric",
    "target",
    "value",
    "unit",
    "corrects",
    "note",
    "quote",
)
# Added to each exported entry by ``tracker export``: the event's place in the whole
# log and its hash in the log's hash chain (``tracker export --format log`` has both).
CHAIN_FIELDS = ("log_event", "log_hash")


def plain(value: Any) -> Any:
    """A JSON-friendly value: dates as their text, numbers as int or float (or, for
    a stored number too wild to be one, its stored text: ``numbers.plain``)."""
    if isinstance(value, PartialDate):
        return str(value)
    if isinstance(value, Decimal):
        return numbers.plain(value)
    return value


def entry_record(plan: str, commitment: str | None, entry: Entry) -> dict[str, Any]:
    """The contract's export shape for one event."""
    source = entry.source
    record = {
        "plan": plan,
        "commitment": commitment,
        "number": entry.number,
        "type": entry.type,
        "date": str(entry.date),
        "date_precision": entry.date.precision,
        "recorded_at": entry.recorded_at.isoformat(),
        "recorded_by": entry.fact.recorded_by,
        "source": source.as_dict(),
        "note": entry.fact.note,
        "quote": entry.fact.quote,
    }
    record.update({name: plain(value) for name, value in entry.details.items()})
    return record


def csv_row(record: dict[str, Any]) -> dict[str, Any]:
    """Flatten an export record into the CSV columns, neutralising formulas."""
    row = {k: v for k, v in record.items() if k != "source"}
    row.update({f"source_{k}": v for k, v in record["source"].items()})
    return {name: csv_cell(row.get(name)) for name in CSV_FIELDS}


def csv_cell(value: Any) -> Any:
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value

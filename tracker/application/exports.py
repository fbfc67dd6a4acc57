"""The export of contract section 2, one place for every way it is asked for:
``tracker export --format jsonl|csv`` and ``/api/v1/events.jsonl`` / ``.csv`` write
the same lines from the same records, so that a script may switch between them.

Both filters narrow the whole log without changing any record: ``plan`` keeps one
plan's events, ``since`` the events that may have happened on or after a day. An
event dated by month or year covers a span of days; it is kept when that span reaches
``since`` (``dated_from``), so that "July 2022" is in an export since 15 July 2022:
the source does not say it happened before.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from tracker.application.records import CHAIN_FIELDS, CSV_FIELDS, csv_row, entry_record
from tracker.domain.dates import PartialDate
from tracker.store import chain


def dated_from(when: PartialDate, since: date) -> bool:
    """Whether an event dated ``when`` may have happened on or after ``since``."""
    return when.end >= since


def export_records(
    tracker: Any, plan: str | None = None, since: date | None = None
) -> Iterator[dict[str, Any]]:
    """Every entry of the log, oldest first, as the contract's export shape with its
    place and hash in the log's chain; only ``plan``'s and those ``dated_from``
    ``since`` when given."""
    wanted = (
        r
        for r in tracker.log()
        if (plan is None or r.plan == plan) and (since is None or dated_from(r.entry.date, since))
    )
    for r, hash_ in chain.with_hashes(tracker, wanted, lambda r: r.position):
        record = entry_record(r.plan, r.commitment, r.entry)
        yield record | {"log_event": r.position, "log_hash": hash_}


def jsonl_lines(records: Iterable[dict[str, Any]]) -> Iterator[str]:
    for record in records:
        yield json.dumps(record, ensure_ascii=False) + "\n"


def csv_lines(records: Iterable[dict[str, Any]]) -> Iterator[str]:
    """A header, then one row per record, formulas neutralised (``csv_row``)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=(*CSV_FIELDS, *CHAIN_FIELDS), lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow(csv_row(record) | {name: record[name] for name in CHAIN_FIELDS})
        yield _taken(out)
    yield _taken(out)


def _taken(out: io.StringIO) -> str:
    text = out.getvalue()
    out.seek(0)
    out.truncate()
    return text

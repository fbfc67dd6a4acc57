"""The API's documents that more than one route gives: a commitment as
``GET /api/v1/plans/{plan}/commitments/{slug}`` shows it, its events and sources.

The write API answers a new event or commitment with the ``ETag`` of this document as
a read would give it right after (``web.etags``), so both build it here, from the read
models, the same way.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tracker.readmodels import ReadModel
from tracker.readmodels.views import Item, status_record
from web.schemas import Source, commitment_links, event_record
from web.sourcelists import commitment_sources


def commitment_document(read: ReadModel, plan: str, slug: str, as_of: date) -> dict[str, Any]:
    """One row of ``tracker status`` as of ``as_of``, plus every recorded event."""
    detail = read.commitment(plan, slug, as_of)
    row = detail.row
    return {
        **status_record(row),
        "summary": row.summary,
        "announced_on": str(row.announced_on),
        "version": row.version,
        "links": commitment_links(plan, slug),
        "events": [event_document(item) for item in detail.items],
        "sources": [source_document(line.as_dict()) for line in commitment_sources(detail.items)],
    }


def source_document(data: dict[str, Any]) -> dict[str, Any]:
    return {name: data.get(name) for name in Source.model_fields}


def event_document(item: Item, timeline: bool = False) -> dict[str, Any]:
    record = event_record(item.plan, item.commitment, item.entry, item.corrected_by)
    if timeline:
        record["commitment_title"] = item.commitment_title
        record["delay"] = item.delay
        record["delay_days"] = item.delay_days
    return record

"""Everything as data (contract section 6): the export of ``tracker export --format
jsonl|csv`` over HTTP, made by the same code (``tracker.application.exports``).

``plan`` keeps one plan's events; ``since`` keeps events that may have happened on or
after a day, by the date the source gives (an event dated "July 2022" is kept since
15 July 2022), as the timeline's window does: the export is a record of what
happened, and "since" asks about the world, not about the log (the log's own order is
the ``log_event`` field, for whoever wants what was recorded after a position).

The export is read from the log, not the read models, in one pass, and sent from a
spool (``web.spool``), as ``/api/v1/log.jsonl`` is. Its ``ETag`` is the log's head,
read before the log.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from tracker.application.exports import csv_lines, export_records, jsonl_lines
from tracker.application.specs import date_of
from web.conditional import etag_listed
from web.deps import AS_OF_PATTERN, ServicesDep, slug_of
from web.loghead import log_head
from web.schemas import Error
from web.spool import spooled

JSONL = "application/jsonl"
CSV = "text/csv; charset=utf-8"
CACHE_CONTROL = "public, max-age=300"  # as the feeds: a reader polling is told to wait
JSON_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}


def _responses(media_type: str, what: str) -> dict[int | str, dict[str, Any]]:
    return {
        200: {"description": what, "content": {media_type: {}}},
        304: {"description": "The log has not grown since the ETag (its head) the reader sent"},
        404: {"model": Error, "description": "No such plan", "content": JSON_ERROR},
        422: {"model": Error, "description": "A bad date, named", "content": JSON_ERROR},
    }


router = APIRouter(prefix="/api/v1", tags=["api"])
PlanQuery = Annotated[str | None, Query(description="only this plan's events")]
SinceQuery = Annotated[
    str | None,
    Query(
        description="only events that may have happened on or after this day: YYYY, YYYY-MM"
        " or YYYY-MM-DD (from its first day); an event dated by month or year is kept"
        " when its month or year reaches it",
        json_schema_extra={"pattern": AS_OF_PATTERN},
    ),
]


@router.get(
    "/events.jsonl",
    response_class=Response,
    responses=_responses(JSONL, "One event per line, oldest first: tracker export --format jsonl"),
)
def events_jsonl(
    request: Request, services: ServicesDep, plan: PlanQuery = None, since: SinceQuery = None
) -> Response:
    """Every event, as ``tracker export --format jsonl`` writes it, filtered."""
    return _export(request, services, plan, since, "jsonl")


@router.get(
    "/events.csv",
    response_class=Response,
    responses=_responses(
        "text/csv", "A header, then one event per row: tracker export --format csv"
    ),
)
def events_csv(
    request: Request, services: ServicesDep, plan: PlanQuery = None, since: SinceQuery = None
) -> Response:
    """Every event, as ``tracker export --format csv`` writes it (cells a spreadsheet
    would run as formulas neutralised), filtered."""
    return _export(request, services, plan, since, "csv")


def _export(request: Request, services: Any, plan: str | None, since: str | None, kind: str):
    day = date_of(since, "since").start if since and since.strip() else None
    if plan:
        plan = slug_of(plan, "unknown plan '{}'")
        services.read.plan(plan)
    headers = {
        "Content-Disposition": f'attachment; filename="{_filename(plan, day, kind)}"',
        "Cache-Control": CACHE_CONTROL,
    }
    head = log_head(services.tracker)
    if head is not None:
        headers["ETag"] = etag = f'"{head.hash}"'
        if etag_listed(request.headers.get("if-none-match"), etag):
            return Response(status_code=304, headers={"ETag": etag, "Cache-Control": CACHE_CONTROL})
    records = export_records(services.tracker, plan or None, day)
    lines = jsonl_lines(records) if kind == "jsonl" else csv_lines(records)
    return StreamingResponse(
        spooled(line.encode() for line in lines),
        media_type=JSONL if kind == "jsonl" else CSV,
        headers=headers,
    )


def _filename(plan: str | None, day: Any, kind: str) -> str:
    parts = ["events", plan, f"since-{day.isoformat()}" if day else None]
    return "-".join(p for p in parts if p) + f".{kind}"

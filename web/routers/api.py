"""The JSON API (``/api/v1``) and its CSV export: thin views of the read models.

Handlers are plain ``def``s (the store's library is synchronous; FastAPI runs them in
its thread pool) and read tables only, never an aggregate. Every error a client can
cause is a 4xx answered as problem details (``web.problems``, by the app's shared
exception handlers): an unknown plan or commitment is a 404, a bad parameter a 422
naming it. The models the answers follow are in ``web.schemas``.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import StreamingResponse

from tracker.application.records import csv_cell
from tracker.domain.entries import STATUSES
from tracker.domain.errors import InvalidInputError, NotFoundError
from tracker.readmodels import queries
from tracker.readmodels.views import PlanInfo, headline_counts, status_record
from tracker.store import chain
from web import etags, urls
from web.conditional import etag_listed
from web.deps import AS_OF_PATTERN, AsOfDep, CommitmentDep, PlanDep, ReadDep, ServicesDep, slug_of
from web.documents import commitment_document, event_document, source_document
from web.loghead import log_head
from web.recorded import RecordedReadDep
from web.schemas import (
    CommitmentDetail,
    CommitmentStatus,
    Delays,
    Error,
    LogHead,
    PlanDetail,
    PlanSummary,
    TimelinePage,
    commitment_links,
)
from web.sourcelists import plan_sources
from web.spool import spooled
from web.window import WINDOW, timeline_window

MAX_PAGE = 1_000_000
MAX_PER_PAGE = 200
PER_PAGE = 50
StatusFilter = Literal[(*STATUSES, "overdue", "stale", "no_deadline")]
JSONL = "application/jsonl"
DAY = {"pattern": AS_OF_PATTERN}


NOT_FOUND = {404: {"model": Error, "description": "No such plan or commitment"}}
INVALID = {422: {"model": Error, "description": "A bad parameter, named in the message"}}
# A route whose answer is not JSON still answers errors in JSON: say so, not its own type.
JSON_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
CSV_RESPONSES = {
    200: {
        "description": "CSV with a header row, one row per commitment",
        "content": {"text/csv": {}},
    },
    **{
        code: {"description": r["description"], "content": JSON_ERROR}
        for code, r in {**NOT_FOUND, **INVALID}.items()
    },
}

router = APIRouter(prefix="/api/v1", tags=["api"], responses=INVALID)


def filters(
    status: Annotated[
        StatusFilter | None, Query(description="a status, or overdue, stale or no_deadline")
    ] = None,
    theme: Annotated[str | None, Query(max_length=300)] = None,
    owner: Annotated[str | None, Query(max_length=300)] = None,
    q: Annotated[str | None, Query(max_length=300, description="text to look for")] = None,
) -> dict[str, str | None]:
    for name, text in (("theme", theme), ("owner", owner), ("q", q)):
        if text and not text.isprintable():
            raise InvalidInputError("must be printable text, without control characters", name)
    return {"status": status, "theme": theme, "owner": owner, "q": q}


FiltersDep = Annotated[dict[str, str | None], Depends(filters)]


class CSVResponse(Response):
    media_type = "text/csv"


# Routes


@router.get("/plans", response_model=list[PlanSummary])
def plans(read: RecordedReadDep, as_of: AsOfDep) -> Any:
    """Every plan, with its headline counts as of ``as_of`` (default today)."""
    return [_summary(s.plan, s.total, s.counts, as_of) for s in read.plans(as_of)]


@router.get(
    "/plans/{plan}",
    response_model=PlanDetail,
    response_model_exclude_unset=True,
    responses=NOT_FOUND,
)
def plan(plan: PlanDep, read: RecordedReadDep, as_of: AsOfDep) -> Any:
    """A plan: its details, counts as of ``as_of``, sources and plan-wide events."""
    info = read.plan(plan)
    rows = read.commitments(plan, as_of)
    return {
        **_summary(info, len(rows), headline_counts(rows), as_of),
        "sources": {key: source_document(data) for key, data in info.sources.items()},
        "all_sources": [
            source_document(line.as_dict())
            for line in plan_sources(info.sources, read.cited_sources(plan))
        ],
        "events": [event_document(item) for item in read.plan_items(plan)],
    }


@router.get("/plans/{plan}/commitments", response_model=list[CommitmentStatus], responses=NOT_FOUND)
def commitments(plan: PlanDep, read: RecordedReadDep, as_of: AsOfDep, wanted: FiltersDep) -> Any:
    """The rows of ``tracker status --plan PLAN --as-of DATE --format json``."""
    return [status_record(row) for row in _rows(read, plan, as_of, wanted)]


@router.get(
    "/plans/{plan}/commitments.csv",
    response_class=CSVResponse,
    responses=CSV_RESPONSES,
)
def commitments_csv(
    plan: PlanDep, read: RecordedReadDep, as_of: AsOfDep, wanted: FiltersDep
) -> Response:
    """The same rows as CSV, cells a spreadsheet would run as formulas neutralised."""
    rows = _rows(read, plan, as_of, wanted)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(CommitmentStatus.model_fields))
    writer.writeheader()
    for row in rows:
        writer.writerow({k: csv_cell(_csv_text(v)) for k, v in status_record(row).items()})
    return CSVResponse(
        out.getvalue(),
        headers={"Content-Disposition": f'attachment; filename="{plan}-{as_of}.csv"'},
    )


@router.get(
    "/plans/{plan}/commitments/{slug}",
    response_model=CommitmentDetail,
    response_model_exclude_unset=True,
    responses={**NOT_FOUND, 200: {"description": "The commitment", "headers": etags.OPENAPI}},
)
def commitment(
    plan: PlanDep, slug: CommitmentDep, read: RecordedReadDep, as_of: AsOfDep, response: Response
) -> Any:
    """One row of ``tracker status`` as of ``as_of`` (and as recorded at
    ``as_recorded``), plus every recorded event. Its ``ETag`` names the commitment's
    version (``web.etags``): ``If-Match`` on the events route takes it."""
    document = commitment_document(read, plan, slug, as_of)
    response.headers["ETag"] = etags.document_etag(document)
    return document


@router.get(
    "/timeline",
    response_model=TimelinePage,
    response_model_exclude_unset=True,
    responses=NOT_FOUND,
)
def timeline(
    read: ReadDep,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = PER_PAGE,
    plan: Annotated[str | None, Query(description="only this plan's events")] = None,
    since: Annotated[str | None, Query(description=WINDOW["since"], json_schema_extra=DAY)] = None,
    until: Annotated[str | None, Query(description=WINDOW["until"], json_schema_extra=DAY)] = None,
) -> Any:
    """Every event, newest first by the date it happened, a page at a time; with
    ``since`` or ``until``, those whose date's span overlaps the window."""
    if plan:
        read.plan(slug_of(plan, "unknown plan '{}'"))
    first, last = timeline_window(since, until)
    items, total = read.timeline(page, per_page, plan, first, last)
    pages = max(1, -(-total // per_page))

    def at(number: int) -> str:
        return urls.api_timeline(
            page=number, per_page=per_page, plan=plan, since=since, until=until
        )

    return {
        "page": page,
        "per_page": per_page,
        "pages": pages,
        "total": total,
        "items": [event_document(item, timeline=True) for item in items],
        "links": {
            "html": urls.timeline(page),
            "self": at(page),
            "next": at(page + 1) if page < pages else None,
            "prev": at(min(page - 1, pages)) if page > 1 else None,
        },
    }


@router.get("/delays", response_model=Delays)
def delays(read: RecordedReadDep, as_of: AsOfDep) -> Any:
    """Overdue, slipped, stale and deadline-less commitments as of ``as_of``."""
    return {
        "as_of": as_of,
        "commitments": [
            {**status_record(row), "links": commitment_links(row.plan, row.slug)}
            for row in read.delays(as_of)
        ],
    }


# Shapes


def _rows(read: queries.ReadModel, plan: str, as_of: date, wanted: dict) -> list:
    read.plan(plan)  # an unknown plan is a 404, not an empty list
    return read.commitments(plan, as_of, **wanted)


def _summary(info: PlanInfo, total: int, counts: dict, as_of: date) -> dict[str, Any]:
    return {
        "slug": info.slug,
        "title": info.title,
        "publisher": info.publisher,
        "published_on": str(info.published_on),
        "url": info.url,
        "as_of": as_of,
        "counts": {**counts, "total": total},
        "links": {
            "html": urls.plan(info.slug),
            "feed": urls.feed("plan", "atom", plan=info.slug),
            "api": urls.api_plan(info.slug),
            "commitments": urls.api_commitments(info.slug),
            "csv": urls.api_commitments_csv(info.slug),
        },
    }


def _csv_text(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):  # transferred_from: "plan/commitment (date)", "; " between
        return "; ".join(f"{v['plan']}/{v['commitment']} ({v['date']})" for v in value)
    return value


# The log itself, for anyone who wants to check it (see the /log page).


LOG_EXPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "One stored event per line, oldest first, each with its hash and the"
        " hash before it: check it with ``tracker verify --file``",
        "content": {JSONL: {}},
    },
    304: {"description": "The log has not grown since the ETag (its head) the reader sent"},
}


@router.get("/log", response_model=LogHead, responses=NOT_FOUND)
def log(services: ServicesDep) -> Any:
    """How many events the log holds and the hash of them all."""
    head = log_head(services.tracker)
    if head is None:
        raise NotFoundError("this store keeps no hash chain")
    return {"events": head.events, "head": head.label, "export": urls.api_log_export()}


@router.get("/log.jsonl", response_class=Response, responses=LOG_EXPORT_RESPONSES)
def log_export(request: Request, services: ServicesDep) -> Response:
    """The whole log as ``tracker export --format log`` writes it. Written to a spool
    file first, in one read snapshot, then sent: a large log is never held in memory
    whole, nor a database snapshot held open while a slow client reads.

    Its ``ETag`` is the log's head, read before the log: whoever already holds the log
    up to that head gets a bodiless 304 without the log being read at all. (An event
    recorded meanwhile makes the body newer than its tag, so the next request fetches
    again; never the other way round.)"""
    head = log_head(services.tracker)
    headers = {"Content-Disposition": 'attachment; filename="log.jsonl"'}
    if head is not None:
        headers["ETag"] = etag = f'"{head.hash}"'
        if etag_listed(request.headers.get("if-none-match"), etag):
            return Response(status_code=304, headers={"ETag": etag})
    lines = (json.dumps(line).encode() + b"\n" for line in chain.log_export(services.tracker))
    return StreamingResponse(spooled(lines), media_type=JSONL, headers=headers)

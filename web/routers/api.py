"""The JSON API (``/api/v1``) and its CSV export: thin views of the read models.

Handlers are plain ``def``s (the store's library is synchronous; FastAPI runs them in
its thread pool) and read tables only, never an aggregate. Every error a client can
cause is a 4xx whose body is ``{"detail": "..."}``: ``ApiRoute`` turns an unknown plan
or commitment into a 404 and a bad parameter into a 422 naming it, in one place.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Callable, Coroutine, Iterator
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field

from tracker.application.records import csv_cell, entry_record
from tracker.domain.entries import STATUSES, checked_slug
from tracker.domain.errors import InvalidInputError, NotFoundError
from tracker.domain.sources import SOURCE_KINDS
from tracker.readmodels import queries
from tracker.readmodels.queries import headline_counts, status_record
from tracker.store import chain
from web import urls
from web.conditional import etag_listed
from web.deps import AsOfDep, ReadDep, ServicesDep
from web.loghead import log_head
from web.sourcelists import commitment_sources, plan_sources
from web.writeschemas import SLUG

MAX_PAGE = 1_000_000
MAX_PER_PAGE = 200
PER_PAGE = 50
StatusFilter = Literal[(*STATUSES, "overdue", "stale", "no_deadline")]
SourceKind = Literal[SOURCE_KINDS]


class ApiRoute(APIRoute):
    """Maps the errors a request can cause to JSON 4xx answers, for every API route."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except NotFoundError as error:
                return JSONResponse({"detail": str(error)}, status_code=404)
            except InvalidInputError as error:
                field = f"{error.field}: " if error.field else ""
                return JSONResponse({"detail": f"{field}{error}"}, status_code=422)
            except RequestValidationError as error:
                problems = "; ".join(_problem(e) for e in error.errors())
                return JSONResponse({"detail": problems}, status_code=422)

        return route


def _problem(error: dict[str, Any]) -> str:
    """``page: Input should be greater than or equal to 1``: the parameter, then why."""
    where = [str(part) for part in error.get("loc", ()) if part not in ("query", "path")]
    return f"{'.'.join(where) or 'request'}: {error.get('msg', 'invalid')}"


# Response models: what the OpenAPI document promises, and FastAPI checks.


JSONL = "application/jsonl"
SPOOL_IN_MEMORY = 8 * 1024 * 1024  # bytes of a log export kept in memory before a file


class Error(BaseModel):
    detail: str = Field(description="What was wrong, naming the plan, commitment or parameter")


class Source(BaseModel):
    publisher: str
    title: str
    published_on: str = Field(description="YYYY, YYYY-MM or YYYY-MM-DD")
    url: str | None = None
    author: str | None = None
    kind: SourceKind | None = Field(None, description="who is speaking; null if not stated")
    note: str | None = Field(None, description="about the source, such as why no URL is known")


class TransferredFrom(BaseModel):
    plan: str
    commitment: str
    date: str = Field(description="the date of the transfer: YYYY, YYYY-MM or YYYY-MM-DD")


StoredNumber = Annotated[
    int | float | str | None,
    Field(
        description="a number; text only where an older version stored a value that is not"
        " one (such as NaN or 1E+5000), shown as it was recorded"
    ),
]


class Event(BaseModel):
    """One recorded event, in the shape of ``tracker export``; a type's own fields
    (``summary``, ``due``, ``status``, ``amount_gbp``, ``metric``, ``target``,
    ``value``, ``unit``, ``corrects``, ``to_title``, ``to_plan``, ``to_commitment``)
    appear only on events of that type."""

    plan: str
    commitment: str | None = Field(description="null for a plan-wide event")
    number: int = Field(description="1-based, within the commitment (or the plan)")
    type: str
    date: str = Field(description="YYYY, YYYY-MM or YYYY-MM-DD, at the source's precision")
    date_precision: Literal["year", "month", "day"]
    recorded_at: str
    recorded_by: str
    source: Source
    note: str | None
    quote: str | None
    summary: str | None = None
    due: str | None = None
    status: str | None = None
    amount_gbp: StoredNumber = None
    metric: str | None = None
    target: StoredNumber = None
    value: StoredNumber = None
    unit: str | None = None
    corrects: int | None = None
    to_title: str | None = None
    to_plan: str | None = None
    to_commitment: str | None = None
    corrected_by: int | None = Field(description="the number of the correction, if corrected")
    permalink: str


class TimelineEvent(Event):
    commitment_title: str | None
    delay: Literal["missed", "slip", "status"] | None
    delay_days: int | None


class CommitmentStatus(BaseModel):
    """A row of ``tracker status --format json``: same fields, same values."""

    plan: str
    slug: str
    title: str
    theme: str | None
    owner: str | None
    as_of: date
    status: str = Field(description=", ".join(STATUSES))
    status_since: str | None
    status_source_kind: SourceKind | None = Field(
        description="the kind of the source of the event that set the status; null if none"
    )
    due: str | None = Field(description="the current deadline, at its precision")
    due_on: date | None = Field(description="the day the current deadline falls due")
    first_due: str | None
    days_overdue: int
    slip_days: int
    stale: bool
    last_event_on: str | None
    delivered_on: str | None
    delivered_late_by_days: int | None
    transferred_from: list[TransferredFrom] = Field(
        description="commitments whose transfer names this one as where they went"
    )


class CommitmentLinks(BaseModel):
    html: str
    feed: str
    api: str


class DelayedCommitment(CommitmentStatus):
    links: CommitmentLinks


class CommitmentDetail(CommitmentStatus):
    summary: str
    announced_on: str
    version: int = Field(description="the number of its latest event (for If-Match)")
    links: CommitmentLinks
    events: list[Event] = Field(description="every event, in recording order")
    sources: list[Source] = Field(
        description="every document its events cite, each once, oldest first"
        " (not the tracker's own deadline checks)"
    )


class Counts(BaseModel):
    delivered: int
    in_progress: int
    announced: int = Field(description="Announced, with no status reported by any source yet")
    overdue: int
    stale: int
    no_deadline: int
    total: int


class PlanLinks(BaseModel):
    html: str
    feed: str
    api: str
    commitments: str
    csv: str


class PlanSummary(BaseModel):
    slug: str
    title: str
    publisher: str
    published_on: str
    url: str | None
    as_of: date
    counts: Counts
    links: PlanLinks


class PlanDetail(PlanSummary):
    sources: dict[str, Source] = Field(description="the plan's registered sources, by key")
    all_sources: list[Source] = Field(
        description="the registered sources and any that its commitments' events cite"
        " without registering, each once, oldest first"
    )
    events: list[Event] = Field(description="plan-wide events, in date order")


class PageLinks(BaseModel):
    html: str
    self: str
    next: str | None
    prev: str | None


class TimelinePage(BaseModel):
    page: int
    per_page: int
    pages: int
    total: int
    items: list[TimelineEvent] = Field(description="newest first, by the date it happened")
    links: PageLinks


class Delays(BaseModel):
    as_of: date
    commitments: list[DelayedCommitment] = Field(description="most overdue first")


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

router = APIRouter(prefix="/api/v1", tags=["api"], route_class=ApiRoute, responses=INVALID)


# Documented, not enforced by FastAPI: text that is not a slug names nothing, a 404.
SLUG_SCHEMA = {"pattern": SLUG["pattern"], "maxLength": SLUG["maxLength"]}


def plan_slug(
    plan: Annotated[str, Path(description="the plan's slug", json_schema_extra=SLUG_SCHEMA)],
) -> str:
    return _slug(plan, lambda shown: f"unknown plan '{shown}'")


def commitment_slug(
    plan: Annotated[str, Depends(plan_slug)],
    slug: Annotated[
        str,
        Path(description="the commitment's slug, within its plan", json_schema_extra=SLUG_SCHEMA),
    ],
) -> str:
    return _slug(slug, lambda shown: f"unknown commitment '{shown}' in plan '{plan}'")


def _slug(value: str, missing: Callable[[str], str]) -> str:
    """Text that cannot be a slug names nothing recorded, and never reaches the database
    (PostgreSQL refuses a NUL byte outright)."""
    try:
        return checked_slug(value)
    except InvalidInputError:
        raise NotFoundError(missing(value if len(value) <= 100 else value[:100] + "…")) from None


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


PlanDep = Annotated[str, Depends(plan_slug)]
CommitmentDep = Annotated[str, Depends(commitment_slug)]
FiltersDep = Annotated[dict[str, str | None], Depends(filters)]


class CSVResponse(Response):
    media_type = "text/csv"


# Routes


@router.get("/plans", response_model=list[PlanSummary])
def plans(read: ReadDep, as_of: AsOfDep) -> Any:
    """Every plan, with its headline counts as of ``as_of`` (default today)."""
    return [_summary(s.plan, s.total, s.counts, as_of) for s in read.plans(as_of)]


@router.get(
    "/plans/{plan}",
    response_model=PlanDetail,
    response_model_exclude_unset=True,
    responses=NOT_FOUND,
)
def plan(plan: PlanDep, read: ReadDep, as_of: AsOfDep) -> Any:
    """A plan: its details, counts as of ``as_of``, sources and plan-wide events."""
    info = read.plan(plan)
    rows = read.commitments(plan, as_of)
    return {
        **_summary(info, len(rows), headline_counts(rows), as_of),
        "sources": {key: _source(data) for key, data in info.sources.items()},
        "all_sources": [
            _source(line.as_dict()) for line in plan_sources(info.sources, read.cited_sources(plan))
        ],
        "events": [_event(item) for item in read.plan_items(plan)],
    }


@router.get("/plans/{plan}/commitments", response_model=list[CommitmentStatus], responses=NOT_FOUND)
def commitments(plan: PlanDep, read: ReadDep, as_of: AsOfDep, wanted: FiltersDep) -> Any:
    """The rows of ``tracker status --plan PLAN --as-of DATE --format json``."""
    return [status_record(row) for row in _rows(read, plan, as_of, wanted)]


@router.get(
    "/plans/{plan}/commitments.csv",
    response_class=CSVResponse,
    responses=CSV_RESPONSES,
)
def commitments_csv(plan: PlanDep, read: ReadDep, as_of: AsOfDep, wanted: FiltersDep) -> Response:
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
    responses=NOT_FOUND,
)
def commitment(plan: PlanDep, slug: CommitmentDep, read: ReadDep, as_of: AsOfDep) -> Any:
    """One row of ``tracker status`` as of ``as_of``, plus every recorded event."""
    detail = read.commitment(plan, slug, as_of)
    row = detail.row
    return {
        **status_record(row),
        "summary": row.summary,
        "announced_on": str(row.announced_on),
        "version": row.version,
        "links": _commitment_links(plan, slug),
        "events": [_event(item) for item in detail.items],
        "sources": [_source(line.as_dict()) for line in commitment_sources(detail.items)],
    }


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
) -> Any:
    """Every event, newest first by the date it happened, a page at a time."""
    if plan:
        read.plan(plan_slug(plan))
    items, total = read.timeline(page, per_page, plan)
    pages = max(1, -(-total // per_page))

    def at(number: int) -> str:
        return urls.api_timeline(page=number, per_page=per_page, plan=plan)

    return {
        "page": page,
        "per_page": per_page,
        "pages": pages,
        "total": total,
        "items": [_event(item, timeline=True) for item in items],
        "links": {
            "html": urls.timeline(page),
            "self": at(page),
            "next": at(page + 1) if page < pages else None,
            "prev": at(min(page - 1, pages)) if page > 1 else None,
        },
    }


@router.get("/delays", response_model=Delays)
def delays(read: ReadDep, as_of: AsOfDep) -> Any:
    """Overdue, slipped, stale and deadline-less commitments as of ``as_of``."""
    return {
        "as_of": as_of,
        "commitments": [
            {**status_record(row), "links": _commitment_links(row.plan, row.slug)}
            for row in read.delays(as_of)
        ],
    }


# Shapes


def _rows(read: queries.ReadModel, plan: str, as_of: date, wanted: dict) -> list:
    read.plan(plan)  # an unknown plan is a 404, not an empty list
    return read.commitments(plan, as_of, **wanted)


def _summary(info: queries.PlanInfo, total: int, counts: dict, as_of: date) -> dict[str, Any]:
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


def _commitment_links(plan: str, slug: str) -> dict[str, str]:
    return {
        "html": urls.commitment(plan, slug),
        "feed": urls.feed("commitment", "atom", plan=plan, slug=slug),
        "api": urls.api_commitment(plan, slug),
    }


def _source(data: dict[str, Any]) -> dict[str, Any]:
    return {name: data.get(name) for name in Source.model_fields}


def _event(item: queries.Item, timeline: bool = False) -> dict[str, Any]:
    record = entry_record(item.plan, item.commitment, item.entry)
    record["corrected_by"] = item.corrected_by
    record["permalink"] = urls.event(item.plan, item.commitment, item.entry.number)
    if timeline:
        record["commitment_title"] = item.commitment_title
        record["delay"] = item.delay
        record["delay_days"] = item.delay_days
    return record


def _csv_text(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):  # transferred_from: "plan/commitment (date)", "; " between
        return "; ".join(f"{v['plan']}/{v['commitment']} ({v['date']})" for v in value)
    return value


# The log itself, for anyone who wants to check it (see the /log page).


class LogHead(BaseModel):
    events: int = Field(description="how many events the log holds")
    head: str = Field(description="sha256:HEX, the hash of the whole log, chained event by event")
    export: str = Field(description="where to download the log, to check it")


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
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 (sent)
    try:
        for line in chain.log_export(services.tracker):
            spool.write(json.dumps(line).encode() + b"\n")
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return StreamingResponse(_chunks(spool), media_type=JSONL, headers=headers)


def _chunks(spool: Any) -> Iterator[bytes]:
    with spool:
        while chunk := spool.read(64 * 1024):
            yield chunk

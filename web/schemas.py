"""The API's pydantic models: what the OpenAPI document promises, and FastAPI checks.

The read API's answers, the write API's 201s and the problem details every error of
either is answered with (``Error``; see ``web.problems``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from tracker.application.records import entry_record
from tracker.domain.entries import STATUSES, Entry
from tracker.domain.sources import SOURCE_KINDS
from web import urls

SourceKind = Literal[SOURCE_KINDS]


class FieldError(BaseModel):
    field: str = Field(description="a body field, 'body', a parameter or a header")
    detail: str


class Error(BaseModel):
    """Problem details (RFC 9457): how every error of the API is answered."""

    type: str = Field("about:blank", description="always about:blank: see status")
    title: str = Field(description="the status's name")
    status: int
    detail: str = Field(
        description="what was wrong, fit to show a person, naming the plan, commitment,"
        " parameter or field"
    )
    errors: list[FieldError] = Field(description="one per field at fault")
    current_version: int | None = Field(
        None, description="on a 409 for a stale If-Match: the commitment's version now"
    )


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


class LogHead(BaseModel):
    events: int = Field(description="how many events the log holds")
    head: str = Field(description="sha256:HEX, the hash of the whole log, chained event by event")
    export: str = Field(description="where to download the log, to check it")


# The write API's answers


class RecordedEvent(Event):
    version: int = Field(description="the commitment's version now: the next If-Match")


class CreatedPlanLinks(BaseModel):
    html: str
    api: str


class PlanCreated(BaseModel):
    slug: str
    title: str
    publisher: str
    published_on: str
    url: str | None
    sources: dict[str, Source]
    events: list[Event]
    links: CreatedPlanLinks


class SourceRegistered(BaseModel):
    plan: str
    key: str
    source: Source
    links: CreatedPlanLinks


class CommitmentCreated(BaseModel):
    plan: str
    slug: str
    title: str
    theme: str | None
    owner: str | None
    version: int = Field(description="the number of its latest event (for If-Match)")
    events: list[Event]
    links: CommitmentLinks


# Records in these shapes, for both routers that answer with them


def event_record(
    plan: str, commitment: str | None, entry: Entry, corrected_by: int | None
) -> dict[str, Any]:
    """An event as ``Event``: the export's record, its correction and its permalink."""
    record = entry_record(plan, commitment, entry)
    record["corrected_by"] = corrected_by
    record["permalink"] = urls.event(plan, commitment, entry.number)
    return record


def commitment_links(plan: str, slug: str) -> dict[str, str]:
    return {
        "html": urls.commitment(plan, slug),
        "feed": urls.feed("commitment", "atom", plan=plan, slug=slug),
        "api": urls.api_commitment(plan, slug),
    }

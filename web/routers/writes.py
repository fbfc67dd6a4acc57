"""The write API: publish a plan, register a source, open a commitment, record an event.

Each route takes a JSON body shaped like the data files (contract, section 1), parses
it with the data files' own parser and carries it out with the same application
commands (``tracker.application.writes``). Who may do what is in ``web.auth``: admins
manage plans (the three creations); editors and admins record events. Opening a
commitment is an admin's: it says what the plan promised, which is the plan's own
content, while editors report what has happened since.

Every error is problem details (``web.problems``, by the app's shared exception
handlers), and nothing is written on any of them. A body over ``MAX_BODY`` is refused
before it is read in full. Events record ``recorded_by`` as the token's role and
organisation ("editor, Example Newsroom").

``If-Match`` (events only) holds the commitment's ``version`` as the read API shows it:
``3``, ``"3"`` and ``W/"3"`` all mean version 3 (versions are exact, so a weak tag is
read as the strong one), and a list means any of them. ``Idempotency-Key`` makes a
retry safe: see ``tracker.idempotency``.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request, Response

from tracker.access import Identity
from tracker.application.records import entry_record
from tracker.application.service import Tracker
from tracker.application.writes import (
    NewCommitment,
    NewEvent,
    NewPlan,
    NewSource,
    Write,
    new_commitment,
    new_event,
    new_plan,
    new_source,
    perform,
)
from tracker.domain.entries import Entry
from tracker.domain.errors import InvalidInputError
from tracker.idempotency import HEADER as IDEMPOTENCY_HEADER
from tracker.idempotency import run_once
from web import urls, writeschemas
from web.auth import CommitmentAdminDep, EditorDep, PlanAdminDep, SourceAdminDep
from web.bodies import BodyTooLarge, capped_body
from web.deps import CommitmentDep, PlanDep, ServicesDep
from web.problems import Problem, invalid, responses
from web.schemas import CommitmentCreated, PlanCreated, RecordedEvent, SourceRegistered
from web.services import Services

MAX_BODY = 64 * 1024
MAX_KEY = 255


async def read_capped_body(request: Request) -> None:
    """Read the body, at most ``MAX_BODY`` bytes of it, whatever Content-Length says:
    the router's first dependency, so an oversized body is refused before anything."""
    try:
        request._body = await capped_body(request, MAX_BODY)  # what ``body()`` returns now
    except BodyTooLarge:
        raise Problem(413, f"the body is larger than {MAX_BODY // 1024} KiB") from None


async def json_body(request: Request) -> Any:
    """The body as JSON; the route's own parser checks its fields.

    Fractions are kept as their text (a float would round 0.1 and turn 1e400 into
    infinity) and so are integers too long to be a count (``int()`` refuses one past
    4,300 digits): the number rules of ``tracker.domain.numbers`` then judge the text
    as written, and name the field."""
    try:
        return json.loads(await request.body(), parse_float=str, parse_int=_json_int)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise invalid("body", f"the body is not JSON: {error}") from None


def _json_int(text: str) -> int | str:
    return int(text) if len(text) <= 20 else text


BodyDep = Annotated[Any, Depends(json_body)]
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description='the commitment\'s version as last read: 3, "3" or W/"3"; a stale one'
        " gets 409 with the current version",
    ),
]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias=IDEMPOTENCY_HEADER,
        description="a unique value per intended write (e.g. a UUID): a retry with the same"
        " key and body returns the first answer and records nothing new; the same key with"
        " another body gets 422, and while the first request is still running, 409",
    ),
]


PROBLEMS = {
    401: "No valid token: none, malformed, unknown or revoked",
    403: "The token's role may not do this",
    413: f"The body is larger than {MAX_BODY // 1024} KiB",
    422: "Invalid input: each field at fault is named in errors",
}
IN_PROGRESS = "; or a request with this Idempotency-Key is still in progress"
CREATED_HEADERS = {
    "Location": {"description": "where the new record is", "schema": {"type": "string"}},
    "Idempotent-Replayed": {
        "description": "true when this is the stored answer to an earlier request",
        "schema": {"type": "string"},
    },
}


def _created(description: str, **problems: str) -> dict[int | str, dict[str, Any]]:
    """The route's answers: 201, the shared problems, and its own (``s404="..."``)."""
    own = {int(status[1:]): text for status, text in problems.items()}
    return {
        201: {"description": description, "headers": CREATED_HEADERS},
        **responses(dict(sorted({**PROBLEMS, **own}.items()))),
    }


router = APIRouter(prefix="/api/v1", tags=["writing"], dependencies=[Depends(read_capped_body)])


# Routes


@router.post(
    "/plans",
    status_code=201,
    response_model_exclude_unset=True,
    response_model=PlanCreated,
    responses=_created(
        "The plan, published", s409="A plan with this slug is already recorded" + IN_PROGRESS
    ),
    openapi_extra=writeschemas.body(writeschemas.PLAN, "shaped like plan.yaml"),
)
def create_plan(
    who: PlanAdminDep,
    body: BodyDep,
    services: ServicesDep,
    request: Request,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """Publish a plan with its sources and plan-wide events (admin)."""
    write = new_plan(body)
    return _carry_out(services, who, write, _Request(request, body, idempotency_key), response)


@router.post(
    "/plans/{plan}/sources",
    status_code=201,
    response_model_exclude_unset=True,
    response_model=SourceRegistered,
    responses=_created(
        "The source, registered under its key",
        s404="No such plan",
        s409="The plan has a source with this key already" + IN_PROGRESS,
    ),
    openapi_extra=writeschemas.body(
        writeschemas.NEW_SOURCE, "a key and a source, as under sources in plan.yaml"
    ),
)
def register_source(
    who: SourceAdminDep,
    body: BodyDep,
    plan: PlanDep,
    services: ServicesDep,
    request: Request,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """Register a source that the plan's events can cite by key (admin)."""
    write = new_source(services.tracker.plan(plan), body)
    return _carry_out(services, who, write, _Request(request, body, idempotency_key), response)


@router.post(
    "/plans/{plan}/commitments",
    status_code=201,
    response_model_exclude_unset=True,
    response_model=CommitmentCreated,
    responses=_created(
        "The commitment, announced",
        s404="No such plan",
        s409="The plan has a commitment with this slug already" + IN_PROGRESS,
    ),
    openapi_extra=writeschemas.body(
        writeschemas.COMMITMENT, "shaped like a commitment file: header and events"
    ),
)
def create_commitment(
    who: CommitmentAdminDep,
    body: BodyDep,
    plan: PlanDep,
    services: ServicesDep,
    request: Request,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """Open a commitment with its announcement, and any events after it (admin)."""
    write = new_commitment(services.tracker.plan(plan), body)
    return _carry_out(services, who, write, _Request(request, body, idempotency_key), response)


@router.post(
    "/plans/{plan}/commitments/{slug}/events",
    status_code=201,
    response_model_exclude_unset=True,
    response_model=RecordedEvent,
    responses=_created(
        "The event, recorded; Location is its permalink",
        s404="No such plan or commitment",
        s409="If-Match is stale (current_version says what it is now), or too many writers"
        " at once" + IN_PROGRESS,
    ),
    openapi_extra=writeschemas.body(
        writeschemas.EVENT, "one event, as in a commitment file (not announced)"
    ),
)
def record_event(
    who: EditorDep,
    body: BodyDep,
    plan: PlanDep,
    slug: CommitmentDep,
    services: ServicesDep,
    request: Request,
    response: Response,
    if_match: IfMatch = None,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """Record one event on a commitment (editor or admin)."""
    versions = if_match_versions(if_match)
    write = new_event(services.tracker.plan(plan), slug, body, versions)
    asked = _Request(request, body, idempotency_key, if_match=versions)
    return _carry_out(services, who, write, asked, response)


# Carrying out


class _Request:
    """What identifies a request for its idempotency key: method, path, body, If-Match."""

    def __init__(self, request: Request, body: Any, key: str | None, if_match: Any = None) -> None:
        self.key = idempotency_key(key)
        self.fingerprint = hashlib.sha256(
            json.dumps(
                [request.method, request.url.path, if_match, body],
                sort_keys=True,
                separators=(",", ":"),
                ensure_ascii=False,
            ).encode("utf-8")
        ).hexdigest()


def _carry_out(
    services: Services, who: Identity, write: Write, asked: _Request, response: Response
) -> dict[str, Any]:
    """Write once (or, with a key, at most once), then answer from the record."""
    tracker = services.tracker

    def respond(pin: int | None) -> dict[str, Any]:
        return answer(tracker, write, pin)

    if asked.key is None:
        result = respond(perform(tracker, write, who.recorded_by))
    else:
        result, replayed = run_once(
            services.keys,
            who.name,
            asked.key,
            asked.fingerprint,
            tracker,
            write,
            who.recorded_by,
            respond,
        )
        if replayed:
            response.headers["Idempotent-Replayed"] = "true"
    response.status_code = result["status"]
    response.headers["Location"] = result["location"]
    return result["body"]


def answer(tracker: Tracker, write: Write, pin: int | None) -> dict[str, Any]:
    """The 201 for a landed write, built from the record alone: asked again after a
    crash, it is the same answer."""
    match write:
        case NewEvent():
            return _event_answer(tracker, write, pin or 0)
        case NewCommitment():
            return _commitment_answer(tracker, write)
        case NewPlan():
            return _plan_answer(tracker, write)
        case NewSource():
            return _source_answer(tracker, write)
    raise TypeError(f"not a write: {write!r}")


def _event_answer(tracker: Tracker, write: NewEvent, pin: int) -> dict[str, Any]:
    entry = tracker.commitment(write.plan, write.commitment).entries[pin]
    body = _events(write.plan, write.commitment, [entry])[0]
    body["version"] = entry.number
    return {"status": 201, "location": body["permalink"], "body": body}


def _commitment_answer(tracker: Tracker, write: NewCommitment) -> dict[str, Any]:
    a = write.announce
    c = tracker.commitment(a.plan, a.commitment)
    entries = list(c.entries[: len(write.specs)])
    body = {
        "plan": c.plan,
        "slug": c.slug,
        "title": c.title,
        "theme": c.theme,
        "owner": c.owner,
        "version": len(entries),
        "events": _events(c.plan, c.slug, entries),
        "links": {
            "html": urls.commitment(c.plan, c.slug),
            "feed": urls.feed("commitment", "atom", plan=c.plan, slug=c.slug),
            "api": urls.api_commitment(c.plan, c.slug),
        },
    }
    return {"status": 201, "location": urls.api_commitment(c.plan, c.slug), "body": body}


def _plan_answer(tracker: Tracker, write: NewPlan) -> dict[str, Any]:
    p = tracker.plan(write.slug)
    body = {
        "slug": p.slug,
        "title": p.title,
        "publisher": p.publisher,
        "published_on": str(p.published_on),
        "url": p.url,
        "sources": {key: p.sources[key].as_dict() for key in write.sources},
        "events": _events(p.slug, None, list(p.entries[: len(write.events)])),
        "links": _plan_links(p.slug),
    }
    return {"status": 201, "location": urls.api_plan(p.slug), "body": body}


def _source_answer(tracker: Tracker, write: NewSource) -> dict[str, Any]:
    source = tracker.plan(write.plan).sources[write.key]
    body = {
        "plan": write.plan,
        "key": write.key,
        "source": source.as_dict(),
        "links": _plan_links(write.plan),
    }
    return {"status": 201, "location": urls.api_plan(write.plan), "body": body}


def _plan_links(plan: str) -> dict[str, str]:
    return {"html": urls.plan(plan), "api": urls.api_plan(plan)}


def _events(plan: str, commitment: str | None, entries: list[Entry]) -> list[dict[str, Any]]:
    """Entries in the read API's shape; ``corrected_by`` as far as these entries tell."""
    corrected_by = {e.details["corrects"]: e.number for e in entries if e.type == "correction"}
    records = []
    for entry in entries:
        record = entry_record(plan, commitment, entry)
        record["corrected_by"] = corrected_by.get(entry.number)
        record["permalink"] = urls.event(plan, commitment, entry.number)
        records.append(record)
    return records


# Headers


def if_match_versions(header: str | None) -> tuple[int, ...] | None:
    """The versions an If-Match header names; None when absent or ``*`` (any)."""
    if header is None or header.strip() == "*":
        return None
    versions = []
    for part in header.split(","):
        tag = part.strip().removeprefix("W/")
        if len(tag) >= 2 and tag[0] == tag[-1] == '"':
            tag = tag[1:-1]
        if not (tag.isascii() and tag.isdigit() and len(tag) <= 9):
            shown = part.strip()[:40]
            raise InvalidInputError(
                f"If-Match must hold the commitment's version, such as \"3\", not '{shown}'",
                "If-Match",
            )
        versions.append(int(tag))
    return tuple(versions)


def idempotency_key(header: str | None) -> str | None:
    """The key, unquoted (the draft writes it as a quoted string; bare is accepted)."""
    if header is None:
        return None
    key = header.strip()
    if len(key) >= 2 and key[0] == key[-1] == '"':
        key = key[1:-1]
    if not key or len(key) > MAX_KEY or not (key.isascii() and key.isprintable()):
        raise InvalidInputError(
            f"{IDEMPOTENCY_HEADER} must be 1 to {MAX_KEY} printable ASCII characters",
            IDEMPOTENCY_HEADER,
        )
    return key

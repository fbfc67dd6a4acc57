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

``If-Match`` (events only) holds the commitment's ``version`` as the read API shows it,
or the commitment's ``ETag`` (``web.etags``): ``3``, ``"3"``, ``W/"3"`` and
``"3.<digest>"`` all mean version 3 (versions are exact, so a weak tag is read as the
strong one), and a list means any of them. ``Idempotency-Key`` makes a retry safe: see
``tracker.idempotency``.

A body must say it is JSON (``Content-Type: application/json``), else 415.

A 201 is sent once the read models show the write (``web.freshness``), so a read that
follows it sees it: ``Tracker-Projected: true``, or ``false`` if they did not within
``projection_wait`` seconds (the write has landed all the same). An event's or a
commitment's 201 then carries the ``ETag`` a read of the commitment gives. No answer
of the write API is kept by any cache (``Cache-Control: no-store``).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fastapi import APIRouter, Depends, Request, Response

from tracker.access import Identity
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
from tracker.idempotency import run_once
from web import cachecontrol, etags, freshness, urls, writeschemas
from web.auth import CommitmentAdminDep, EditorDep, PlanAdminDep, SourceAdminDep
from web.bodies import (
    MAX_BODY,
    BodyDep,
    IdempotencyKey,
    IfMatch,
    idempotency_key,
    read_capped_body,
)
from web.deps import CommitmentDep, PlanDep, ServicesDep
from web.documents import commitment_document
from web.problems import responses
from web.schemas import (
    CommitmentCreated,
    PlanCreated,
    RecordedEvent,
    SourceRegistered,
    commitment_links,
    event_record,
)
from web.services import Services

PROBLEMS = {
    401: "No valid token: none, malformed, unknown or revoked",
    403: "The token's role may not do this",
    413: f"The body is larger than {MAX_BODY // 1024} KiB",
    415: "The body is not sent as JSON (Content-Type: application/json)",
    422: "Invalid input: each field at fault is named in errors",
}
IN_PROGRESS = "; or a request with this Idempotency-Key is still in progress"
CREATED_HEADERS = {
    "Location": {"description": "where the new record is", "schema": {"type": "string"}},
    "Idempotent-Replayed": {
        "description": "true when this is the stored answer to an earlier request",
        "schema": {"type": "string"},
    },
    freshness.HEADER: {
        "description": "true once the read models show the write (a read that follows sees"
        " it); false if they did not in time, though the write has landed",
        "schema": {"type": "string", "enum": ["true", "false"]},
    },
}
COMMITMENT_HEADERS = {
    **CREATED_HEADERS,
    "ETag": {
        "description": "what a read of the commitment gives right after (its version first),"
        " for If-Match; absent when Tracker-Projected is false",
        "schema": {"type": "string"},
    },
}


def _created(
    description: str, headers: dict[str, Any] = CREATED_HEADERS, **problems: str
) -> dict[int | str, dict[str, Any]]:
    """The route's answers: 201, the shared problems, and its own (``s404="..."``)."""
    own = {int(status[1:]): text for status, text in problems.items()}
    return {
        201: {"description": description, "headers": headers},
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
        COMMITMENT_HEADERS,
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
        COMMITMENT_HEADERS,
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
    versions = etags.if_match_versions(if_match)
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
    response.headers["Cache-Control"] = cachecontrol.NO_STORE
    _once_shown(services, write, response)
    return result["body"]


def _once_shown(services: Services, write: Write, response: Response) -> None:
    """Wait until the read models show the write (``web.freshness``), and say whether
    they do; then, for a commitment, give the ETag that reading it gives now."""
    shown = freshness.after_write(services)
    response.headers[freshness.HEADER] = "true" if shown else "false"
    where = _commitment_of(write)
    if shown and where is not None:
        document = commitment_document(services.read, *where, services.today())
        response.headers["ETag"] = etags.document_etag(document)


def _commitment_of(write: Write) -> tuple[str, str] | None:
    match write:
        case NewEvent():
            return write.plan, write.commitment
        case NewCommitment():
            return write.announce.plan, write.announce.commitment
    return None


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
        "links": commitment_links(c.plan, c.slug),
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
    return [event_record(plan, commitment, e, corrected_by.get(e.number)) for e in entries]

"""The editors' pages: sign in, record a development, correct an event, sign out.

Editors record what has happened on a commitment, each event with its source, through
forms that work as plain HTML round trips and that htmx only makes quicker (a field
is checked as soon as it changes). Every form goes through the same three steps:

1. **Form**: the fields of the event's type, a date at the precision the source gives,
   a note and a quote, and a source (one the plan has registered, or a new one).
2. **Preview**: the event exactly as the public commitment page will show it (its own
   macro, ``_macros.html``'s ``event``, on the entry the record would get: see
   ``tracker.application.drafts``), with the values carried on in hidden fields and two
   buttons, Submit and Change.
3. **Submit**: everything is checked again (hidden fields are input like any other) and
   recorded through the JSON API's own write path (``tracker.application.writes``),
   pinned to the commitment's version as it was when the form was opened. If anyone
   recorded an event there meanwhile, nothing is written: the form comes back with
   what is new, for the editor to judge and preview again. On success, 303 to the new
   event on the public page.

Nothing is written on any error. Events record ``recorded_by`` as the token's role and
organisation (``Identity.recorded_by``), never a person.

What the pages show of the record comes from the read models, as the public pages'
does; the version a form is pinned to is the one its page showed, so a read model that
lags can only cause a conflict that shows the editor what they had not seen.

Every answer here says ``Cache-Control: no-store, private`` (``web.security.NoStore``,
for every path under ``/editor``): pages that carry a session's CSRF token must never
be kept by the response cache (``web/cache.py``, which would skip them anyway, as they
carry a cookie), a proxy or the browser's history. What a route refuses becomes a page
(or the way to sign in) in the app's shared handlers, ``web.errors``.
Sessions, cookies and CSRF are in ``web.sessions``, ``web.editor_auth`` and
``web.csrf``; the limit on failed sign-ins in ``web.throttle``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from tracker.application.drafts import try_event
from tracker.application.specs import EventSpec
from tracker.application.writes import NewEvent, perform
from tracker.domain.entries import Entry
from tracker.domain.errors import ConflictError, InvalidInputError
from web import csrf, freshness, urls
from web.deps import ServicesDep, slug_of
from web.editor_auth import (
    ACTION,
    SESSION_COOKIE,
    SIGN_IN_COOKIE,
    EditorPage,
    EditorPost,
    clear_cookie,
    current_session,
    read_cookie,
    refuse_forgery,
    safe_next,
    set_cookie,
)
from web.editor_forms import (
    NEW_SOURCE,
    RECORD_TYPES,
    Draft,
    FormDep,
    check,
    draft_from,
    form_field,
    message,
)
from web.presenters.forms import (
    CORRECTION_LABELS,
    LABELS,
    OFFERS,
    TOKEN_INVALID,
    TOKEN_MISSING,
    refusal,
)
from web.presenters.preview import Target, preview_item, revision
from web.rendering import PageError, render
from web.services import Services
from web.sessions import Session

MAX_TOKEN = 200


router = APIRouter(prefix="/editor", include_in_schema=False)


# Signing in and out


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_page(
    request: Request,
    next: str | None = None,
    signed_out: str | None = None,
) -> Response:
    if current_session(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    token = read_cookie(request, SIGN_IN_COOKIE)  # kept, so that two tabs both work
    if not csrf.well_formed(token):
        token = csrf.new_token()
    response = _sign_in_form(request, token, next, {}, signed_out=bool(signed_out))
    set_cookie(response, request, SIGN_IN_COOKIE, token)
    return response


def _sign_in_form(
    request: Request,
    token: str,
    next: str | None,
    errors: dict[str, str],
    signed_out: bool = False,
    status_code: int = 200,
) -> HTMLResponse:
    context = {
        "csrf": token,
        "next": safe_next(next),
        "errors": errors,
        "labels": {"token": "API token"},
        "signed_out": signed_out,
        "feeds": [],
        "apis": [],
    }
    return render(request, "editor_sign_in.html", context, status_code=status_code)


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in(request: Request, services: ServicesDep, form: FormDep) -> Response:
    """Trade a token for a session. Login CSRF is stopped by the form's own value,
    which must match its cookie; guessing, by ``web.throttle``."""
    refuse_forgery(request)
    expected = read_cookie(request, SIGN_IN_COOKIE)
    if not csrf.matches(expected, form.get(csrf.FIELD)):
        again = (urls.editor_sign_in(next=safe_next(form.get("next"))), OFFERS["sign_in"])
        raise PageError(403, *refusal("sign_in_expired"), links=(again,))
    address = request.client.host if request.client else "unknown"
    wait = services.throttle.retry_after(address)
    if wait is not None:
        minutes = max(1, round(wait / 60))
        plural = "s" if minutes != 1 else ""
        words = refusal("throttled", minutes=minutes, plural=plural)
        raise PageError(429, *words, headers={"Retry-After": str(wait)})
    token = form.get("token", "").strip()
    who = services.tokens.authenticate(token) if 0 < len(token) <= MAX_TOKEN else None
    if who is None or not who.may(ACTION):
        problem = TOKEN_MISSING if not token else None
        if token:
            services.throttle.failed(address)
            problem = TOKEN_INVALID
        return _sign_in_form(request, expected, form.get("next"), {"token": problem}, False, 422)
    services.sessions.end(read_cookie(request, SESSION_COOKIE))
    session_id, _ = services.sessions.start(who)
    response = RedirectResponse(safe_next(form.get("next")), status_code=303)
    lifetime = int(services.sessions.lifetime.total_seconds())
    set_cookie(response, request, SESSION_COOKIE, session_id, max_age=lifetime)
    clear_cookie(response, request, SIGN_IN_COOKIE)
    return response


@router.post("/sign-out", response_class=HTMLResponse)
def sign_out(request: Request, services: ServicesDep, session: EditorPost) -> Response:
    services.sessions.end(read_cookie(request, SESSION_COOKIE))
    response = RedirectResponse(urls.editor_sign_in(signed_out=True), status_code=303)
    clear_cookie(response, request, SESSION_COOKIE)
    return response


# The editors' home


@router.get("", response_class=HTMLResponse)
def home(request: Request, services: ServicesDep, session: EditorPage) -> Response:
    today = services.today()
    read = services.read
    plans = [(info, read.commitments(info.slug, today)) for info in read.plan_infos()]
    return render(request, "editor_home.html", _signed_in(session) | {"plans": plans})


def _signed_in(session: Session) -> dict[str, Any]:
    return {"who": session.who, "csrf": session.csrf, "feeds": [], "apis": []}


# Recording and correcting


def _target(services: Services, plan: str, slug: str) -> Target:
    plan = slug_of(plan, "unknown plan '{}'")
    slug = slug_of(slug, f"unknown commitment '{{}}' in plan '{plan}'")
    today = services.today()
    detail = services.read.commitment(plan, slug, today)
    info = services.read.plan(plan)
    sources = services.tracker.plan(plan).sources
    return Target(info, detail.row, detail.items, sources, today)


TypeQuery = Annotated[str | None, Query(alias="type")]


@router.get("/plans/{plan}/commitments/{slug}/record", response_class=HTMLResponse)
def record_page(
    request: Request,
    services: ServicesDep,
    session: EditorPage,
    plan: str,
    slug: str,
    kind: TypeQuery = None,
) -> Response:
    target = _target(services, plan, slug)
    draft = Draft(kind, {}, target.version) if kind in RECORD_TYPES else None
    return _form(request, session, target, draft, {})


@router.post("/plans/{plan}/commitments/{slug}/record", response_class=HTMLResponse)
def record(
    request: Request,
    services: ServicesDep,
    session: EditorPost,
    form: FormDep,
    plan: str,
    slug: str,
) -> Response:
    target = _target(services, plan, slug)
    draft = draft_from(form)
    if draft.type not in RECORD_TYPES:
        again = (urls.editor_record(target.plan, target.slug), OFFERS["choose_kind"])
        raise PageError(422, *refusal("no_kind"), (again,))
    return _step(request, services, session, target, draft, form.get("step", "preview"))


@router.get("/plans/{plan}/commitments/{slug}/correct", response_class=HTMLResponse)
def correct_page(
    request: Request, services: ServicesDep, session: EditorPage, plan: str, slug: str
) -> Response:
    target = _target(services, plan, slug)
    return _form(request, session, target, Draft("correction", {}, target.version), {})


@router.post("/plans/{plan}/commitments/{slug}/correct", response_class=HTMLResponse)
def correct(
    request: Request,
    services: ServicesDep,
    session: EditorPost,
    form: FormDep,
    plan: str,
    slug: str,
) -> Response:
    target = _target(services, plan, slug)
    draft = draft_from(form, "correction")
    return _step(request, services, session, target, draft, form.get("step", "preview"))


def _step(
    request: Request,
    services: Services,
    session: Session,
    target: Target,
    draft: Draft,
    step: str,
) -> Response:
    """One step of a form: check it as it is filled in, go back to change it, preview
    it, or submit it."""
    if draft.version is None:
        again = (_action(target, draft), OFFERS["form_again"])
        raise PageError(400, *refusal("no_version"), (again,))
    if step == "validate":
        checked = check(draft, target.sources, complete=False)
        return _form(request, session, target, draft, checked.errors, fragment=True)
    if step == "change":
        return _form(request, session, target, draft, {})
    checked = check(draft, target.sources)
    if checked.errors:
        return _form(request, session, target, draft, checked.errors, status_code=422)
    submit = step == "submit"
    return _try_or_record(request, services, session, target, draft, checked.spec, submit)


def _try_or_record(
    request: Request,
    services: Services,
    session: Session,
    target: Target,
    draft: Draft,
    spec: EventSpec,
    submit: bool,
) -> Response:
    """Let the commitment judge the event (a correction's target, a negative amount, a
    stale version), then show the preview or, on submit, record it pinned to the form's
    version: both from the same checks, so a preview that passed can only fail to be
    recorded if someone else wrote first."""
    tracker, recorded_by = services.tracker, session.who.recorded_by
    try:
        entry = try_event(tracker, target.plan, target.slug, spec, recorded_by, draft.version)
        if submit:
            write = NewEvent(target.plan, target.slug, spec, (draft.version,))
            return _recorded(services, target, perform(tracker, write, recorded_by) + 1)
    except ConflictError:
        return _conflict(request, services, session, target, draft)
    except InvalidInputError as error:
        errors = {form_field(error.field): message(error, draft)}
        return _form(request, session, target, draft, errors, status_code=422)
    return _preview(request, session, target, draft, entry)


def _action(target: Target, draft: Draft | None) -> str:
    if draft is not None and draft.type == "correction":
        return urls.editor_correct(target.plan, target.slug)
    return urls.editor_record(target.plan, target.slug)


def _form(
    request: Request,
    session: Session,
    target: Target,
    draft: Draft | None,
    errors: dict[str, str],
    conflict: list[Entry] | None = None,
    status_code: int = 200,
    fragment: bool = False,
) -> HTMLResponse:
    correction = draft is not None and draft.type == "correction"
    context = _signed_in(session) | {
        "info": target.info,
        "row": target.row,
        "draft": draft,
        "errors": errors,
        "conflict": conflict,
        "action": _action(target, draft),
        "labels": CORRECTION_LABELS if correction else LABELS,
        "types": RECORD_TYPES,
        "sources": target.sources,
        "new_source": NEW_SOURCE,
        "choices": target.correctable,
    }
    name = "editor_correct.html" if correction else "editor_record.html"
    block = "validation" if fragment else None
    return render(request, name, context, fragment=block, status_code=status_code)


def _conflict(
    request: Request, services: Services, session: Session, target: Target, draft: Draft
) -> HTMLResponse:
    """409: the form again, pinned to the version now, and what changed since."""
    current = services.tracker.commitment(target.plan, target.slug)
    news = list(current.entries[draft.version :])
    draft = replace(draft, version=current.version)
    return _form(request, session, target, draft, {}, conflict=news, status_code=409)


def _preview(
    request: Request, session: Session, target: Target, draft: Draft, entry: Entry
) -> HTMLResponse:
    item = preview_item(target, entry)
    corrected = target.item(entry.details["corrects"]) if entry.type == "correction" else None
    context = _signed_in(session) | {
        "info": target.info,
        "row": target.row,
        "draft": draft,
        "action": _action(target, draft),
        "item": item,
        "later": entry.date.start > target.today,
        "today": target.today,
        "revision": revision(target, entry.number),
        "corrected": corrected,
        "corrected_revision": revision(target, corrected.entry.number) if corrected else 0,
    }
    return render(request, "editor_preview.html", context)


def _recorded(services: Services, target: Target, number: int) -> RedirectResponse:
    """303 to the new event on the public page, once the read models show it (a
    moment, at most ``projection_wait`` seconds: ``web.freshness``), as the write
    API's 201 is."""
    freshness.after_write(services)
    return RedirectResponse(urls.event(target.plan, target.slug, number), status_code=303)

"""What changed between two dates (contract section 6): ``/api/v1/changes`` and the
page ``/changes``, both from ``web.presenters.changes``, so that the page and the
JSON cannot say different things.

The page is a GET form that works without JavaScript; htmx, where it runs, swaps only
the results (the ``results`` block, answered with ``Vary: HX-Request``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from tracker.application.specs import date_of
from tracker.domain.dates import PartialDate
from web import urls
from web.changeschemas import Changes
from web.deps import AS_OF_PATTERN, ServicesDep, slug_of
from web.presenters.changes import Window, changes, changes_record, window
from web.presenters.views import feed_links
from web.presenters.wording import CHANGES_DATES, NO_DEADLINE, change_label
from web.rendering import render
from web.schemas import Error

DAY = {"pattern": AS_OF_PATTERN}
ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": Error, "description": "No such plan"},
    422: {"model": Error, "description": "A bad date, or since after until, named"},
}

api = APIRouter(prefix="/api/v1", tags=["api"])
page = APIRouter(include_in_schema=False)


@api.get("/changes", response_model=Changes, responses=ERRORS)
def changes_api(
    services: ServicesDep,
    since: Annotated[str, Query(description=CHANGES_DATES["since"], json_schema_extra=DAY)],
    until: Annotated[
        str | None, Query(description=CHANGES_DATES["until"], json_schema_extra=DAY)
    ] = None,
    plan: Annotated[str | None, Query(description="only this plan's commitments")] = None,
) -> Any:
    """Commitments whose status, deadline or overdue state differs between the day
    before ``since`` and ``until``, each with both sides and the events that made it."""
    span = _window(services, since, until, plan)
    return changes_record(span, changes(services.read, span))


@page.get("/changes", response_class=HTMLResponse)
def changes_page(
    request: Request,
    services: ServicesDep,
    since: str | None = None,
    until: str | None = None,
    plan: str | None = None,
) -> HTMLResponse:
    plans = services.read.plan_infos()
    asked = bool(since and since.strip())
    span = _window(services, since, until, plan) if asked else None
    context = {
        "span": span,
        "found": changes(services.read, span) if span else [],
        "form": {"since": since or "", "until": until or "", "plan": plan or ""},
        "plans": {p.slug: p for p in plans},
        "today": services.today(),
        "change_label": change_label,
        "no_deadline": NO_DEADLINE,
        "feeds": feed_links(("Delays", "delays"), ("Every event", "all")),
        "apis": [("These changes", urls.api_changes(since=since, until=until, plan=plan))]
        if asked
        else [],
    }
    return render(request, "changes.html", context, fragment="results")


def _window(services: Any, since: str | None, until: str | None, plan: str | None) -> Window:
    """The window asked for; bad dates and an unknown plan raise, naming the parameter."""
    start = date_of(since, "since")
    end = _optional_day(until, "until")
    if plan:
        plan = slug_of(plan, "unknown plan '{}'")
        services.read.plan(plan)
    return window(start, end, services.today(), plan or None)


def _optional_day(text: str | None, name: str) -> PartialDate | None:
    return date_of(text, name) if text and text.strip() else None

"""The deadlines as calendars (``web.presenters.calendars``): every plan's, one
plan's, one commitment's. Read from the read models as of today, like the pages."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from tracker.readmodels.views import CommitmentRow
from web import urls
from web.deps import CommitmentDep, PlanDep, ServicesDep
from web.presenters import calendars
from web.services import Services
from web.validated import validated

router = APIRouter(tags=["calendars"])

MEDIA_TYPE = "text/calendar"
RESPONSES: dict[int | str, dict] = {
    200: {"description": "An iCalendar file (RFC 5545)", "content": {MEDIA_TYPE: {}}},
    304: {"description": "Not modified since the ETag or date the reader sent"},
}
UNKNOWN = {404: {"description": "Unknown plan or commitment"}}


@router.get(
    urls.calendar(),
    summary="Every open commitment's current deadline, as a calendar",
    response_class=Response,
    responses=RESPONSES,
)
def site_calendar(request: Request, services: ServicesDep) -> Response:
    read, today = services.read, services.today()
    rows = [row for info in read.plan_infos() for row in read.commitments(info.slug, today)]
    return _answer(request, services, None, rows)


@router.get(
    urls.calendar("{plan}"),
    summary="The current deadlines of one plan's open commitments, as a calendar",
    response_class=Response,
    responses={**RESPONSES, **UNKNOWN},
)
def plan_calendar(request: Request, services: ServicesDep, plan: PlanDep) -> Response:
    info = services.read.plan(plan)
    rows = services.read.commitments(plan, services.today())
    return _answer(request, services, info.title, rows)


@router.get(
    urls.calendar("{plan}", "{slug}"),
    summary="One commitment's current deadline, as a calendar",
    response_class=Response,
    responses={**RESPONSES, **UNKNOWN},
)
def commitment_calendar(
    request: Request, services: ServicesDep, plan: PlanDep, slug: CommitmentDep
) -> Response:
    row = services.read.commitment(plan, slug, services.today()).row
    return _answer(request, services, row.title, [row])


def _answer(
    request: Request, services: Services, subject: str | None, rows: list[CommitmentRow]
) -> Response:
    base = (services.settings.base_url or str(request.base_url)).rstrip("/")
    titles = {info.slug: info.title for info in services.read.plan_infos()}
    items = calendars.deadlines(rows, titles)
    body = calendars.calendar(subject, items, base)
    modified = calendars.last_recorded(items)
    return validated(request, body, f"{MEDIA_TYPE}; charset=utf-8", modified)


# HEAD too, as the feeds take it (a reader checking for a change), out of the schema.
for _route in list(router.routes):
    router.add_api_route(_route.path, _route.endpoint, methods=["HEAD"], include_in_schema=False)

"""What other sites may show of a commitment: its status badge (an SVG image) and a
small card, the one page they may frame (``web.security`` lets ``/embed/`` be
framed by anyone; every other page forbids it)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from web import urls
from web.deps import CommitmentDep, PlanDep, ServicesDep
from web.presenters import embeds
from web.presenters.wording import PRECISION
from web.rendering import fragment, render
from web.validated import CACHE_CONTROL, validated

router = APIRouter()

SVG = "image/svg+xml"


@router.get(
    urls.badge("{plan}", "{slug}"),
    tags=["embeds"],
    summary="A commitment's status and days overdue, as a small SVG badge",
    response_class=Response,
    responses={
        200: {"description": "An SVG image", "content": {SVG: {}}},
        304: {"description": "Not modified since the ETag the reader sent"},
        404: {"description": "Unknown plan or commitment"},
    },
)
def badge(request: Request, services: ServicesDep, plan: PlanDep, slug: CommitmentDep) -> Response:
    today = services.today()
    row = services.read.commitment(plan, slug, today).row
    body = fragment("embed/badge.svg", badge=embeds.badge(row, today)).encode()
    return validated(request, body, SVG)


router.add_api_route(
    urls.badge("{plan}", "{slug}"), badge, methods=["HEAD"], include_in_schema=False
)


@router.get(urls.embed("{plan}", "{slug}"), response_class=HTMLResponse, include_in_schema=False)
def card(request: Request, services: ServicesDep, plan: PlanDep, slug: CommitmentDep) -> Response:
    today = services.today()
    detail = services.read.commitment(plan, slug, today)
    row, f = detail.row, detail.row.figures
    event, source = embeds.status_source([i.entry for i in detail.items], today)
    base = (services.settings.base_url or str(request.base_url)).rstrip("/")
    context = {
        "info": services.read.plan(plan),
        "row": row,
        "f": f,
        "today": today,
        "page": base + urls.commitment(plan, slug),
        "due": f"{f.due.human()}{PRECISION[f.due.precision]}" if f.due else None,
        "status_event": event,
        "source": source,
    }
    response = render(request, "embed/card.html", context)
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response

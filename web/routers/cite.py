"""A commitment's citation as a file: BibTeX, RIS or CSL-JSON, pinned to the position
of the log given (``?as_recorded=``) or to the one today's page shows.

Not part of the JSON API (its answers are files for reference managers); errors are
pages, as on the commitment page itself.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from tracker.application.specs import date_of
from tracker.domain.errors import NotFoundError
from web.citing import pinned_citation
from web.deps import ServicesDep, slug_of
from web.presenters import citations
from web.recorded import page_position, page_read

router = APIRouter(include_in_schema=False)


@router.get("/plans/{plan}/commitments/{slug}/cite.{kind}")
def citation_file(
    request: Request,
    services: ServicesDep,
    plan: str,
    slug: str,
    kind: str,
    as_of: str | None = None,
    as_recorded: str | None = None,
) -> Response:
    plan = slug_of(plan, "unknown plan '{}'")
    slug = slug_of(slug, f"unknown commitment '{{}}' in plan '{plan}'")
    render = citations.RENDERERS.get(kind)
    services.read.commitment(plan, slug, services.today())  # unknown: a 404 first
    if render is None:
        raise NotFoundError(f"no citation format '{kind}' (bib, ris or json)")
    here = (f"/plans/{plan}/commitments/{slug}", "See this commitment as it stands today")
    day = date_of(as_of, "as_of").end if as_of and as_of.strip() else services.today()
    position = page_position(services, as_recorded, here)
    row = page_read(services, position).commitment(plan, slug, day).row
    cited = pinned_citation(request, services, row, day, position)
    name = f"{plan}-{slug}-record-{cited.events}.{kind}"
    return Response(
        render(cited),
        media_type=citations.FORMATS[kind],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )

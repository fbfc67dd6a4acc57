"""Request dependencies, as ``Annotated`` types the routers declare.

They are ``async`` because they only read what the lifespan built: a plain ``def``
would cost each request a trip through the thread pool for nothing."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Path, Query, Request

from tracker.application.specs import date_of
from tracker.domain.entries import checked_slug
from tracker.domain.errors import InvalidInputError, NotFoundError
from tracker.readmodels import ReadModel
from web.services import Services
from web.writeschemas import SLUG


async def services(request: Request) -> Services:
    return request.app.state.services


async def read_model(request: Request) -> ReadModel:
    return request.app.state.services.read


# Documented, not enforced here: a day that does not exist (30 February) also matches,
# and the parser's 422 names the problem better than a pattern mismatch would.
# Empty means today, as an as-of form submitted blank does.
AS_OF_PATTERN = r"^([0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?)?$"


async def as_of(
    request: Request,
    as_of: Annotated[
        str | None,
        Query(
            description="YYYY, YYYY-MM or YYYY-MM-DD (a month or year means its last day)",
            json_schema_extra={"pattern": AS_OF_PATTERN},
        ),
    ] = None,
) -> date:
    """The reference day: ``?as_of=`` at any precision, else today."""
    if not as_of:
        return request.app.state.services.today()
    return date_of(as_of, "as_of").end


def slug_of(text: str, missing: str) -> str:
    """A slug from the path, or a 404 (``missing``, with ``{}`` for what was given):
    text that cannot be a slug names nothing recorded, and never reaches the database
    (PostgreSQL refuses a NUL byte outright)."""
    try:
        return checked_slug(text)
    except InvalidInputError:
        shown = text if len(text) <= 100 else text[:100] + "…"
        raise NotFoundError(missing.format(shown)) from None


# Documented, not enforced by FastAPI: text that is not a slug names nothing, a 404.
SLUG_SCHEMA = {"pattern": SLUG["pattern"], "maxLength": SLUG["maxLength"]}


async def plan_slug(
    plan: Annotated[str, Path(description="the plan's slug", json_schema_extra=SLUG_SCHEMA)],
) -> str:
    return slug_of(plan, "unknown plan '{}'")


async def commitment_slug(
    plan: Annotated[str, Depends(plan_slug)],
    slug: Annotated[
        str,
        Path(description="the commitment's slug, within its plan", json_schema_extra=SLUG_SCHEMA),
    ],
) -> str:
    return slug_of(slug, f"unknown commitment '{{}}' in plan '{plan}'")


ServicesDep = Annotated[Services, Depends(services)]
ReadDep = Annotated[ReadModel, Depends(read_model)]
AsOfDep = Annotated[date, Depends(as_of)]
PlanDep = Annotated[str, Depends(plan_slug)]
CommitmentDep = Annotated[str, Depends(commitment_slug)]

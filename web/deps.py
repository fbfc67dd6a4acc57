"""Request dependencies, as ``Annotated`` types the routers declare.

They are ``async`` because they only read what the lifespan built: a plain ``def``
would cost each request a trip through the thread pool for nothing."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, HTTPException, Query, Request

from tracker.application.specs import date_of
from tracker.domain.errors import InvalidInputError
from tracker.readmodels import ReadModel
from web.services import Services


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
    try:
        return date_of(as_of, "as_of").end
    except InvalidInputError as error:
        raise HTTPException(status_code=422, detail=f"as_of: {error}") from None


ServicesDep = Annotated[Services, Depends(services)]
ReadDep = Annotated[ReadModel, Depends(read_model)]
AsOfDep = Annotated[date, Depends(as_of)]

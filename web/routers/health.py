"""Whether the process is up (``/healthz``) and whether it can answer from the record
(``/readyz``): for load balancers and orchestrators (contract section 7). Neither is
ever cached, and neither needs credentials."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from tracker.store import chain
from web.deps import ServicesDep
from web.security import BUSY_RETRY_AFTER_SECONDS

log = logging.getLogger(__name__)
router = APIRouter(tags=["health"])
NO_STORE = {"Cache-Control": "no-store"}


@router.get("/healthz")
def healthz() -> JSONResponse:
    """200 for as long as the process runs: it asks nothing of the store."""
    return JSONResponse({"status": "ok"}, headers=NO_STORE)


@router.get("/readyz", responses={503: {"description": "The store does not answer"}})
def readyz(services: ServicesDep) -> JSONResponse:
    """200 with how many events the log holds and how many the read models have
    followed, when the store answers; 503 with ``Retry-After`` when it does not."""
    try:
        body = _readiness(services)
    except Exception as error:  # any failure to reach the store means: not ready
        log.warning("readyz: the store does not answer (%s)", type(error).__name__)
        headers = NO_STORE | {"Retry-After": str(BUSY_RETRY_AFTER_SECONDS)}
        return JSONResponse({"status": "unavailable"}, status_code=503, headers=headers)
    return JSONResponse(body, headers=NO_STORE)


def _readiness(services: Any) -> dict[str, Any]:
    """Counts of events, not log positions, which on PostgreSQL skip numbers. The
    projector's position is read first, so it is never past the head read after it."""
    position = services.projector.position()
    head = chain.head(services.tracker)
    projected = chain.count_through(services.tracker, position)
    return {
        "status": "ok",
        "events": head.events,
        "projected": projected,
        "lag": head.events - projected,
    }

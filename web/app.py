"""The one place the site is wired together: ``create_app`` builds the application,
the read models and the background work in a lifespan; nothing connects at import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from eventsourcing.persistence import ConnectionUnavailableError, OperationalError
from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import OperationalError as SQLAlchemyOperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from web import errors
from web.cache import Head, ResponseCache
from web.security import SecurityHeaders, server_error, store_busy
from web.services import start
from web.settings import BUNDLED_EVENTS, Settings

STATIC = BUNDLED_EVENTS.parent / "web" / "static"
# The store did not answer in time: the library's pool, or a lock (SQLite's or
# PostgreSQL's), in the event store or the SQLAlchemy tables. Answered with 503.
BUSY_ERRORS = (ConnectionUnavailableError, OperationalError, SQLAlchemyOperationalError)
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = start(settings)
        app.state.services = services
        try:
            yield
        finally:
            services.stop.set()
            services.tracker.close()
            services.projector.engine.dispose()

    app = FastAPI(
        title="Action Plan Tracker",
        description="Where each commitment in a government action plan stands, and who says so.",
        version="1",
        lifespan=lifespan,
        # The interactive docs would load their script from a CDN: the schema is at
        # /openapi.json for any viewer to read.
        docs_url=None,
        redoc_url=None,
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    if settings.cache_entries:
        app.add_middleware(ResponseCache, head=_head, max_entries=settings.cache_entries)
    app.add_middleware(SecurityHeaders)  # added last: outermost, so cached answers get them
    app.add_exception_handler(Exception, server_error)
    errors.install(app)
    for busy in BUSY_ERRORS:
        app.add_exception_handler(busy, store_busy)
    from web.routers import api, feeds, pages

    app.include_router(api.router)
    from web.routers import writes

    app.include_router(writes.router)
    from web.routers import editor

    app.include_router(editor.router)
    app.include_router(feeds.router)
    app.include_router(pages.router)
    app.add_exception_handler(StarletteHTTPException, _not_found_page)
    return app


def _head(scope: dict) -> Head | None:
    services = getattr(scope["app"].state, "services", None)
    return services.head if services else None


async def _not_found_page(request: Request, error: StarletteHTTPException) -> Response:
    """A page for people who follow a broken link; machines still get JSON."""
    from web.routers import pages

    if error.status_code == 405:
        return _method_not_allowed(request, error)
    machine = request.url.path.startswith(("/api/", "/feeds/", "/static/"))
    if error.status_code != 404 or machine or "text/html" not in request.headers.get("accept", ""):
        return await http_exception_handler(request, error)
    problem = pages.PageError(
        404, "Not found", "There is no page at this address.", (("/", "Every plan"),)
    )
    return pages.error_page(request, problem)


def _method_not_allowed(request: Request, error: StarletteHTTPException) -> Response:
    """405 with every method the path takes in ``Allow`` (RFC 9110, 15.5.6): Starlette
    names only those of the first route that matched the path, and a path such as
    ``/api/v1/plans`` has a route for GET and another for POST."""
    allowed = {
        method
        for method in METHODS
        for route in request.app.routes
        if route.matches({**request.scope, "method": method})[0] == Match.FULL
    }
    headers = {"Allow": ", ".join(sorted(allowed))} if allowed else None
    return JSONResponse({"detail": error.detail}, status_code=405, headers=headers)

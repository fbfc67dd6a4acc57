"""The one place the site is wired together: ``create_app`` builds the application,
the read models and the background work in a lifespan; nothing connects at import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from eventsourcing.persistence import ConnectionUnavailableError, OperationalError
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import OperationalError as SQLAlchemyOperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyPoolTimeout

from web import errors, urls
from web.cache import Head, ResponseCache
from web.cachecontrol import CachePolicy
from web.presenters.wording import SITE
from web.routers import (
    api,
    calendars,
    changes,
    cite,
    data,
    discovery,
    editor,
    embeds,
    feeds,
    health,
    pages,
    search,
    writes,
)
from web.security import NoStore, SecurityHeaders, server_error, store_busy
from web.services import start
from web.settings import Settings

STATIC = Path(__file__).resolve().parent / "static"  # shipped in the wheel with the package
# The store did not answer in time: the library's pool, or a lock (SQLite's or
# PostgreSQL's), in the event store or the SQLAlchemy tables, or SQLAlchemy's pool had
# no connection free within its timeout. Answered with 503.
BUSY_ERRORS = (
    ConnectionUnavailableError,
    OperationalError,
    SQLAlchemyOperationalError,
    SQLAlchemyPoolTimeout,
)


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
        title=SITE,
        description="Where each commitment in a government action plan stands, and who says so.",
        version="1",
        lifespan=lifespan,
        # The interactive docs would load their script from a CDN: the schema is at
        # /openapi.json for any viewer to read.
        docs_url=None,
        redoc_url=None,
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(CachePolicy)  # innermost: what the cache keeps carries it
    app.add_middleware(NoStore, prefix=urls.editor_home())
    # With cache_entries 0 it keeps nothing, but still gives ETags and 304s.
    app.add_middleware(ResponseCache, head=_head, max_entries=settings.cache_entries)
    app.add_middleware(SecurityHeaders)  # added last: outermost, so cached answers get them
    app.add_exception_handler(Exception, server_error)
    errors.install(app)
    for busy in BUSY_ERRORS:
        app.add_exception_handler(busy, store_busy)
    routers = (api.router, writes.router, editor.router, feeds.router, pages.router, health.router)
    # contract section 6
    routers += (calendars.router, embeds.router, cite.router)
    routers += (changes.api, changes.page, data.router, discovery.router)
    routers += (search.api, search.pages)
    for router in routers:
        app.include_router(router)
    return app


def from_environment() -> FastAPI:
    """The app as ``tracker serve`` starts it in each worker process (uvicorn's
    ``--factory``): its settings come from the environment (``tracker.config``)."""
    return create_app(Settings.from_environment())


def _head(scope: dict) -> Head | None:
    services = getattr(scope["app"].state, "services", None)
    return services.head if services else None

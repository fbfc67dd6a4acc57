"""The one place the site is wired together: ``create_app`` builds the application,
the read models and the background work in a lifespan; nothing connects at import."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date

from eventsourcing.persistence import ConnectionUnavailableError, OperationalError
from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import OperationalError as SQLAlchemyOperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from tracker.access import Tokens
from tracker.application import Tracker, open_tracker
from tracker.datafiles import load
from tracker.idempotency import IdempotencyKeys
from tracker.readmodels import Projector, ReadModel, readmodel_engine
from web.cache import Head, ResponseCache
from web.loghead import log_head
from web.security import SecurityHeaders, server_error, store_busy
from web.sessions import Sessions
from web.settings import BUNDLED_EVENTS, Settings
from web.throttle import SignInThrottle

log = logging.getLogger(__name__)
STATIC = BUNDLED_EVENTS.parent / "web" / "static"
TICK_INTERVAL_SECONDS = 24 * 60 * 60
# The store did not answer in time: the library's pool, or a lock (SQLite's or
# PostgreSQL's), in the event store or the SQLAlchemy tables. Answered with 503.
BUSY_ERRORS = (ConnectionUnavailableError, OperationalError, SQLAlchemyOperationalError)
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
HEAD_TTL_SECONDS = 0.1  # how stale the cache's view of the head may be; see web/cache.py


@dataclass
class Services:
    """What requests need, built once per process by the lifespan."""

    settings: Settings
    tracker: Tracker
    projector: Projector
    read: ReadModel
    stop: threading.Event
    head: Head | None = None
    tokens: Tokens | None = None  # who may write (web/auth.py)
    keys: IdempotencyKeys | None = None  # writes already done (web/routers/writes.py)
    sessions: Sessions | None = None  # editors signed in (web/routers/editor.py)
    throttle: SignInThrottle | None = None  # failed sign-ins, per address

    def today(self) -> date:
        return date.today()

    def position(self) -> tuple[int, int]:
        """What cached answers depend on in the record: how far the read models have
        followed the log, and how many events the log holds (every page shows the log's
        head, which moves before the read models catch up)."""
        head = log_head(self.tracker)
        return self.projector.position(), head.events if head else 0


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


def start(settings: Settings) -> Services:
    """Open the store and the read models, catch up, and start background work."""
    tracker = open_tracker(settings.database_url, create_tables=settings.create_tables)
    if settings.load_bundled and not tracker.plan_slugs():
        load(tracker, [settings.events_dir], recorded_by="data files")
    engine = readmodel_engine(settings.database_url)
    projector = Projector(tracker, engine)
    projector.create_tables()
    projector.catch_up()
    stop = threading.Event()
    services = Services(settings, tracker, projector, ReadModel(engine), stop)
    services.tokens, services.keys = Tokens(engine), IdempotencyKeys(engine)
    services.tokens.create_tables()
    services.keys.create_tables()
    services.sessions, services.throttle = Sessions(engine), SignInThrottle()
    services.sessions.create_tables()
    # Projecting here, the read models move every poll at most; otherwise (tests that
    # project by hand) read the head on every request.
    ttl = HEAD_TTL_SECONDS if settings.project else 0.0
    services.head = Head(services.position, lambda: services.today(), ttl)
    if settings.tick:
        _daily(stop, lambda: tracker.tick(services.today()), "tick")
    if settings.project:
        threading.Thread(target=projector.run, args=(stop,), name="projector", daemon=True).start()
    return services


def _daily(stop: threading.Event, work, name: str) -> None:
    """Run ``work`` now and then once a day until ``stop`` is set."""

    def loop() -> None:
        while not stop.is_set():
            try:
                work()
            except Exception:
                log.exception("%s failed; trying again tomorrow", name)
            stop.wait(TICK_INTERVAL_SECONDS)

    threading.Thread(target=loop, name=name, daemon=True).start()

"""The one place the site is wired together: ``create_app`` builds the application,
the read models and the background work in a lifespan; nothing connects at import."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date

from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from tracker.application import Tracker, open_tracker
from tracker.datafiles import load
from tracker.readmodels import Projector, ReadModel, readmodel_engine
from web.settings import BUNDLED_EVENTS, Settings

log = logging.getLogger(__name__)
STATIC = BUNDLED_EVENTS.parent / "web" / "static"
TICK_INTERVAL_SECONDS = 24 * 60 * 60


@dataclass
class Services:
    """What requests need, built once per process by the lifespan."""

    settings: Settings
    tracker: Tracker
    projector: Projector
    read: ReadModel
    stop: threading.Event

    def today(self) -> date:
        return date.today()


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
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    from web.routers import api, feeds, pages

    app.include_router(api.router)
    app.include_router(feeds.router)
    app.include_router(pages.router)
    app.add_exception_handler(StarletteHTTPException, _not_found_page)
    return app


async def _not_found_page(request: Request, error: StarletteHTTPException) -> Response:
    """A page for people who follow a broken link; machines still get JSON."""
    from web.routers import pages

    machine = request.url.path.startswith(("/api/", "/feeds/", "/static/"))
    if error.status_code != 404 or machine or "text/html" not in request.headers.get("accept", ""):
        return await http_exception_handler(request, error)
    problem = pages.PageError(
        404, "Not found", "There is no page at this address.", (("/", "Every plan"),)
    )
    return pages.error_page(request, problem)


def start(settings: Settings) -> Services:
    """Open the store and the read models, catch up, and start background work."""
    tracker = open_tracker(settings.database_url, create_tables=settings.create_tables)
    if settings.load_bundled and not tracker.plan_slugs():
        load(tracker, [BUNDLED_EVENTS], recorded_by="data files")
    engine = readmodel_engine(settings.database_url)
    projector = Projector(tracker, engine)
    projector.create_tables()
    projector.catch_up()
    stop = threading.Event()
    services = Services(settings, tracker, projector, ReadModel(engine), stop)
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

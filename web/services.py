"""The composition root: what requests need (``Services``), built once per process by
``start``. Routers read it from ``request.app.state.services`` (``web.deps``); it
imports no router, so every import in ``web`` runs one way, from the app down."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import date

from tracker.access import Tokens
from tracker.application import Tracker, open_tracker
from tracker.application.ticks import tick
from tracker.datafiles import load
from tracker.idempotency import IdempotencyKeys
from tracker.readmodels import Projector, ReadModel, readmodel_engine
from tracker.readmodels.follow import Follower
from tracker.store.locks import STARTUP, Held
from tracker.store.persistence import database_url
from web.cache import Head
from web.loghead import log_head
from web.recorded import RecordedViews
from web.sessions import Sessions
from web.settings import Settings
from web.throttle import SignInThrottle

log = logging.getLogger(__name__)
TICK_INTERVAL_SECONDS = 24 * 60 * 60
HEAD_TTL_SECONDS = 0.1  # how stale the cache's view of the head may be; see web/cache.py


@dataclass
class Services:
    """What requests need, built once per process by ``start``."""

    settings: Settings
    tracker: Tracker
    projector: Projector
    read: ReadModel
    stop: threading.Event
    head: Head  # the log's head, as the response cache sees it
    tokens: Tokens  # who may write (web/auth.py)
    keys: IdempotencyKeys  # writes already done (web/routers/writes.py)
    sessions: Sessions  # editors signed in (web/routers/editor.py)
    throttle: SignInThrottle  # failed sign-ins, per address
    recorded: RecordedViews = field(default_factory=RecordedViews)  # past positions' views

    def today(self) -> date:
        return date.today()

    def position(self) -> tuple[int, int]:
        """What cached answers depend on in the record: how far the read models have
        followed the log, and how many events the log holds (every page shows the log's
        head, which moves before the read models catch up)."""
        head = log_head(self.tracker)
        return self.projector.position(), head.events if head else 0


def start(settings: Settings) -> Services:
    """Open the store and the read models, catch up, and start background work.

    What must happen once however many processes start together (creating tables,
    loading the bundled plan into an empty store, rebuilding read models of another
    version) happens under the store's start-up lock: the first process does it, the
    others wait and then find it done."""
    url = database_url(settings.database_url)
    with Held(url, STARTUP):
        tracker = open_tracker(url, settings.create_tables, settings.db_connections)
        if settings.load_bundled and not tracker.plan_slugs():
            load(tracker, [settings.events_dir], recorded_by="data files")
        engine = readmodel_engine(url, connections=settings.db_connections)
        projector = Projector(tracker, engine)
        projector.create_tables()
        projector.catch_up()
        tokens, keys, sessions = Tokens(engine), IdempotencyKeys(engine), Sessions(engine)
        for tables in (tokens, keys, sessions):
            tables.create_tables()
    # Projecting here, the read models move every poll at most; otherwise (tests that
    # project by hand) read the head on every request. Both are asked of ``services``
    # late, so that a test may replace its ``today``.
    ttl = HEAD_TTL_SECONDS if settings.project else 0.0
    head = Head(lambda: services.position(), lambda: services.today(), ttl)
    stop = threading.Event()
    services = Services(
        settings,
        tracker,
        projector,
        ReadModel(engine),
        stop,
        head=head,
        tokens=tokens,
        keys=keys,
        sessions=sessions,
        throttle=SignInThrottle(),
    )
    if settings.tick:
        _daily(stop, lambda: tick(tracker, url, services.today()), "tick")
    if settings.project:
        follower = Follower(projector, url)
        threading.Thread(target=follower.run, args=(stop,), name="projector", daemon=True).start()
    return services


def _daily(stop: threading.Event, work, name: str) -> None:
    """Run ``work`` now and then once a day until ``stop`` is set."""

    def loop() -> None:
        while not stop.is_set():
            try:
                work()
            except Exception as error:
                log.warning("%s failed; trying again tomorrow: %s", name, error)
                log.debug("%s failure", name, exc_info=error)
            stop.wait(TICK_INTERVAL_SECONDS)

    threading.Thread(target=loop, name=name, daemon=True).start()

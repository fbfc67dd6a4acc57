"""Following the log: one projector at a time among every process on a store, woken
by PostgreSQL's notifications (polling elsewhere), backing off while the store is down.

Any number of processes may offer to project (each ``tracker serve`` worker unless
``--no-project``, and ``tracker project``). They take turns by a store lock
(``tracker.store.locks``): one leads and the rest stand by, trying again now and then,
so a leader that dies is replaced within a second or so. Leading is a matter of
economy, not of correctness: the projector's own claim on its tracking row already
keeps two projectors from applying a batch twice.

While the store is down the follower logs once that it is, backs off (doubling its
wait up to ``MAX_BACKOFF``), and logs once again when the store answers and it has
caught up: never a traceback every pass.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from typing import Any

from tracker.readmodels.projector import Projector
from tracker.store.locks import PROJECTOR, StoreLock, store_lock
from tracker.store.persistence import postgres_conninfo

log = logging.getLogger("tracker.projector")
POLL_SECONDS = 0.2  # SQLite and memory: how often to look for new events
LISTEN_SECONDS = 5.0  # PostgreSQL: look anyway this often, in case a notification is lost
STANDBY_SECONDS = 1.0  # how often a process standing by asks to lead
FIRST_BACKOFF = 0.5
MAX_BACKOFF = 10.0


class Follower:
    def __init__(self, projector: Projector, url: str, lock: StoreLock | None = None) -> None:
        self.projector = projector
        self.url = url
        self.lock = lock or store_lock(url, PROJECTOR)
        self.leading = False
        self.waker = _waker(projector, url)
        self.failing_since: float | None = None
        self.backoff = FIRST_BACKOFF

    def run(self, stop: threading.Event) -> None:
        """Follow until ``stop`` is set."""
        try:
            while not stop.is_set():
                pause = self.step()
                if pause is None:
                    self.waker.block(stop)
                else:
                    stop.wait(pause)
        finally:
            self.close()

    def step(self) -> float | None:
        """One pass: lead if possible, catch up. Returns how long to pause before the
        next pass, or None when caught up: then wait for news of another event."""
        if not self._lead():
            return STANDBY_SECONDS
        try:
            self.waker.prepare()  # listening before reading: no notification slips by
            applied = self.projector.catch_up()
        except Exception as error:  # the store is down or busy: say so once, back off
            return self._failed(error)
        self._recovered(applied)
        return None

    def _lead(self) -> bool:
        if self.leading and self.lock.held():
            return True
        if self.leading:
            log.warning("lost the projector lock (the store's session ended); asking again")
            self.lock.release()
        try:
            self.leading = self.lock.acquire(timeout=0)
        except Exception as error:
            self.leading = False
            self._failed(error)
            return False
        if self.leading:
            log.info("projecting: this process follows the log into the read models")
        return self.leading

    def _failed(self, error: Exception) -> float:
        if self.failing_since is None:
            self.failing_since = time.monotonic()
            log.warning("projection paused, the store did not answer: %s", _one_line(error))
            log.debug("projection failure", exc_info=error)
            self.backoff = FIRST_BACKOFF
        else:
            self.backoff = min(self.backoff * 2, MAX_BACKOFF)
        self.waker.reset()
        return self.backoff

    def _recovered(self, applied: int) -> None:
        if self.failing_since is None:
            return
        down = time.monotonic() - self.failing_since
        self.failing_since = None
        log.info("projection resumed after %.1f s; %d events projected", down, applied)

    def close(self) -> None:
        self.waker.close()
        self.lock.release()
        self.lock.close()


def _one_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}".rstrip(": ")


def _waker(projector: Projector, url: str) -> Any:
    channel = getattr(projector.tracker.recorder, "channel_name", None)
    if url.split(":", 1)[0].split("+")[0] in ("postgresql", "postgres") and channel:
        return _Listener(url, channel)
    return _Poller()


class _Poller:
    def prepare(self) -> None:
        pass

    def block(self, stop: threading.Event) -> None:
        stop.wait(POLL_SECONDS)

    def reset(self) -> None:
        pass

    def close(self) -> None:
        pass


class _Listener:
    """LISTEN on the channel the event store NOTIFYs on each insert, on a connection of
    its own outside the store's pool; ``block`` returns on a notification, on ``stop``,
    or after ``LISTEN_SECONDS`` in case one was lost."""

    def __init__(self, url: str, channel: str) -> None:
        self.url = url
        self.channel = channel
        self.conn: Any = None

    def prepare(self) -> None:
        import psycopg
        from psycopg.sql import SQL, Identifier

        if self.conn is None or self.conn.closed:
            where = postgres_conninfo(self.url)
            self.conn = psycopg.connect(
                autocommit=True,
                connect_timeout=5,
                application_name="tracker projector listener",
                **where,
            )
            self.conn.execute(SQL("LISTEN {0}").format(Identifier(self.channel)))

    def block(self, stop: threading.Event) -> None:
        deadline = time.monotonic() + LISTEN_SECONDS
        try:
            while not stop.is_set() and time.monotonic() < deadline:
                if any(True for _ in self.conn.notifies(timeout=0.5, stop_after=1)):
                    return
        except Exception:  # the store went away: the next pass says so and backs off
            self.reset()

    def reset(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(Exception):
                self.conn.close()
            self.conn = None

    def close(self) -> None:
        self.reset()

"""Named locks held across every process that shares a store.

Several processes may start on one store at once (``tracker serve --workers 4``, a
``tracker project`` beside them, a cron ``tracker tick``). Some work must then happen
once: creating tables, loading the bundled plan into an empty store, rebuilding read
models after a version change; and some must have one doer at a time: following the log
into the read models, the daily tick. A ``StoreLock`` names such work.

- PostgreSQL: a session-level advisory lock (``pg_advisory_lock``), keyed by the
  lock's name and the store's schema, on a connection of its own that holds nothing
  else. If the process dies, PostgreSQL ends its session and the lock goes with it.
- SQLite: ``flock`` on a file beside the database (``tracker.sqlite.startup.lock``).
  The kernel releases it when the process dies. (Not on the database file itself:
  SQLite's own locks on it must stay SQLite's.)
- ``memory://``: a lock in this process, which is the only one that sees the store.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import threading
import time
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from tracker.domain.errors import InvalidInputError
from tracker.store.persistence import postgres_conninfo, postgres_schema, sqlite_path

STARTUP = "startup"
PROJECTOR = "projector"
TICK = "tick"
POLL_SECONDS = 0.05


class StoreLock(Protocol):
    def acquire(self, timeout: float | None = None) -> bool:
        """Wait (at most ``timeout`` seconds; None: for as long as it takes); True if held."""

    def held(self) -> bool:
        """Whether this lock is still held (a PostgreSQL session may have ended)."""

    def release(self) -> None: ...

    def close(self) -> None: ...


def store_lock(url: str, name: str) -> StoreLock:
    """The lock called ``name`` on the store at ``url``."""
    parts = urlsplit(url)
    scheme = parts.scheme.split("+", 1)[0]
    if scheme == "memory":
        return _ProcessLock(name)
    if scheme == "sqlite":
        return _FileLock(Path(f"{sqlite_path(url)}.{name}.lock"))
    if scheme in ("postgresql", "postgres"):
        return _AdvisoryLock(url, name)
    raise InvalidInputError(f"unsupported database URL '{url}'", "database_url")


class Held:
    """``with Held(url, STARTUP):`` waits for the lock, holds it for the block, then lets
    go. Re-entrant within a process: work done under the lock may call code that asks
    for it again (opening the store inside start-up), and other threads of the process
    wait their turn as other processes do."""

    def __init__(self, url: str, name: str) -> None:
        self.key = (url, name)

    def __enter__(self) -> Held:
        with _HELD_GUARD:
            guard = _GUARDS.setdefault(self.key, threading.RLock())
        guard.acquire()
        if self.key not in _HELD:
            lock = store_lock(*self.key)
            try:
                lock.acquire()
            except BaseException:
                lock.close()
                guard.release()
                raise
            _HELD[self.key] = [lock, 0]
        _HELD[self.key][1] += 1
        return self

    def __exit__(self, *exc: Any) -> None:
        held = _HELD[self.key]
        held[1] -= 1
        try:
            if held[1] == 0:
                del _HELD[self.key]
                held[0].release()
                held[0].close()
        finally:
            _GUARDS[self.key].release()


_HELD: dict[tuple[str, str], list[Any]] = {}
_GUARDS: dict[tuple[str, str], threading.RLock] = {}
_HELD_GUARD = threading.Lock()


_PROCESS_LOCKS: dict[str, threading.Lock] = {}
_PROCESS_LOCKS_GUARD = threading.Lock()


class _ProcessLock:
    def __init__(self, name: str) -> None:
        with _PROCESS_LOCKS_GUARD:
            self._lock = _PROCESS_LOCKS.setdefault(name, threading.Lock())
        self._held = False

    def acquire(self, timeout: float | None = None) -> bool:
        self._held = self._lock.acquire(timeout=-1 if timeout is None else timeout)
        return self._held

    def held(self) -> bool:
        return self._held

    def release(self) -> None:
        if self._held:
            self._held = False
            self._lock.release()

    def close(self) -> None:
        self.release()


class _FileLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: Any = None

    def acquire(self, timeout: float | None = None) -> bool:
        if self._file is None:
            self._file = open(self.path, "a")  # noqa: SIM115 - held until released
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if deadline is not None and time.monotonic() >= deadline:
                    self._file.close()  # not held: nothing to keep open
                    self._file = None
                    return False
                time.sleep(POLL_SECONDS)

    def held(self) -> bool:
        return self._file is not None  # the kernel keeps it until we let go or exit

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None

    def close(self) -> None:
        self.release()


class _AdvisoryLock:
    def __init__(self, url: str, name: str) -> None:
        schema = postgres_schema(url) or "public"
        digest = hashlib.sha256(f"action-plan-tracker/{schema}/{name}".encode()).digest()
        self.key = int.from_bytes(digest[:8], "big", signed=True)
        self.conninfo = postgres_conninfo(url) | {
            "connect_timeout": 10,
            "application_name": f"tracker {name} lock",
        }
        self._conn: Any = None

    def acquire(self, timeout: float | None = None) -> bool:
        import psycopg  # only where PostgreSQL is the store

        if self._conn is None or self._conn.closed:
            self._conn = psycopg.connect(autocommit=True, **self.conninfo)
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            row = self._conn.execute("SELECT pg_try_advisory_lock(%s)", (self.key,)).fetchone()
            if row and row[0]:
                return True
            if deadline is not None and time.monotonic() >= deadline:
                return False
            time.sleep(POLL_SECONDS * 4)

    def held(self) -> bool:
        """Whether this session still holds the lock (its connection may have dropped)."""
        if self._conn is None or self._conn.closed:
            return False
        try:
            self._conn.execute("SELECT 1")
        except Exception:
            return False
        return True

    def release(self) -> None:
        if self._conn is not None and not self._conn.closed:
            with contextlib.suppress(Exception):  # the session is gone, and the lock with it
                self._conn.execute("SELECT pg_advisory_unlock(%s)", (self.key,))

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

"""From ``TRACKER_DATABASE_URL`` to the eventsourcing library's settings.

One URL chooses the store: ``sqlite:///PATH`` (the embedded default),
``postgresql://USER@HOST:PORT/DB`` (production; ``?schema=NAME`` picks a schema), or
``memory://`` (the in-process store tests use as their fake).

Every store keeps the log's hash chain (``tracker.store.chain``) unless asked not
to: the library's recorders, extended (``chainrecorders``, ``pgrecorder``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tracker.domain.errors import InvalidInputError

DATABASE_URL_VARIABLE = "TRACKER_DATABASE_URL"
DEFAULT_DATABASE_URL = "sqlite:///tracker.sqlite"
DEFAULT_CONNECTIONS = 8  # per process; README, Deploying, says how they add up
POOL_TIMEOUT_SECONDS = 3
LOCK_TIMEOUT_SECONDS = 3
STATEMENT_TIMEOUT_SECONDS = 10  # the site's and projector's processes (``bound_statements``)
CHAINED = {
    "memory": "tracker.store.chainrecorders:ChainedPOPOFactory",
    "sqlite": "tracker.store.chainrecorders:ChainedSQLiteRecorder",
    "postgres": "tracker.store.pgrecorder:ChainedPostgresRecorder",
}


def database_url(explicit: str | None = None) -> str:
    """The URL given, else the environment's, else a SQLite file in the working dir."""
    return explicit or os.environ.get(DATABASE_URL_VARIABLE) or DEFAULT_DATABASE_URL


def store_settings(
    url: str,
    create_tables: bool = True,
    hash_chain: bool = True,
    connections: int = DEFAULT_CONNECTIONS,
) -> dict[str, str]:
    """The library's environment for ``url``; refuses URLs it cannot serve.

    ``hash_chain=False`` gives the library's own recorders (benchmarks compare with
    them); the tracker always keeps the chain. ``connections``: the process's budget of
    PostgreSQL connections, of which the event store takes its share (``budget``)."""
    parts = urlsplit(url)
    scheme = parts.scheme.split("+", 1)[0]
    settings = {"CREATE_TABLE": "y" if create_tables else "n"}
    if scheme == "memory":
        module = CHAINED["memory"] if hash_chain else "eventsourcing.popo"
        return settings | {"PERSISTENCE_MODULE": module}
    if scheme == "sqlite":
        path = sqlite_path(url)
        if not path:
            raise InvalidInputError(f"'{url}' names no SQLite file", "database_url")
        settings |= {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": path,
            "SQLITE_LOCK_TIMEOUT": "10",
        }
        if hash_chain:
            settings["APPLICATION_RECORDER_TOPIC"] = CHAINED["sqlite"]
        return settings
    if scheme in ("postgresql", "postgres"):
        where = postgres_conninfo(url)
        settings |= {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": where["dbname"],
            "POSTGRES_HOST": where["host"],
            "POSTGRES_PORT": str(where["port"]),
            "POSTGRES_USER": where["user"],
            "POSTGRES_PASSWORD": where["password"],
            # Seconds: to connect, or to wait for a free connection in the pool; to
            # wait for the log's write lock. Past them the caller gets an error it
            # can answer (the site: 503 and Retry-After), never an unbounded wait.
            "POSTGRES_CONNECT_TIMEOUT": str(POOL_TIMEOUT_SECONDS),
            "POSTGRES_LOCK_TIMEOUT": str(LOCK_TIMEOUT_SECONDS),
            "POSTGRES_POOL_SIZE": "1",
            "POSTGRES_MAX_OVERFLOW": str(budget(connections).event_store - 1),
            "APPLICATION_RECORDER_TOPIC": (
                CHAINED["postgres"]
                if hash_chain
                else "tracker.store.pgrecorder:LargeBatchPostgresRecorder"
            ),
        }
        if postgres_schema(url):
            settings["POSTGRES_SCHEMA"] = postgres_schema(url)
        return settings
    raise InvalidInputError(
        f"unsupported database URL '{url}': use sqlite:///PATH, postgresql://... or memory://",
        "database_url",
    )


def sqlite_path(url: str) -> str:
    """The file a ``sqlite:///rel`` or ``sqlite:////abs`` URL names ("" for none)."""
    path = unquote(url.split("://", 1)[1])
    return path[1:] if path.startswith("/") else path


def postgres_conninfo(url: str) -> dict[str, Any]:
    """Where a ``postgresql://`` URL points, as psycopg's connection keywords: the one
    reading of it, for the event store and for the connections of ``tracker.store.locks``
    and the projector's LISTEN."""
    parts = urlsplit(url)
    return {
        "dbname": unquote(parts.path.lstrip("/")) or "postgres",
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": unquote(parts.username or "postgres"),
        "password": unquote(parts.password or ""),
    }


def postgres_schema(url: str) -> str | None:
    """The schema a ``?schema=NAME`` URL asks for; None: the default (``public``)."""
    return parse_qs(urlsplit(url).query).get("schema", [None])[0]


@dataclass(frozen=True)
class Budget:
    """How a process's PostgreSQL connections are shared: the event store's pool (writes,
    the log's head, the projector's reads) and the read models' pool (every page).
    The locks of ``tracker.store.locks`` and the projector's LISTEN take one each, on
    top, only in processes that use them."""

    event_store: int
    read_models: int


def budget(connections: int = DEFAULT_CONNECTIONS) -> Budget:
    if connections < 2:
        raise InvalidInputError(
            f"a process needs at least 2 database connections, not {connections}",
            "db_connections",
        )
    event_store = max(1, (connections * 3) // 8)
    return Budget(event_store, connections - event_store)


def bound_statements(environ: dict[str, str] | None = None) -> None:
    """Bound every wait of this process's PostgreSQL sessions: a statement is cancelled
    after ``STATEMENT_TIMEOUT_SECONDS``, and a wait for any lock (a table another session
    has locked, a row another transaction is writing) gives up after
    ``LOCK_TIMEOUT_SECONDS``. Set as libpq's ``PGOPTIONS``, which every connection of
    the process reads: the event store's, the read models', the locks'. For the
    long-running processes only: an operator's ``tracker load`` or ``rebuild`` may take
    its time."""
    environ = os.environ if environ is None else environ
    options = [
        f"-c statement_timeout={STATEMENT_TIMEOUT_SECONDS * 1000}",
        f"-c lock_timeout={LOCK_TIMEOUT_SECONDS * 1000}",
    ]
    current = environ.get("PGOPTIONS", "")
    added = [option for option in options if option not in current]
    if added:
        environ["PGOPTIONS"] = " ".join([current, *added]).strip()

"""The SQLAlchemy engine for the read models, in the same database as the log."""

from __future__ import annotations

import tempfile
import weakref
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import Engine, create_engine, event

from tracker.domain.errors import InvalidInputError
from tracker.store.persistence import (
    DEFAULT_CONNECTIONS,
    POOL_TIMEOUT_SECONDS,
    budget,
    database_url,
)


def readmodel_engine(url: str | None = None, connections: int = DEFAULT_CONNECTIONS) -> Engine:
    """An engine on the tracker's database; ``memory://`` gets a private SQLite.

    ``hide_parameters``: an error's text (which the site logs) never carries the values
    of a statement, such as a session's CSRF secret or a token's hash.

    On PostgreSQL the pool holds the read models' share of the process's ``connections``
    (``tracker.store.persistence.budget``) and no more: a request that finds none free
    within ``POOL_TIMEOUT_SECONDS`` gets an error the site answers with 503, rather than
    a new connection past the budget."""
    url = database_url(url)
    parts = urlsplit(url)
    scheme = parts.scheme.split("+", 1)[0]
    if scheme == "memory":
        return _private_sqlite()
    if scheme == "sqlite":
        path = url.split("://", 1)[1]
        engine = create_engine(
            f"sqlite://{path}", connect_args={"timeout": 30}, hide_parameters=True
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if scheme in ("postgresql", "postgres"):
        schema = parse_qs(parts.query).get("schema", [None])[0]
        netloc = parts.netloc
        engine = create_engine(
            f"postgresql+psycopg://{netloc}{parts.path}",
            pool_pre_ping=True,
            pool_size=budget(connections).read_models,
            max_overflow=0,
            pool_timeout=POOL_TIMEOUT_SECONDS,
            connect_args={"connect_timeout": POOL_TIMEOUT_SECONDS},
            hide_parameters=True,
        )
        if schema:
            engine = engine.execution_options(schema_translate_map={None: schema})
        return engine
    raise InvalidInputError(f"unsupported database URL '{url}'", "database_url")


def _private_sqlite() -> Engine:
    """The read models of a ``memory://`` store: a SQLite file of its own in a temporary
    folder, removed when the engine is disposed of or dropped. Not ``:memory:``, which
    is one connection that every thread would share (StaticPool): two threads using it
    at once share its transaction, and one thread's rollback (the projector reading its
    position) undoes the other's insert (a new token). A file gives each thread its own
    connection and SQLite's own locking, as on the embedded store."""
    folder = tempfile.TemporaryDirectory(prefix="tracker-readmodels-")
    engine = create_engine(
        f"sqlite:///{folder.name}/readmodels.sqlite",
        connect_args={"timeout": 30},
        hide_parameters=True,
    )
    event.listen(engine, "connect", _sqlite_pragmas)
    weakref.finalize(engine, folder.cleanup)  # which keeps the folder as long as the engine
    return engine


def _sqlite_pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()

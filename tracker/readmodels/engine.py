"""The SQLAlchemy engine for the read models, in the same database as the log."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import StaticPool

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
        return create_engine(
            "sqlite://",
            poolclass=StaticPool,
            connect_args={"check_same_thread": False},
            hide_parameters=True,
        )
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


def _sqlite_pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()

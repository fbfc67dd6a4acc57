"""From ``TRACKER_DATABASE_URL`` to the eventsourcing library's settings.

One URL chooses the store: ``sqlite:///PATH`` (the embedded default),
``postgresql://USER@HOST:PORT/DB`` (production; ``?schema=NAME`` picks a schema), or
``memory://`` (the in-process store tests use as their fake).
"""

from __future__ import annotations

import os
from urllib.parse import parse_qs, unquote, urlsplit

from tracker.domain.errors import InvalidInputError

DATABASE_URL_VARIABLE = "TRACKER_DATABASE_URL"
DEFAULT_DATABASE_URL = "sqlite:///tracker.sqlite"


def database_url(explicit: str | None = None) -> str:
    """The URL given, else the environment's, else a SQLite file in the working dir."""
    return explicit or os.environ.get(DATABASE_URL_VARIABLE) or DEFAULT_DATABASE_URL


def store_settings(url: str, create_tables: bool = True) -> dict[str, str]:
    """The library's environment for ``url``; refuses URLs it cannot serve."""
    parts = urlsplit(url)
    scheme = parts.scheme.split("+", 1)[0]
    settings = {"CREATE_TABLE": "y" if create_tables else "n"}
    if scheme == "memory":
        return settings | {"PERSISTENCE_MODULE": "eventsourcing.popo"}
    if scheme == "sqlite":
        path = unquote(url.split("://", 1)[1])
        path = path[1:] if path.startswith("/") else path  # sqlite:///rel, sqlite:////abs
        if not path:
            raise InvalidInputError(f"'{url}' names no SQLite file", "database_url")
        return settings | {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": path,
            "SQLITE_LOCK_TIMEOUT": "10",
        }
    if scheme in ("postgresql", "postgres"):
        query = parse_qs(parts.query)
        settings |= {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": unquote(parts.path.lstrip("/")) or "postgres",
            "POSTGRES_HOST": parts.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(parts.port or 5432),
            "POSTGRES_USER": unquote(parts.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(parts.password or ""),
            "POSTGRES_CONNECT_TIMEOUT": "10",
            "POSTGRES_LOCK_TIMEOUT": "10",
            "APPLICATION_RECORDER_TOPIC": (
                "tracker.application.pgrecorder:LargeBatchPostgresRecorder"
            ),
        }
        if "schema" in query:
            settings["POSTGRES_SCHEMA"] = query["schema"][0]
        return settings
    raise InvalidInputError(
        f"unsupported database URL '{url}': use sqlite:///PATH, postgresql://... or memory://",
        "database_url",
    )

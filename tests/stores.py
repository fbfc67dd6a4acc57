"""The stores every store-touching test runs against.

``memory`` is the in-process fake (the library's own POPO recorder, never a mock);
``sqlite`` is the embedded default; ``postgres`` is production's store, reached at
the URL in ``TRACKER_TEST_POSTGRES_URL``. Each PostgreSQL test gets a schema of its
own, dropped afterwards. Without that variable PostgreSQL tests skip, saying why;
under CI (``CI=true``) a missing or unreachable PostgreSQL is a failure instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

POSTGRES_VARIABLE = "TRACKER_TEST_POSTGRES_URL"
STORES = ("memory", "sqlite", "postgres")


def postgres_base_url() -> str:
    url = os.environ.get(POSTGRES_VARIABLE)
    if not url:
        reason = f"PostgreSQL tests need {POSTGRES_VARIABLE} (e.g. postgresql://postgres@127.0.0.1:5432/test)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI must not skip them")
        pytest.skip(reason)
    return url


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A fresh schema on the test PostgreSQL; its URL carries ``?schema=``."""
    import psycopg

    base = postgres_base_url()
    schema = f"t_{uuid.uuid4().hex[:16]}"
    try:
        with psycopg.connect(base, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
    except psycopg.OperationalError as error:
        message = f"PostgreSQL at {base} is unreachable: {error}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield f"{base}{'&' if '?' in base else '?'}schema={schema}"
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@contextmanager
def store_url(kind: str, tmp_path: Path) -> Iterator[str]:
    """A database URL for an empty store of ``kind``."""
    if kind == "memory":
        yield "memory://"
    elif kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'tracker.sqlite'}"
    elif kind == "postgres":
        with postgres_schema() as url:
            yield url
    else:  # pragma: no cover
        raise ValueError(kind)

"""Fixtures: a ``tracker`` on each store, and the bundled plan's folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.stores import STORES, store_url
from tracker.application import Tracker, open_tracker
from tracker.yamltext import read_yaml

ROOT = Path(__file__).resolve().parent.parent
# The machinery is tested on a fixed copy of the record as first published, so that tests
# can state exact figures; the live record in events/ is tested in test_live_record.py.
FIRST_RECORD = ROOT / "tests" / "fixtures" / "first-record"
BUNDLED_PLAN = FIRST_RECORD / "london-policing-action-plan-2020"
LIVE_RECORD = ROOT / "events"
os.environ["TRACKER_EVENTS"] = str(FIRST_RECORD)  # what a site loads into an empty store


@dataclass(frozen=True)
class Bundled:
    """What the bundled plan's files hold, counted from the files themselves, so that
    tests follow the record as its curators extend it."""

    files: int
    events: int
    commitments: int


def _count_bundled() -> Bundled:
    files = sorted(BUNDLED_PLAN.glob("*.yaml"))
    events = sum(len(read_yaml(f.read_text(encoding="utf-8")).get("events") or []) for f in files)
    return Bundled(files=len(files), events=events, commitments=len(files) - 1)


BUNDLED = _count_bundled()


@pytest.fixture(params=STORES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty store's URL, once per store: memory, SQLite and PostgreSQL."""
    with store_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture(params=("sqlite", "postgres"))
def durable_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Like ``database_url``, for tests that need two processes to share a store."""
    with store_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def tracker(database_url: str) -> Iterator[Tracker]:
    app = open_tracker(database_url)
    yield app
    app.close()


@pytest.fixture
def bundled_plan() -> Path:
    return BUNDLED_PLAN


def _site(url: str):
    from fastapi.testclient import TestClient

    from web.app import create_app
    from web.settings import Settings

    settings = Settings(database_url=url, project=False, tick=False, projection_wait=0)
    return TestClient(create_app(settings), base_url="http://testserver")


@pytest.fixture
def site(database_url: str) -> Iterator:
    """The whole site on each store, bundled plan loaded and projected; background
    work off, so that a test decides when the projector catches up
    (``site.app.state.services.projector.catch_up()``), and a write answers without
    waiting for it (``projection_wait=0``: ``Tracker-Projected: false``)."""
    with _site(database_url) as client:
        yield client


@pytest.fixture
def memory_site() -> Iterator:
    """The site on the in-memory store only, for tests of rendering."""
    with _site("memory://") as client:
        yield client


@pytest.fixture
def projecting_site(database_url: str) -> Iterator:
    """The site as ``tracker serve`` runs it, on each store: the projector following
    the log in a thread of its own, and writes waiting for it (``web.freshness``)."""
    from fastapi.testclient import TestClient

    from web.app import create_app
    from web.settings import Settings

    settings = Settings(database_url=database_url, project=True, tick=False)
    with TestClient(create_app(settings), base_url="http://testserver") as client:
        yield client

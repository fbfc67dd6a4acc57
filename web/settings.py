"""How the site is run: read once, at start-up, by ``create_app``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import util
from pathlib import Path

from tracker import config
from tracker.store.persistence import DATABASE_URL_VARIABLE, DEFAULT_CONNECTIONS, database_url

ROOT = Path(__file__).resolve().parent.parent


def _bundled() -> Path:
    """The record bundled with the tracker: ``events/`` beside the code in a checkout,
    else the copy the wheel installs as the ``tracker_events`` data package."""
    checkout = ROOT / "events"
    if checkout.is_dir():
        return checkout
    spec = util.find_spec("tracker_events")  # a data package: a folder, no __init__
    if spec is None or not spec.submodule_search_locations:
        return checkout  # neither: loading it says plainly that the folder is missing
    return Path(next(iter(spec.submodule_search_locations)))


BUNDLED_EVENTS = _bundled()


@dataclass(frozen=True)
class Settings:
    database_url: str | None = None  # None: TRACKER_DATABASE_URL, else the SQLite default
    base_url: str | None = None  # for absolute links in feeds; None: from each request
    project: bool = True  # follow the log into the read models in a background thread
    tick: bool = True  # record silently missed deadlines daily, inside the server
    load_bundled: bool = True  # load events_dir into an empty store on first start
    events_dir: Path = field(default_factory=lambda: bundled_events())
    create_tables: bool = True
    feed_items: int = 50
    cache_entries: int = 1024  # rendered responses kept per head and day; 0: no cache
    db_connections: int = DEFAULT_CONNECTIONS  # PostgreSQL connections this process may hold
    projection_wait: float = 5.0  # seconds a write's 201 waits for the read models to show
    # it (web/freshness.py, WAIT_SECONDS); 0: answer at once, Tracker-Projected saying so

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings ``tracker serve`` handed its workers (``tracker.config``)."""
        environ = os.environ if environ is None else environ
        values = config.read(environ)
        return cls(
            database_url=database_url(environ.get(DATABASE_URL_VARIABLE)),
            **{name: values[name] for name in APP_SETTINGS},
        )


# The settings of ``tracker.config`` that the application itself reads (the rest are
# the server's: host, port, workers, proxy headers, log format).
APP_SETTINGS = (
    "base_url",
    "project",
    "tick",
    "feed_items",
    "cache_entries",
    "db_connections",
    "projection_wait",
)


def bundled_events() -> Path:
    """The folder of plans loaded into an empty store: ``TRACKER_EVENTS`` where set (the
    tests point it at a fixed dataset), else the record bundled with the tracker."""
    return Path(os.environ.get("TRACKER_EVENTS") or BUNDLED_EVENTS)

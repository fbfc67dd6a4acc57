"""The log's head, as the site shows it: how many events, and the hash of them all.

Read from the chain's last link (one indexed row), so showing it on every page costs
one small query; pages are cached per head anyway (``web/cache.py``).
"""

from __future__ import annotations

from tracker.application import Tracker
from tracker.domain.errors import TrackerError
from tracker.store import chain


def log_head(tracker: Tracker) -> chain.Head | None:
    """The head, or None for a store that keeps no chain (none that the site opens)."""
    try:
        return chain.head(tracker)
    except TrackerError:
        return None

"""The log's head, as the site shows it: how many events, and the hash of them all.

Read from the chain's last link (one indexed row), so showing it on every page costs
one small query; pages are cached per head anyway (``web/cache.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from tracker.application import Tracker, chain
from tracker.domain.errors import TrackerError


@dataclass(frozen=True)
class LogHead:
    events: int
    algorithm: str
    hash: str

    @property
    def label(self) -> str:
        return f"{self.algorithm}:{self.hash}"

    @property
    def short(self) -> str:
        return f"{self.algorithm}:{self.hash[:12]}…"


def log_head(tracker: Tracker) -> LogHead | None:
    """The head, or None for a store that keeps no chain (none that the site opens)."""
    try:
        head = chain.head(tracker)
    except TrackerError:
        return None
    return LogHead(head.events, chain.ALGORITHM, head.hash)

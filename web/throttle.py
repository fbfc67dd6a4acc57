"""How often one address may fail to sign in: ``LIMIT`` failures per ``WINDOW``.

A token carries 256 random bits, so guessing one is hopeless at any rate; the limit is
there so that the sign-in form cannot be used to hammer the database, and so that a
script trying stolen or leaked lists is slowed to a crawl. Only failures count, and
they expire on their own: a success resets nothing, since one editor signing in from
an office's shared address must not wipe the count of someone else guessing from it.
While an address is blocked its attempts are refused before any token is looked at.

The counts are kept in this process's memory. That is enough for one server process;
with several, each counts alone (N processes allow N × ``LIMIT``), and a restart
forgets them: both are acceptable for a limit whose job is to slow, not to decide.
Memory is bounded: at most ``MAX_ADDRESSES`` addresses are tracked, the oldest dropped
first. The address is the one the server gives (``request.client``): behind a proxy,
run uvicorn with ``--proxy-headers`` and ``--forwarded-allow-ips`` so that it is the
client's and not the proxy's, or every editor shares one count.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

LIMIT = 5
WINDOW = 15 * 60.0  # seconds
MAX_ADDRESSES = 10_000


class SignInThrottle:
    """Failed sign-ins per address in a sliding window; thread-safe."""

    def __init__(
        self,
        limit: int = LIMIT,
        window: float = WINDOW,
        clock: Callable[[], float] = time.monotonic,
        max_addresses: int = MAX_ADDRESSES,
    ) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self.max_addresses = max_addresses
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, address: str) -> int | None:
        """Seconds until ``address`` may try again, or None if it may now."""
        with self._lock:
            recent = self._recent(address, self.clock())
            if len(recent) < self.limit:
                return None
            return max(1, math.ceil(recent[0] + self.window - self.clock()))

    def failed(self, address: str) -> None:
        """Count one failed attempt from ``address``."""
        with self._lock:
            now = self.clock()
            recent = self._recent(address, now)
            recent.append(now)
            self._failures[address] = recent
            self._failures.move_to_end(address)
            while len(self._failures) > self.max_addresses:
                self._failures.popitem(last=False)

    def _recent(self, address: str, now: float) -> deque[float]:
        recent = self._failures.get(address, deque())
        while recent and recent[0] <= now - self.window:
            recent.popleft()
        if not recent:
            self._failures.pop(address, None)
        return recent

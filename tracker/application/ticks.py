"""The tick: record the deadlines that passed in silence, once at a time.

The server ticks daily in each process that ticks, and cron may run ``tracker tick``
beside it. Two ticks at once would both find the same deadline unrecorded and one would
fail on the other's event; so a tick holds the store's tick lock, and a tick that had
to wait finds the work done and records nothing.
"""

from __future__ import annotations

import logging
from datetime import date

from tracker.application.service import Tracker
from tracker.application.views import Receipt
from tracker.store.locks import TICK, Held

log = logging.getLogger("tracker.tick")


def tick(tracker: Tracker, url: str, today: date) -> list[Receipt]:
    with Held(url, TICK):
        receipts = tracker.tick(today)
    log.info("tick %s: %d missed deadlines recorded", today.isoformat(), len(receipts))
    return receipts

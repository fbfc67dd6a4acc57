"""Read your writes: a write is answered only once the read models show it.

Pages, the API and the feeds read the read models, which a projector fills from the log
a moment after each event is stored: in a thread of this process (``tracker serve``),
or in a process of its own (``tracker project``, with ``--no-project`` here). A client
that records an event and reads the commitment straight back must see the event, on
this worker or any other, so a write's 201 waits until the projector's position (the
log position it has followed to, a notification id) has reached the write.

What it waits for is the log's head read *after* the write was saved: the write's own
events are at or below it, so reaching it means they are projected. (It may also
cover a concurrent writer's event stored a moment later; the projector takes both in
one batch, so that costs nothing worth the bookkeeping of the exact id through every
path a write can take, its retries and its idempotent replays included.)

The wait does not assume where the projector runs. If it runs in this process, the
request thread nudges it (``Projector.catch_up``, which claims the tracking row, so a
catch-up here and the projector thread's never apply a batch twice) rather than
waiting for its next poll; either way it then reads the position, pausing a few
milliseconds, then more, between readings. ``projection_wait`` (``web.settings``,
default ``WAIT_SECONDS``) bounds the wait; past it the write has still landed, so the
answer is still a 201, with ``Tracker-Projected: false`` to say that a read may not show
it yet (and a warning, logged once per process).

After a successful wait this process's response cache is told to read the head again
(``web.cache.Head.forget``), so that its next answer is rendered from the new state.
Other workers' caches: with the projector in a process of its own (``--no-project``),
every worker re-reads the head on every request, so they answer from the new state
too. A worker that projects in a thread of its own re-reads it every
``HEAD_TTL_SECONDS`` (``web.services``): were several such workers to share one store,
another's cache could answer from the state before for that long (0.1 s) after a 201.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING

from tracker.application import Tracker
from tracker.readmodels import Projector
from web.cache import Head

if TYPE_CHECKING:
    from web.services import Services

log = logging.getLogger(__name__)
WAIT_SECONDS = 5.0  # the default bound on a write's wait for the read models
FIRST_PAUSE, LONGEST_PAUSE = 0.005, 0.05  # seconds between readings of the position
HEADER = "Tracker-Projected"  # "true": the read models show the write; "false": not yet
_warned = threading.Event()


def after_write(services: Services) -> bool:
    """Once a write has been saved: wait until the read models show it, as this
    process's settings say (``projection_wait``; a projector in a thread here, or
    elsewhere). Whether they do."""
    return wait_until_shown(
        services.projector,
        written(services.tracker),
        services.settings.projection_wait,
        nudge=services.settings.project,
        head=services.head,
    )


def written(tracker: Tracker) -> int:
    """The log position a write just saved is at or below: the log's head now."""
    return tracker.recorder.max_notification_id() or 0


def wait_until_shown(
    projector: Projector,
    position: int,
    wait: float,
    *,
    nudge: bool,
    head: Head | None = None,
) -> bool:
    """Whether the read models reached ``position`` within ``wait`` seconds. ``nudge``:
    the projector runs in this process, so catch up here and now rather than wait for
    its next poll. ``head``: this process's response cache, to re-read once they have."""
    deadline = time.monotonic() + wait
    if nudge and wait > 0:
        _catch_up(projector)
    pause = FIRST_PAUSE
    while projector.position() < position:
        left = deadline - time.monotonic()
        if left <= 0:
            _warn(position, wait)
            return False
        time.sleep(min(pause, left))
        pause = min(pause * 2, LONGEST_PAUSE)
    if head is not None:
        head.forget()
    return True


def _catch_up(projector: Projector) -> None:
    """Project now. A failure here (a busy store) is the projector thread's to retry,
    and the wait goes on reading the position: the write itself has landed."""
    try:
        projector.catch_up()
    except Exception:
        log.warning("catching up after a write failed; waiting for the projector", exc_info=True)


def _warn(position: int, wait: float) -> None:
    """Once per process: a projector that is down or far behind would otherwise log
    a line per write."""
    if wait > 0 and not _warned.is_set():
        _warned.set()
        log.warning(
            "the read models did not reach log position %d within %.1f s of a write: answering"
            " with %s: false (logged once)",
            position,
            wait,
            HEADER,
        )

"""Following the log (``tracker.readmodels.follow``): one process projects at a time and
another takes over when it goes; a store that stops answering is logged once, not every
pass, and waited on with a growing pause; on PostgreSQL a new event wakes the projector
at once, without waiting for its next look."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date

import pytest

from tests.conftest import BUNDLED_PLAN, ROOT
from tracker.application import open_tracker
from tracker.datafiles import load
from tracker.readmodels import Projector, follow, readmodel_engine
from tracker.readmodels.follow import Follower
from tracker.store.locks import PROJECTOR, store_lock


@pytest.fixture
def projectors(durable_database_url):
    """Two projectors on one store (as two processes would have), and its tracker."""
    tracker = open_tracker(durable_database_url)
    load(tracker, [BUNDLED_PLAN], recorded_by="test")
    engines = [readmodel_engine(durable_database_url) for _ in range(2)]
    made = [Projector(tracker, engine) for engine in engines]
    made[0].create_tables()
    yield durable_database_url, tracker, made
    for engine in engines:
        engine.dispose()
    tracker.close()


def test_one_follower_leads_and_the_other_stands_by_until_it_goes(projectors):
    url, tracker, (mine, theirs) = projectors
    leader, standby = Follower(mine, url), Follower(theirs, url)

    assert leader.step() is None  # led, caught up: waits for news
    assert standby.step() == follow.STANDBY_SECONDS
    assert mine.position() == tracker.recorder.max_notification_id()

    leader.close()
    assert standby.step() is None  # took over
    standby.close()


def test_a_store_that_stops_answering_is_logged_once_and_waited_on_longer_each_time(
    projectors, caplog
):
    url, _, (mine, _) = projectors
    follower = Follower(mine, url)
    follower.step()
    answers = iter([True] * 5 + [False])

    def catch_up(*_, **__):
        if next(answers):
            raise ConnectionError("the store went away")
        return 0

    mine.catch_up = catch_up
    with caplog.at_level(logging.INFO, logger="tracker.projector"):
        pauses = [follower.step() for _ in range(6)]
    follower.close()

    assert pauses[:5] == [0.5, 1.0, 2.0, 4.0, 8.0]
    assert pauses[5] is None  # answered again: back to waiting for news
    lines = [r.getMessage() for r in caplog.records]
    paused = "projection paused, the store did not answer: ConnectionError: the store went away"
    assert lines[0] == paused
    assert lines[1].startswith("projection resumed after")
    assert len(lines) == 2


def test_the_pause_stops_growing_at_its_limit(projectors):
    url, _, (mine, _) = projectors
    follower = Follower(mine, url)

    def fail(*_, **__):
        raise ConnectionError("down")

    mine.catch_up = fail
    pauses = [follower.step() for _ in range(10)]
    follower.close()

    assert max(pauses) == pauses[-1] == follow.MAX_BACKOFF


def test_a_new_event_is_projected_by_a_follower_running_beside_the_writer(projectors, monkeypatch):
    """On PostgreSQL the follower blocks on LISTEN; its fallback look is set to a minute
    here, so only the notification can have woken it in time."""
    url, tracker, (mine, _) = projectors
    monkeypatch.setattr(follow, "LISTEN_SECONDS", 60.0)
    follower, stop = Follower(mine, url), threading.Event()
    runner = threading.Thread(target=follower.run, args=(stop,))
    runner.start()
    try:
        _wait_for(lambda: mine.position() == tracker.recorder.max_notification_id())
        time.sleep(0.5)  # the follower is now waiting for news
        assert tracker.tick(date(2040, 1, 1))  # records missed deadlines

        _wait_for(lambda: mine.position() == tracker.recorder.max_notification_id())
    finally:
        stop.set()
        runner.join(timeout=10)
    assert not runner.is_alive()


def _wait_for(condition, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not within the time allowed"
        time.sleep(0.05)


HOLD = """
import sys, time
from tracker.store.locks import store_lock
lock = store_lock(sys.argv[1], "projector")
assert lock.acquire(timeout=10)
print("held", flush=True)
time.sleep(120)
"""


def test_a_lock_held_by_a_process_that_is_killed_is_free_again(durable_database_url):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, durable_database_url],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        lock = store_lock(durable_database_url, PROJECTOR)
        assert lock.acquire(timeout=0.3) is False

        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=10)

        assert lock.acquire(timeout=10) is True
        lock.release()
        lock.close()
    finally:
        if holder.poll() is None:
            holder.kill()

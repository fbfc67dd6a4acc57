"""Start-up work happens once, however many processes start together on one store:
creating tables, loading the bundled plan into an empty store, building the read models.
Before the start-up lock, workers started together on an empty PostgreSQL raced to do
each of these, and most starts failed."""

from __future__ import annotations

import json
import subprocess
import sys
import time

from tests.conftest import BUNDLED, ROOT

STARTERS = 4
START = """
import json, sys, time
from web.services import start
from web.settings import Settings
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))  # all begin at one moment
services = start(Settings(database_url=sys.argv[1], project=False, tick=False))
plan = services.tracker.plan_slugs()
print(json.dumps({"plans": plan, "projected": services.projector.position()}))
services.tracker.close()
"""


def _start_together(url: str, count: int) -> list[subprocess.CompletedProcess]:
    at = time.time() + 3.0  # time enough for every interpreter to import the app
    starters = [
        subprocess.Popen(
            [sys.executable, "-c", START, url, str(at)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    done = []
    for p in starters:
        out, err = p.communicate(timeout=120)
        done.append(subprocess.CompletedProcess(p.args, p.returncode, out, err))
    return done


def test_processes_starting_together_on_an_empty_store_all_start_and_load_the_plan_once(
    durable_database_url,
):
    started = _start_together(durable_database_url, STARTERS)

    assert [p.returncode for p in started] == [0] * STARTERS, [p.stderr for p in started]
    answers = [json.loads(p.stdout) for p in started]
    assert {tuple(a["plans"]) for a in answers} == {("london-policing-action-plan-2020",)}
    from tracker.application import open_tracker

    tracker = open_tracker(durable_database_url)
    try:
        plan = tracker.plan("london-policing-action-plan-2020")
        assert len(plan.commitments) == BUNDLED.commitments  # loaded once, not four times
        assert tracker.recorder.max_notification_id() == max(a["projected"] for a in answers)
    finally:
        tracker.close()


def test_processes_starting_together_on_a_store_with_tables_all_start(durable_database_url):
    first = _start_together(durable_database_url, 1)
    assert first[0].returncode == 0, first[0].stderr

    again = _start_together(durable_database_url, STARTERS)

    assert [p.returncode for p in again] == [0] * STARTERS, [p.stderr for p in again]

"""Running the tracker as a service: the projector in a process of its own, ticks that
take turns, a connection budget that adds up, and database errors that mean "try again"
answered with 503 rather than 500."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date

import httpx
import pytest
from eventsourcing.persistence import OperationalError, ProgrammingError

from tests.conftest import BUNDLED_PLAN, ROOT
from tests.livesite import free_port
from tracker.application import open_tracker
from tracker.application.ticks import tick
from tracker.cli import main
from tracker.datafiles import load
from tracker.readmodels import Projector, readmodel_engine
from tracker.store.locks import STARTUP, Held
from tracker.store.persistence import bound_statements, budget
from web.security import transient


@pytest.fixture
def loaded(durable_database_url):
    """A store holding the bundled plan, its read models not yet built."""
    tracker = open_tracker(durable_database_url)
    load(tracker, [BUNDLED_PLAN], recorded_by="test")
    yield durable_database_url, tracker
    tracker.close()


def _position(url: str) -> int:
    """How far the read models follow the log; 0 before their tables are made."""
    from sqlalchemy.exc import OperationalError as NoTables
    from sqlalchemy.exc import ProgrammingError as NoRelation

    engine, tracker = readmodel_engine(url), open_tracker(url, create_tables=False)
    try:
        return Projector(tracker, engine).position()
    except (NoTables, NoRelation):
        return 0
    finally:
        engine.dispose()
        tracker.close()


def test_tracker_project_once_builds_the_read_models_and_says_how_many_events(loaded, capsys):
    url, tracker = loaded

    assert main(["--database-url", url, "project", "--once"]) == 0

    logged = tracker.recorder.max_notification_id()
    assert capsys.readouterr().out == f"projected {logged} events\n"
    assert _position(url) == logged


def test_tracker_project_follows_the_log_until_it_is_stopped(loaded):
    url, tracker = loaded
    command = [sys.executable, "-m", "tracker.cli", "--database-url", url, "project"]
    projecting = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(lambda: _position(url) == tracker.recorder.max_notification_id())
        tracker.tick(date(2040, 1, 1))  # new events while it runs
        _wait_for(lambda: _position(url) == tracker.recorder.max_notification_id())

        projecting.send_signal(signal.SIGTERM)
        assert projecting.wait(timeout=15) == 0
    finally:
        if projecting.poll() is None:
            projecting.kill()
    log = projecting.stderr.read()
    assert "projecting: this process follows the log into the read models" in log
    assert "Traceback" not in log


def test_ticks_at_once_take_turns_and_record_each_missed_deadline_once(loaded):
    url, _ = loaded
    trackers = [open_tracker(url) for _ in range(3)]
    results: list = []
    threads = [
        threading.Thread(target=lambda t=t: results.append(tick(t, url, date(2040, 1, 1))))
        for t in trackers
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for t in trackers:
        t.close()

    recorded = sorted(len(r) for r in results)
    assert len(results) == 3
    assert recorded[0] == recorded[1] == 0 < recorded[2]  # one did the work; two found it done


def test_the_start_up_lock_may_be_taken_again_by_the_process_holding_it(durable_database_url):
    with Held(durable_database_url, STARTUP), Held(durable_database_url, STARTUP):
        tracker = open_tracker(durable_database_url)  # which takes it too
    tracker.close()


def test_a_process_budget_is_shared_between_the_event_store_and_the_read_models():
    assert budget(8) == budget()
    assert (budget(8).event_store, budget(8).read_models) == (3, 5)
    assert (budget(2).event_store, budget(2).read_models) == (1, 1)
    assert all(sum(vars(budget(n)).values()) == n for n in range(2, 101))


def test_four_workers_a_projector_a_cron_tick_and_an_operator_fit_postgresqls_default():
    available = 100 - 3  # max_connections by default, less those kept for superusers
    per_process = budget().event_store + budget().read_models
    workers = 4 * (per_process + 2)  # + the projector lock they ask for, + the tick lock
    projector = per_process + 2  # + its lock and its LISTEN
    cron_tick = per_process + 1  # + the tick lock
    operator = per_process  # a `tracker status` from a shell
    assert workers + projector + cron_tick + operator <= available - 25


def test_a_broken_connection_or_a_forgotten_prepared_statement_means_try_again():
    import psycopg

    dropped = OperationalError("server closed the connection unexpectedly")
    forgotten = ProgrammingError("prepared statement does not exist")
    forgotten.__cause__ = psycopg.errors.InvalidSqlStatementName("_pg3_0")

    assert transient(dropped) is False  # the library's own class: the app maps it to 503
    assert transient(psycopg.OperationalError("connection refused")) is True
    assert transient(forgotten) is True
    assert transient(ValueError("a bug")) is False


def _wait_for(condition, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not within the time allowed"
        time.sleep(0.1)


def test_long_running_processes_bound_every_statement_and_lock_wait_of_their_sessions():
    environ = {"PGOPTIONS": "-c search_path=tracker"}

    bound_statements(environ)
    bound_statements(environ)  # once is enough: nothing is added twice

    assert environ["PGOPTIONS"] == (
        "-c search_path=tracker -c statement_timeout=10000 -c lock_timeout=3000"
    )


def test_a_session_of_a_bounded_process_gives_up_on_a_locked_table_within_seconds():

    from tests.stores import postgres_schema

    with postgres_schema() as url:
        tracker = open_tracker(url)
        try:
            waited = _read_behind_a_table_lock(url, tracker)
        finally:
            tracker.close()

    assert waited.returncode == 3, waited.stderr  # gave up, rather than waiting for the lock


def _read_behind_a_table_lock(url, tracker) -> subprocess.CompletedProcess:
    """A bounded process reads the log while another session holds it locked."""
    import psycopg

    environ = dict(os.environ)
    bound_statements(environ)
    schema = url.rsplit("schema=", 1)[1]
    table = f"{schema}.{tracker.recorder.events_table_name}"
    base = url.split("?")[0]
    with psycopg.connect(base) as holder:
        holder.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        script = (
            "import psycopg, sys\n"
            f"conn = psycopg.connect({base!r}, autocommit=True)\n"
            "try:\n"
            f"    conn.execute('SELECT count(*) FROM {table}')\n"
            "except psycopg.errors.LockNotAvailable:\n"
            "    sys.exit(3)\n"
        )
        waited = subprocess.run(
            [sys.executable, "-c", script], env=environ, timeout=60, capture_output=True
        )
        holder.rollback()
    return waited


def test_tracker_serve_with_several_workers_and_settings_from_its_environment(
    durable_database_url, tmp_path
):
    """Two workers, their settings handed to them through the environment: both start
    on the empty store (the plan loaded once), and the base URL they were given is the
    one the feeds use."""
    port = free_port()
    command = [sys.executable, "-m", "tracker.cli", "--database-url", durable_database_url]
    environ = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TRACKER_WORKERS": "2",
        "TRACKER_BASE_URL": "https://tracker.example.org/",
        "TRACKER_NO_TICK": "1",
    }
    server = subprocess.Popen(
        [*command, "serve", "--port", str(port)],
        cwd=tmp_path,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        ready = _wait_for_answer(f"http://127.0.0.1:{port}/readyz")
        feed = httpx.get(f"http://127.0.0.1:{port}/feeds/delays.atom", timeout=10).text
    finally:
        server.send_signal(signal.SIGINT)
        output, _ = server.communicate(timeout=30)

    assert ready["status"] == "ok" and ready["lag"] == 0
    assert "<id>tag:tracker.example.org,2026:feeds/delays</id>" in feed
    assert '<link href="https://tracker.example.org/feeds/delays.atom" rel="self"' in feed
    assert output.count("Application startup complete") == 2, output
    assert "Traceback" not in output
    tracker = open_tracker(durable_database_url)
    assert len(tracker.plan("london-policing-action-plan-2020").commitments) == 14
    tracker.close()


def _wait_for_answer(url: str, seconds: float = 60.0) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            answer = httpx.get(url, timeout=2)
            if answer.status_code == 200:
                return answer.json()
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {seconds} s")

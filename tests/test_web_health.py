"""``/healthz`` says the process runs; ``/readyz`` says whether the store answers and how
far the read models lag behind the log (contract section 7)."""

from __future__ import annotations

import sqlite3
from datetime import date
from importlib import metadata

import psycopg
import pytest

from tracker.cli import main
from tracker.store import chain


def test_healthz_answers_while_the_process_runs_and_is_never_cached(site):
    answer = site.get("/healthz")

    assert answer.status_code == 200
    assert answer.json() == {"status": "ok"}
    assert answer.headers["cache-control"] == "no-store"


def test_readyz_counts_the_events_in_the_log_and_those_the_read_models_follow(site):
    services = site.app.state.services
    logged = len(list(chain.log_export(services.tracker)))

    body = site.get("/readyz").json()

    assert body["status"] == "ok"
    assert body["events"] == logged > 0
    assert body["projected"] == chain.count_through(services.tracker, services.projector.position())
    assert body["lag"] == body["events"] - body["projected"]


def test_readyz_counts_events_not_positions_which_postgresql_may_skip(tmp_path):
    """PostgreSQL spends a log position on every insert that rolls back (a writer that
    lost a race): positions skip numbers, and the counts must not."""
    from tests.conftest import _site
    from tests.stores import postgres_schema

    with postgres_schema() as url, _site(url) as site:
        services = site.app.state.services
        schema = url.rsplit("schema=", 1)[1]
        table = f"{schema}.{services.tracker.recorder.events_table_name}"
        with psycopg.connect(url.split("?")[0], autocommit=True) as conn:
            for _ in range(5):  # as five rolled-back inserts would
                conn.execute(
                    f"SELECT nextval(pg_get_serial_sequence('{table}', 'notification_id'))"
                )
        services.tracker.tick(date(2040, 1, 1))
        services.projector.catch_up()

        body = site.get("/readyz").json()
        logged = list(chain.log_export(services.tracker))

    assert logged[-1]["event"] > len(logged)  # the positions skipped
    assert body["events"] == body["projected"] == len(logged)
    assert body["lag"] == 0


def test_readyz_shows_a_new_event_at_once_and_the_lag_closing_once_projected(site):
    services = site.app.state.services
    services.projector.catch_up()
    before = site.get("/readyz").json()
    assert before["lag"] == 0

    services.tracker.tick(services.today())  # records the deadlines passed in silence
    after = site.get("/readyz").json()
    services.projector.catch_up()
    caught_up = site.get("/readyz").json()

    assert after["events"] > before["events"]  # not a cached answer
    assert after["lag"] == after["events"] - before["events"]
    assert caught_up["lag"] == 0


def test_readyz_is_a_503_with_retry_after_when_the_store_does_not_answer(site, monkeypatch):
    def unreachable() -> int:
        raise sqlite3.OperationalError("unable to open database file")

    recorder = site.app.state.services.tracker.recorder
    monkeypatch.setattr(recorder, "chain_head", unreachable)

    answer = site.get("/readyz")

    assert answer.status_code == 503
    assert answer.json() == {"status": "unavailable"}
    assert int(answer.headers["retry-after"]) > 0
    assert site.get("/healthz").status_code == 200  # the process itself is still up


def test_tracker_version_names_the_installed_version(capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit) as exited:
        main(["--version"])

    assert exited.value.code == 0
    assert capsys.readouterr().out == f"tracker {metadata.version('action-plan-tracker')}\n"

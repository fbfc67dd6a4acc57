"""``/healthz`` says the process runs; ``/readyz`` says whether the store answers and how
far the read models lag behind the log (contract section 7)."""

from __future__ import annotations

import sqlite3
from importlib import metadata

import pytest

from tracker.cli import main


def test_healthz_answers_while_the_process_runs_and_is_never_cached(site):
    answer = site.get("/healthz")

    assert answer.status_code == 200
    assert answer.json() == {"status": "ok"}
    assert answer.headers["cache-control"] == "no-store"


def test_readyz_counts_the_events_in_the_log_and_those_the_read_models_follow(site):
    services = site.app.state.services
    logged = services.tracker.recorder.max_notification_id()

    body = site.get("/readyz").json()

    assert body["status"] == "ok"
    assert body["events"] == logged > 0
    assert body["projected"] == services.projector.position()
    assert body["lag"] == body["events"] - body["projected"]


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
    monkeypatch.setattr(recorder, "max_notification_id", unreachable)

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

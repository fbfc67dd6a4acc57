"""Read your writes: a write's 201 is sent once the read models show it, so a read that
follows sees it, wherever the projector runs; and if they do not in time, the 201
says so rather than keep the writer waiting for ever."""

from __future__ import annotations

import logging
import threading
import time

import pytest
from fastapi.testclient import TestClient

from tests.writing import SOURCE, editor, event
from tracker.application import open_tracker
from tracker.readmodels import Projector, readmodel_engine
from tracker.readmodels.follow import Follower
from web import freshness, urls
from web.app import create_app
from web.settings import Settings

PLAN = "london-policing-action-plan-2020"
COMMITMENT = "body-worn-video-research"
EVENTS = urls.api_events(PLAN, COMMITMENT)


def notes(site: TestClient) -> list[str]:
    answer = site.get(urls.api_commitment(PLAN, COMMITMENT))
    return [e["note"] for e in answer.json()["events"]]


def test_every_read_right_after_a_write_shows_it(projecting_site) -> None:
    """Pages, the API and the feed were read (and cached) before each write; each read
    right after it shows the new event."""
    headers = editor(projecting_site)
    reads = (
        urls.api_commitment(PLAN, COMMITMENT),
        urls.commitment(PLAN, COMMITMENT),
        urls.feed("commitment", "atom", PLAN, COMMITMENT),
    )
    for n in range(10):
        for url in reads:
            projecting_site.get(url)
        note = f"Written and read back, number {n}."
        answer = projecting_site.post(EVENTS, json=event(note), headers=headers)
        assert answer.status_code == 201, answer.text
        assert answer.headers[freshness.HEADER] == "true"
        for url in reads:
            assert note in projecting_site.get(url).text, (n, url)


def test_a_commitment_and_a_plan_created_are_there_to_read_at_once(projecting_site) -> None:
    token = projecting_site.app.state.services.tokens.create("ops", "admin", "Tracker Team")
    admin = {"Authorization": f"Bearer {token}"}
    announced = {"type": "announced", "date": "2024-01", "source": SOURCE, "summary": "We will."}
    body = {"commitment": "new-promise", "title": "A new promise", "events": [announced]}
    created = projecting_site.post(urls.api_commitments(PLAN), json=body, headers=admin)
    assert created.status_code == 201, created.text
    assert projecting_site.get(urls.api_commitment(PLAN, "new-promise")).status_code == 200
    plan = {"plan": "new-plan", "title": "T", "publisher": "P", "published_on": "2024"}
    assert projecting_site.post(urls.api_plans(), json=plan, headers=admin).status_code == 201
    assert projecting_site.get(urls.api_plan("new-plan")).status_code == 200


def test_with_the_projector_in_another_process_a_write_waits_for_it(durable_database_url):
    """No projector runs in the site's process: the wait is for the read models, which
    another projector (as ``tracker project`` would) brings up to date a moment later."""
    settings = Settings(database_url=durable_database_url, project=False, tick=False)
    with TestClient(create_app(settings)) as site:
        headers = editor(site)
        elsewhere = Projector(
            open_tracker(durable_database_url, create_tables=False),
            readmodel_engine(durable_database_url),
        )
        stop = threading.Event()

        def project_a_moment_later() -> None:
            stop.wait(0.3)
            Follower(elsewhere, durable_database_url).run(stop)

        other = threading.Thread(target=project_a_moment_later)
        other.start()
        try:
            started = time.monotonic()
            answer = site.post(EVENTS, json=event("Projected elsewhere."), headers=headers)
            waited = time.monotonic() - started
        finally:
            stop.set()
            other.join()
            elsewhere.tracker.close()
            elsewhere.engine.dispose()
        assert answer.status_code == 201, answer.text
        assert answer.headers[freshness.HEADER] == "true"
        assert 0.25 < waited < settings.projection_wait
        assert "Projected elsewhere." in notes(site)


def test_a_write_on_one_worker_is_read_on_another(durable_database_url) -> None:
    """Two workers of one site, the projector in a process of its own."""
    settings = Settings(database_url=durable_database_url, project=False, tick=False)
    elsewhere_stop = threading.Event()
    with TestClient(create_app(settings)) as one, TestClient(create_app(settings)) as two:
        projector = Projector(
            open_tracker(durable_database_url, create_tables=False),
            readmodel_engine(durable_database_url),
        )
        follower = Follower(projector, durable_database_url)
        running = threading.Thread(target=follower.run, args=(elsewhere_stop,))
        running.start()
        try:
            headers = editor(one)
            for n in range(5):
                notes(two)  # read, and cached, on the other worker first
                answer = one.post(EVENTS, json=event(f"Across workers {n}."), headers=headers)
                assert answer.headers[freshness.HEADER] == "true"
                assert f"Across workers {n}." in notes(two)
        finally:
            elsewhere_stop.set()
            running.join()
            projector.tracker.close()
            projector.engine.dispose()


def test_past_the_bound_the_write_stands_and_the_201_says_it_is_not_shown_yet(
    monkeypatch, caplog
) -> None:
    """No projector anywhere: the write lands, its 201 comes after ``projection_wait``
    with ``Tracker-Projected: false`` and no ETag, and one warning is logged."""
    monkeypatch.setattr(freshness, "_warned", threading.Event())
    settings = Settings(database_url="memory://", project=False, tick=False, projection_wait=0.2)
    with TestClient(create_app(settings)) as site, caplog.at_level(logging.WARNING):
        headers = editor(site)
        started = time.monotonic()
        answers = [site.post(EVENTS, json=event(f"Unseen {n}."), headers=headers) for n in (1, 2)]
        took = time.monotonic() - started
        assert [a.status_code for a in answers] == [201, 201]
        assert [a.headers[freshness.HEADER] for a in answers] == ["false", "false"]
        assert not any("etag" in a.headers for a in answers)
        assert 0.4 <= took < 2
        site.app.state.services.projector.catch_up()
        assert {"Unseen 1.", "Unseen 2."} <= set(notes(site))
    warnings = [r for r in caplog.records if r.name == freshness.__name__]
    assert len(warnings) == 1 and "did not reach log position" in warnings[0].getMessage()


@pytest.mark.parametrize("wait", [0.0, 5.0])
def test_a_projector_that_is_up_to_date_costs_the_write_no_wait(wait) -> None:
    settings = Settings(database_url="memory://", project=False, tick=False)
    with TestClient(create_app(settings)) as site:
        services = site.app.state.services
        position = services.projector.position()
        started = time.monotonic()
        assert freshness.wait_until_shown(services.projector, position, wait, nudge=False)
        assert time.monotonic() - started < 0.1

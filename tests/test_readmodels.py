"""The read models: the same figures as the record itself, kept up by a projector that
never applies an event twice or skips one, however it is stopped or doubled."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from tracker.application import RecordEvent, open_tracker, parse_event
from tracker.datafiles import load
from tracker.readmodels import Projector, ReadModel, readmodel_engine
from tracker.readmodels import projector as projector_module
from tracker.readmodels import schema as t

PLAN = "london-policing-action-plan-2020"
TODAY = date(2026, 11, 21)


@pytest.fixture
def store(database_url, bundled_plan):
    """The bundled plan, recorded and ticked, with an empty read model beside it."""
    tracker = open_tracker(database_url)
    load(tracker, [bundled_plan])
    tracker.tick(TODAY)
    engine = readmodel_engine(database_url)
    projector = Projector(tracker, engine)
    projector.create_tables()
    yield tracker, projector, ReadModel(engine)
    tracker.close()
    engine.dispose()


def record(tracker, commitment, **fields):
    sources = tracker.plan(PLAN).sources
    fields.setdefault("source", "ldrs-haringey-community-press-2023-11-18")
    spec = parse_event(fields, sources)
    return tracker.execute([RecordEvent(PLAN, commitment, spec)], "test")[0]


def rows(engine):
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(t.entries).order_by(t.entries.c.position))]


@pytest.mark.parametrize(
    "as_of", [date(2020, 12, 1), date(2021, 3, 10), date(2022, 8, 1), date(2023, 1, 1), TODAY]
)
def test_the_read_model_gives_the_same_figures_as_replaying_the_record(store, as_of):
    tracker, projector, read = store
    projector.catch_up()
    replayed = {r.slug: r.figures for r in tracker.status(PLAN, as_of=as_of)}
    projected = {r.slug: r.figures for r in read.commitments(PLAN, as_of)}
    assert projected == replayed


def test_days_overdue_grow_with_the_day_asked_without_projecting_again(store):
    _, projector, read = store
    projector.catch_up()
    position = projector.position()
    [march] = [
        r
        for r in read.commitments(PLAN, date(2021, 3, 10))
        if r.slug == "community-progress-reviews"
    ]
    [april] = [
        r
        for r in read.commitments(PLAN, date(2021, 4, 10))
        if r.slug == "community-progress-reviews"
    ]
    assert (march.figures.days_overdue, april.figures.days_overdue) == (10, 41)
    assert projector.position() == position


def test_every_event_is_projected_once_in_log_order(store):
    tracker, projector, _ = store
    applied = projector.catch_up()
    assert applied == projector.position() == tracker.recorder.max_notification_id()
    with projector.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(t.entries)) == 52  # 50 + 2 missed
    assert projector.catch_up() == 0


def test_a_projector_that_dies_mid_batch_resumes_exactly_where_it_stopped(store, monkeypatch):
    _, projector, _ = store
    real_apply = projector_module._apply
    calls = {"n": 0}

    def dies_on_the_30th(conn, position, event):
        calls["n"] += 1
        if calls["n"] == 30:
            raise RuntimeError("killed")
        real_apply(conn, position, event)

    monkeypatch.setattr(projector_module, "_apply", dies_on_the_30th)
    with pytest.raises(RuntimeError):
        projector.catch_up(batch=20)  # batch 1 commits; batch 2 dies on its 10th event
    assert projector.position() == 20  # batch 2 was rolled back whole
    monkeypatch.setattr(projector_module, "_apply", real_apply)
    projector.catch_up(batch=20)
    resumed = rows(projector.engine)
    projector.rebuild()
    assert rows(projector.engine) == resumed


def test_two_projectors_on_one_database_never_apply_an_event_twice(
    durable_database_url, bundled_plan
):
    tracker = open_tracker(durable_database_url)
    load(tracker, [bundled_plan])
    engines = [readmodel_engine(durable_database_url) for _ in range(2)]
    projectors = [
        Projector(open_tracker(durable_database_url, create_tables=False), e) for e in engines
    ]
    projectors[0].create_tables()
    errors = []

    def run(p):
        try:
            p.catch_up(batch=5)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(p,)) for p in projectors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    with engines[0].connect() as conn:
        positions = [r.position for r in conn.execute(select(t.entries.c.position))]
    assert len(positions) == len(set(positions)) == 50
    assert projectors[0].position() == tracker.recorder.max_notification_id()
    for p in projectors:
        p.tracker.close()
        p.engine.dispose()
    tracker.close()


def test_a_correction_strikes_its_event_and_it_stops_counting(store):
    tracker, projector, read = store
    record(
        tracker,
        "vehicle-stop-pilot",
        type="correction",
        date="2024-01",
        corrects=2,
        note="The pilot's delivery was never confirmed.",
    )
    projector.catch_up()
    detail = read.commitment(PLAN, "vehicle-stop-pilot", TODAY)
    struck = {i.entry.number: i.corrected_by for i in detail.items}
    assert struck[2] == 3
    assert detail.row.figures.status == "not_started"


def test_delays_are_classified_with_their_days(store):
    tracker, projector, read = store
    record(
        tracker, "community-progress-reviews", type="deadline_set", date="2021-01", due="2021-08"
    )
    projector.catch_up()
    delays = {
        (i.commitment, i.entry.type): (i.delay, i.delay_days)
        for i in read.recent(100, delays_only=True)
    }
    assert delays[("community-progress-reviews", "deadline_missed")] == ("missed", 108)
    # 28 February 2021 to 31 August 2021: 31 + 30 + 31 + 30 + 31 + 31 = 184 days
    assert delays[("community-progress-reviews", "deadline_set")] == ("slip", 184)
    assert delays[("body-worn-video-research", "status_changed")] == ("status", 718)


def test_an_event_dated_after_the_day_asked_does_not_count_yet(store):
    tracker, projector, read = store
    record(tracker, "public-scrutiny", type="status_changed", date="2027-03", status="delivered")
    projector.catch_up()
    [today] = [r for r in read.commitments(PLAN, TODAY) if r.slug == "public-scrutiny"]
    [later] = [r for r in read.commitments(PLAN, date(2027, 4, 1)) if r.slug == "public-scrutiny"]
    assert (today.figures.status, later.figures.status) == ("not_started", "delivered")


def test_the_timeline_is_newest_first_and_paged(store):
    _, projector, read = store
    projector.catch_up()
    first, total = read.timeline(page=1, per_page=10)
    second, _ = read.timeline(page=2, per_page=10)
    assert total == 52
    starts = [i.entry.date.start for i in first + second]
    assert starts == sorted(starts, reverse=True)
    assert not {i.position for i in first} & {i.position for i in second}

"""The read models: the same figures as the record itself, kept up by a projector that
never applies an event twice or skips one, however it is stopped or doubled."""

from __future__ import annotations

import random
import threading
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import BUNDLED
from tracker.application import (
    AnnounceCommitment,
    RecordEvent,
    RegisterSource,
    open_tracker,
    parse_event,
)
from tracker.datafiles import load
from tracker.domain.entries import CLOSED_STATUSES, REPORTED_STATUSES
from tracker.domain.figures import STALE_AFTER_DAYS, counted, figures
from tracker.domain.sources import SOURCE_KINDS
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
    assert len(positions) == len(set(positions)) == BUNDLED.events
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
    assert detail.row.figures.status == "announced"


def transfer(tracker, commitment, to_commitment, date_="2025-01"):
    to = {"to_title": "Another commitment", "to_plan": PLAN, "to_commitment": to_commitment}
    return record(tracker, commitment, type="transferred", date=date_, **to)


@pytest.mark.parametrize(
    "receiver_first", [True, False], ids=["receiver-projected-first", "all-in-one-batch"]
)
def test_the_receiving_commitment_shows_where_a_transfer_came_from(store, receiver_first):
    tracker, projector, read = store
    if receiver_first:
        projector.catch_up()
    transfer(tracker, "vehicle-stop-pilot", "public-scrutiny")
    projector.catch_up()

    row = read.commitment(PLAN, "public-scrutiny", TODAY).row
    [listed] = [r for r in read.commitments(PLAN, TODAY) if r.slug == "public-scrutiny"]
    moved = read.commitment(PLAN, "vehicle-stop-pilot", TODAY).row

    assert [a.as_json() for a in row.transferred_from] == [
        {"plan": PLAN, "commitment": "vehicle-stop-pilot", "date": "2025-01"}
    ]
    assert listed.transferred_from == row.transferred_from
    assert moved.figures.status == "transferred"
    assert moved.transferred_from == ()


def test_a_transfer_is_not_shown_before_its_date_nor_once_corrected(store):
    tracker, projector, read = store
    transfer(tracker, "vehicle-stop-pilot", "public-scrutiny")
    projector.catch_up()
    assert read.commitment(PLAN, "public-scrutiny", date(2024, 12, 31)).row.transferred_from == ()

    number = tracker.commitment(PLAN, "vehicle-stop-pilot").version
    record(
        tracker, "vehicle-stop-pilot", type="correction", date="2024", corrects=number, note="No."
    )
    projector.catch_up()
    assert read.commitment(PLAN, "public-scrutiny", TODAY).row.transferred_from == ()


def test_a_source_described_later_shows_its_kind_on_events_already_projected(store):
    tracker, projector, read = store
    key = "ldrs-haringey-community-press-2023-11-18"
    projector.catch_up()
    source = tracker.plan(PLAN).sources[key]

    tracker.execute([RegisterSource(PLAN, key, source.described("press", "LDRS copy"))], "t")
    record(tracker, "body-worn-video-research", type="progress_reported", date="2024", note="N")
    projector.catch_up()

    detail = read.commitment(PLAN, "body-worn-video-research", TODAY)
    citing = [i.entry for i in detail.items if i.entry.source == source]
    assert len(citing) >= 2
    assert {e.source.description() for e in citing} == {("press", "LDRS copy")}
    assert detail.row.figures.status_source_kind == "press"
    assert read.plan(PLAN).sources[key]["kind"] == "press"
    before = [table_rows(projector.engine, x) for x in (t.entries, t.commitments, t.plans)]
    projector.rebuild()
    assert [table_rows(projector.engine, x) for x in (t.entries, t.commitments, t.plans)] == before


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
    assert (today.figures.status, later.figures.status) == ("announced", "delivered")


def test_the_timeline_is_newest_first_and_paged(store):
    _, projector, read = store
    projector.catch_up()
    first, total = read.timeline(page=1, per_page=10)
    second, _ = read.timeline(page=2, per_page=10)
    assert total == 52
    starts = [i.entry.date.start for i in first + second]
    assert starts == sorted(starts, reverse=True)
    assert not {i.position for i in first} & {i.position for i in second}


# A generated plan: many commitments whose histories revise, correct and post-date
# deadlines, projected one event per batch and all at once.

DAYS = [date(2020, 6, 1), date(2022, 1, 1), date(2024, 3, 1), TODAY, date(2030, 1, 1)]
THEMES = ("Trust", "Stop and search", "Scrutiny")


def generate(tracker, commitments: int = 40, seed: int = 7) -> None:
    """Commitments with random histories: deadlines set, moved and brought forward,
    statuses and transfers citing sources of every kind, news, corrections (of
    deadlines too), events on the same first day as the one before, and histories
    ending anywhere from 2020 to after TODAY. Halfway, a cited source is described."""
    rng = random.Random(seed)
    sources = tracker.plan(PLAN).sources
    source = "ldrs-haringey-community-press-2023-11-18"
    kinds = (None, *SOURCE_KINDS)

    def day(low: int, high: int) -> str:
        text = date.fromordinal(rng.randint(low, high)).isoformat()
        return text[: rng.choice((4, 7, 10, 10))]  # a year, a month or a day

    first = date(2019, 1, 1).toordinal()
    for number in range(commitments):
        slug = f"generated-{number:03d}"
        start = rng.randint(first, first + 700)
        end = rng.randint(start + 200, date(2028, 12, 31).toordinal())
        spec = {"type": "announced", "date": day(start, start), "source": source}
        announced = parse_event(spec | {"summary": "A promise."}, sources)
        theme = THEMES[number % 3]
        command = AnnounceCommitment(PLAN, slug, f"Generated {number}", announced, theme)
        tracker.execute([command], "test")
        if number == commitments // 2:
            described = sources[source].described("press", "Syndicated.")
            tracker.execute([RegisterSource(PLAN, source, described)], "test")
        correctable, when = [1], spec["date"]
        for n in range(2, rng.randint(2, 14)):
            kind = rng.choice(
                ("deadline_set", "deadline_set", "status", "status", "news", "correction", "move")
            )
            when = when if rng.random() < 0.25 else day(start, end)  # ties on a first day
            fields = {"date": when, "source": source}
            if kind in ("status", "move") and rng.random() < 0.5:
                kind_of = rng.choice(kinds)
                fields["source"] = {"publisher": "P", "title": "T", "published_on": "2020"} | (
                    {"kind": kind_of} if kind_of else {}
                )
            if kind == "deadline_set":
                fields |= {"type": kind, "due": day(start + 100, end + 800)}
            elif kind == "status":
                fields |= {"type": "status_changed", "status": rng.choice(REPORTED_STATUSES)}
            elif kind == "move":
                fields |= {"type": "transferred", "to_title": "Elsewhere"}
            elif kind == "news" or len(correctable) < 2:
                fields |= {"type": "progress_reported", "note": "News."}
            else:
                target = rng.choice(correctable[1:])
                fields |= {"type": "correction", "corrects": target, "note": "Wrong."}
                correctable.remove(target)
            tracker.execute([RecordEvent(PLAN, slug, parse_event(fields, sources))], "test")
            if fields["type"] != "correction":
                correctable.append(n)
    tracker.tick(TODAY)


@pytest.fixture
def generated(store):
    tracker, projector, read = store
    generate(tracker)
    return tracker, projector, read


def days_to_check(tracker) -> list[date]:
    """Fixed days, and days on either side of where figures turn: the day a deadline
    falls due and the day after, the last day before going stale and the first."""
    days = set(DAYS)
    for row in tracker.status(PLAN, as_of=date(2030, 1, 1))[-12:]:
        f = row.figures
        if f.due:
            days |= {f.due.end, f.due.end + timedelta(days=1)}
        if f.last_event_on:
            stale = f.last_event_on.start + timedelta(days=STALE_AFTER_DAYS)
            days |= {stale, stale + timedelta(days=1)}
    return sorted(days)


def table_rows(engine, table):
    with engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(select(table)))


def test_one_event_per_batch_and_a_rebuild_project_the_same_rows(generated):
    _, projector, read = generated
    tables = (t.entries, t.commitments, t.plans)
    projector.catch_up(batch=1)  # every commitment read back from its row
    one_by_one = [table_rows(projector.engine, x) for x in tables]
    projector.rebuild()  # every commitment kept in memory
    assert [table_rows(projector.engine, x) for x in tables] == one_by_one
    with projector.engine.connect() as conn:
        counted_rows = conn.scalar(select(func.count()).select_from(t.entries))
    assert read.timeline(page=1, per_page=10)[1] == counted_rows == len(one_by_one[0])
    assert read.timeline(page=1, per_page=10, plan="no-such-plan") == ([], 0)


@pytest.mark.parametrize("batch", [1, 7, 5000])
def test_each_stored_basis_is_the_figures_of_the_whole_replayed_history(generated, batch):
    tracker, projector, _ = generated
    projector.catch_up(batch=batch)  # 1: carried forward from the row at every event
    with projector.engine.connect() as conn:
        stored = {r.slug: r for r in conn.execute(select(t.commitments))}
    for view in tracker.commitments(PLAN):
        f, row = figures(view.entries, date.max), stored[view.slug]
        counted_starts = [e.date.start for e in counted(view.entries, date.max)]
        assert (
            row.status,
            row.status_since,
            row.first_due,
            row.due,
            row.last_event_on,
            row.status_source_kind,
        ) == (
            f.status,
            str(f.status_since) if f.status_since else None,
            str(f.first_due) if f.first_due else None,
            str(f.due) if f.due else None,
            str(f.last_event_on) if f.last_event_on else None,
            f.status_source_kind,
        ), view.slug
        assert row.latest_start == max(counted_starts)
        assert row.version == len(view.entries)


@pytest.mark.parametrize("batch", [1, 7, 5000])
def test_the_stored_replaced_deadline_is_what_replaying_the_history_gives(generated, batch):
    tracker, projector, read = generated
    projector.catch_up(batch=batch)
    stored, replayed = {}, {}
    for view in tracker.commitments(PLAN):
        items = read.commitment(PLAN, view.slug, TODAY).items
        stored |= read.deadlines_before(items)
        for item in items:
            if item.entry.type == "deadline_set":
                earlier = [e for e in view.entries if e.number < item.entry.number]
                replayed[item.position] = figures(earlier, date.max).due
    assert stored == replayed
    assert sum(d is not None for d in stored.values()) > 10  # moved, not only first ones
    projector.rebuild()
    rebuilt = read.deadlines_before(read.recent(10_000))
    assert rebuilt == stored


def test_the_delays_list_is_the_figures_rule_over_the_replayed_record(generated):
    tracker, projector, read = generated
    projector.catch_up()
    for as_of in days_to_check(tracker):
        replayed = {r.slug: r.figures for r in tracker.status(PLAN, as_of=as_of)}
        # The rule of the figures, over the commitments in the order the plan lists them.
        expected = [
            (r.slug, replayed[r.slug])
            for r in read.commitments(PLAN, as_of)
            if replayed[r.slug].status not in CLOSED_STATUSES
            and (
                replayed[r.slug].days_overdue
                or replayed[r.slug].slip_days
                or replayed[r.slug].stale
                or replayed[r.slug].due is None
            )
        ]
        expected.sort(
            key=lambda pair: (-pair[1].days_overdue, -pair[1].slip_days, not pair[1].stale)
        )
        assert [(r.slug, r.figures) for r in read.delays(as_of)] == expected, as_of
        assert len(expected) > 5


def test_stale_commitments_are_those_the_figures_call_stale(generated):
    tracker, projector, read = generated
    projector.catch_up()
    for as_of in days_to_check(tracker):
        replayed = {
            r.slug: r.figures.last_event_on.start + timedelta(days=STALE_AFTER_DAYS + 1)
            for r in tracker.status(PLAN, as_of=as_of)
            if r.figures.stale
        }
        stale = read.stale_since(as_of)
        assert {row.slug: day for row, day in stale} == replayed, as_of
        assert {r.slug for r, _ in read.stale_since(as_of, plan=PLAN)} == set(replayed)
        assert read.stale_since(as_of, plan="no-such-plan") == []
    assert read.stale_since(date(2030, 1, 1))  # not only empty lists


def test_a_limited_stale_list_holds_the_newest_a_feed_would_show(generated):
    tracker, projector, read = generated
    projector.catch_up()

    def newest(pair):  # as a feed ranks a stale item: the later of the day and the record
        row, day = pair
        moment = max(datetime.combine(day, time(), UTC), datetime.fromisoformat(row.recorded_at))
        return moment, day, row.slug

    for as_of in days_to_check(tracker):
        everything = sorted(read.stale_since(as_of), key=newest, reverse=True)
        for limit in (1, 3, 10):
            limited = {r.slug for r, _ in read.stale_since(as_of, limit=limit)}
            assert {r.slug for r, _ in everything[:limit]} <= limited, (as_of, limit)
            assert limited <= {r.slug for r, _ in everything}


def test_stale_commitments_beside_events_are_those_a_feed_of_them_can_show(generated):
    tracker, projector, read = generated
    projector.catch_up()

    def when(moment):
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment

    def midnight(day):
        return datetime.combine(day, time(), UTC)

    for as_of in days_to_check(tracker):
        stale = read.stale_since(as_of)
        for limit in (1, 3, 10, 40, 1000):
            events = read.recent(limit, delays_only=True)
            # A feed's order: newest first, an event before a stale commitment on a tie.
            ranked = sorted(
                [(when(i.entry.recorded_at), 1, i.position) for i in events]
                + [
                    (max(midnight(day), when(datetime.fromisoformat(row.recorded_at))), 0, row.slug)
                    for row, day in stale
                ],
                reverse=True,
            )[:limit]
            shown = {key for _, is_event, key in ranked if not is_event}
            limited = {r.slug for r, _ in read.stale_since(as_of, limit=limit, beside=events)}
            assert shown <= limited, (as_of, limit)


def test_with_room_in_a_feed_every_stale_commitment_is_kept(database_url, bundled_plan):
    tracker = open_tracker(database_url)
    load(tracker, [bundled_plan])  # not ticked: one delay, recorded after some stale news
    engine = readmodel_engine(database_url)
    projector = Projector(tracker, engine)
    projector.create_tables()
    projector.catch_up()
    read = ReadModel(engine)
    events = read.recent(50, delays_only=True)
    every = {r.slug for r, _ in read.stale_since(TODAY)}
    assert len(every) > len(events) >= 1
    assert {r.slug for r, _ in read.stale_since(TODAY, limit=50, beside=events)} == every
    tracker.close()
    engine.dispose()


def test_a_limited_stale_list_keeps_every_commitment_tied_for_newest(store):
    tracker, projector, read = store
    projector.catch_up()
    open_ = [r.slug for r in read.commitments(PLAN, TODAY) if r.figures.status == "announced"]
    for slug in open_[:3]:  # the same last news: they went stale on the same day
        record(tracker, slug, type="progress_reported", date="2027-01", note="News.")
    projector.catch_up()
    limited = {row.slug: day for row, day in read.stale_since(date(2031, 1, 1), limit=1)}
    assert {slug: limited.get(slug) for slug in open_[:3]} == dict.fromkeys(
        open_[:3], date(2027, 7, 1)
    )


@pytest.mark.parametrize("old", ["older version", "no version"])
def test_a_read_model_of_another_version_is_dropped_and_projected_again(store, old):
    tracker, projector, read = store
    projector.catch_up()
    projected = rows(projector.engine)
    log = tracker.recorder.max_notification_id()
    with projector.engine.begin() as conn:
        # A read model made by other code: wrong rows, and a position that says done.
        conn.execute(t.entries.delete().where(t.entries.c.type == "announced"))
        if old == "no version":
            t.version.drop(conn)
        else:
            conn.execute(t.version.update().values(version=t.VERSION - 1))
    assert len(rows(projector.engine)) < len(projected)
    projector.create_tables()  # as the site does on start
    assert projector.position() == 0
    projector.catch_up()
    assert rows(projector.engine) == projected
    with projector.engine.connect() as conn:
        assert projector_module.stored_version(conn) == t.VERSION
    assert tracker.recorder.max_notification_id() == log  # the log is never touched
    assert len(read.commitments(PLAN, TODAY)) == len(tracker.commitments(PLAN))


def test_creating_the_tables_again_keeps_a_read_model_of_this_version(store):
    _, projector, _ = store
    projector.catch_up()
    projected, position = rows(projector.engine), projector.position()
    projector.create_tables()
    assert (rows(projector.engine), projector.position()) == (projected, position)

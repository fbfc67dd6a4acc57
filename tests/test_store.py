"""The record on each store: it persists, it saves all or nothing, and two writers
on one commitment never both win."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, date, datetime

import pytest

from tests import workers
from tracker.application import (
    AnnounceCommitment,
    PublishPlan,
    RecordEvent,
    RegisterSource,
    open_tracker,
    parse_event,
)
from tracker.domain.dates import PartialDate
from tracker.domain.errors import ConflictError, InvalidInputError, NotFoundError
from tracker.domain.sources import Source

PLAN = "test-plan"
SOURCE = Source.create("City Hall", "Press release", "2020-11-13", "https://example.org/p")


def event(**fields):
    fields.setdefault("source", "src")
    return parse_event(fields, {"src": SOURCE})


def open_plan(tracker, *commitments: str) -> None:
    """A plan with a source and commitments announced on 13 November 2020."""
    commands = [
        PublishPlan(PLAN, "A test plan", "City Hall", PartialDate.parse("2020-11-13")),
        RegisterSource(PLAN, "src", SOURCE),
    ]
    commands += [
        AnnounceCommitment(
            PLAN,
            slug,
            f"Commitment {slug}",
            event(type="announced", date="2020-11-13", summary="A promise."),
        )
        for slug in commitments
    ]
    tracker.execute(commands, "test")


def note(tracker, commitment: str | None, text: str, expected: int | None = None):
    spec = event(type="progress_reported", date="2021-01-01", note=text)
    return tracker.execute([RecordEvent(PLAN, commitment, spec, expected)], "test")[0]


def test_what_is_recorded_is_there_after_the_store_is_reopened(database_url):
    first = open_tracker(database_url)
    open_plan(first, "a")
    note(first, "a", "first progress")
    if database_url.startswith("memory"):
        reopened = first  # the in-memory store lives as long as its application
    else:
        first.close()
        reopened = open_tracker(database_url, create_tables=False)
    view = reopened.commitment(PLAN, "a")
    assert [e.type for e in view.entries] == ["announced", "progress_reported"]
    assert view.entries[1].fact.note == "first progress"
    assert view.entries[0].source == SOURCE
    assert reopened.plan_slugs() == [PLAN]
    reopened.close()


def test_a_batch_that_breaks_a_rule_writes_nothing_at_all(tracker):
    open_plan(tracker, "a", "b")
    before = list(tracker.log())
    good = RecordEvent(PLAN, "a", event(type="progress_reported", date="2021", note="fine"))
    bad = RecordEvent(PLAN, "b", event(type="correction", date="2021", corrects=5, note="x"))
    with pytest.raises(InvalidInputError) as raised:
        tracker.execute([good, bad], "test")
    assert raised.value.command_index == 1
    assert list(tracker.log()) == before
    assert tracker.commitment(PLAN, "a").version == 1


def test_a_stale_expected_version_is_a_conflict_that_reports_the_current_version(tracker):
    open_plan(tracker, "a")
    note(tracker, "a", "someone else got here first", expected=1)
    with pytest.raises(ConflictError) as raised:
        note(tracker, "a", "written against version 1", expected=1)
    assert raised.value.current_version == 2
    assert [e.fact.note for e in tracker.commitment(PLAN, "a").entries[1:]] == [
        "someone else got here first"
    ]


def test_a_conflict_on_one_commitment_leaves_the_rest_of_the_batch_unwritten(tracker):
    open_plan(tracker, "a", "b")
    note(tracker, "a", "moves a to version 2")
    batch = [
        RecordEvent(PLAN, "b", event(type="progress_reported", date="2021", note="b moves")),
        RecordEvent(PLAN, "a", event(type="progress_reported", date="2021", note="stale"), 1),
    ]
    with pytest.raises(ConflictError):
        tracker.execute(batch, "test")
    assert tracker.commitment(PLAN, "b").version == 1


def test_unknown_plans_and_commitments_are_not_found(tracker):
    with pytest.raises(NotFoundError, match="unknown plan 'nope'"):
        tracker.plan("nope")
    open_plan(tracker, "a")
    with pytest.raises(NotFoundError, match="unknown commitment 'zz'"):
        tracker.commitment(PLAN, "zz")
    assert tracker.plan_slugs() == [PLAN]


def test_the_log_lists_every_event_oldest_first_with_numbers_per_commitment(tracker):
    open_plan(tracker, "a", "b")
    note(tracker, None, "plan-wide context")
    note(tracker, "b", "b's second event")
    note(tracker, "a", "a's second event")
    rows = [(r.commitment, r.entry.number, r.entry.type) for r in tracker.log()]
    assert rows == [
        ("a", 1, "announced"),
        ("b", 1, "announced"),
        (None, 1, "progress_reported"),
        ("b", 2, "progress_reported"),
        ("a", 2, "progress_reported"),
    ]
    positions = [r.position for r in tracker.log()]
    assert positions == sorted(positions)


def test_the_log_reads_past_one_page(tracker, monkeypatch):
    from tracker.application import service

    monkeypatch.setattr(service, "LOG_PAGE", 3)
    open_plan(tracker, "a")
    for index in range(7):
        note(tracker, "a", f"event {index}")
    assert [r.entry.number for r in tracker.log()] == list(range(1, 9))


def test_status_can_show_the_record_as_it_stood_before_a_correction(tracker):
    open_plan(tracker, "a")
    tracker.execute(
        [RecordEvent(PLAN, "a", event(type="status_changed", date="2021-06", status="delivered"))],
        "test",
    )
    before_correction = datetime.now(UTC)
    tracker.execute(
        [
            RecordEvent(
                PLAN,
                "a",
                event(type="correction", date="2022", corrects=2, note="It was never delivered."),
            )
        ],
        "test",
    )
    today = date(2023, 1, 1)
    [now] = tracker.status(PLAN, as_of=today)
    [then] = tracker.status(PLAN, as_of=today, as_recorded_at=before_correction)
    assert now.figures.status == "announced"
    assert then.figures.status == "delivered"


def test_tick_records_a_silent_deadline_once_and_it_changes_no_figure(tracker):
    open_plan(tracker, "a")
    tracker.execute(
        [RecordEvent(PLAN, "a", event(type="deadline_set", date="2020-11-13", due="2021-02"))],
        "test",
    )
    [before] = tracker.status(PLAN, as_of=date(2021, 6, 1))
    receipts = tracker.tick(date(2021, 6, 1))
    assert [(r.commitment, r.number) for r in receipts] == [("a", 3)]
    assert tracker.tick(date(2021, 6, 2)) == []
    missed = tracker.commitment(PLAN, "a").entries[-1]
    assert missed.type == "deadline_missed"
    assert str(missed.date) == "2021-03-01"
    assert missed.get("due") == PartialDate(2021, 2)
    assert missed.source.publisher == "Action Plan Tracker"
    [after] = tracker.status(PLAN, as_of=date(2021, 6, 1))
    assert after.figures == before.figures


def test_tables_created_once_serve_an_application_that_does_not_create_them(
    durable_database_url,
):
    creator = open_tracker(durable_database_url)
    open_plan(creator, "a")
    creator.close()
    worker = open_tracker(durable_database_url, create_tables=False)
    assert worker.commitment(PLAN, "a").version == 1
    worker.close()


def _run_in_two_processes(target, args_for):
    """Run ``target(*args_for(i))`` for writers 0 and 1 in two fresh processes."""
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        results = [pool.apply_async(target, args_for(i)) for i in range(2)]
        return [r.get(timeout=120) for r in results]


@pytest.mark.slow
def test_two_processes_writing_the_same_version_never_both_win(durable_database_url):
    tracker = open_tracker(durable_database_url)
    open_plan(tracker, "a")
    manager = multiprocessing.get_context("spawn").Manager()
    for round_ in range(3):
        version = tracker.commitment(PLAN, "a").version
        barrier = manager.Barrier(2)
        outcomes = _run_in_two_processes(
            workers.record_once,
            lambda i, v=version, r=round_, b=barrier: (
                durable_database_url,
                PLAN,
                "a",
                v,
                f"round {r} writer {i}",
                b,
            ),
        )
        assert sorted(o.split(":")[0] for o in outcomes) == ["conflict", "won"], outcomes
        assert tracker.commitment(PLAN, "a").version == version + 1
    manager.shutdown()
    tracker.close()


@pytest.mark.slow
def test_two_processes_retrying_after_conflicts_lose_nothing(durable_database_url):
    tracker = open_tracker(durable_database_url)
    open_plan(tracker, "a")
    manager = multiprocessing.get_context("spawn").Manager()
    barrier = manager.Barrier(2)
    per_writer = 15
    _run_in_two_processes(
        workers.append_many,
        lambda i: (durable_database_url, PLAN, "a", f"writer{i}", per_writer, barrier),
    )
    entries = tracker.commitment(PLAN, "a").entries
    assert [e.number for e in entries] == list(range(1, 2 * per_writer + 2))
    notes = sorted(e.fact.note for e in entries[1:])
    assert notes == sorted(f"writer{w} {i}" for w in range(2) for i in range(per_writer))
    manager.shutdown()
    tracker.close()


@pytest.mark.slow
def test_a_load_of_many_megabytes_is_saved_whole_in_one_transaction(tracker):
    """psycopg hangs on one huge pipelined statement; large saves must still finish."""
    open_plan(tracker, "a")
    text = "A long, detailed progress note. " * 16
    count = 25_000
    batch = [
        RecordEvent(PLAN, "a", event(type="progress_reported", date="2021", note=f"{i} {text}"))
        for i in range(count)
    ]
    tracker.execute(batch, "test")
    view = tracker.commitment(PLAN, "a")
    assert view.version == count + 1
    assert view.entries[-1].fact.note.startswith(f"{count - 1} ")

"""The log's hash chain: every store keeps it, ``verify`` recomputes it, and any event
altered, removed or reordered behind the tracker's back is named, on the database and
in a downloaded export.

Tampering is done the way an intruder would: raw SQL on the events table (SQLite's
``stored_events``, PostgreSQL's ``tracker_events``), never through the application.
"""

from __future__ import annotations

import base64
import itertools
import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.stores import store_url
from tracker.application import (
    AnnounceCommitment,
    PublishPlan,
    RecordEvent,
    RegisterSource,
    Tracker,
    open_tracker,
    parse_event,
)
from tracker.cli import main
from tracker.datafiles import load
from tracker.domain.dates import PartialDate
from tracker.domain.errors import ConflictError
from tracker.domain.sources import Source
from tracker.store import chain, pgrecorder
from tracker.store.persistence import store_settings

PLAN = "london-policing-action-plan-2020"
TEST_PLAN = "test-plan"
SOURCE = Source.create("City Hall", "Press release", "2020-11-13", "https://example.org/p")
BUNDLED_EVENTS = 71  # 50 entries, and the plan's sources and list of commitments


@pytest.fixture
def loaded(durable_database_url: str, bundled_plan: Path) -> Iterator[str]:
    """A durable store holding the bundled plan."""
    tracker = open_tracker(durable_database_url)
    load(tracker, [bundled_plan])
    tracker.close()
    yield durable_database_url


# Reaching under the application


@contextmanager
def raw_events(url: str) -> Iterator[tuple[object, str, str, str]]:
    """A DB-API connection to ``url``'s database, the events table, its notification id
    column and the driver's placeholder; committed on leaving."""
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        try:
            yield conn, "stored_events", "rowid", "?"
            conn.commit()
        finally:
            conn.close()
        return
    import psycopg

    base, schema = url.split("?schema=")
    with psycopg.connect(base) as conn:
        conn.execute(f"SET search_path TO {schema}")
        yield conn, "tracker_events", "notification_id", "%s"
        conn.commit()


def state_of(url: str, event: int) -> bytes:
    with raw_events(url) as (conn, table, nid, ph):
        row = conn.execute(f"SELECT state FROM {table} WHERE {nid} = {ph}", (event,)).fetchone()
        return bytes(row[0])


def set_state(url: str, event: int, state: bytes) -> None:
    with raw_events(url) as (conn, table, nid, ph):
        conn.execute(f"UPDATE {table} SET state = {ph} WHERE {nid} = {ph}", (state, event))


def backdate(state: bytes) -> bytes:
    """The event's recording time moved back a century: valid JSON, different bytes."""
    changed = state.replace(b'"_data_":"20', b'"_data_":"19', 1)
    assert changed != state
    return changed


def position_of(tracker: Tracker, commitment: str | None, number: int) -> int:
    """The notification id of an entry, found through the application."""
    return next(
        r.position for r in tracker.log() if (r.commitment, r.entry.number) == (commitment, number)
    )


def verified(url: str) -> chain.Verification:
    tracker = open_tracker(url)
    try:
        return chain.verify(tracker)
    finally:
        tracker.close()


# A fresh log


def test_a_freshly_loaded_log_verifies_and_its_head_counts_every_stored_event(
    database_url: str, bundled_plan: Path
) -> None:
    tracker = open_tracker(database_url)
    load(tracker, [bundled_plan])

    result = chain.verify(tracker)
    head = chain.head(tracker)

    assert result.ok
    assert result.events == BUNDLED_EVENTS == tracker.recorder.max_notification_id()
    assert (head.events, head.hash) == (result.events, result.head)
    assert head.label == f"sha256:{result.head}" and len(result.head) == 64
    tracker.close()


def test_an_empty_log_verifies_with_the_genesis_hash(database_url: str) -> None:
    tracker = open_tracker(database_url)

    assert chain.verify(tracker) == chain.Verification(0, chain.GENESIS)
    assert chain.head(tracker) == chain.Head(0, chain.GENESIS, None)
    tracker.close()


def test_each_event_is_hashed_over_its_stored_fields_after_the_one_before(
    database_url: str, bundled_plan: Path
) -> None:
    tracker = open_tracker(database_url)
    load(tracker, [bundled_plan])
    stored = tracker.recorder.select_notifications(start=1, limit=1000)

    previous = chain.GENESIS
    for notification in stored:
        previous = chain.link_hash(
            previous,
            notification.id,
            notification.originator_id,
            notification.originator_version,
            notification.topic,
            notification.state,
        )

    assert previous == chain.head(tracker).hash
    assert chain.hashes(tracker, stored[-1].id, stored[-1].id) == {stored[-1].id: previous}
    tracker.close()


def test_verify_checks_every_event_across_page_boundaries(
    database_url: str, bundled_plan: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chain, "PAGE", 7)
    tracker = open_tracker(database_url)
    load(tracker, [bundled_plan])

    assert chain.verify(tracker).events == BUNDLED_EVENTS
    tracker.close()


def test_a_postgresql_batch_too_large_for_the_pipeline_is_chained_all_the_same(
    tmp_path: Path, bundled_plan: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pgrecorder, "PIPELINE_LIMIT", 5)
    with store_url("postgres", tmp_path) as url:
        tracker = open_tracker(url)
        load(tracker, [bundled_plan])  # one batch of 71 events, outside the pipeline
        tracker.close()

        assert verified(url).events == BUNDLED_EVENTS


def test_a_refused_batch_leaves_the_chain_as_it_was(database_url: str) -> None:
    tracker = open_tracker(database_url)
    open_test_plan(tracker, "a")
    note(tracker, "a", "first")
    before = chain.head(tracker)

    with pytest.raises(ConflictError):
        note(tracker, "a", "stale", expected=1)

    assert chain.head(tracker) == before
    assert chain.verify(tracker).ok
    tracker.close()


@given(
    st.lists(
        st.tuples(
            st.integers(1, 10**6),
            st.text(max_size=8),
            st.integers(1, 10**6),
            st.text(max_size=8),
            st.binary(max_size=8),
        ),
        min_size=2,
        max_size=2,
        unique=True,
    )
)
def test_no_two_different_events_have_the_same_canonical_encoding(events) -> None:
    first, second = (chain.canonical(*event) for event in events)

    assert first != second


# Tampering with the database


def test_an_event_altered_in_the_database_is_named(loaded: str) -> None:
    set_state(loaded, 30, backdate(state_of(loaded, 30)))

    result = verified(loaded)

    assert not result.ok and result.events == 29
    assert (result.mismatch.event, result.mismatch.reason) == (30, chain.ALTERED)
    assert result.mismatch.detail == "stored hash does not match"


def test_an_event_removed_from_the_database_is_named_with_what_it_was(loaded: str) -> None:
    with raw_events(loaded) as (conn, table, nid, _):
        gone = conn.execute(
            f"SELECT originator_id, originator_version FROM {table} WHERE {nid} = 45"
        ).fetchone()
        conn.execute(f"DELETE FROM {table} WHERE {nid} = 45")

    bad = verified(loaded).mismatch

    assert (bad.event, bad.reason) == (45, chain.MISSING)
    assert bad.originator_id.replace("-", "") == str(gone[0]).replace("-", "")
    assert bad.originator_version == gone[1]


def test_two_events_whose_states_were_swapped_fail_at_the_first(loaded: str) -> None:
    first, second = state_of(loaded, 30), state_of(loaded, 40)
    set_state(loaded, 30, second)
    set_state(loaded, 40, first)

    bad = verified(loaded).mismatch

    assert (bad.event, bad.reason) == (30, chain.ALTERED)


def test_two_events_whose_places_in_the_log_were_swapped_are_out_of_order(loaded: str) -> None:
    with raw_events(loaded) as (conn, table, nid, _):
        conn.execute(f"UPDATE {table} SET {nid} = -1 WHERE {nid} = 30")
        conn.execute(f"UPDATE {table} SET {nid} = 30 WHERE {nid} = 40")
        conn.execute(f"UPDATE {table} SET {nid} = 40 WHERE {nid} = -1")

    bad = verified(loaded).mismatch

    assert (bad.event, bad.reason) == (30, chain.OUT_OF_ORDER)


@pytest.mark.parametrize(
    "change",
    ["topic = topic || 'x'", "originator_version = originator_version + 100"],
)
def test_an_event_whose_topic_or_version_was_changed_is_named(loaded: str, change: str) -> None:
    with raw_events(loaded) as (conn, table, nid, _):
        conn.execute(f"UPDATE {table} SET {change} WHERE {nid} = 52")

    bad = verified(loaded).mismatch

    assert bad.event == 52


def test_an_event_added_behind_the_trackers_back_is_extra(loaded: str) -> None:
    with raw_events(loaded) as (conn, table, nid, _):
        conn.execute(
            f"INSERT INTO {table} (originator_id, originator_version, topic, state)"
            f" SELECT originator_id, originator_version + 1000, topic, state FROM {table}"
            f" WHERE {nid} = 71"
        )

    bad = verified(loaded).mismatch

    assert (bad.event, bad.reason, bad.originator_version) == (72, chain.EXTRA, 1002)


def test_the_newest_event_removed_is_never_chained_over(loaded: str) -> None:
    with raw_events(loaded) as (conn, table, nid, _):
        conn.execute(f"DELETE FROM {table} WHERE {nid} = 71")
    tracker = open_tracker(loaded)

    with suppress(chain.ChainError):  # SQLite would reuse the id: the write is refused
        tracker.tick(date(2030, 1, 1))

    bad = chain.verify(tracker).mismatch
    assert (bad.event, bad.reason) == (71, chain.MISSING)
    tracker.close()


# Stores made before the chain, and concurrent writers


def test_a_store_made_before_the_chain_is_chained_once_when_first_opened(
    durable_database_url: str, bundled_plan: Path
) -> None:
    old = Tracker(env=store_settings(durable_database_url, hash_chain=False))
    load(old, [bundled_plan])
    old.close()

    first = verified(durable_database_url)
    again = verified(durable_database_url)

    assert first.ok and first.events == BUNDLED_EVENTS
    assert again == first
    tracker = open_tracker(durable_database_url)
    tracker.tick(date(2030, 1, 1))
    assert chain.verify(tracker).events > BUNDLED_EVENTS
    tracker.close()


def test_concurrent_writers_on_two_trackers_leave_one_valid_chain(
    durable_database_url: str,
) -> None:
    trackers = [open_tracker(durable_database_url) for _ in range(2)]
    commitments = [f"c{n}" for n in range(4)]
    open_test_plan(trackers[0], *commitments)
    before = trackers[0].recorder.max_notification_id()
    errors: list[BaseException] = []

    def write(index: int, commitment: str) -> None:
        try:
            for n in range(8):
                note(trackers[(index + n) % 2], commitment, f"{commitment} note {n}")
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=write, args=(i, c)) for i, c in enumerate(commitments)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    result = chain.verify(trackers[1])
    assert result.ok
    assert result.events == trackers[0].recorder.max_notification_id() == before + 4 * 8
    for tracker in trackers:
        tracker.close()


def open_test_plan(tracker: Tracker, *commitments: str) -> None:
    """A plan with a source and commitments, announced on 13 November 2020."""
    announced = parse_event(
        {"type": "announced", "date": "2020-11-13", "source": "src", "summary": "A promise."},
        {"src": SOURCE},
    )
    tracker.execute(
        [
            PublishPlan(TEST_PLAN, "A test plan", "City Hall", PartialDate.parse("2020-11-13")),
            RegisterSource(TEST_PLAN, "src", SOURCE),
            *(AnnounceCommitment(TEST_PLAN, c, f"Commitment {c}", announced) for c in commitments),
        ],
        "test",
    )


def note(tracker: Tracker, commitment: str, text: str, expected: int | None = None) -> None:
    spec = parse_event(
        {"type": "progress_reported", "date": "2021-01-01", "source": "src", "note": text},
        {"src": SOURCE},
    )
    tracker.execute([RecordEvent(TEST_PLAN, commitment, spec, expected)], "test")


# The command line


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def cli_store(tmp_path: Path, bundled_plan: Path) -> str:
    url = f"sqlite:///{tmp_path / 'tracker.sqlite'}"
    assert main(["load", str(bundled_plan), "--quiet", "--database-url", url]) == 0
    return url


def test_verify_says_ok_with_the_count_and_head_and_exits_0(
    cli_store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    head = verified(cli_store).head

    assert run(capsys, "verify", "--database-url", cli_store) == (
        0,
        f"OK: {BUNDLED_EVENTS} events, head sha256:{head}\n",
        "",
    )


def test_verify_names_the_altered_commitment_and_version_and_exits_1(
    cli_store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    tracker = open_tracker(cli_store)
    event = position_of(tracker, "black-officer-recruitment-target", 1)
    tracker.close()
    set_state(cli_store, event, backdate(state_of(cli_store, event)))
    capsys.readouterr()

    code, out, err = run(capsys, "verify", "--database-url", cli_store)

    assert (code, err) == (1, "")
    assert out == (
        f"FAILED at event {event} (commitment {PLAN}/black-officer-recruitment-target,"
        " version 1): stored hash does not match\n"
    )
    code, out, _ = run(capsys, "verify", "--json", "--database-url", cli_store)
    answer = json.loads(out)
    assert code == 1 and answer["ok"] is False and answer["events"] == event - 1
    assert answer["mismatch"]["event"] == event
    assert answer["mismatch"]["reason"] == "altered"
    assert answer["mismatch"]["aggregate"] == f"commitment {PLAN}/black-officer-recruitment-target"


def test_verify_takes_the_database_url_from_the_environment(
    cli_store: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_DATABASE_URL", cli_store)
    capsys.readouterr()

    code, out, _ = run(capsys, "verify", "--json")

    assert code == 0 and json.loads(out)["events"] == BUNDLED_EVENTS


# Exports


def export_log(capsys: pytest.CaptureFixture[str], url: str, path: Path) -> list[dict]:
    capsys.readouterr()
    code, out, err = run(capsys, "export", "--format", "log", "--database-url", url)
    assert (code, err) == (0, "")
    path.write_text(out, encoding="utf-8")
    return [json.loads(line) for line in out.splitlines()]


def write_lines(path: Path, lines: list[dict]) -> None:
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")


def test_an_exported_log_verifies_to_the_same_head_as_the_store(
    cli_store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "log.jsonl"
    lines = export_log(capsys, cli_store, path)

    code, out, _ = run(capsys, "verify", "--file", str(path))

    assert code == 0
    assert out == run(capsys, "verify", "--database-url", cli_store)[1]
    assert [line["event"] for line in lines] == list(range(1, BUNDLED_EVENTS + 1))
    assert lines[0]["previous_hash"] == chain.GENESIS
    assert all(b["previous_hash"] == a["hash"] for a, b in itertools.pairwise(lines))
    first = json.loads(base64.b64decode(lines[0]["state_base64"]))
    assert first["slug"] == PLAN  # the state is the event's content, readable


def test_the_entry_exports_give_each_entrys_place_and_hash_in_the_log(
    cli_store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hashes = {line["event"]: line["hash"] for line in export_log(capsys, cli_store, tmp_path / "l")}

    jsonl = run(capsys, "export", "--database-url", cli_store)[1].splitlines()
    csv_lines = run(capsys, "export", "--format", "csv", "--database-url", cli_store)[1]

    records = [json.loads(line) for line in jsonl]
    assert len(records) == 50
    assert all(hashes[r["log_event"]] == r["log_hash"] for r in records)
    header = csv_lines.splitlines()[0].split(",")
    assert header[-2:] == ["log_event", "log_hash"]
    assert csv_lines.splitlines()[1].endswith(
        f",{records[0]['log_event']},{records[0]['log_hash']}"
    )


def test_a_tampered_export_fails_verification_naming_the_event(
    cli_store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "log.jsonl"
    lines = export_log(capsys, cli_store, path)
    state = base64.b64decode(lines[39]["state_base64"])
    lines[39]["state_base64"] = base64.b64encode(backdate(state)).decode()
    write_lines(path, lines)

    code, out, _ = run(capsys, "verify", "--file", str(path))

    assert code == 1
    assert out.startswith("FAILED at event 40 (aggregate ")
    assert out.endswith(", version 1): stored hash does not match\n")


@pytest.mark.parametrize(
    ("tamper", "event", "reason"),
    [
        (lambda lines: lines[:20] + lines[21:], 22, chain.MISSING),
        (
            lambda lines: [*lines[:20], lines[30], *lines[21:30], lines[20], *lines[31:]],
            31,
            chain.MISSING,
        ),
        (lambda lines: [*lines[:20], lines[21], lines[20], *lines[22:]], 22, chain.MISSING),
    ],
    ids=["removed", "swapped far apart", "swapped neighbours"],
)
def test_an_export_with_events_removed_or_reordered_fails(
    cli_store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], tamper, event, reason
) -> None:
    path = tmp_path / "log.jsonl"
    lines = export_log(capsys, cli_store, path)
    write_lines(path, tamper(lines))

    result = chain.verify_export(path.read_text(encoding="utf-8").splitlines())

    assert (result.mismatch.event, result.mismatch.reason) == (event, reason)
    assert result.events == 20


def test_a_file_that_is_not_a_log_export_is_refused_in_one_line(
    cli_store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "entries.jsonl"
    capsys.readouterr()
    path.write_text(run(capsys, "export", "--database-url", cli_store)[1], encoding="utf-8")

    code, out, err = run(capsys, "verify", "--file", str(path))

    assert (code, out) == (1, "")
    assert err.startswith("tracker verify: line 1 is not an event of a log export")
    assert len(err.splitlines()) == 1


def test_an_export_of_a_store_with_an_event_deleted_shows_the_gap_where_it_was(
    cli_store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with sqlite3.connect(tmp_path / "tracker.sqlite") as db:
        assert db.execute("DELETE FROM stored_events WHERE rowid = 10").rowcount == 1
    path = tmp_path / "log.jsonl"
    code, out, _ = run(capsys, "export", "--format", "log", "--database-url", cli_store)
    assert code == 0
    path.write_text(out, encoding="utf-8")

    tracker = open_tracker(cli_store)
    try:
        in_store = chain.verify(tracker)
    finally:
        tracker.close()
    in_file = chain.verify_export(out.splitlines())

    assert (in_store.mismatch.event, in_store.mismatch.reason) == (10, chain.MISSING)
    assert (in_file.mismatch.event, in_file.mismatch.reason) == (11, chain.MISSING)

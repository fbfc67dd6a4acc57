"""The live record in events/: it loads on every store, only ever grows, and says no more
than its sources. (The machinery's tests run on a fixed copy of the first record.)"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import FIRST_RECORD, LIVE_RECORD
from tracker.application import Tracker
from tracker.application.views import StatusRow
from tracker.datafiles import load
from tracker.yamltext import read_yaml

PLAN = "london-policing-action-plan-2020"
TODAY = date(2026, 12, 5)


def document(path: Path) -> dict:
    return read_yaml(path.read_text(encoding="utf-8"))


def plain(value):
    """A parsed YAML value as plain dicts, lists and strings, for comparing."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


FIRST_FILES = sorted((FIRST_RECORD / PLAN).glob("*.yaml"))


@pytest.mark.parametrize("first", FIRST_FILES, ids=lambda p: p.name)
def test_the_live_record_begins_with_the_first_record_unchanged(first: Path):
    old, new = plain(document(first)), plain(document(LIVE_RECORD / PLAN / first.name))
    old_events, new_events = old.pop("events", []) or [], new.pop("events", []) or []
    assert new_events[: len(old_events)] == old_events  # appended to, never rewritten
    old_sources, new_sources = old.pop("sources", {}), new.pop("sources", {})
    assert old == new  # the plan's or commitment's own header
    for key, source in old_sources.items():
        described = {k: v for k, v in new_sources[key].items() if k not in ("kind", "note")}
        assert described == source  # kind and note may describe it; nothing else changes


def test_the_live_record_loads_on_every_store_and_a_second_load_adds_nothing(tracker: Tracker):
    first = load(tracker, [LIVE_RECORD])
    again = load(tracker, [LIVE_RECORD])

    assert first.new_events > 0 and first.new_commitments == first.files - 1
    assert again.new_events == 0


@pytest.fixture(scope="module")
def rows() -> Iterator[tuple[dict[str, StatusRow], Tracker]]:
    """Today's status rows of the live record, by slug, and the tracker holding it."""
    from tracker.application import open_tracker

    tracker = open_tracker("memory://")
    load(tracker, [LIVE_RECORD])
    yield {row.slug: row for row in tracker.status(plan=PLAN, as_of=TODAY)}, tracker
    tracker.close()


def test_every_status_shown_was_given_by_a_quoted_source(rows):
    by_slug, tracker = rows
    for slug, row in by_slug.items():
        if row.figures.status == "announced":
            continue
        entries = tracker.commitment(PLAN, slug).entries
        setting = [
            e
            for e in entries
            if e.type in ("status_changed", "transferred")
            and e.date.start <= TODAY
            and (e.get("status") or "transferred") == row.figures.status
        ]
        assert setting and all(e.fact.quote for e in setting), slug


def test_the_40_per_cent_aim_from_2022_is_no_deadline_once_corrected(rows):
    by_slug, _ = rows
    aim = by_slug["black-officer-recruitment-target"].figures

    assert aim.due is None and aim.days_overdue == 0


def test_the_vehicle_stop_pilot_is_delivered_when_it_ran_not_when_it_was_mentioned(rows):
    by_slug, _ = rows
    pilot = by_slug["vehicle-stop-pilot"].figures

    assert pilot.status == "delivered"
    assert str(pilot.status_since) == "2021-06"

"""Loading plan folders: what the files add is appended, anything else is refused whole.

Every test runs on each store (memory, SQLite, PostgreSQL) through the ``tracker``
fixture. Plan folders are written into ``tmp_path`` from dicts (dumped as YAML) or
from text, when the test is about the text as written or about line numbers.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from tracker.application import Tracker
from tracker.datafiles import LoadError, load
from tracker.domain.dates import PartialDate
from tracker.domain.errors import NotFoundError

PLAN = "test-plan"
BUNDLED = "london-policing-action-plan-2020"


# Writing plan folders


def write(path: Path, doc: Mapping[str, Any] | str) -> Path:
    """A YAML file from a dict, or from text exactly as given (dedented)."""
    if isinstance(doc, str):
        text = textwrap.dedent(doc)
    else:
        text = yaml.safe_dump(dict(doc), sort_keys=False, allow_unicode=True, width=1000)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def write_plan(
    folder: Path,
    plan: Mapping[str, Any] | str,
    commitments: Mapping[str, Mapping[str, Any] | str] | None = None,
) -> Path:
    """``folder/plan.yaml`` and one ``<name>.yaml`` per commitment."""
    write(folder / "plan.yaml", plan)
    for name, doc in (commitments or {}).items():
        write(folder / f"{name}.yaml", doc)
    return folder


def plan_doc(slug: str = PLAN, **changes: Any) -> dict[str, Any]:
    doc = {
        "plan": slug,
        "title": "Action plan on trust in policing",
        "publisher": "Mayor of London",
        "published_on": "2020-11-13",
        "url": "https://www.london.gov.uk/action-plan",
        "sources": {
            "release": {
                "publisher": "Mayor of London",
                "title": "Mayor publishes action plan",
                "published_on": "2020-11-13",
                "url": "https://www.london.gov.uk/press-release",
            },
            "report": {
                "publisher": "Local Democracy Reporting Service",
                "title": "Community meetings on hold",
                "published_on": "2022-12-01",
                "url": "https://example.org/news/meetings-on-hold",
                "author": "A. Reporter",
            },
        },
    }
    doc.update(changes)
    return doc


def commitment_doc(slug: str, *events: dict[str, Any], **changes: Any) -> dict[str, Any]:
    doc = {
        "commitment": slug,
        "title": f"The {slug.replace('-', ' ')} commitment",
        "owner": "City Hall",
        "events": list(events) or [announced()],
    }
    doc.update(changes)
    return doc


def announced(date_: str = "2020-11-13") -> dict[str, Any]:
    return {"type": "announced", "date": date_, "source": "release", "summary": "Promised."}


def deadline(due: str, date_: str = "2020-11-13") -> dict[str, Any]:
    return {"type": "deadline_set", "date": date_, "due": due, "source": "release"}


def status(value: str, date_: str) -> dict[str, Any]:
    return {"type": "status_changed", "date": date_, "status": value, "source": "report"}


def progress(note: str, date_: str) -> dict[str, Any]:
    return {"type": "progress_reported", "date": date_, "source": "report", "note": note}


def correction(corrects: int, note: str, date_: str) -> dict[str, Any]:
    return {
        "type": "correction",
        "date": date_,
        "source": "report",
        "corrects": str(corrects),
        "note": note,
    }


# The community-reviews commitment, as text so that its line numbers can be read off.
REVIEWS = """\
commitment: community-reviews
title: Regular community meetings to review progress
owner: City Hall
events:
  - type: announced
    date: 2020-11-13
    source: release
    summary: Communities will review the plan's progress in regular meetings.
  - type: deadline_set
    date: 2020-11-13
    due: 2021-02
    source: release
  - type: status_changed
    date: 2022-11
    status: paused
    source: report
    note: The meetings were paused.
"""
REVIEWS_EVENTS = {  # event number -> its block of lines in REVIEWS
    2: "  - type: deadline_set\n    date: 2020-11-13\n    due: 2021-02\n    source: release\n",
    3: (
        "  - type: status_changed\n    date: 2022-11\n    status: paused\n    source: report\n"
        "    note: The meetings were paused.\n"
    ),
}

# A new commitment; the cases below add a third event at line 12.
YOUTH = """\
commitment: youth-panels
title: Youth panels in every borough
events:
  - type: announced
    date: 2020-11-13
    source: release
    summary: Youth panels will scrutinise stop and search.
  - type: deadline_set
    date: 2020-11-13
    due: 2021-06
    source: release
"""


def line_of(path: Path, text: str) -> int:
    """The number of the first line of ``path`` that contains ``text``."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} is not in {path}")


def log_keys(tracker: Tracker) -> list[tuple[str, str | None, int]]:
    return [(r.plan, r.commitment, r.entry.number) for r in tracker.log()]


def snapshot(tracker: Tracker) -> tuple:
    """Everything a load can write: the log, the plans, their sources and commitments."""
    plans = []
    for slug in tracker.plan_slugs():
        plan = tracker.plan(slug)
        plans.append((slug, plan.title, sorted(plan.sources.items()), plan.commitments))
    return log_keys(tracker), plans


@pytest.fixture
def folder(tracker: Tracker, tmp_path: Path) -> Path:
    """A recorded plan: two sources and community-reviews (three events)."""
    path = write_plan(tmp_path / PLAN, plan_doc(), {"community-reviews": REVIEWS})
    load(tracker, [path])
    return path


# The bundled plan


def test_the_bundled_plan_loads_fourteen_commitments_and_fifty_events(
    tracker: Tracker, bundled_plan: Path
) -> None:
    summary = load(tracker, [bundled_plan])

    assert summary.plans == (BUNDLED,)
    assert (summary.files, summary.new_commitments, summary.new_events) == (15, 14, 50)
    plan = tracker.plan(BUNDLED)
    assert len(plan.commitments) == 14
    assert len(plan.entries) == 18
    log = list(tracker.log())
    assert len(log) == 50
    assert sum(r.commitment is None for r in log) == 18
    firsts = {r.commitment: r.entry.type for r in log if r.commitment and r.entry.number == 1}
    assert set(firsts) == set(plan.commitments)
    assert set(firsts.values()) == {"announced"}
    research = tracker.commitment(BUNDLED, "body-worn-video-research")
    assert [e.date.human() for e in research.entries[:3]] == [
        "13 November 2020",
        "2018",
        "July 2022",
    ]


def test_loading_the_same_files_again_appends_nothing(tracker: Tracker, bundled_plan: Path) -> None:
    load(tracker, [bundled_plan])
    before = [(r.plan, r.commitment, r.entry.number, r.entry.recorded_at) for r in tracker.log()]

    summary = load(tracker, [bundled_plan])

    assert (summary.new_events, summary.new_commitments) == (0, 0)
    after = [(r.plan, r.commitment, r.entry.number, r.entry.recorded_at) for r in tracker.log()]
    assert after == before


# Appending


def test_a_file_that_adds_events_at_its_end_appends_just_those(
    tracker: Tracker, folder: Path
) -> None:
    before = log_keys(tracker)
    reviews = folder / "community-reviews.yaml"
    reviews.write_text(
        REVIEWS + "  - type: status_changed\n    date: 2023-03\n    status: in_progress\n"
        "    source: report\n",
        encoding="utf-8",
    )
    plan = plan_doc(events=[progress("The mayor reported on the plan.", "2021-11")])
    write(folder / "plan.yaml", plan)

    summary = load(tracker, [folder])

    assert (summary.new_events, summary.new_commitments) == (2, 0)
    after = log_keys(tracker)
    assert after[: len(before)] == before
    assert after[len(before) :] == [(PLAN, None, 1), (PLAN, "community-reviews", 4)]
    latest = tracker.commitment(PLAN, "community-reviews").entries[-1]
    assert (latest.get("status"), str(latest.date)) == ("in_progress", "2023-03")
    assert load(tracker, [folder]).new_events == 0


def test_a_new_source_and_events_citing_it_are_appended_to_a_recorded_plan(
    tracker: Tracker, folder: Path
) -> None:
    """Registering the source moves the plan on; its new event must still be accepted."""
    inquiry = {"publisher": "London Assembly", "title": "Stop and search", "published_on": "2023"}
    plan = plan_doc(
        events=[{**progress("The Assembly held an inquiry.", "2023"), "source": "inquiry"}]
    )
    plan["sources"]["inquiry"] = inquiry
    write(folder / "plan.yaml", plan)
    inquiry_event = {**progress("The Assembly asked for an update.", "2023"), "source": "inquiry"}
    write(folder / "stop-data.yaml", commitment_doc("stop-data", announced(), inquiry_event))

    summary = load(tracker, [folder])

    assert (summary.new_events, summary.new_commitments) == (3, 1)
    recorded = tracker.plan(PLAN)
    assert recorded.commitments == ("community-reviews", "stop-data")
    assert recorded.sources["inquiry"].published_on == PartialDate(2023)
    assert [e.source.publisher for e in recorded.entries] == ["London Assembly"]
    second = tracker.commitment(PLAN, "stop-data").entries[1]
    assert second.source.title == "Stop and search"
    assert load(tracker, [folder]).new_events == 0


# Which files


def test_a_single_commitment_file_is_loaded_with_the_plan_file_beside_it(
    tracker: Tracker, tmp_path: Path
) -> None:
    path = write_plan(
        tmp_path / PLAN,
        plan_doc(),
        {
            "community-reviews": REVIEWS,
            "youth-panels": YOUTH,
        },
    )

    summary = load(tracker, [path / "youth-panels.yaml"])

    assert (summary.files, summary.new_commitments, summary.new_events) == (2, 1, 2)
    plan = tracker.plan(PLAN)
    assert plan.commitments == ("youth-panels",)
    assert set(plan.sources) == {"release", "report"}
    with pytest.raises(NotFoundError):
        tracker.commitment(PLAN, "community-reviews")

    assert load(tracker, [path]).new_commitments == 1
    assert tracker.plan(PLAN).commitments == ("youth-panels", "community-reviews")


def test_a_folder_of_plan_folders_loads_every_plan(tracker: Tracker, tmp_path: Path) -> None:
    events = tmp_path / "events"
    bus_lanes = commitment_doc("bus-lanes")
    new_homes = commitment_doc("new-homes", announced(), deadline("2030"))
    write_plan(events / "transport-plan", plan_doc("transport-plan"), {"bus-lanes": bus_lanes})
    write_plan(events / "housing-plan", plan_doc("housing-plan"), {"new-homes": new_homes})
    (events / "README.md").write_text("Not a plan folder.\n", encoding="utf-8")

    summary = load(tracker, [events])

    assert summary.plans == ("housing-plan", "transport-plan")
    assert sorted(tracker.plan_slugs()) == ["housing-plan", "transport-plan"]
    assert tracker.plan("housing-plan").commitments == ("new-homes",)
    assert tracker.commitment("transport-plan", "bus-lanes").entries[0].type == "announced"
    assert summary.new_events == 3


def test_a_plan_folder_named_twice_in_one_load_is_read_once(
    tracker: Tracker, tmp_path: Path
) -> None:
    path = write_plan(tmp_path / PLAN, plan_doc(), {"youth-panels": YOUTH})
    same_folder = path / ".." / PLAN

    summary = load(tracker, [path, same_folder, same_folder / "youth-panels.yaml"])

    assert (summary.files, summary.new_commitments, summary.new_events) == (2, 1, 2)
    assert tracker.plan(PLAN).commitments == ("youth-panels",)


def test_a_path_that_holds_no_plan_is_refused_with_a_load_error(
    tracker: Tracker, tmp_path: Path
) -> None:
    (tmp_path / "empty").mkdir()

    for path in (tmp_path / "empty", tmp_path / "missing"):
        with pytest.raises(LoadError) as refused:
            load(tracker, [path])
        assert str(refused.value).startswith(f"{path}: ")

    assert snapshot(tracker) == ([], [])


# YAML as written


def test_yaml_text_is_read_as_written_not_as_yaml_1_1_values(
    tracker: Tracker, tmp_path: Path
) -> None:
    """2021 stays a year, 2021-02 a month, and yes/no/on/off/010 stay text."""
    plan = """\
        plan: test-plan
        title: Action plan on trust in policing
        publisher: Mayor of London
        published_on: 2020-11-13
        sources:
          release:
            publisher: Mayor of London
            title: Mayor publishes action plan
            published_on: 2020-11
        events:
          - type: measurement_recorded
            date: 2018
            source: release
            metric: Share of officers trained
            value: 0.50
            unit: per cent
    """
    checks = """\
        commitment: street-checks
        title: no
        theme: on
        owner: 010
        events:
          - type: announced
            date: 2021
            source: release
            summary: yes
          - type: deadline_set
            date: 2020-11-13
            due: 2021-02
            source: release
            note: off
    """
    path = write_plan(tmp_path / PLAN, plan, {"street-checks": checks})

    load(tracker, [path])

    commitment = tracker.commitment(PLAN, "street-checks")
    assert (commitment.title, commitment.theme, commitment.owner) == ("no", "on", "010")
    announcement, deadline_ = commitment.entries
    assert announcement.date == PartialDate(2021)
    assert announcement.date.precision == "year"
    assert announcement.get("summary") == "yes"
    assert deadline_.get("due") == PartialDate(2021, 2)
    assert deadline_.get("due").end == date(2021, 2, 28)
    assert deadline_.date == PartialDate(2020, 11, 13)
    assert deadline_.fact.note == "off"
    recorded = tracker.plan(PLAN)
    assert recorded.sources["release"].published_on == PartialDate(2020, 11)
    (measurement,) = recorded.entries
    assert (str(measurement.date), measurement.get("value")) == ("2018", Decimal("0.50"))
    assert load(tracker, [path]).new_events == 0


def test_a_status_written_as_a_yaml_1_1_boolean_is_an_unknown_status_not_false(
    tracker: Tracker, tmp_path: Path
) -> None:
    youth = (
        YOUTH + "  - type: status_changed\n    date: 2021-07\n    status: no\n    source: report\n"
    )
    path = write_plan(tmp_path / PLAN, plan_doc(), {"youth-panels": youth})

    with pytest.raises(LoadError, match=r"unknown status 'no'"):
        load(tracker, [path])


# Bad input: refused, located, and nothing written


@dataclass(frozen=True)
class Bad:
    """Where a refusal must point: the file, the entry (if any) and the line (if any)."""

    path: Path
    reason: str
    entry: str | None
    line: int | None


def new_file(text: str, reason: str, entry: str | None, line: int | None):
    """youth-panels.yaml, a commitment not yet recorded, written as ``text``."""

    def case(folder: Path) -> Bad:
        return Bad(write(folder / "youth-panels.yaml", text), reason, entry, line)

    return case


def youth_event(event: str, reason: str, entry: str | None, line: int | None = 12):
    """youth-panels.yaml with a third event (at line 12) written as ``event``."""
    return new_file(YOUTH + event, reason, entry, line)


def rewrite_reviews(change: Callable[[str], str], reason: str, entry: str | None, line: int | None):
    """community-reviews.yaml, already recorded, with its text changed by ``change``."""

    def case(folder: Path) -> Bad:
        path = write(folder / "community-reviews.yaml", change(REVIEWS))
        return Bad(path, reason, entry, line)

    return case


def change_plan(change: Callable[[dict[str, Any]], None], reason: str, entry, line_text: str):
    """plan.yaml changed; the problem is on the first line that contains ``line_text``."""

    def case(folder: Path) -> Bad:
        doc = plan_doc()
        change(doc)
        path = write(folder / "plan.yaml", doc)
        return Bad(path, reason, entry, line_of(path, line_text))

    return case


def _set_source(key: str, **fields: str) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        doc["sources"][key] = {**doc["sources"].get(key, {}), **fields}

    return change


EVENT_3 = "event 3 (status_changed, 2022-11)"

BAD_INPUTS = {
    "malformed YAML": new_file(
        "commitment: youth-panels\ntitle: Youth panels\n  owner: City Hall\nevents: []\n",
        "malformed YAML",
        None,
        3,
    ),
    "a duplicate key": youth_event(
        "  - type: status_changed\n    date: 2021-07\n    status: in_progress\n"
        "    date: 2021-08\n    source: report\n",
        "duplicate key 'date'",
        None,
        15,
    ),
    "an unknown event type": youth_event(
        "  - type: promised\n    date: 2021-07\n    source: report\n",
        "event type 'promised' is not allowed here",
        "event 3 (promised, 2021-07)",
    ),
    "an unknown status": youth_event(
        "  - type: status_changed\n    date: 2021-07\n    status: finished\n    source: report\n",
        "unknown status 'finished'",
        "event 3 (status_changed, 2021-07)",
    ),
    "a missing source": youth_event(
        "  - type: status_changed\n    date: 2021-07\n    status: delayed\n",
        "source is required",
        "event 3 (status_changed, 2021-07)",
    ),
    "an unknown source key": youth_event(
        "  - type: status_changed\n    date: 2021-07\n    status: delayed\n    source: guardian\n",
        "unknown source 'guardian'",
        "event 3 (status_changed, 2021-07)",
    ),
    "an impossible date": youth_event(
        "  - type: status_changed\n    date: 2021-02-30\n    status: delayed\n    source: report\n",
        "2021-02-30 is not a real date",
        "event 3 (status_changed, 2021-02-30)",
    ),
    "an unknown field": youth_event(
        "  - type: progress_reported\n    date: 2021-07\n    source: report\n"
        "    note: Panels met.\n    comment: first meeting\n",
        "unknown field 'comment'",
        "event 3 (progress_reported, 2021-07)",
    ),
    "a second announcement": youth_event(
        "  - type: announced\n    date: 2021-07\n    source: report\n    summary: Again.\n",
        "only the first event can be the announcement",
        "event 3 (announced, 2021-07)",
    ),
    "a correction pointing forward": youth_event(
        "  - type: correction\n    date: 2021-07\n    source: report\n    corrects: 4\n"
        "    note: Wrong month.\n",
        "corrects 4, but only 2 events come before it",
        "event 3 (correction, 2021-07)",
    ),
    "a negative budget": youth_event(
        "  - type: budget_committed\n    date: 2021-07\n    source: report\n    amount_gbp: -500\n",
        "money committed cannot be negative",
        "event 3 (budget_committed, 2021-07)",
    ),
    "a budget with a huge exponent": youth_event(
        "  - type: budget_committed\n    date: 2021-07\n    source: report\n"
        "    amount_gbp: 1e5000\n",
        "amount_gbp must be a number with an exponent of at most two digits",
        "event 3 (budget_committed, 2021-07)",
    ),
    "a budget of a trillion pounds": youth_event(
        "  - type: budget_committed\n    date: 2021-07\n    source: report\n"
        "    amount_gbp: 1000000000000\n",
        "amount_gbp must be less than £1,000,000,000,000",
        "event 3 (budget_committed, 2021-07)",
    ),
    "a measurement of 5,000 digits": youth_event(
        "  - type: measurement_recorded\n    date: 2021-07\n    source: report\n"
        f"    metric: panels\n    unit: panels\n    value: {'9' * 5000}\n",
        "value must be a number of at most 40 characters",
        "event 3 (measurement_recorded, 2021-07)",
    ),
    "a target that is YAML's .nan": youth_event(
        "  - type: target_set\n    date: 2021-07\n    source: report\n"
        "    metric: panels\n    unit: panels\n    target: .nan\n",
        "target must be a number",
        "event 3 (target_set, 2021-07)",
    ),
    "a correction of 5,000 digits": youth_event(
        "  - type: correction\n    date: 2021-07\n    source: report\n"
        f"    corrects: {'9' * 5000}\n    note: Wrong.\n",
        "corrects must be an event number",
        "event 3 (correction, 2021-07)",
    ),
    "a first event that is not the announcement": new_file(
        YOUTH.replace("type: announced", "type: progress_reported").replace("summary:", "note:"),
        "the first event must be the announcement",
        "event 1 (progress_reported, 2020-11-13)",
        4,
    ),
    "an unknown top-level field": new_file(
        YOUTH.replace("title:", "deadline: 2021\ntitle:"), "unknown field 'deadline'", None, 1
    ),
    "a file name that is not the commitment's": new_file(
        YOUTH.replace("commitment: youth-panels", "commitment: youth-panel"),
        "commitment 'youth-panel' must be in a file named youth-panel.yaml",
        None,
        1,
    ),
    "a recursive alias": new_file(
        YOUTH + "  - &loop [*loop]\n", "aliases (*name) are not allowed", None, 12
    ),
    # Deeper than the loader's limit (50), not as deep as the YAML scanner's own (1,000
    # since PyYAML 6.0.4, which refuses with "exceeded maximum nesting depth"; older
    # versions leave it to the loader).
    "YAML nested too deeply": new_file(
        YOUTH + "  - " + "[" * 200 + "]" * 200 + "\n", "nested too deeply", None, 12
    ),
    "YAML nested deeper than the scanner allows": new_file(
        YOUTH + "  - " + "[" * 5000 + "]" * 5000 + "\n", "nest", None, 12
    ),
    "an already-recorded event changed": rewrite_reviews(
        lambda text: text.replace("status: paused", "status: delayed"),
        "differs from what is recorded (status: recorded 'paused', now 'delayed')",
        EVENT_3,
        13,
    ),
    "two recorded events reordered": rewrite_reviews(
        lambda text: (
            text.replace(REVIEWS_EVENTS[2] + REVIEWS_EVENTS[3], "")
            + REVIEWS_EVENTS[3]
            + REVIEWS_EVENTS[2]
        ),
        "type: recorded 'deadline_set', now 'status_changed'",
        "event 2 (status_changed, 2022-11)",
        9,
    ),
    "a recorded event removed": rewrite_reviews(
        lambda text: text.replace(REVIEWS_EVENTS[3], ""),
        f"{EVENT_3} is recorded but missing from the file",
        None,
        None,
    ),
    "a recorded commitment title changed": rewrite_reviews(
        lambda text: text.replace("review progress", "review the plan"),
        "commitment title is recorded as 'Regular community meetings to review progress'",
        None,
        1,
    ),
    "a URL that is not http(s)": change_plan(
        _set_source(
            "inquiry",
            publisher="London Assembly",
            title="Inquiry",
            published_on="2023",
            url="ftp://assembly.london.gov.uk/inquiry",
        ),
        "'ftp://assembly.london.gov.uk/inquiry' is not an http(s) URL",
        "source 'inquiry'",
        "publisher: London Assembly",  # a source's line is that of its first field
    ),
    "a recorded source changed": change_plan(
        _set_source("report", title="Community meetings cancelled"),
        "differs from what is recorded",
        "source 'report'",
        "publisher: Local Democracy Reporting Service",
    ),
    "a recorded source removed": change_plan(
        lambda doc: doc["sources"].pop("report"),
        "source 'report' is recorded but missing from the file",
        None,
        "plan: test-plan",
    ),
    "a plan title changed": change_plan(
        lambda doc: doc.update(title="Action plan on policing"),
        "plan title is recorded as 'Action plan on trust in policing'",
        None,
        "plan: test-plan",
    ),
}


def add_good_changes(folder: Path) -> None:
    """Changes that would load on their own: a new source, plan-wide event, commitment."""
    plan = plan_doc(events=[progress("The mayor reported on the plan.", "2021-11")])
    _set_source("inquiry", publisher="London Assembly", title="Inquiry", published_on="2023")(plan)
    write(folder / "plan.yaml", plan)
    write(
        folder / "additional-training.yaml",  # read before the other commitment files
        commitment_doc("additional-training", announced(), deadline("2022")),
    )
    write(
        folder / "community-reviews.yaml",
        REVIEWS + "  - type: status_changed\n    date: 2023\n    status: delayed\n"
        "    source: report\n",
    )


@pytest.mark.parametrize("make_bad", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_input_is_refused_naming_file_entry_and_line_and_nothing_is_written(
    tracker: Tracker, folder: Path, make_bad: Callable[[Path], Bad]
) -> None:
    before = snapshot(tracker)
    add_good_changes(folder)
    bad = make_bad(folder)

    with pytest.raises(LoadError) as refused:
        load(tracker, [folder])

    lines = str(refused.value).splitlines()
    assert len(lines) == 1
    assert bad.reason in lines[0]
    where = f"{bad.path}:{bad.line}: " if bad.line else f"{bad.path}: "
    assert lines[0].startswith(where + (f"{bad.entry}: " if bad.entry else ""))
    assert snapshot(tracker) == before
    with pytest.raises(NotFoundError):
        tracker.commitment(PLAN, "additional-training")


def test_every_bad_file_is_reported_on_a_line_of_its_own(tracker: Tracker, folder: Path) -> None:
    before = snapshot(tracker)
    write(folder / "community-reviews.yaml", REVIEWS.replace("due: 2021-02", "due: 2021-03"))
    youth = write(folder / "youth-panels.yaml", YOUTH.replace("due: 2021-06", "due: June"))

    with pytest.raises(LoadError) as refused:
        load(tracker, [folder])

    reviews_line, youth_line = str(refused.value).splitlines()
    assert reviews_line.startswith(
        f"{folder / 'community-reviews.yaml'}:9: event 2 (deadline_set, 2020-11-13): differs"
    )
    assert "due: recorded '2021-02', now '2021-03'" in reviews_line
    assert youth_line.startswith(f"{youth}:8: event 2 (deadline_set, 2020-11-13): ")
    assert "'June' is not a date" in youth_line
    assert snapshot(tracker) == before


def test_a_bad_file_in_a_second_plan_folder_stops_the_first_plan_too(
    tracker: Tracker, tmp_path: Path
) -> None:
    events = tmp_path / "events"
    write_plan(events / "a-plan", plan_doc("a-plan"), {"youth-panels": YOUTH})
    bad = YOUTH.replace("source: release\n", "source: press\n", 1)
    write_plan(events / "b-plan", plan_doc("b-plan"), {"youth-panels": bad})

    with pytest.raises(LoadError, match=r"b-plan/youth-panels\.yaml:4: event 1 .*'press'"):
        load(tracker, [events])

    assert snapshot(tracker) == ([], [])


# Corrections count the file's own events


def test_a_correction_counts_the_files_events_even_after_tick_recorded_missed_deadlines(
    tracker: Tracker, tmp_path: Path
) -> None:
    slug = "community-reviews"
    events = [announced(), deadline("2021-02")]
    path = write_plan(tmp_path / PLAN, plan_doc(), {slug: commitment_doc(slug, *events)})
    load(tracker, [path])
    (missed,) = tracker.tick(date(2021, 3, 10))
    assert (missed.commitment, missed.number) == (slug, 3)

    events += [
        status("in_progress", "2021-04"),  # file event 3, recorded as 4
        correction(2, "The first meeting was due in March, not February.", "2021-05"),
        correction(3, "Work had not started; the report was wrong.", "2021-06"),
    ]
    write(path / f"{slug}.yaml", commitment_doc(slug, *events))
    summary = load(tracker, [path])

    assert summary.new_events == 3
    entries = tracker.commitment(PLAN, slug).entries
    assert [(e.number, e.type) for e in entries] == [
        (1, "announced"),
        (2, "deadline_set"),
        (3, "deadline_missed"),
        (4, "status_changed"),
        (5, "correction"),
        (6, "correction"),
    ]
    assert [entries[4].get("corrects"), entries[5].get("corrects")] == [2, 4]

    before = log_keys(tracker)
    assert load(tracker, [path]).new_events == 0
    assert log_keys(tracker) == before


# Describing sources and transfers (contract section 5)


def test_a_kind_and_note_added_to_a_recorded_source_describe_it_without_rewriting_history(
    tracker: Tracker, folder: Path
) -> None:
    before = log_keys(tracker)
    plan = plan_doc(events=[progress("The mayor reported on the plan.", "2021-11")])
    plan["sources"]["report"] |= {"kind": "press", "note": "Syndicated by the LDRS."}
    write(folder / "plan.yaml", plan)

    summary = load(tracker, [folder])

    assert summary.new_events == 1
    assert log_keys(tracker) == [*before, (PLAN, None, 1)]
    paused = tracker.commitment(PLAN, "community-reviews").entries[2]
    assert paused.source.description() == ("press", "Syndicated by the LDRS.")
    assert tracker.plan(PLAN).sources["report"].kind == "press"
    [status_row] = tracker.status(PLAN, as_of=date(2023, 1, 1))
    assert status_row.figures.status_source_kind == "press"
    assert load(tracker, [folder]).new_events == 0


def test_a_source_of_an_unknown_kind_is_refused_naming_file_source_and_field(
    tracker: Tracker, folder: Path
) -> None:
    before = snapshot(tracker)
    plan = plan_doc()
    plan["sources"]["report"]["kind"] = "gossip"
    write(folder / "plan.yaml", plan)

    with pytest.raises(LoadError) as refused:
        load(tracker, [folder])

    assert "source 'report': unknown source kind 'gossip'" in str(refused.value)
    assert snapshot(tracker) == before


def transferred(**to: str) -> dict[str, Any]:
    return {"type": "transferred", "date": "2022-04", "source": "report", **to}


def test_a_transfer_may_name_a_commitment_of_a_plan_loaded_later_in_the_same_load(
    tracker: Tracker, tmp_path: Path
) -> None:
    events = tmp_path / "events"
    moved = transferred(to_title="The new plan's youth panels", to_plan="b-plan")
    moved["to_commitment"] = "youth-panels"
    write_plan(
        events / "a-plan",
        plan_doc("a-plan"),
        {"community-reviews": commitment_doc("community-reviews", announced(), moved)},
    )
    write_plan(events / "b-plan", plan_doc("b-plan"), {"youth-panels": YOUTH})

    load(tracker, [events])

    last = tracker.commitment("a-plan", "community-reviews").entries[-1]
    assert (last.type, last.get("to_plan"), last.get("to_commitment")) == (
        "transferred",
        "b-plan",
        "youth-panels",
    )
    [row] = tracker.status("a-plan", as_of=date(2030, 1, 1))
    assert (row.figures.status, row.figures.days_overdue, row.figures.stale) == (
        "transferred",
        0,
        False,
    )


@pytest.mark.parametrize(
    "to, field",
    [
        ({"to_plan": "no-such-plan"}, "to_plan 'no-such-plan'"),
        ({"to_plan": PLAN, "to_commitment": "no-such"}, "to_commitment 'no-such'"),
    ],
)
def test_a_transfer_to_a_plan_or_commitment_not_in_the_record_is_refused_by_file_and_entry(
    tracker: Tracker, folder: Path, to: dict[str, str], field: str
) -> None:
    before = snapshot(tracker)
    path = write(
        folder / "youth-panels.yaml",
        commitment_doc("youth-panels", announced(), transferred(to_title="Elsewhere", **to)),
    )

    with pytest.raises(LoadError) as refused:
        load(tracker, [folder])

    assert str(refused.value).startswith(f"{path}:")
    assert f"event 2 (transferred, 2022-04): {field}" in str(refused.value)
    assert snapshot(tracker) == before

"""The ``tracker`` command line, run in-process on a SQLite file of the test's own.

One test runs the installed console script in a subprocess, to show what a person
sees when the input is bad: one line on standard error, a non-zero exit, no traceback.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BUNDLED, BUNDLED_PLAN
from tracker.cli import main

PLAN = "london-policing-action-plan-2020"
CONTRACT_FIELDS = (
    "plan",
    "slug",
    "title",
    "status",
    "due_on",
    "days_overdue",
    "slip_days",
    "stale",
    "last_event_on",
    "status_source_kind",
)


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'tracker.sqlite'}"


@pytest.fixture
def loaded(db: str, bundled_plan: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """The database URL of a store holding the bundled plan."""
    assert main(["load", str(bundled_plan), "--database-url", db]) == 0
    capsys.readouterr()
    return db


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``tracker ARGS``: its exit status, standard output and standard error."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def status_json(capsys, db: str, *args: str) -> dict[str, dict]:
    code, out, err = run(capsys, "status", "--format", "json", "--database-url", db, *args)
    assert (code, err) == (0, "")
    return {row["slug"]: row for row in json.loads(out)}


def write_commitment(folder: Path, name: str, text: str) -> Path:
    """``folder/<name>.yaml`` as ``text``, beside a copy of the bundled plan.yaml."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(BUNDLED_PLAN / "plan.yaml", folder / "plan.yaml")
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# load and status


def test_load_then_status_prints_a_table_with_one_row_per_commitment(
    db: str, bundled_plan: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "--database-url", db, "load", str(bundled_plan))
    assert (code, err) == (0, "")
    assert out == (
        f"loaded {PLAN}: {BUNDLED.files} files, {BUNDLED.events} new events"
        f" ({BUNDLED.commitments} new commitments)\n"
    )

    code, out, err = run(capsys, "status", "--as-of", "2021-03-10", "--database-url", db)

    assert (code, err) == (0, "")
    title, header, *rows = out.splitlines()
    assert title == f"{PLAN} (as of 2021-03-10)"
    columns = ["COMMITMENT", "STATUS", "DUE", "OVERDUE", "SLIP", "STALE", "LAST", "EVENT"]
    assert header.split() == columns
    assert len(rows) == BUNDLED.commitments
    reviews = next(row for row in rows if row.startswith("community-progress-reviews "))
    assert "February 2021" in reviews
    assert "10 days" in reviews
    assert run(capsys, "load", str(bundled_plan), "--database-url", db)[1].endswith(
        f": {BUNDLED.files} files, 0 new events (0 new commitments)\n"
    )


def test_status_as_json_gives_the_contracts_figures_as_of_a_date(
    loaded: str, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = status_json(capsys, loaded, "--as-of", "2021-03-10")

    assert len(rows) == BUNDLED.commitments
    reviews = rows["community-progress-reviews"]
    assert {name: reviews[name] for name in CONTRACT_FIELDS} == {
        "plan": PLAN,
        "slug": "community-progress-reviews",
        "title": "Regular community meetings to review the plan's progress",
        "status": "announced",
        "due_on": "2021-02-28",
        "days_overdue": 10,
        "slip_days": 0,
        "stale": False,
        "last_event_on": "2020-11-13",
        "status_source_kind": None,
    }
    research = rows["body-worn-video-research"]
    assert (research["due_on"], research["days_overdue"]) == (None, 0)


def test_status_as_of_a_past_date_shows_the_status_then(
    loaded: str, capsys: pytest.CaptureFixture[str]
) -> None:
    def research(as_of: str) -> dict:
        return status_json(capsys, loaded, "--as-of", as_of)["body-worn-video-research"]

    assert research("2021-01-01")["status"] == "announced"
    assert research("2022-06-30")["status"] == "announced"
    assert research("2022-07")["status"] == "in_progress"  # a month means its last day
    assert research("2022-08-01")["status"] == "in_progress"
    paused = research("2023-01-01")
    assert (paused["status"], paused["last_event_on"]) == ("paused", "2022-11")
    assert research("2024-07-01")["stale"] is True  # nothing sourced since 18 November 2023


def test_status_of_an_unknown_plan_fails_with_one_line(
    loaded: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "status", "--plan", "unknown", "--database-url", loaded)

    assert code != 0
    assert out == ""
    assert err == "tracker status: unknown plan 'unknown'\n"


def test_a_bad_as_of_date_is_a_usage_error(loaded: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["status", "--as-of", "2021-02-30", "--database-url", loaded])

    assert exited.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "argument --as-of: 2021-02-30 is not a real date" in err.splitlines()[-1]


def test_an_unsupported_database_url_fails_with_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "status", "--database-url", "mysql://localhost/tracker")

    assert (code, out) == (1, "")
    assert err.count("\n") == 1
    assert err.startswith("tracker status: unsupported database URL 'mysql://localhost/tracker'")


def test_the_database_url_can_come_from_the_environment(
    tmp_path: Path,
    bundled_plan: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    store = tmp_path / "from-environment.sqlite"
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{store}")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)

    assert run(capsys, "load", str(bundled_plan))[0] == 0
    code, out, _ = run(capsys, "status", "--format", "json")

    assert code == 0
    assert len(json.loads(out)) == BUNDLED.commitments
    assert store.is_file()
    assert list(elsewhere.iterdir()) == []  # not the default ./tracker.sqlite


# tick


def test_tick_records_missed_deadlines_once(
    loaded: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "tick", "--today", "2021-03-10", "--database-url", loaded)
    assert code == 0
    assert out.splitlines() == [
        f"deadline missed: {PLAN}/community-progress-reviews (event 3)",
        "tick 2021-03-10: 1 missed deadlines recorded",
    ]

    out = run(capsys, "tick", "--today", "2024-01-01", "--database-url", loaded)[1]
    assert out.splitlines() == [
        f"deadline missed: {PLAN}/black-officer-recruitment-target (event 4)",
        "tick 2024-01-01: 1 missed deadlines recorded",
    ]

    out = run(capsys, "tick", "--today", "2024-01-01", "--database-url", loaded)[1]
    assert out == "tick 2024-01-01: 0 missed deadlines recorded\n"
    exported = run(capsys, "export", "--database-url", loaded)[1].splitlines()
    missed = [json.loads(line) for line in exported if '"deadline_missed"' in line]
    assert [(m["commitment"], m["date"], m["due"]) for m in missed] == [
        ("community-progress-reviews", "2021-03-01", "2021-02"),
        ("black-officer-recruitment-target", "2023-01-01", "2022"),
    ]


def test_tick_refuses_a_today_that_is_not_a_day(
    loaded: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["tick", "--today", "2024-01", "--database-url", loaded])

    assert exited.value.code == 2
    assert "argument --today: '2024-01' is not a day" in capsys.readouterr().err


# export


def test_export_as_jsonl_gives_every_event_oldest_first(
    loaded: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "export", "--format", "jsonl", "--database-url", loaded)

    assert (code, err) == (0, "")
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) == BUNDLED.events
    for record in records:
        assert {"plan", "commitment", "number", "type", "date", "recorded_at"} <= set(record)
        assert set(record["source"]) >= {"publisher", "title", "published_on", "url"}
    plan_wide = [r for r in records if r["commitment"] is None]
    assert len(plan_wide) == 18
    assert [r["number"] for r in plan_wide] == list(range(1, 19))
    assert plan_wide[0]["date"] == "2020-08-09"
    handcuffs = plan_wide[-1]
    assert (handcuffs["type"], handcuffs["value"], handcuffs["unit"]) == (
        "measurement_recorded",
        -20,
        "per cent",
    )
    reviews = [r for r in records if r["commitment"] == "community-progress-reviews"]
    assert [(r["number"], r["type"]) for r in reviews] == [(1, "announced"), (2, "deadline_set")]
    assert reviews[1]["due"] == "2021-02"
    assert reviews[1]["source"] == {
        "publisher": "Mayor of London (press release)",
        "title": "Mayor's Action Plan focuses on disproportionality of police powers",
        "published_on": "2020-11-13",
        "url": "https://www.london.gov.uk/press-releases/mayoral/stop-and-search-to-be-better-scrutinised",
        "author": None,
        "kind": None,
        "note": None,
    }
    times = [r["recorded_at"] for r in records]
    assert times == sorted(times)


def test_export_as_csv_parses_and_neutralises_formulas(
    loaded: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    formula = '=HYPERLINK("http://evil.example","click")'
    path = write_commitment(
        tmp_path / PLAN,
        "spreadsheet-check",
        "commitment: spreadsheet-check\n"
        "title: A check on spreadsheets\n"
        "events:\n"
        "  - type: announced\n"
        "    date: 2024-01\n"
        "    source: mayor-press-release-2020-11-13\n"
        f"    summary: '{formula}'\n"
        "    note: '@SUM(A1:A2)'\n",
    )
    assert run(capsys, "load", str(path), "--database-url", loaded)[0] == 0

    code, out, err = run(capsys, "export", "--format", "csv", "--database-url", loaded)

    assert (code, err) == (0, "")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 51
    assert rows[0]["plan"] == PLAN
    assert rows[0]["commitment"] == ""  # plan-wide
    check = rows[-1]
    assert [check["commitment"], check["number"], check["date"]] == [
        "spreadsheet-check",
        "1",
        "2024-01",
    ]
    assert check["summary"] == "'" + formula
    assert check["note"] == "'@SUM(A1:A2)"
    handcuffs = next(r for r in rows if r["value"] == "-20")  # a number, left alone
    assert handcuffs["unit"] == "per cent"
    jsonl = run(capsys, "export", "--database-url", loaded)[1].splitlines()
    assert json.loads(jsonl[-1])["summary"] == formula  # JSON keeps the text as written


# history


def test_history_shows_dates_at_their_precision_and_their_sources(
    loaded: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys, "history", PLAN, "body-worn-video-research", "--database-url", loaded
    )

    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == (
        "Academic research into stop and search using body worn video footage"
        f" ({PLAN}/body-worn-video-research, version 9)"
    )
    dated = [line.strip() for line in lines if re.match(r" *\d+\. ", line)]
    assert dated[:4] == [
        "1. 13 November 2020: announced",
        "2. 2018: progress reported",
        "3. July 2022: status changed (status in_progress)",
        "4. July 2022: progress reported",
    ]
    assert "1 July 2022" not in out
    assert (
        "Source: Noah Vickers, Haringey Community Press (Local Democracy Reporting Service),"
        " “Lib Dem candidate slams Mayor of London on stop and search”, 18 November 2023,"
        " https://haringeycommunitypress.co.uk/2023/11/18/"
        "lib-dem-candidate-slams-mayor-of-london-on-stop-and-search/"
    ) in [line.strip() for line in lines]
    assert out.count("Source: ") == 9


def test_history_of_an_unknown_commitment_fails_with_one_line(
    loaded: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "history", PLAN, "flying-cars", "--database-url", loaded)

    assert (code, out) == (1, "")
    assert err == f"tracker history: unknown commitment 'flying-cars' in plan '{PLAN}'\n"


# load errors


def test_load_errors_print_one_line_per_problem_and_write_nothing(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / PLAN
    good = (
        "events:\n  - type: announced\n    date: 2021\n"
        "    source: mayor-press-release-2020-11-13\n    summary: Promised.\n"
    )
    write_commitment(folder, "a-good-one", "commitment: a-good-one\ntitle: Fine\n" + good)
    status = write_commitment(
        folder,
        "bad-status",
        "commitment: bad-status\ntitle: Bad status\n"
        + good
        + "  - type: status_changed\n    date: 2022-11\n    status: finished\n"
        "    source: mayor-press-release-2020-11-13\n",
    )
    misnamed = write_commitment(folder, "misnamed", "commitment: other\ntitle: X\n" + good)

    code, out, err = run(capsys, "load", str(folder), "--database-url", db)

    assert (code, out) == (1, "")
    assert err.splitlines() == [
        f"tracker load: {status}:8: event 2 (status_changed, 2022-11): unknown status 'finished'"
        " (expected one of: not_started, in_progress, delayed, paused, delivered,"
        " partially_delivered, dropped)",
        f"tracker load: {misnamed}:1: commitment 'other' must be in a file named other.yaml",
    ]
    assert run(capsys, "status", "--database-url", db)[1] == "no commitments recorded\n"
    assert run(capsys, "export", "--database-url", db)[1] == ""


def test_a_path_that_does_not_exist_fails_with_one_line(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no-such-plan"

    code, out, err = run(capsys, "load", str(missing), "--database-url", db)

    assert (code, out) == (1, "")
    assert err == f"tracker load: {missing}: no such file or folder\n"


def test_an_empty_recorded_by_is_refused_as_an_argument_not_blamed_on_a_file(
    db: str, bundled_plan: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys, "load", str(bundled_plan), "--recorded-by", " ", "--database-url", db
    )

    assert (code, out) == (1, "")
    assert err == "tracker load: recorded_by is required\n"


def test_the_installed_command_prints_one_line_and_no_traceback_for_bad_input(
    tmp_path: Path,
) -> None:
    path = write_commitment(
        tmp_path / PLAN, "looping", "commitment: looping\ntitle: &t [*t]\nevents: []\n"
    )
    beside_python = Path(sys.executable).with_name("tracker")
    found = str(beside_python) if beside_python.exists() else shutil.which("tracker")
    command = [found] if found else [sys.executable, "-m", "tracker.cli"]
    env = {**os.environ, "TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 'tracker.sqlite'}"}

    done = subprocess.run(
        [*command, "load", str(path.parent)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )

    assert done.returncode == 1
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [
        f"tracker load: {path}:2: aliases (*name) are not allowed: write the value out"
    ]


def test_exports_carry_a_transfer_and_the_kind_and_note_of_its_source(
    loaded: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_commitment(
        tmp_path / PLAN,
        "moved-on",
        "commitment: moved-on\n"
        "title: A commitment carried into the next plan\n"
        "events:\n"
        "  - type: announced\n"
        "    date: 2020-11-13\n"
        "    source: mayor-press-release-2020-11-13\n"
        "    summary: A promise.\n"
        "  - type: transferred\n"
        "    date: 2022-03\n"
        "    to_title: Police and Crime Plan 2022-25\n"
        "    to_plan: london-policing-action-plan-2020\n"
        "    to_commitment: public-scrutiny\n"
        "    source:\n"
        "      publisher: MOPAC\n"
        "      title: Police and Crime Plan 2022-25\n"
        "      published_on: 2022-03\n"
        "      kind: official\n"
        "      note: No stable URL is known.\n",
    )
    assert run(capsys, "load", str(path), "--database-url", loaded)[::2] == (0, "")

    jsonl = run(capsys, "export", "--format", "jsonl", "--database-url", loaded)[1]
    csv_out = run(capsys, "export", "--format", "csv", "--database-url", loaded)[1]

    moved = json.loads(jsonl.splitlines()[-1])
    assert (moved["type"], moved["to_title"], moved["to_commitment"]) == (
        "transferred",
        "Police and Crime Plan 2022-25",
        "public-scrutiny",
    )
    assert (moved["source"]["kind"], moved["source"]["note"]) == (
        "official",
        "No stable URL is known.",
    )
    row = list(csv.DictReader(io.StringIO(csv_out)))[-1]
    assert (row["to_plan"], row["source_kind"], row["source_note"]) == (
        PLAN,
        "official",
        "No stable URL is known.",
    )
    status = status_json(capsys, loaded)["moved-on"]
    assert (status["status"], status["status_source_kind"]) == ("transferred", "official")

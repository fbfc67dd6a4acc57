"""The JSON API and its CSV export, over HTTP, on every store (see ``site``).

The API reads the read models; ``tracker status`` replays the aggregates. Where both
answer the same question, the tests compare the two, so a projection that drifts from
the figures fails here.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete

from tests.conftest import BUNDLED, ROOT
from tracker.application import AnnounceCommitment, RecordEvent, open_tracker, parse_event
from tracker.application.records import entry_record
from tracker.cli import main
from tracker.domain.dates import PartialDate
from tracker.readmodels import ReadModel, readmodel_engine
from tracker.readmodels import schema as t
from web.app import create_app
from web.routers import api
from web.settings import Settings

PLAN = "london-policing-action-plan-2020"
API = "/api/v1"
COMMITMENTS = f"{API}/plans/{PLAN}/commitments"
REVIEWS = f"{COMMITMENTS}/community-progress-reviews"
BODY_WORN = f"{COMMITMENTS}/body-worn-video-research"
AS_OF_ROUTES = (
    f"{API}/plans",
    f"{API}/plans/{PLAN}",
    COMMITMENTS,
    f"{COMMITMENTS}.csv",
    REVIEWS,
    f"{API}/delays",
)
TEST_SOURCE = {"publisher": "Test Gazette", "title": "A report", "published_on": "2021-03-02"}


def get(site: TestClient, path: str, **params: Any) -> Any:
    """GET ``path`` and its JSON, which must come with a 200."""
    response = site.get(path, params=params or None)  # {} would drop the path's own query
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()


def status_rows(site: TestClient, as_of: date) -> dict[str, dict[str, Any]]:
    """``tracker status --plan PLAN --as-of AS_OF --format json``, by slug, with what the
    API adds to each row: where it was transferred from (nowhere, in the bundled plan)."""
    rows = site.app.state.services.tracker.status(plan=PLAN, as_of=as_of)
    return {row.slug: row.as_json() | {"transferred_from": []} for row in rows}


def record(site: TestClient, commitment: str | None, **event: Any) -> None:
    """Record one event through the application, as an editor would."""
    spec = parse_event({"source": TEST_SOURCE, **event}, {})
    services = site.app.state.services
    services.tracker.execute([RecordEvent(PLAN, commitment, spec)], recorded_by="test editor")


def as_text(value: Any) -> str:
    """A JSON value as the CSV writes it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):  # transferred_from
        return "; ".join(f"{v['plan']}/{v['commitment']} ({v['date']})" for v in value)
    return str(value)


# Plans


def test_the_plans_list_gives_each_plan_with_its_headline_counts_and_links(
    site: TestClient,
) -> None:
    (plan,) = get(site, f"{API}/plans", as_of="2021-03-10")

    assert plan["slug"] == PLAN
    assert plan["published_on"] == "2020-11-13"
    assert plan["publisher"].startswith("Mayor of London")
    assert plan["url"].startswith("https://www.london.gov.uk/")
    assert plan["as_of"] == "2021-03-10"
    assert plan["counts"] == {
        "delivered": 0,
        "in_progress": 0,
        "announced": 14,  # no source had given any of them a status by then
        "overdue": 1,
        "stale": 0,
        "no_deadline": 12,
        "total": 14,
    }
    assert plan["links"]["html"] == f"/plans/{PLAN}"
    assert plan["links"]["feed"] == f"/plans/{PLAN}/feed.atom"
    assert plan["links"]["commitments"] == COMMITMENTS
    assert get(site, plan["links"]["api"])["slug"] == PLAN


def test_the_plans_list_counts_as_of_today_unless_asked(site: TestClient) -> None:
    (plan,) = get(site, f"{API}/plans")

    assert plan["as_of"] == site.app.state.services.today().isoformat()
    assert plan["counts"]["total"] == BUNDLED.commitments


def test_a_plan_gives_its_details_sources_and_plan_wide_events(site: TestClient) -> None:
    body = get(site, f"{API}/plans/{PLAN}", as_of="2021-03-10")
    view = site.app.state.services.tracker.plan(PLAN)

    assert body["title"] == view.title
    assert body["counts"]["total"] == BUNDLED.commitments
    assert body["sources"] == {
        key: {
            "publisher": s.publisher,
            "title": s.title,
            "published_on": str(s.published_on),
            "url": s.url,
            "author": s.author,
            "kind": s.kind,
            "note": s.note,
        }
        for key, s in view.sources.items()
    }
    assert body["sources"]["ldrs-haringey-community-press-2023-11-18"]["author"] == "Noah Vickers"
    events = body["events"]
    starts = [PartialDate.parse(e["date"]).start for e in events]
    assert starts == sorted(starts)  # in date order, a year from its first day
    assert all(e["commitment"] is None for e in events)
    by_number = {e["number"]: e for e in events}
    for entry in view.entries:
        shown = by_number.pop(entry.number)
        assert shown["permalink"] == f"/plans/{PLAN}#plan-event-{entry.number}"
        assert {k: shown[k] for k in shown if k not in ("corrected_by", "permalink")} == (
            entry_record(PLAN, None, entry)
        )
    assert by_number == {}


# Commitments


@pytest.mark.parametrize("as_of", [date(2021, 3, 10), date(2022, 8, 1), date(2024, 6, 30)])
def test_the_commitment_rows_are_the_rows_of_tracker_status_as_of_the_same_day(
    site: TestClient, as_of: date
) -> None:
    rows = get(site, COMMITMENTS, as_of=as_of.isoformat())

    assert len(rows) == BUNDLED.commitments
    assert {row["slug"]: row for row in rows} == status_rows(site, as_of)


def test_a_deadline_of_february_2021_falls_due_on_its_last_day_and_is_10_days_overdue_on_10_march(
    site: TestClient,
) -> None:
    row = get(site, REVIEWS, as_of="2021-03-10")

    assert row["due"] == "2021-02"
    assert row["due_on"] == "2021-02-28"
    assert row["days_overdue"] == 10
    assert row["status"] == "announced"


def test_an_as_of_month_means_the_last_day_of_that_month(site: TestClient) -> None:
    row = get(site, REVIEWS, as_of="2021-03")

    assert row["as_of"] == "2021-03-31"
    assert row["days_overdue"] == 31


@pytest.mark.parametrize(
    ("as_of", "status"),
    [("2021-03-10", "announced"), ("2022-08-01", "in_progress"), ("2023-01-01", "paused")],
)
def test_a_commitment_shows_the_status_it_had_on_the_day_asked(
    site: TestClient, as_of: str, status: str
) -> None:
    assert get(site, BODY_WORN, as_of=as_of)["status"] == status


def test_a_commitments_events_are_the_exports_records_with_permalinks(site: TestClient) -> None:
    body = get(site, BODY_WORN, as_of="2023-01-01")
    view = site.app.state.services.tracker.commitment(PLAN, "body-worn-video-research")

    assert body["version"] == view.version
    assert body["summary"].startswith("Academic research")
    assert body["links"]["html"] == f"/plans/{PLAN}/commitments/body-worn-video-research"
    events = body["events"]
    assert [{k: e[k] for k in e if k not in ("corrected_by", "permalink")} for e in events] == [
        entry_record(PLAN, view.slug, entry) for entry in view.entries
    ]
    assert [e["permalink"] for e in events] == [
        f"/plans/{PLAN}/commitments/body-worn-video-research#event-{n}"
        for n in range(1, len(view.entries) + 1)
    ]
    assert all(e["corrected_by"] is None for e in events)
    assert "due" not in events[0]  # a type's own fields appear only on that type
    assert events[2]["status"] == "in_progress"


@pytest.mark.parametrize(
    ("filters", "slugs"),
    [
        ({"status": "overdue"}, {"community-progress-reviews"}),
        ({"status": "in_progress"}, set()),
        ({"q": "ACADEMIC research"}, {"body-worn-video-research"}),
        ({"owner": "City Hall", "status": "overdue"}, {"community-progress-reviews"}),
    ],
)
def test_the_commitments_can_be_filtered_like_the_plan_page(
    site: TestClient, filters: dict[str, str], slugs: set[str]
) -> None:
    rows = get(site, COMMITMENTS, as_of="2021-03-10", **filters)

    assert {row["slug"] for row in rows} == slugs


def test_a_theme_filter_keeps_just_that_themes_commitments(site: TestClient) -> None:
    theme = "Community scrutiny and oversight"
    rows = get(site, COMMITMENTS, as_of="2021-03-10", theme=theme)

    expected = {s for s, r in status_rows(site, date(2021, 3, 10)).items() if r["theme"] == theme}
    assert "community-progress-reviews" in expected
    assert {row["slug"] for row in rows} == expected


# Timeline and delays


def test_the_timeline_pages_through_every_event_once_newest_first(site: TestClient) -> None:
    logged = len(list(site.app.state.services.tracker.log()))
    first = get(site, f"{API}/timeline", per_page=7)
    assert (first["page"], first["total"], first["pages"]) == (1, logged, -(-logged // 7))
    assert first["links"]["prev"] is None

    items, page = [], first
    while True:
        assert len(page["items"]) <= 7
        items += page["items"]
        if page["links"]["next"] is None:
            break
        page = get(site, page["links"]["next"])

    assert page["page"] == first["pages"]
    assert len(items) == logged
    assert len({(i["commitment"], i["number"]) for i in items}) == logged
    starts = [PartialDate.parse(i["date"]).start for i in items]
    assert starts == sorted(starts, reverse=True)


def test_a_timeline_page_past_the_last_is_empty_and_points_back_to_the_last(
    site: TestClient,
) -> None:
    body = get(site, f"{API}/timeline", page=1000, per_page=10)

    assert body["items"] == []
    assert body["links"]["next"] is None
    assert get(site, body["links"]["prev"])["page"] == body["pages"]


def test_the_delays_list_puts_the_most_overdue_first(site: TestClient) -> None:
    body = get(site, f"{API}/delays", as_of="2021-03-10")
    expected = status_rows(site, date(2021, 3, 10))

    rows = body["commitments"]
    assert body["as_of"] == "2021-03-10"
    assert rows[0]["slug"] == "community-progress-reviews"
    assert rows[0]["days_overdue"] == 10
    assert rows[0]["links"]["api"] == REVIEWS
    for row in rows:
        assert {k: v for k, v in row.items() if k != "links"} == expected[row["slug"]]
    late_or_open_ended = {
        slug
        for slug, r in expected.items()
        if r["days_overdue"] or r["slip_days"] or r["stale"] or r["due"] is None
    }
    assert "black-officer-recruitment-target" not in late_or_open_ended  # due in 2022
    assert {row["slug"] for row in rows} == late_or_open_ended


# CSV


def test_the_csv_export_parses_and_holds_the_json_rows(site: TestClient) -> None:
    response = site.get(f"{COMMITMENTS}.csv", params={"as_of": "2022-08-01"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")

    reader = csv.DictReader(io.StringIO(response.text))
    rows = {row["slug"]: row for row in reader}
    expected = status_rows(site, date(2022, 8, 1))
    assert reader.fieldnames == list(next(iter(expected.values())))
    assert rows == {slug: {k: as_text(v) for k, v in row.items()} for slug, row in expected.items()}


def test_csv_cells_a_spreadsheet_would_run_as_formulas_are_neutralised(site: TestClient) -> None:
    announcement = parse_event(
        {"type": "announced", "date": "2021-01-05", "summary": "x", "source": TEST_SOURCE}, {}
    )
    services = site.app.state.services
    services.tracker.execute(
        [
            AnnounceCommitment(
                PLAN,
                "formula",
                '=HYPERLINK("https://example.org","click")',
                announcement,
                theme="+theme",
                owner="@owner",
            )
        ],
        recorded_by="test editor",
    )
    services.projector.catch_up()

    response = site.get(f"{COMMITMENTS}.csv", params={"as_of": "2021-03-10", "q": "hyperlink"})
    (row,) = csv.DictReader(io.StringIO(response.text))
    assert row["title"] == '\'=HYPERLINK("https://example.org","click")'
    assert (row["theme"], row["owner"]) == ("'+theme", "'@owner")
    assert get(site, f"{COMMITMENTS}/formula")["title"].startswith("=HYPERLINK")


# Errors


def test_an_unknown_plan_or_commitment_is_a_404_naming_it(site: TestClient) -> None:
    for path, named in [
        (f"{API}/plans/no-such-plan", "no-such-plan"),
        (f"{API}/plans/no-such-plan/commitments", "no-such-plan"),
        (f"{API}/plans/no-such-plan/commitments.csv", "no-such-plan"),
        (f"{API}/plans/no-such-plan/commitments/community-progress-reviews", "no-such-plan"),
        (f"{COMMITMENTS}/no-such-commitment", "no-such-commitment"),
        (f"{API}/timeline?plan=no-such-plan", "no-such-plan"),
        (f"{API}/plans/nul%00byte", "unknown plan 'nul\x00byte'"),  # PostgreSQL refuses NUL
        (f"{COMMITMENTS}/nul%00byte", "unknown commitment 'nul\x00byte'"),
        (f"{API}/timeline?plan=nul%00byte", "unknown plan"),
    ]:
        response = site.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/json", path
        assert named in response.json()["detail"], path


def test_a_bad_as_of_is_a_422_naming_the_field_on_every_route(site: TestClient) -> None:
    for as_of in ["2021-02-30", "soon", "2021-13", "10/03/2021", "2021-03-10T00:00"]:
        for path in AS_OF_ROUTES:
            response = site.get(path, params={"as_of": as_of})
            assert response.status_code == 422, (path, as_of)
            assert response.json()["detail"].startswith("as_of: "), (path, as_of)


def test_bad_page_numbers_are_a_422_naming_the_parameter(site: TestClient) -> None:
    for params in [
        {"page": "0"},
        {"page": "-1"},
        {"page": "two"},
        {"page": "1.5"},
        {"page": "9" * 30},
        {"per_page": "0"},
        {"per_page": "1000000"},
    ]:
        response = site.get(f"{API}/timeline", params=params)
        assert response.status_code == 422, params
        assert response.json()["detail"].startswith(f"{next(iter(params))}: "), params


def test_an_unknown_status_filter_is_a_422_naming_the_field(site: TestClient) -> None:
    response = site.get(COMMITMENTS, params={"status": "late"})

    assert response.status_code == 422
    assert response.json()["detail"].startswith("status: ")
    assert "overdue" in response.json()["detail"]


def test_filter_text_with_control_characters_is_a_422_naming_the_field(site: TestClient) -> None:
    for name in ("q", "theme", "owner"):
        response = site.get(COMMITMENTS, params={name: "body\x00worn"})
        assert response.status_code == 422, name
        assert response.json()["detail"].startswith(f"{name}: "), name


# New events


def test_a_recorded_event_appears_once_the_projector_catches_up(site: TestClient) -> None:
    total = get(site, f"{API}/timeline")["total"]
    record(
        site,
        "community-progress-reviews",
        type="status_changed",
        date="2021-03-01",
        status="delivered",
    )

    before = get(site, REVIEWS, as_of="2021-03-10")
    assert before["status"] == "announced"  # requests read the read models, not the log
    assert len(before["events"]) == 2

    site.app.state.services.projector.catch_up()
    after = get(site, REVIEWS, as_of="2021-03-10")
    assert after["status"] == "delivered"
    assert after["days_overdue"] == 0
    assert after["delivered_on"] == "2021-03-01"
    assert after["delivered_late_by_days"] == 1
    assert after["events"][-1]["recorded_by"] == "test editor"
    assert after["events"][-1]["source"]["publisher"] == "Test Gazette"
    assert get(site, f"{API}/timeline")["total"] == total + 1
    rows = {r["slug"]: r for r in get(site, COMMITMENTS, as_of="2021-03-10")}
    assert rows == status_rows(site, date(2021, 3, 10))


def test_a_corrected_event_stays_listed_marked_and_no_longer_counts(site: TestClient) -> None:
    record(
        site,
        "community-progress-reviews",
        type="correction",
        date="2021-03-05",
        corrects=2,
        note="The release set no deadline.",
    )
    site.app.state.services.projector.catch_up()

    body = get(site, REVIEWS, as_of="2021-03-10")
    deadline, correction = body["events"][1:]
    assert (deadline["type"], deadline["corrected_by"]) == ("deadline_set", 3)
    assert (correction["type"], correction["corrects"]) == ("correction", 2)
    assert (body["due_on"], body["days_overdue"]) == (None, 0)


def test_the_running_projector_shows_a_new_event_within_a_second(database_url: str) -> None:
    settings = Settings(database_url=database_url, project=True, tick=False)
    with TestClient(create_app(settings)) as site:
        record(
            site,
            "body-worn-video-research",
            type="status_changed",
            date="2024-01-05",
            status="delivered",
        )
        recorded = time.monotonic()
        status = None
        while time.monotonic() - recorded < 2:
            status = get(site, BODY_WORN, as_of="2024-02-01")["status"]
            if status == "delivered":
                break
            time.sleep(0.05)
        assert status == "delivered"
        assert time.monotonic() - recorded < 1.0


# The OpenAPI document


def test_the_openapi_document_describes_every_api_route_and_its_answers(
    memory_site: TestClient,
) -> None:
    paths = get(memory_site, "/openapi.json")["paths"]
    json_routes = {
        f"{API}/plans": "PlanSummary",
        f"{API}/plans/{{plan}}": "PlanDetail",
        f"{API}/plans/{{plan}}/commitments": "CommitmentStatus",
        f"{API}/plans/{{plan}}/commitments/{{slug}}": "CommitmentDetail",
        f"{API}/timeline": "TimelinePage",
        f"{API}/delays": "Delays",
        f"{API}/log": "LogHead",
    }
    csv_route = f"{API}/plans/{{plan}}/commitments.csv"
    log_route = f"{API}/log.jsonl"
    assert {r.path for r in api.router.routes} == {*json_routes, csv_route, log_route}
    reads = {path for path, operations in paths.items() if "get" in operations}
    elsewhere = {  # section 6
        f"{API}/changes",
        f"{API}/events.jsonl",
        f"{API}/events.csv",
        f"{API}/search",
    }
    assert {path for path in reads if path.startswith(API)} == {
        *json_routes,
        csv_route,
        log_route,
        *elsewhere,
    }

    may_not_find = {path for path in json_routes if "{plan}" in path} | {
        f"{API}/timeline",
        f"{API}/log",  # only a store without a hash chain, which the site never opens
    }
    for path, model in json_routes.items():
        answers = paths[path]["get"]["responses"]
        assert model in json.dumps(answers["200"]["content"]["application/json"]), path
        assert "Error" in json.dumps(answers["422"]["content"]["application/json"]), path
        assert ("404" in answers) == (path in may_not_find), path
    answers = paths[csv_route]["get"]["responses"]
    assert list(answers["200"]["content"]) == ["text/csv"]
    for code in ("404", "422"):
        assert list(answers[code]["content"]) == ["application/json"]
    assert list(paths[log_route]["get"]["responses"]["200"]["content"]) == ["application/jsonl"]


# Command line


def test_tracker_rebuild_projects_the_whole_log_into_fresh_read_models(
    tmp_path: Path, bundled_plan: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.sqlite'}"
    assert main(["load", str(bundled_plan), "--quiet", "--database-url", url]) == 0
    capsys.readouterr()
    engine = readmodel_engine(url)
    read = ReadModel(engine)

    tracker = open_tracker(url)
    logged = len(tracker.recorder.select_notifications(start=1, limit=10_000))
    tracker.close()

    assert main(["rebuild", "--database-url", url]) == 0
    out, err = capsys.readouterr()
    assert (out, err) == (f"rebuilt the read models: {logged} events projected\n", "")
    rows = read.commitments(PLAN, date(2021, 3, 10))
    assert len(rows) == BUNDLED.commitments
    assert {r.slug: r.figures.days_overdue for r in rows}["community-progress-reviews"] == 10

    with engine.begin() as conn:  # a damaged read model is made whole again
        conn.execute(delete(t.commitments))
    assert read.commitments(PLAN, date(2021, 3, 10)) == []
    assert main(["rebuild", "--database-url", url]) == 0
    assert capsys.readouterr().out == f"rebuilt the read models: {logged} events projected\n"
    assert len(read.commitments(PLAN, date(2021, 3, 10))) == BUNDLED.commitments
    engine.dispose()


def test_tracker_serve_loads_the_bundled_plan_and_answers_over_http(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"sqlite:///{tmp_path / 'tracker.sqlite'}"
    command = [sys.executable, "-m", "tracker.cli", "serve", "--port", str(port)]
    server = subprocess.Popen(
        [*command, "--database-url", url],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        plans = None
        deadline = time.monotonic() + 20
        while plans is None and time.monotonic() < deadline and server.poll() is None:
            try:
                plans = httpx.get(f"http://127.0.0.1:{port}{API}/plans", timeout=2).json()
            except httpx.TransportError:
                time.sleep(0.1)
        assert plans is not None, "the server did not answer"
        assert [p["counts"]["total"] for p in plans] == [14]
    finally:
        server.send_signal(signal.SIGINT)  # as a person presses Ctrl-C
        output, _ = server.communicate(timeout=20)
    assert server.returncode == 0, output
    assert "Application shutdown complete" in output
    assert "Traceback" not in output

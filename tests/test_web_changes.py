"""What changed between two dates, and the timeline's window, over HTTP on every store.

Expectations come from the API's own as-of answers on each side of the window, so that
"what changed" is held to say exactly what a reader would see comparing the two days."""

from __future__ import annotations

from typing import Any

import pytest

from tests.test_web_api import get
from web import urls

PLAN = "london-policing-action-plan-2020"
WINDOWS = [("2021-01-01", "2023-12-31"), ("2020-11", "2021-06"), ("2022", "2022")]


def side(row: dict[str, Any]) -> tuple:
    return row["status"], row["due"], row["days_overdue"] > 0


def expected(site, before: str, after: str) -> set[str]:
    """The commitments whose status, deadline or overdue state differ between the API's
    answers as of the two days (or that were announced in between)."""
    old = {r["slug"]: r for r in get(site, urls.api_commitments(PLAN), as_of=before)}
    new = get(site, urls.api_commitments(PLAN), as_of=after)
    announced = {
        r["slug"]: get(site, urls.api_commitment(PLAN, r["slug"]))["announced_on"] for r in new
    }
    return {
        r["slug"]
        for r in new
        if announced[r["slug"]] <= after
        and (announced[r["slug"]][:10] > before or side(r) != side(old[r["slug"]]))
    }


@pytest.mark.parametrize(("since", "until"), WINDOWS)
def test_changes_between_two_dates_are_the_differences_of_the_as_of_answers(site, since, until):
    answer = get(site, urls.api_changes(since=since, until=until))
    assert answer["after_as_of"] == answer["until"]
    assert {c["slug"] for c in answer["changes"]} == expected(
        site, answer["before_as_of"], answer["after_as_of"]
    )
    for change in answer["changes"]:
        before = get(site, urls.api_commitment(PLAN, change["slug"]), as_of=answer["before_as_of"])
        after = get(site, urls.api_commitment(PLAN, change["slug"]), as_of=answer["until"])
        if change["before"] is not None:
            assert change["before"]["status"] == before["status"]
            assert change["before"]["due"] == before["due"]
            assert change["before"]["days_overdue"] == before["days_overdue"]
        assert change["after"]["status"] == after["status"]
        assert change["after"]["due_on"] == after["due_on"]
        assert change["after"]["overdue"] == (after["days_overdue"] > 0)


def test_a_change_lists_the_sourced_events_that_made_it(site):
    answer = get(site, urls.api_changes(since="2021-01-01", until="2023-12-31"))
    statuses = [c for c in answer["changes"] if "status" in c["changed"]]
    assert statuses
    for change in statuses:
        made = [e for e in change["events"] if e["type"] in ("status_changed", "transferred")]
        assert made, change["slug"]
        assert made[-1].get("status", "transferred") == change["after"]["status"]
        for event in change["events"]:
            assert event["date"][:10] >= "2021-01-01" or len(event["date"]) < 10
            assert event["permalink"] == urls.event(PLAN, change["slug"], event["number"])
            assert event["source"]["publisher"] and event["source"]["title"]


def test_the_page_shows_the_same_changes_as_the_api_and_works_as_a_plain_form(site):
    answer = get(site, urls.api_changes(since="2021-01-01", until="2023-12-31"))
    response = site.get(urls.changes(since="2021-01-01", until="2023-12-31"))
    assert response.status_code == 200
    for change in answer["changes"]:
        assert f'href="{urls.commitment(PLAN, change["slug"])}"' in response.text
    assert '<form class="filters" aria-label="Choose the dates" method="get"' in response.text
    assert f'action="{urls.changes()}"' in response.text


def test_htmx_gets_only_the_results_and_every_answer_varies_on_it(memory_site):
    path = urls.changes(since="2021-01-01")
    whole = memory_site.get(path)
    part = memory_site.get(path, headers={"HX-Request": "true"})
    assert "HX-Request" in whole.headers["vary"] and "HX-Request" in part.headers["vary"]
    assert "<html" in whole.text and "<html" not in part.text
    assert 'class="result-count"' in part.text


def test_one_plan_may_be_asked_for_and_an_unknown_plan_is_not_found(memory_site):
    answer = get(memory_site, urls.api_changes(since="2021", plan=PLAN))
    assert answer["plan"] == PLAN and all(c["plan"] == PLAN for c in answer["changes"])
    assert memory_site.get(urls.api_changes(since="2021", plan="no-such-plan")).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"since": "2021-13"},
        {"since": "yesterday"},
        {"since": "2023-01-01", "until": "2022-12-31"},
    ],
)
def test_a_bad_or_missing_since_is_a_422_naming_it(memory_site, query):
    response = memory_site.get(urls.api_changes(**query))
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["since"]
    page = memory_site.get(urls.changes(**query))
    assert page.status_code == (200 if not query else 422)


# The timeline's window


def overlaps(date_text: str, since: str, until: str) -> bool:
    """The text of an event's date overlaps the window, at its precision."""
    return date_text[: len(since)] >= since[: len(date_text)] and date_text[: len(until)] <= until


def every_event(site) -> list[dict]:
    return get(site, urls.api_timeline(per_page=200))["items"]


def test_the_timeline_keeps_the_events_whose_dates_overlap_the_window(site):
    since, until = "2022-07-15", "2023-06-30"
    answer = get(site, urls.api_timeline(since=since, until=until, per_page=200))
    wanted = [e["permalink"] for e in every_event(site) if overlaps(e["date"], since, until)]
    assert [e["permalink"] for e in answer["items"]] == wanted
    assert answer["total"] == len(wanted)
    assert any(e["date"] == "2022-07" for e in answer["items"])  # a month reaching 15 July


def test_a_timeline_window_pages_and_links_its_pages_with_the_window(site):
    answer = get(site, urls.api_timeline(since="2020", until="2023", per_page=2))
    assert answer["pages"] == -(-answer["total"] // 2)
    assert "since=2020" in answer["links"]["next"] and "until=2023" in answer["links"]["next"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"since": "2022-02-30"}, "since"),
        ({"until": "soon"}, "until"),
        ({"since": "2023", "until": "2022"}, "since"),
    ],
)
def test_a_bad_timeline_window_is_a_422_naming_the_parameter(memory_site, query, field):
    response = memory_site.get(urls.api_timeline(**query))
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]

"""As recorded (contract section 6): pages and API answers as the record stood at a past
position of the log, given as a record number or a moment; a moment maps by commit
order; the chain's new ``linked_at`` leaves its hashes and ``tracker verify`` alone."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import psycopg
import pytest

from tests.test_web_pages import BWV, PLAN, between, record
from tracker.application import RecordEvent, open_tracker, parse_event
from tracker.application.recorded import count_at
from tracker.application.service import _AggregateBatch
from tracker.datafiles import load
from tracker.store import chain

SOURCE = {"publisher": "BBC News", "title": "Later news", "published_on": "2024-03-01"}
COMMITMENT = urls_path = f"/plans/{PLAN}/commitments/{BWV}"
API = f"/api/v1/plans/{PLAN}/commitments/{BWV}"


def main_content(html: str) -> tuple[str, str]:
    """What a reader cites: the figures and the events, event by event."""
    return between(html, '<dl class="figures">', "</dl>"), between(
        html, '<ol class="events">', "</ol>"
    )


def pinned_link(html: str) -> str:
    link = between(html, 'class="permalink" href="', '">').split('href="', 1)[1]
    parts = urlsplit(link.replace("&amp;", "&"))
    return f"{parts.path}?{parts.query}"


def later_news_and_a_correction(site) -> None:
    record(site, BWV, type="status_changed", date="2024-03", status="in_progress")
    record(site, BWV, type="correction", date="2024-03", corrects=3, note="Wrong date.")


def head(site) -> chain.Head:
    return chain.head(site.app.state.services.tracker)


# Pinned views


def test_a_pinned_link_shows_the_same_page_after_later_events_and_a_correction(site):
    today = site.get(COMMITMENT).text
    pinned = pinned_link(today)
    later_news_and_a_correction(site)
    assert main_content(site.get(COMMITMENT).text) != main_content(today)
    assert main_content(site.get(pinned).text) == main_content(today)


def test_a_pinned_page_says_the_record_has_moved_on_and_links_to_today(site):
    pinned = pinned_link(site.get(COMMITMENT).text)
    record(site, None, type="progress_reported", date="2024-02", note="Plan-wide news.")
    html = site.get(pinned).text
    assert "1 event recorded since record" in html and "none of them about this commitment" in html
    later_news_and_a_correction(site)
    html = site.get(pinned).text
    assert "3 events recorded since record" in html and "2 of them about this commitment" in html
    assert f'<a href="{COMMITMENT}">See this commitment as it stands today</a>' in html


def test_a_page_says_plainly_which_view_it_shows(site):
    events = head(site).events
    html = site.get(f"{COMMITMENT}?as_recorded={events}").text
    assert f"as recorded on {datetime.now(UTC).day} " in html and f"record {events:,}" in html
    assert "Nothing has been recorded since" in html
    plan = site.get(f"/plans/{PLAN}?as_recorded={events}").text
    assert "This page shows the record as recorded on" in plan


def test_the_commitment_page_offers_an_as_recorded_form_that_needs_no_javascript(site):
    html = site.get(f"{COMMITMENT}?as_of=2023-01-01").text
    form = between(html, '<form class="as-recorded"', "</form>")
    assert 'method="get"' in form and 'name="as_recorded"' in form
    assert '<input type="hidden" name="as_of" value="2023-01-01">' in form


def test_as_recorded_and_as_of_combine(site):
    before = head(site).events
    later_news_and_a_correction(site)
    then = site.get(API, params={"as_of": "2024-12-31", "as_recorded": before}).json()
    now = site.get(API, params={"as_of": "2024-12-31"}).json()
    earlier_day = site.get(API, params={"as_of": "2021-06-01", "as_recorded": before}).json()
    assert (then["status"], now["status"]) == ("paused", "in_progress")
    assert len(then["events"]) == len(now["events"]) - 2
    assert earlier_day["as_of"] == "2021-06-01" and earlier_day["status"] != "paused"


def test_every_api_route_that_takes_as_of_takes_as_recorded(site):
    before = head(site).events
    later_news_and_a_correction(site)
    for path in (
        "/api/v1/plans",
        f"/api/v1/plans/{PLAN}",
        f"/api/v1/plans/{PLAN}/commitments",
        f"/api/v1/plans/{PLAN}/commitments.csv",
        API,
        "/api/v1/delays",
    ):
        then = site.get(path, params={"as_recorded": before})
        now = site.get(path)
        assert then.status_code == 200, path
        assert then.text != now.text or path == "/api/v1/delays", path


# Moments: commit order, not recorded_at


def test_a_moment_means_what_had_been_committed_by_then(database_url):
    """Two writers: the first takes its recorded_at, the second records and commits;
    then the first commits. A moment between the two commits holds the second only,
    although the first's recorded_at is earlier."""
    tracker = open_tracker(database_url)
    load(tracker, [_plan_folder()], recorded_by="test")
    slow = _AggregateBatch(tracker)
    slow.do(RecordEvent(PLAN, BWV, _note("slow writer")), "slow")
    (pending,) = slow.loaded[next(iter(slow.loaded))].pending_events
    tracker.execute([RecordEvent(PLAN, None, _note("quick writer"))], "quick")
    between_commits = datetime.now(UTC)
    slow.save()
    held = chain.head(tracker).events
    assert pending.timestamp < between_commits
    assert count_at(tracker, between_commits) == held - 1
    [row] = [r for r in tracker.status(PLAN, as_recorded_at=between_commits) if r.slug == BWV]
    [now] = [r for r in tracker.status(PLAN) if r.slug == BWV]
    assert row.figures.last_event_on != now.figures.last_event_on
    tracker.close()


def test_a_moment_before_the_first_event_or_in_the_future_is_a_422(site):
    for moment in ("2001-01-01T00:00:00Z", (datetime.now(UTC) + timedelta(days=2)).isoformat()):
        answer = site.get(API, params={"as_recorded": moment})
        assert answer.status_code == 422
        assert answer.json()["errors"][0]["field"] == "as_recorded"


@pytest.mark.parametrize("given", ["0", "abc", "99999999", "2024-13-01", "1" * 20])
def test_a_bad_as_recorded_is_a_422_naming_it(site, given):
    answer = site.get(API, params={"as_recorded": given})
    assert answer.status_code == 422 and "as_recorded" in answer.json()["detail"]
    page = site.get(COMMITMENT, params={"as_recorded": given})
    assert page.status_code == 422
    assert "That record number or moment could not be read" in page.text
    assert "as_recorded" in page.text


# The chain's linked_at: outside the hash, migrated in place


def test_linked_at_rises_with_the_count_and_is_in_no_hash(database_url):
    tracker = open_tracker(database_url)
    load(tracker, [_plan_folder()], recorded_by="test")
    links = [chain.link_at(tracker, n) for n in range(1, chain.head(tracker).events + 1)]
    times = [link.linked_at for link in links]
    assert None not in times and times == sorted(times)
    exported = list(chain.log_export(tracker))
    assert "linked_at" not in exported[0]
    assert chain.verify(tracker).ok and chain.verify(tracker).head == links[-1].hash
    tracker.close()


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
def test_an_old_chain_table_gains_linked_at_in_place_with_its_hashes_unchanged(database_url):
    tracker = open_tracker(database_url)
    load(tracker, [_plan_folder()], recorded_by="test")
    before = chain.head(tracker)
    loaded_by = datetime.now(UTC)
    tracker.close()
    _drop_linked_at(database_url)

    reopened = open_tracker(database_url)
    assert chain.head(reopened) == before and chain.verify(reopened).ok
    assert chain.untimed(reopened) == before.events  # old links: no time, kept as they were
    assert count_at(reopened, loaded_by) == before.events  # by their recorded_at
    reopened.execute([RecordEvent(PLAN, BWV, _note("after the upgrade"))], "test")
    assert chain.link_at(reopened, before.events + 1).linked_at is not None
    assert chain.verify(reopened).ok and chain.verify(reopened).events == before.events + 1
    reopened.close()


def test_tracker_verify_ignores_linked_at(durable_database_url):
    """Changing every link's time changes neither the head nor what verify finds (on the
    stores that keep links in a table; the in-memory store keeps them in a list)."""
    database_url = durable_database_url
    tracker = open_tracker(database_url)
    load(tracker, [_plan_folder()], recorded_by="test")
    before = chain.verify(tracker)
    _execute(database_url, "UPDATE {chain} SET linked_at = NULL")
    assert chain.verify(tracker) == before
    tracker.close()


# Helpers


def _plan_folder():
    from tests.conftest import BUNDLED_PLAN

    return BUNDLED_PLAN


def _note(text: str):
    return parse_event(
        {"type": "progress_reported", "date": "2024-02", "note": text, "source": SOURCE}, {}
    )


def _drop_linked_at(url: str) -> None:
    _execute(url, "ALTER TABLE {chain} DROP COLUMN linked_at")


def _execute(url: str, statement: str) -> None:
    """Run ``statement`` on the store's chain table, behind the tracker's back."""
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.split("///", 1)[1])
        with conn:
            conn.execute(statement.format(chain="stored_events_chain"))
        conn.close()
        return
    base, schema = url.split("?schema=")
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(statement.format(chain=f"{schema}.tracker_events_chain"))

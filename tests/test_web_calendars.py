"""The calendars: one all-day event per current deadline of an open commitment, a
month or year deadline on its last day and saying so, an event that moves with its
deadline rather than doubling, and a file valid to RFC 5545 that is the same bytes for
the same record."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar

from tests.test_web_feeds import PLAN, record, services
from tests.test_web_pages import Tags
from tracker.application import AnnounceCommitment, parse_event
from tracker.domain.entries import CLOSED_STATUSES
from web import urls
from web.app import create_app
from web.settings import Settings

REVIEWS = "community-progress-reviews"  # due February 2021: a month
RECRUITS = "black-officer-recruitment-target"  # due 2022: a year
PILOT = "vehicle-stop-pilot"  # delivered
CALENDARS = (urls.calendar(), urls.calendar(PLAN), urls.calendar(PLAN, REVIEWS))
MAX_OCTETS = 75  # RFC 5545, 3.1: a content line is folded after 75 octets


def fetch(client, url: str) -> bytes:
    answer = client.get(url)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/calendar; charset=utf-8"
    return answer.content


def events(client, url: str) -> dict[str, object]:
    """The calendar's events, by the slug of their commitment."""
    calendar = Calendar.from_ical(fetch(client, url))
    return {str(e["url"]).rsplit("/", 1)[1]: e for e in calendar.walk("VEVENT")}


def open_deadlines(client, plan: str = PLAN) -> dict[str, str]:
    """What the read API says should be in the calendar: slug to due date."""
    rows = client.get(urls.api_commitments(plan)).json()
    return {
        r["slug"]: r["due_on"] for r in rows if r["due_on"] and r["status"] not in CLOSED_STATUSES
    }


def moved(client, slug: str, due: str) -> None:
    record(client, slug, type="deadline_set", date="2026-06", due=due, note="Put back.")
    services(client).projector.catch_up()


def test_each_calendar_has_one_event_per_current_open_deadline_as_the_api_counts_them(site):
    expected = open_deadlines(site)
    assert len(expected) >= 2
    for url in (urls.calendar(), urls.calendar(PLAN)):
        found = events(site, url)
        assert sorted(found) == sorted(expected), url
        for slug, event in found.items():
            assert event["dtstart"].dt.isoformat() == expected[slug], (url, slug)
    assert list(events(site, urls.calendar(PLAN, REVIEWS))) == [REVIEWS]


def test_a_month_deadline_falls_on_its_last_day_and_says_month_in_its_summary(site):
    event = events(site, urls.calendar(PLAN, REVIEWS))[REVIEWS]
    assert event["dtstart"].dt == date(2021, 2, 28)
    assert event["dtend"].dt == date(2021, 3, 1)
    assert event["dtstart"].params["VALUE"] == "DATE"
    assert str(event["summary"]).startswith("Due by February 2021 (month): Regular community")


def test_a_year_deadline_falls_on_the_31st_of_december_and_says_year(site):
    event = events(site, urls.calendar(PLAN, RECRUITS))[RECRUITS]
    assert event["dtstart"].dt == date(2022, 12, 31)
    assert str(event["summary"]).startswith("Due by 2022 (year): Up to 40 per cent")


def test_a_deadline_given_to_the_day_is_due_on_that_day(site):
    moved(site, REVIEWS, "2027-03-15")
    event = events(site, urls.calendar(PLAN, REVIEWS))[REVIEWS]
    assert event["dtstart"].dt == date(2027, 3, 15)
    assert str(event["summary"]).startswith("Due on 15 March 2027: Regular community")


def test_a_moved_deadline_keeps_its_uid_so_that_calendar_apps_move_the_event(site):
    before = events(site, urls.calendar())[REVIEWS]
    moved(site, REVIEWS, "2027-09")
    after = events(site, urls.calendar())[REVIEWS]
    assert str(after["uid"]) == str(before["uid"]) == f"{PLAN}/{REVIEWS}/deadline@testserver"
    assert after["dtstart"].dt == date(2027, 9, 30)
    assert after["sequence"] > before["sequence"]
    assert after["dtstamp"].dt >= before["dtstamp"].dt  # whole seconds: maybe the same
    assert len(open_deadlines(site)) == len(events(site, urls.calendar()))


def test_a_delivered_commitment_leaves_the_calendar_even_with_a_deadline(site):
    record(site, PILOT, type="deadline_set", date="2020-11", due="2021-06")
    services(site).projector.catch_up()
    assert PILOT not in events(site, urls.calendar(PLAN))
    assert events(site, urls.calendar(PLAN, PILOT)) == {}
    record(site, REVIEWS, type="status_changed", date="2026-05", status="delivered")
    services(site).projector.catch_up()
    assert REVIEWS not in events(site, urls.calendar())


def test_the_description_gives_status_deadline_and_the_permalink(site):
    event = events(site, urls.calendar(PLAN, REVIEWS))[REVIEWS]
    link = "http://testserver" + urls.commitment(PLAN, REVIEWS)
    assert str(event["url"]) == link
    description = str(event["description"])
    assert "Status: Announced, no status reported" in description
    assert "it falls due on 28 February 2021" in description
    assert description.endswith(link)


@pytest.mark.parametrize("url", CALENDARS)
def test_every_calendar_keeps_the_rfc_5545_rules_of_lines_and_properties(memory_site, url):
    body = fetch(memory_site, url)
    assert body.endswith(b"\r\n") and b"\n" not in body.replace(b"\r\n", b"")
    lines = body.split(b"\r\n")[:-1]
    assert all(len(line) <= MAX_OCTETS for line in lines), max(lines, key=len)
    assert lines[0] == b"BEGIN:VCALENDAR" and lines[-1] == b"END:VCALENDAR"
    calendar = Calendar.from_ical(body)
    assert str(calendar["version"]) == "2.0"
    assert "Action Plan Tracker" in str(calendar["prodid"])
    assert str(calendar["x-wr-calname"]).endswith(": deadlines")
    for event in calendar.walk("VEVENT"):
        for name in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "URL", "DESCRIPTION"):
            assert name in event, (url, name)
        assert event["dtstamp"].dt.tzinfo is not None  # UTC, written with a Z
        assert event["dtend"].dt - event["dtstart"].dt == timedelta(days=1)


def test_a_long_hostile_title_is_folded_and_escaped_not_broken(memory_site):
    title = " ".join(["Ünïcödé; commas, backslashes \\ and: colons"] * 4)
    tracker = services(memory_site).tracker
    spec = parse_event(
        {
            "type": "announced",
            "date": "2026-01",
            "source": "mayor-press-release-2020-11-13",
            "summary": title,
        },
        tracker.plan(PLAN).sources,
    )
    tracker.execute([AnnounceCommitment(PLAN, "hostile", title, spec)], "test")
    record(memory_site, "hostile", type="deadline_set", date="2026-01", due="2027-01")
    services(memory_site).projector.catch_up()
    body = fetch(memory_site, urls.calendar(PLAN, "hostile"))
    assert all(len(line) <= MAX_OCTETS for line in body.split(b"\r\n"))
    summary = str(events(memory_site, urls.calendar(PLAN, "hostile"))["hostile"]["summary"])
    assert summary == f"Due by January 2027 (month): {title}"


def test_the_same_record_gives_the_same_bytes_and_a_bodiless_304(site):
    url = urls.calendar(PLAN)
    first = site.get(url)
    assert first.content == site.get(url).content
    assert first.headers["cache-control"].startswith("public")
    etag = first.headers["etag"]
    again = site.get(url, headers={"If-None-Match": etag})
    assert (again.status_code, again.content) == (304, b"")
    modified = site.get(url, headers={"If-Modified-Since": first.headers["last-modified"]})
    assert modified.status_code == 304
    moved(site, REVIEWS, "2027-09")
    assert site.get(url, headers={"If-None-Match": etag}).status_code == 200


def test_a_configured_base_url_names_the_host_of_every_uid():
    settings = Settings(
        database_url="memory://", project=False, tick=False, base_url="https://t.example.org/"
    )
    with TestClient(create_app(settings)) as client:
        found = events(client, urls.calendar())
    assert {str(e["uid"]) for e in found.values()} == {
        f"{PLAN}/{slug}/deadline@t.example.org" for slug in found
    }
    assert all(str(e["url"]).startswith("https://t.example.org/plans/") for e in found.values())


@pytest.mark.parametrize(
    "url", [urls.calendar("no-such-plan"), urls.calendar(PLAN, "no-such-commitment")]
)
def test_an_unknown_plan_or_commitment_is_a_404(memory_site, url):
    assert memory_site.get(url).status_code == 404


@pytest.mark.parametrize(
    ("page", "calendar"),
    [
        (urls.home(), urls.calendar()),
        (urls.plan(PLAN), urls.calendar(PLAN)),
        (urls.commitment(PLAN, REVIEWS), urls.calendar(PLAN, REVIEWS)),
    ],
)
def test_each_page_offers_its_calendar_in_its_head_and_beside_its_feeds(
    memory_site, page, calendar
):
    tags = Tags(memory_site.get(page).text)
    assert tags.all("link", rel="alternate", type="text/calendar", href=calendar)
    assert tags.all("a", href=calendar, type="text/calendar")

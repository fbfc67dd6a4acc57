"""The JSON feeds: every feed of contract section 3 also as JSON Feed 1.1, valid to a
schema written from the specification, carrying the very items of its Atom twin, and
as cheap to poll."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import pytest
from jsonschema import Draft202012Validator, ValidationError

from tests.test_web_feeds import BODY_WORN, FEEDS, PLAN, record, services, ticked
from tests.test_web_pages import Tags
from web import urls

SCHEMA = json.loads((Path(__file__).parent / "schemas" / "jsonfeed-1.1.json").read_text())
VALIDATOR = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)
JSON_FEEDS = [url.removesuffix(".atom") + ".json" for url in FEEDS if url.endswith(".atom")]


def json_feed(client, url: str) -> dict:
    answer = client.get(url)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/feed+json; charset=utf-8"
    feed = answer.json()
    VALIDATOR.validate(feed)
    return feed


def atom_twin(client, url: str):
    return feedparser.parse(client.get(url.removesuffix(".json") + ".atom").content)


def test_the_schema_refuses_what_the_specification_refuses():
    """A guard on the guard: the schema is not so loose that anything passes."""
    good = {"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": []}
    VALIDATOR.validate(good)
    bad = [
        {**good, "version": "https://jsonfeed.org/version/1"},
        {**good, "items": [{"id": "1"}]},  # neither content_html nor content_text
        {**good, "items": [{"id": "1", "content_text": "x", "date_published": "May 2024"}]},
        {**good, "authors": [{}]},
        {**good, "_extension": "not an object"},
        {**good, "unknown": 1},
    ]
    for feed in bad:
        with pytest.raises(ValidationError):
            VALIDATOR.validate(feed)


@pytest.mark.parametrize("url", JSON_FEEDS)
def test_every_json_feed_is_valid_and_carries_the_items_of_its_atom_twin(site, url):
    ticked(site)
    feed = json_feed(site, url)
    atom = atom_twin(site, url)
    assert feed["items"], url
    assert [i["id"] for i in feed["items"]] == [e.id for e in atom.entries]
    assert [i["title"] for i in feed["items"]] == [e.title for e in atom.entries]
    assert [i["url"] for i in feed["items"]] == [e.link for e in atom.entries]
    published = [i["date_published"][:10] for i in feed["items"]]
    assert published == [
        "{:04d}-{:02d}-{:02d}".format(*e.published_parsed[:3]) for e in atom.entries
    ]
    assert feed["feed_url"] == f"http://testserver{url}"


def test_an_item_says_in_html_and_plain_text_what_happened_and_who_says_so(memory_site):
    url = urls.feed("commitment", "json", PLAN, "body-worn-video-research")
    paused = next(
        i
        for i in json_feed(memory_site, url)["items"]
        if i["title"].startswith(f"{BODY_WORN}: status changed to paused")
    )
    assert paused["date_published"] == "2022-11-01T00:00:00+00:00"
    assert "Haringey Community Press" in paused["content_html"]
    assert "<" not in paused["content_text"]
    assert "When: November 2022 (the source gives the month only)." in paused["content_text"]
    assert "status_changed" in paused["tags"]
    assert paused["_tracker"]["recorded_at"].startswith("20")


def test_hostile_text_stays_text_in_the_plain_version_and_escaped_in_the_html(memory_site):
    hostile = '<script>alert("x")</script> & done'
    record(
        memory_site,
        "body-worn-video-research",
        type="progress_reported",
        date="2026-10",
        note=hostile,
    )
    services(memory_site).projector.catch_up()
    item = json_feed(memory_site, urls.feed("all", "json"))["items"][0]
    assert "<script" not in item["content_html"]
    assert "&lt;script&gt;" in item["content_html"]
    assert hostile in item["content_text"]


def test_a_reader_polling_an_unchanged_json_feed_gets_a_bodiless_304(site):
    url = urls.feed("delays", "json")
    first = site.get(url)
    etag = first.headers["etag"]
    assert etag != site.get(urls.feed("delays", "atom")).headers["etag"]
    again = site.get(url, headers={"If-None-Match": etag})
    assert (again.status_code, again.content) == (304, b"")
    record(site, "body-worn-video-research", type="progress_reported", date="2026-11", note="x")
    services(site).projector.catch_up()
    assert site.get(url, headers={"If-None-Match": etag}).status_code == 200


@pytest.mark.parametrize(
    ("page", "feeds"),
    [
        (urls.home(), [("all",), ("delays",)]),
        (urls.plan(PLAN), [("plan", PLAN), ("all",)]),
        (
            urls.commitment(PLAN, "body-worn-video-research"),
            [("commitment", PLAN, "body-worn-video-research")],
        ),
    ],
)
def test_every_page_announces_its_json_feeds_beside_rss_and_atom(memory_site, page, feeds):
    tags = Tags(memory_site.get(page).text)
    for scope, *where in feeds:
        href = urls.feed(scope, "json", *where)
        assert tags.all("link", rel="alternate", type="application/feed+json", href=href)
        assert tags.all("a", href=href, type="application/feed+json")


def test_the_openapi_description_gives_each_json_feed_its_media_type(memory_site):
    paths = memory_site.get("/openapi.json").json()["paths"]
    for url in JSON_FEEDS:
        template = url.replace(PLAN, "{plan}").replace("body-worn-video-research", "{slug}")
        content = paths[template]["get"]["responses"]["200"]["content"]
        assert list(content) == ["application/feed+json"], url


def test_an_unknown_plan_has_no_json_feed(memory_site):
    assert memory_site.get(urls.feed("plan", "json", "no-such-plan")).status_code == 404

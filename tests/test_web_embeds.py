"""Embeds: a badge that is a small accessible SVG naming the status and the days
overdue, a card that any site may frame, and no other page that allows framing."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tests.test_web_feeds import PLAN, record, services
from tests.test_web_pages import Tags
from web import urls

SVG = "{http://www.w3.org/2000/svg}"
BWV = "body-worn-video-research"  # paused
RECRUITS = "black-officer-recruitment-target"  # announced, due 2022
PILOT = "vehicle-stop-pilot"  # delivered


def badge(client, slug: str) -> ET.Element:
    answer = client.get(urls.badge(PLAN, slug))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "image/svg+xml"
    assert len(answer.content) < 2048
    return ET.fromstring(answer.content)


def title_of(svg: ET.Element) -> str:
    title = svg.find(f"{SVG}title")
    assert svg.get("aria-labelledby") == title.get("id")
    return title.text


def row(client, slug: str) -> dict:
    return client.get(urls.api_commitment(PLAN, slug)).json()


def test_a_badge_is_an_image_titled_with_the_status_and_the_days_overdue(site):
    svg = badge(site, RECRUITS)
    assert svg.tag == f"{SVG}svg" and svg.get("role") == "img"
    overdue = f"Overdue {row(site, RECRUITS)['days_overdue']:,} days"
    assert "No status reported" in title_of(svg) and overdue in title_of(svg)
    assert [t.text for t in svg.iter(f"{SVG}text")] == ["No status reported", overdue]


@pytest.mark.parametrize(("slug", "status"), [(BWV, "Paused"), (PILOT, "Delivered")])
def test_a_badge_without_a_deadline_passed_names_only_its_status(memory_site, slug, status):
    svg = badge(memory_site, slug)
    assert f"”: {status}, on " in title_of(svg)
    assert [t.text for t in svg.iter(f"{SVG}text")] == [status]


def test_a_badge_has_no_script_nor_anything_from_elsewhere(memory_site):
    svg = badge(memory_site, RECRUITS)
    tags = {element.tag.removeprefix(SVG) for element in svg.iter()}
    assert tags <= {"svg", "title", "g", "rect", "text"}
    assert not [a for e in svg.iter() for a in e.attrib if a.startswith("on") or "href" in a]


def test_white_badge_text_has_a_contrast_of_at_least_seven_to_one(memory_site):
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    for slug in (RECRUITS, BWV, PILOT):
        for rect in badge(memory_site, slug).iter(f"{SVG}rect"):
            assert 1.05 / (luminance(rect.get("fill")) + 0.05) >= 7, (slug, rect.get("fill"))


def test_a_badge_is_cacheable_and_changes_with_the_status(site):
    url = urls.badge(PLAN, BWV)
    first = site.get(url)
    assert first.headers["cache-control"].startswith("public, max-age=")
    again = site.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert (again.status_code, again.content) == (304, b"")
    record(site, BWV, type="status_changed", date="2026-05", status="delivered")
    services(site).projector.catch_up()
    assert "”: Delivered, on " in title_of(badge(site, BWV))


def test_the_card_may_be_framed_by_any_site(site):
    answer = site.get(urls.embed(PLAN, RECRUITS))
    assert answer.status_code == 200
    policy = answer.headers["content-security-policy"]
    assert "frame-ancestors *" in policy and "'none'; " not in policy.split("frame-ancestors")[1]
    assert "script-src 'self'" in policy
    assert "x-frame-options" not in answer.headers


@pytest.mark.parametrize(
    "url",
    [
        urls.home(),
        urls.commitment(PLAN, RECRUITS),
        urls.badge(PLAN, RECRUITS),
        urls.calendar(PLAN),
        urls.feed("all", "json"),
        "/embed",
        "/embedded/plans",
    ],
)
def test_every_other_answer_still_forbids_framing(memory_site, url):
    for _ in range(2):  # the second may come from the response cache
        headers = memory_site.get(url).headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"], url
        assert headers["x-frame-options"] == "DENY", url


def test_the_card_gives_status_deadline_overdue_and_source_and_opens_links_in_the_top_window(
    memory_site,
):
    html = memory_site.get(urls.embed(PLAN, BWV)).text
    tags = Tags(html)
    assert tags.all("h1")
    links = tags.all("a")
    assert links and all(link.get("target") == "_top" for link in links)
    page = "http://testserver" + urls.commitment(PLAN, BWV)
    assert tags.all("a", href=page)
    assert "Paused" in html and "since November 2022" in html
    assert "Haringey Community Press" in html  # who says it is paused
    assert not tags.all("script")
    due = memory_site.get(urls.embed(PLAN, RECRUITS)).text
    assert "2022 (the source gives the year only)" in due
    assert f"Overdue by {row(memory_site, RECRUITS)['days_overdue']:,} days" in due


def test_the_commitment_page_offers_the_card_and_badge_markup_without_script(memory_site):
    html = memory_site.get(urls.commitment(PLAN, BWV)).text
    start = html.index('<details class="embed-this">')
    snippet = html[start : html.index("</details>", start)]
    assert "<summary>Embed this</summary>" in snippet
    assert f"&lt;iframe src=&#34;http://testserver{urls.embed(PLAN, BWV)}&#34;" in snippet
    assert f"&lt;img src=&#34;http://testserver{urls.badge(PLAN, BWV)}&#34;" in snippet


@pytest.mark.parametrize(
    "url", [urls.badge(PLAN, "no-such-commitment"), urls.embed("no-such-plan", BWV)]
)
def test_an_unknown_commitment_has_no_badge_nor_card(memory_site, url):
    assert memory_site.get(url).status_code == 404

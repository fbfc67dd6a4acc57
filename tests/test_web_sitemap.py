"""How the site is found: sitemap.xml lists every public page at an address that
answers, robots.txt names it, and every public page has one canonical link and its
Open Graph tags."""

from __future__ import annotations

from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
from fastapi.testclient import TestClient

from tests.test_web_pages import Tags
from web import urls
from web.app import create_app
from web.settings import Settings

PLAN = "london-policing-action-plan-2020"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
OG = ("og:title", "og:description", "og:url", "og:type", "og:site_name")


def listed(site) -> dict[str, str | None]:
    """The sitemap's addresses, each with its lastmod."""
    response = site.get(urls.sitemap())
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    root = ElementTree.fromstring(response.content)
    return {
        u.findtext("s:loc", namespaces=NS): u.findtext("s:lastmod", namespaces=NS)
        for u in root.findall("s:url", NS)
    }


def test_the_sitemap_parses_and_every_address_in_it_answers_200(site):
    found = listed(site)
    for address in found:
        assert address.startswith("http://testserver/")
        assert site.get(urlsplit(address).path).status_code == 200, address


def test_the_sitemap_lists_every_public_page_dated_by_the_record(site):
    found = listed(site)
    rows = site.get(urls.api_commitments(PLAN)).json()
    wanted = [urls.home(), urls.timeline(), urls.delays(), urls.how_we_know(), urls.changes()]
    wanted += [urls.plan(PLAN), *(urls.commitment(PLAN, r["slug"]) for r in rows)]
    assert {"http://testserver" + path for path in wanted} <= set(found)
    assert len(found) == len(set(found))
    for path in (urls.plan(PLAN), urls.commitment(PLAN, rows[0]["slug"])):
        assert found["http://testserver" + path][:2] == "20"  # a date, YYYY-MM-DD


def test_the_configured_base_url_makes_every_address_absolute_to_it(database_url):
    settings = Settings(
        database_url=database_url,
        project=False,
        tick=False,
        base_url="https://tracker.example/london",
    )
    with TestClient(create_app(settings)) as site:
        assert all(a.startswith("https://tracker.example/london/") for a in listed(site))
        robots = site.get(urls.robots()).text
        assert "Sitemap: https://tracker.example/london/sitemap.xml" in robots
        canonical = Tags(site.get(urls.timeline()).text).all("link", rel="canonical")
        assert canonical == [
            {"rel": "canonical", "href": "https://tracker.example/london/timeline"}
        ]


def test_robots_names_the_sitemap_and_keeps_crawlers_off_editors_and_endless_queries(
    memory_site,
):
    response = memory_site.get(urls.robots())
    assert response.headers["content-type"].startswith("text/plain")
    lines = response.text.splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Allow: /" in lines and f"Disallow: {urls.editor_home()}" in lines
    assert "Disallow: /*?*as_of=" in lines and "Disallow: /*?*since=" in lines


PAGES = [
    (urls.home(), "/"),
    (urls.plan(PLAN), urls.plan(PLAN)),
    (urls.plan(PLAN, status="overdue", as_of="2022-01-01"), urls.plan(PLAN)),
    (
        urls.commitment(PLAN, "body-worn-video-research", "2022"),
        urls.commitment(PLAN, "body-worn-video-research"),
    ),
    (urls.timeline(), urls.timeline()),
    (urls.timeline(2), urls.timeline(2)),
    (urls.delays(), urls.delays()),
    (urls.how_we_know(), urls.how_we_know()),
    (urls.log(), urls.log()),
    (urls.changes(since="2021"), urls.changes()),
    (urls.docs(), urls.docs()),
]


@pytest.mark.parametrize(("path", "canonical"), PAGES)
def test_every_public_page_has_one_canonical_link_and_its_open_graph_tags(
    memory_site, path, canonical
):
    tags = Tags(memory_site.get(path).text)
    links = tags.all("link", rel="canonical")
    assert links == [{"rel": "canonical", "href": "http://testserver" + canonical}]
    og = {a["property"]: a["content"] for a in tags.all("meta") if "property" in a}
    assert set(OG) <= set(og) and all(og[name] for name in OG)
    assert og["og:url"] == links[0]["href"]
    assert og["og:site_name"] == "Action Plan Tracker"


def test_an_error_page_and_an_editors_page_have_no_canonical_link(memory_site):
    for path in (urls.commitment(PLAN, "no-such-commitment"), urls.editor_sign_in()):
        assert not Tags(memory_site.get(path).text).all("link", rel="canonical")

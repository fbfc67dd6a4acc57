"""One ETag per version of a commitment: a read gives it, the write that made the
version gives the same, ``If-Match`` takes it back, and ``If-None-Match`` gets a 304
until the commitment's document changes, whether by a new event, the turn of the day
or a source described anew."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from tests.writing import SOURCE, editor, event
from tracker.application import RegisterSource
from web import etags, urls
from web.app import create_app
from web.settings import Settings

PLAN = "london-policing-action-plan-2020"
COMMITMENT = "body-worn-video-research"
CITED_KEY = "mayor-press-release-2020-11-13"  # the source of its announcement
EVENTS = urls.api_events(PLAN, COMMITMENT)
API = urls.api_commitment(PLAN, COMMITMENT)
PAGE = urls.commitment(PLAN, COMMITMENT)


@pytest.fixture(params=[1024, 0], ids=["cache on", "cache off"])
def site(request, database_url: str):
    """The site as served, on each store, with the response cache on and off."""
    settings = Settings(
        database_url=database_url, project=True, tick=False, cache_entries=request.param
    )
    with TestClient(create_app(settings)) as client:
        yield client


def test_the_201_carries_the_etag_a_read_gives_right_after(site) -> None:
    answer = site.post(EVENTS, json=event("Tagged."), headers=editor(site))
    read = site.get(API)
    assert answer.status_code == 201, answer.text
    assert answer.headers["etag"] == read.headers["etag"]
    assert answer.headers["etag"].startswith(f'"{read.json()["version"]}.')


def test_a_commitment_created_carries_the_etag_of_its_first_read(site) -> None:
    token = site.app.state.services.tokens.create("ops", "admin", "Tracker Team")
    announced = {"type": "announced", "date": "2024-01", "source": SOURCE, "summary": "We will."}
    body = {"commitment": "new-promise", "title": "A new promise", "events": [announced]}
    answer = site.post(
        urls.api_commitments(PLAN), json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 201, answer.text
    read = site.get(urls.api_commitment(PLAN, "new-promise"))
    assert answer.headers["etag"] == read.headers["etag"]
    assert answer.headers["etag"].startswith('"1.')


def test_if_match_takes_the_etag_once_and_a_second_write_with_it_is_409(site) -> None:
    headers = editor(site)
    tag = site.get(API).headers["etag"]
    version = site.get(API).json()["version"]

    first = site.post(EVENTS, json=event("First."), headers={**headers, "If-Match": tag})
    second = site.post(EVENTS, json=event("Second."), headers={**headers, "If-Match": tag})

    assert first.status_code == 201, first.text
    assert second.status_code == 409
    assert second.json()["current_version"] == version + 1
    assert "Second." not in site.get(API).text
    again = {**headers, "If-Match": first.headers["etag"]}
    third = site.post(EVENTS, json=event("Third."), headers=again)
    assert third.status_code == 201, third.text


def test_if_match_takes_the_page_etag_and_a_weak_one_too(site) -> None:
    page_tag = site.get(PAGE).headers["etag"]
    assert page_tag.endswith('.html"')
    headers = {**editor(site), "If-Match": "W/" + page_tag}
    assert site.post(EVENTS, json=event("From the page."), headers=headers).status_code == 201


@pytest.mark.parametrize("url", [API, PAGE])
def test_if_none_match_with_the_etag_is_a_bodiless_304(site, url) -> None:
    first = site.get(url)
    again = site.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert (again.status_code, again.content) == (304, b"")
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["cache-control"] == first.headers["cache-control"]


def test_the_api_and_the_page_of_one_version_have_tags_of_their_own(site) -> None:
    api, page = site.get(API).headers["etag"], site.get(PAGE).headers["etag"]
    assert api != page
    assert api.split(".")[0] == page.split(".")[0]


def overdue_slug(site: TestClient) -> str:
    delays = site.get("/api/v1/delays").json()["commitments"]
    return next(c["slug"] for c in delays if c["days_overdue"])


def test_the_etag_moves_with_the_day_when_the_document_does(site, monkeypatch) -> None:
    """Days overdue grow with the day; a tag of the version alone would let a cache
    keep yesterday's count."""
    url = urls.api_commitment(PLAN, overdue_slug(site))
    before = site.get(url)
    services = site.app.state.services
    tomorrow = services.today() + timedelta(days=1)
    monkeypatch.setattr(services, "today", lambda: tomorrow)
    services.head.forget()  # the cache sees the day turn within HEAD_TTL_SECONDS: now
    after = site.get(url, headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200
    assert after.json()["days_overdue"] == before.json()["days_overdue"] + 1
    assert after.headers["etag"] != before.headers["etag"]
    assert after.headers["etag"].split(".")[0] == before.headers["etag"].split(".")[0]


def test_the_etag_moves_when_a_source_the_commitment_cites_is_described(site) -> None:
    before = site.get(API)
    services = site.app.state.services
    source = services.tracker.plan(PLAN).sources[CITED_KEY]
    described = source.described("official", "The Mayor's own announcement.")
    services.tracker.execute([RegisterSource(PLAN, CITED_KEY, described)], "data files")
    services.projector.catch_up()
    services.head.forget()  # as a write through the API does (web.freshness)

    after = site.get(API, headers={"If-None-Match": before.headers["etag"]})

    assert after.status_code == 200
    assert after.json()["version"] == before.json()["version"]
    assert after.json()["events"][0]["source"]["kind"] == "official"
    assert after.headers["etag"] != before.headers["etag"]


# Reading If-Match


@pytest.mark.parametrize(
    ("header", "versions"),
    [
        ("3", (3,)),
        ('"3"', (3,)),
        ('W/"3"', (3,)),
        ('"3.0123456789abcdef"', (3,)),
        ('"3.0123456789abcdef.html"', (3,)),
        ('W/"12.0123456789abcdef", "13"', (12, 13)),
        ("*", None),
        (None, None),
    ],
)
def test_if_match_names_the_leading_version_of_each_tag(header, versions) -> None:
    assert etags.if_match_versions(header) == versions


@pytest.mark.parametrize(
    "header", ["abc", '"3', "3.0", "-1", '""', '"3.0123456789ABCDEF"', '"3.0123456789abcdef.xml"']
)
def test_if_match_refuses_what_is_neither_a_version_nor_one_of_our_tags(header) -> None:
    from tracker.domain.errors import InvalidInputError

    with pytest.raises(InvalidInputError) as refused:
        etags.if_match_versions(header)
    assert refused.value.field == "If-Match"


def test_the_openapi_document_says_where_the_commitment_etag_is_given(memory_site) -> None:
    paths = memory_site.get("/openapi.json").json()["paths"]
    read = paths["/api/v1/plans/{plan}/commitments/{slug}"]["get"]["responses"]["200"]
    written = paths["/api/v1/plans/{plan}/commitments/{slug}/events"]["post"]["responses"]["201"]
    assert "ETag" in read["headers"] and "ETag" in written["headers"]
    assert "If-Match" in {
        p["name"]
        for p in paths["/api/v1/plans/{plan}/commitments/{slug}/events"]["post"]["parameters"]
    }

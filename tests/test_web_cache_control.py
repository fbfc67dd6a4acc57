"""Every public answer tells caches how long they may keep it (``web.cachecontrol``) and
carries an ETag to revalidate it with, whether the response cache is on or off; what
must never be kept says ``no-store``."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from web import cachecontrol, urls
from web.app import create_app
from web.settings import Settings

PLAN = "london-policing-action-plan-2020"
COMMITMENT = "body-worn-video-research"
PAGES = (
    urls.home(),
    urls.plan(PLAN),
    urls.commitment(PLAN, COMMITMENT),
    urls.commitment(PLAN, COMMITMENT) + "?as_of=2022",
    urls.timeline(),
    urls.delays(),
    urls.log(),
    urls.how_we_know(),
)
API = (
    urls.api_plans(),
    urls.api_plan(PLAN),
    urls.api_commitments(PLAN),
    urls.api_commitments_csv(PLAN),
    urls.api_commitment(PLAN, COMMITMENT),
    urls.api_timeline(),
    "/api/v1/delays",
    urls.api_log(),
    urls.api_log_export(),
    "/openapi.json",
)
FEEDS = tuple(
    urls.feed(scope, kind, PLAN, COMMITMENT)
    for scope in ("all", "delays", "plan", "commitment")
    for kind in ("rss", "atom")
)
POLICY = {**dict.fromkeys(PAGES, cachecontrol.PAGE), **dict.fromkeys(API, cachecontrol.API)}
POLICY |= dict.fromkeys(FEEDS, cachecontrol.FEED)


@pytest.fixture(scope="module", params=[1024, 0], ids=["cache on", "cache off"])
def site(request):
    settings = Settings(
        database_url="memory://", project=False, tick=False, cache_entries=request.param
    )
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.mark.parametrize("url", POLICY)
def test_every_public_answer_says_how_long_to_keep_it_and_how_to_revalidate(site, url) -> None:
    answer = site.get(url)
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == POLICY[url]
    again = site.get(url, headers={"If-None-Match": answer.headers["etag"]})
    assert (again.status_code, again.content) == (304, b"")
    assert again.headers["cache-control"] == POLICY[url]


def test_an_htmx_fragment_and_its_page_say_they_differ(site) -> None:
    url = urls.plan(PLAN) + "?status=delayed"
    whole = site.get(url)
    fragment = site.get(url, headers={"HX-Request": "true"})
    assert "HX-Request" in whole.headers["vary"] and "HX-Request" in fragment.headers["vary"]
    assert whole.headers["etag"] != fragment.headers["etag"]


@pytest.mark.parametrize("url", ["/healthz", "/readyz"])
def test_health_checks_are_never_kept(site, url) -> None:
    assert site.get(url).headers["cache-control"] == "no-store"


def test_the_editors_pages_are_never_kept(site) -> None:
    answer = site.get(urls.editor_sign_in())
    assert answer.headers["cache-control"] == "no-store, private"


def test_the_write_api_answers_are_never_kept(site) -> None:
    services = site.app.state.services
    headers = {"Authorization": f"Bearer {services.tokens.create('bot', 'editor', 'Newsroom')}"}
    event = {
        "type": "progress_reported",
        "date": "2024-05",
        "note": "Work resumed.",
        "source": {"publisher": "Gazette", "title": "A report", "published_on": "2024-05-02"},
    }
    path = urls.api_events(PLAN, COMMITMENT)
    written = site.post(path, json=event, headers=headers)
    refused = site.post(path, json={}, headers=headers)
    assert (written.status_code, refused.status_code) == (201, 422), written.text
    assert written.headers["cache-control"] == refused.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    "url", [urls.commitment(PLAN, "no-such"), urls.api_commitment(PLAN, "no-such"), "/nowhere"]
)
def test_a_not_found_is_never_kept_since_it_may_be_created_next(site, url) -> None:
    answer = site.get(url)
    assert answer.status_code == 404
    assert answer.headers["cache-control"] == "no-store"
    assert "etag" not in answer.headers

"""Hardening: every answer carries the security headers, pages run no inline script,
and a failure inside a request tells the client nothing about the inside."""

from __future__ import annotations

import pytest
from eventsourcing.persistence import ConnectionUnavailableError, OperationalError
from fastapi.testclient import TestClient

from tests.test_web_pages import BWV, PAGES, PLAN, Tags
from web import urls
from web.app import create_app
from web.settings import Settings

ANSWERS = (
    *PAGES,
    "/api/v1/plans",
    f"/api/v1/plans/{PLAN}/commitments/{BWV}",
    urls.feed("delays", "atom"),
    urls.static("site.css"),
    "/no/such/page",
)


@pytest.mark.parametrize("url", ANSWERS)
def test_every_answer_forbids_inline_script_framing_and_sniffing(memory_site, url):
    for _ in range(2):  # the second may come from the response cache
        headers = memory_site.get(url, headers={"Accept": "text/html"}).headers
        policy = headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe" not in policy
        assert "frame-ancestors 'none'" in policy
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert "strict-transport-security" not in headers  # plain http: no HSTS


def test_https_answers_ask_browsers_to_stay_on_https(memory_site):
    secure = TestClient(memory_site.app, base_url="https://testserver")
    assert "max-age=" in secure.get(urls.home()).headers["strict-transport-security"]


@pytest.mark.parametrize("url", PAGES)
def test_no_page_carries_inline_script_handlers_or_styles(memory_site, url):
    tags = Tags(memory_site.get(url).text).tags
    scripts = [attrs for tag, attrs in tags if tag == "script"]
    assert scripts and all(a.get("src", "").startswith("/static/") for a in scripts)
    assert all("integrity" in a for a in scripts)
    for tag, attrs in tags:
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        assert "style" not in attrs, (tag, attrs)


def test_the_interactive_docs_load_nothing_from_a_cdn(memory_site):
    """FastAPI's own docs would load their script from a CDN: they stay off, and /docs
    is ours, from vendored files (tests/test_web_docs.py)."""
    assert memory_site.get("/redoc").status_code == 404
    docs = memory_site.get("/docs")
    assert (
        docs.status_code == 200
        and "cdn." not in docs.text
        and "//" not in "".join(a.get("src", "") for a in Tags(docs.text).all("script"))
    )
    assert memory_site.get("/openapi.json").status_code == 200


@pytest.fixture
def failing_site(monkeypatch):
    """The site with its read model broken in a way no test of the data could cause."""
    settings = Settings(database_url="memory://", project=False, tick=False)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        read = client.app.state.services.read

        def broken(*args, **kwargs):
            raise RuntimeError("secret connection string postgresql://admin:hunter2@db")

        for name in ("plans", "commitment", "delays", "recent"):
            monkeypatch.setattr(read, name, broken)
        yield client


@pytest.mark.parametrize(
    ("url", "media_type"),
    [
        ("/api/v1/plans", "application/problem+json"),
        ("/api/v1/delays", "application/problem+json"),
        (urls.feed("all", "rss"), "application/problem+json"),
        (urls.home(), "text/html"),
        (urls.commitment(PLAN, BWV), "text/html"),
    ],
)
def test_a_failure_inside_is_a_plain_500_without_a_stack_trace(failing_site, url, media_type):
    answer = failing_site.get(url)
    assert answer.status_code == 500
    assert answer.headers["content-type"].startswith(media_type)
    assert answer.headers["x-content-type-options"] == "nosniff"
    for secret in ("hunter2", "RuntimeError", "Traceback", 'File "'):
        assert secret not in answer.text
    assert "went wrong on our side" in answer.text


@pytest.mark.parametrize(
    ("method", "url", "allowed"),
    [
        ("DELETE", "/api/v1/plans", {"GET", "POST"}),
        ("PUT", urls.home(), {"GET"}),
        ("POST", urls.feed("delays", "rss"), {"GET", "HEAD"}),
    ],
)
def test_a_method_a_path_does_not_take_is_a_405_naming_every_one_it_does(
    memory_site, method, url, allowed
):
    answer = memory_site.request(method, url)
    assert answer.status_code == 405
    assert set(answer.headers["allow"].split(", ")) == allowed


@pytest.mark.parametrize(
    "busy",
    [
        ConnectionUnavailableError("Timed out waiting for return of writer"),
        OperationalError("database is locked"),
    ],
)
@pytest.mark.parametrize(
    ("url", "media_type"),
    [("/api/v1/plans", "application/problem+json"), (urls.home(), "text/html")],
)
def test_a_busy_store_is_a_503_asking_to_retry(monkeypatch, busy, url, media_type):
    settings = Settings(database_url="memory://", project=False, tick=False, cache_entries=0)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:

        def stuck(*args, **kwargs):
            raise busy

        monkeypatch.setattr(client.app.state.services.read, "plans", stuck)
        answer = client.get(url)
    assert answer.status_code == 503
    assert answer.headers["retry-after"].isdigit()
    assert answer.headers["content-type"].startswith(media_type)
    assert "nothing was recorded" in answer.text and "locked" not in answer.text

"""The response cache: a page is rendered once per state of the record and served
again until the log's head moves or the day turns, and readers who ask "has it
changed?" get a bodiless 304."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from starlette.responses import Response
from starlette.testclient import TestClient

from tests.test_web_pages import BWV, PAGES, PLAN, SOURCE, record
from tracker.application import RecordEvent, parse_event
from web import urls
from web.cache import Head, ResponseCache

# On the site.


@pytest.mark.parametrize("url", PAGES)
def test_every_page_answers_a_conditional_get_with_a_bodiless_304(memory_site, url):
    first = memory_site.get(url)
    etag = first.headers["etag"]
    again = memory_site.get(url, headers={"If-None-Match": etag})
    assert (again.status_code, again.content) == (304, b"")
    assert again.headers["etag"] == etag
    assert again.headers["vary"] == first.headers["vary"]
    assert memory_site.get(url, headers={"If-None-Match": '"stale"'}).content == first.content


def test_a_new_event_reaches_a_page_already_served_and_changes_its_etag(memory_site):
    url = urls.commitment(PLAN, BWV)
    before = memory_site.get(url)
    record(memory_site, BWV, type="progress_reported", date="2026-11", note="Footage reviewed.")
    after = memory_site.get(url, headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200
    assert "Footage reviewed." in after.text and "Footage reviewed." not in before.text
    assert after.headers["etag"] != before.headers["etag"]


def test_a_page_and_its_htmx_fragment_are_kept_apart(memory_site):
    url = urls.plan(PLAN) + "?status=delayed"
    whole = memory_site.get(url).text
    fragment = memory_site.get(url, headers={"HX-Request": "true"}).text
    assert "<html" in whole and "<html" not in fragment
    assert memory_site.get(url).text == whole
    restored = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    assert "<html" in memory_site.get(url, headers=restored).text


def test_the_turn_of_the_day_moves_days_overdue_without_a_new_event(memory_site, monkeypatch):
    services = memory_site.app.state.services
    first = memory_site.get("/api/v1/delays").json()
    later = services.today() + timedelta(days=10)
    monkeypatch.setattr(services, "today", lambda: later)
    second = memory_site.get("/api/v1/delays").json()
    overdue = {c["slug"]: c["days_overdue"] for c in first["commitments"] if c["days_overdue"]}
    assert overdue, "the bundled plan has overdue commitments"
    for c in second["commitments"]:
        if c["slug"] in overdue:
            assert c["days_overdue"] == overdue[c["slug"]] + 10


def test_each_host_gets_permalinks_of_its_own(memory_site):
    url = urls.commitment(PLAN, BWV)
    one = memory_site.get(url, headers={"Host": "one.example"}).text
    two = memory_site.get(url, headers={"Host": "two.example"}).text
    assert "http://one.example/" in one and "one.example" not in two


# The middleware alone, in front of an app that counts what it renders.


class Counter:
    """An ASGI app whose answers say how many times it has been called."""

    def __init__(self, status: int = 200, headers: dict[str, str] | None = None) -> None:
        self.calls = 0
        self.status = status
        self.headers = headers or {}
        self.body_size = 0

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        self.calls += 1
        body = f"render {self.calls}".ljust(self.body_size, ".")
        await Response(body, self.status, self.headers)(scope, receive, send)


class State:
    def __init__(self) -> None:
        self.position = 1
        self.day = date(2026, 11, 29)

    def head(self, scope) -> Head:
        return Head(lambda: self.position, lambda: self.day, ttl=0)


def client(app, state: State, **options) -> TestClient:
    return TestClient(ResponseCache(app, head=state.head, **options), base_url="http://test")


def bodies(http: TestClient, *requests: tuple[str, str, dict]) -> list[str]:
    return [http.request(method, url, headers=headers).text for method, url, headers in requests]


def test_the_same_get_is_rendered_once_until_the_head_moves_or_the_day_turns():
    app, state = Counter(), State()
    with client(app, state) as http:
        assert bodies(http, *[("GET", "/a", {})] * 3) == ["render 1"] * 3
        state.position = 2
        assert http.get("/a").text == "render 2"
        state.day += timedelta(days=1)
        assert http.get("/a").text == "render 3"
        state.position = 0  # a rebuild starts again from the beginning of the log
        assert http.get("/a").text == "render 4"
    assert app.calls == 4


def test_each_url_query_and_htmx_request_is_rendered_on_its_own():
    app, state = Counter(), State()
    requests = [
        ("GET", "/a", {}),
        ("GET", "/a?x=1", {}),
        ("GET", "/b", {}),
        ("GET", "/a", {"HX-Request": "true"}),
        ("GET", "/a", {"Host": "other.example"}),
    ]
    with client(app, state) as http:
        first = bodies(http, *requests)
        assert bodies(http, *requests) == first
    assert app.calls == len(requests)


@pytest.mark.parametrize(
    ("method", "headers"),
    [
        ("POST", {}),
        ("HEAD", {}),
        ("GET", {"Authorization": "Bearer secret"}),
        ("GET", {"Cookie": "session=abc"}),
    ],
)
def test_writes_and_requests_with_credentials_are_never_served_from_the_cache(method, headers):
    app, state = Counter(), State()
    with client(app, state) as http:
        http.get("/a")
        http.request(method, "/a", headers=headers)
        http.request(method, "/a", headers=headers)
    assert app.calls == 3


@pytest.mark.parametrize(
    ("status", "headers"),
    [
        (404, {}),
        (200, {"Set-Cookie": "session=abc"}),
        (200, {"Cache-Control": "no-store"}),
        (200, {"Cache-Control": "private, max-age=0"}),
    ],
)
def test_errors_and_private_answers_are_passed_through_and_never_kept(status, headers):
    app, state = Counter(status, headers), State()
    with client(app, state) as http:
        answers = [http.get("/a") for _ in range(2)]
    assert app.calls == 2
    assert [a.status_code for a in answers] == [status, status]
    assert "etag" not in answers[0].headers


def test_a_conditional_get_reaches_the_app_without_its_validators_so_a_200_is_kept():
    app, state = Counter(), State()
    with client(app, state) as http:
        poll = http.get("/a", headers={"If-None-Match": '"old"'})
        assert (poll.status_code, poll.text) == (200, "render 1")
        again = http.get("/a", headers={"If-None-Match": poll.headers["etag"]})
        assert (again.status_code, again.content) == (304, b"")
    assert app.calls == 1


def test_last_modified_answers_if_modified_since_when_no_etag_is_sent():
    modified = "Sun, 29 Nov 2026 10:00:00 GMT"
    app, state = Counter(headers={"Last-Modified": modified}), State()
    with client(app, state) as http:
        http.get("/a")
        same = http.get("/a", headers={"If-Modified-Since": modified})
        earlier = http.get("/a", headers={"If-Modified-Since": "Sat, 28 Nov 2026 10:00:00 GMT"})
        garbled = http.get("/a", headers={"If-Modified-Since": "yesterday"})
    assert same.status_code == 304 and same.headers["last-modified"] == modified
    assert earlier.status_code == garbled.status_code == 200
    assert app.calls == 1


def test_the_cache_holds_a_bounded_number_of_entries_and_bytes():
    app, state = Counter(), State()
    with client(app, state, max_entries=2) as http:
        bodies(http, ("GET", "/a", {}), ("GET", "/b", {}), ("GET", "/c", {}))
        assert http.get("/c").text == "render 3"  # kept
        assert http.get("/a").text == "render 4"  # the oldest had to go
    app, state = Counter(), State()
    app.body_size = 1000
    with client(app, state, max_bytes=1500) as http:
        bodies(http, ("GET", "/a", {}), ("GET", "/b", {}))
        assert http.get("/a").text.startswith("render 3")


def test_with_the_cache_off_feeds_pages_and_the_api_still_answer_conditional_gets():
    from web.app import create_app
    from web.settings import Settings

    settings = Settings(database_url="memory://", project=False, tick=False, cache_entries=0)
    with TestClient(create_app(settings)) as site:
        url = urls.feed("delays", "rss")
        first = site.get(url)
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        for headers in ({"If-None-Match": etag}, {"If-Modified-Since": modified}):
            again = site.get(url, headers=headers)
            assert (again.status_code, again.content) == (304, b""), headers
        for url in (urls.home(), urls.commitment(PLAN, BWV), urls.api_plans()):
            first = site.get(url)
            assert first.headers["cache-control"], url
            again = site.get(url, headers={"If-None-Match": first.headers["etag"]})
            assert (again.status_code, again.content) == (304, b""), url


def test_an_event_recorded_but_not_yet_projected_moves_the_log_head_shown(memory_site):
    """Every page shows the log's head, which moves as soon as an event is stored,
    before the read models catch up: the cache must not serve the old head."""
    before = memory_site.get(urls.api_log()).json()
    services = memory_site.app.state.services
    spec = parse_event(
        {"type": "progress_reported", "date": "2026-11", "note": "New.", "source": SOURCE}, {}
    )
    services.tracker.execute([RecordEvent(PLAN, BWV, spec)], "test")  # no catch_up
    after = memory_site.get(urls.api_log()).json()
    assert after["events"] == before["events"] + 1
    assert after["head"] in memory_site.get(urls.log()).text


def test_a_store_too_busy_to_give_its_head_gets_a_503_not_a_500(monkeypatch):
    from eventsourcing.persistence import OperationalError

    from web.app import create_app
    from web.settings import Settings

    settings = Settings(database_url="memory://", project=False, tick=False)
    with TestClient(create_app(settings), raise_server_exceptions=False) as site:
        services = site.app.state.services

        def busy(*args, **kwargs):
            raise OperationalError("database is locked")

        monkeypatch.setattr(services.projector, "position", busy)
        monkeypatch.setattr(services.read, "plans", busy)
        answer = site.get("/api/v1/plans")
    assert answer.status_code == 503 and "retry-after" in answer.headers


def test_without_the_cache_a_star_is_no_304_for_a_feed_that_does_not_exist():
    from web.app import create_app
    from web.settings import Settings

    settings = Settings(database_url="memory://", project=False, tick=False, cache_entries=0)
    with TestClient(create_app(settings)) as site:
        star = {"If-None-Match": "*"}
        assert site.get(urls.feed("plan", "atom", "no-such-plan"), headers=star).status_code == 404
        assert site.get(urls.feed("plan", "atom", PLAN), headers=star).status_code == 304


def test_an_answer_rendered_while_the_record_moved_is_sent_but_not_kept():
    """A rebuild takes the read models back to nothing and up to the same position: a
    page rendered meanwhile may show half of them, and must not be served after."""
    state = State()

    class Rebuilding(Counter):
        async def __call__(self, scope, receive, send) -> None:
            if scope["type"] == "http" and self.calls == 0:
                state.position = 0  # the read models dropped, mid-render
            await super().__call__(scope, receive, send)

    app = Rebuilding()
    with client(app, state) as http:
        assert http.get("/a").text == "render 1"
        state.position = 1  # rebuilt to where it was
        assert http.get("/a").text == "render 2"
        assert http.get("/a").text == "render 2"
    assert app.calls == 2

"""Who may do what, route by route: every route the site has, against every kind of
caller (no credentials, a wrong token or session, an editor, an admin), each caller
presenting both an API token and a signed-in session where it has them.

The rules: anyone reads the public pages, API and feeds (credentials change nothing);
writing through the API takes a valid token, and plans, sources and commitments an
admin's; the editors' pages take a signed-in session of either role; refusals write
nothing. A route missing from ``RULES`` fails the first test, so a new route cannot be
added without deciding who may use it.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import count

import pytest
from fastapi.testclient import TestClient

from tests.test_web_editor import Inputs, sign_in
from web import urls
from web.editor_auth import SESSION_COOKIE
from web.routers import api, changes, data, discovery, editor, feeds, health, pages, writes

PLAN = "london-policing-action-plan-2020"
SLUG = "body-worn-video-research"
CALLERS = ("anonymous", "wrong", "editor", "admin")
SOURCE = {"publisher": "Test Gazette", "title": "A report", "published_on": "2024-01-05"}

# What each kind of route answers each kind of caller. "ok" means let through: any
# answer but 401 or 403 (a write may still be a 409 or 422 on its own merits).
PUBLIC = dict.fromkeys(CALLERS, 200)
ADMIN_WRITE = {"anonymous": 401, "wrong": 401, "editor": 403, "admin": "ok"}
EDITOR_WRITE = {"anonymous": 401, "wrong": 401, "editor": "ok", "admin": "ok"}
EDITOR_PAGE = {"anonymous": 303, "wrong": 303, "editor": 200, "admin": 200}
EDITOR_POST = {"anonymous": 403, "wrong": 403, "editor": "ok", "admin": "ok"}
SIGN_IN = dict.fromkeys(CALLERS, "ok")  # anyone may open the form
# Signing in has rules of its own (a double-submit value, the throttle), tested in
# tests/test_web_editor.py; here it is only held to writing nothing to the log.
SIGN_IN_POST = dict.fromkeys(CALLERS, "own rules")

RULES: dict[tuple[str, str], dict[str, int | str]] = {
    **{("GET", route.path): PUBLIC for route in api.router.routes},
    **{("GET", route.path): PUBLIC for route in feeds.router.routes},
    **{("GET", route.path): PUBLIC for route in pages.router.routes},
    **{("GET", route.path): PUBLIC for route in health.router.routes},
    **{("GET", route.path): PUBLIC for route in changes.api.routes},
    **{("GET", route.path): PUBLIC for route in changes.page.routes},
    **{("GET", route.path): PUBLIC for route in data.router.routes},
    **{("GET", route.path): PUBLIC for route in discovery.router.routes},
    ("POST", "/api/v1/plans"): ADMIN_WRITE,
    ("POST", "/api/v1/plans/{plan}/sources"): ADMIN_WRITE,
    ("POST", "/api/v1/plans/{plan}/commitments"): ADMIN_WRITE,
    ("POST", "/api/v1/plans/{plan}/commitments/{slug}/events"): EDITOR_WRITE,
    ("GET", "/editor/sign-in"): SIGN_IN,  # a signed-in editor is sent on to /editor
    ("POST", "/editor/sign-in"): SIGN_IN_POST,
    ("GET", "/editor"): EDITOR_PAGE,
    ("GET", "/editor/plans/{plan}/commitments/{slug}/record"): EDITOR_PAGE,
    ("POST", "/editor/plans/{plan}/commitments/{slug}/record"): EDITOR_POST,
    ("GET", "/editor/plans/{plan}/commitments/{slug}/correct"): EDITOR_PAGE,
    ("POST", "/editor/plans/{plan}/commitments/{slug}/correct"): EDITOR_POST,
    ("POST", "/editor/sign-out"): EDITOR_POST,  # last: it ends the session
}
ROUTERS = tuple(m.router for m in (api, writes, feeds, pages, editor, health, data, discovery))
ROUTERS += (changes.api, changes.page)
_unique = count(1)


def test_every_route_has_a_rule():
    routes = {
        (method, route.path)
        for router in ROUTERS
        for route in router.routes
        for method in route.methods
        if method != "HEAD"  # a feed's HEAD is its GET without the body
    }
    assert routes == set(RULES)


# Routes that need a query to answer 200 (what changed needs a first date).
QUERIES = {"/api/v1/changes": "?since=2021"}


def filled(path: str) -> str:
    return path.replace("{plan}", PLAN).replace("{slug}", SLUG) + QUERIES.get(path, "")


def body(method: str, path: str) -> dict | None:
    """A body each write route would accept from a caller allowed to send it."""
    n = next(_unique)
    if path == "/api/v1/plans":
        return {
            "plan": f"matrix-plan-{n}",
            "title": "A plan for the matrix",
            "publisher": "Test Council",
            "published_on": "2024-01",
        }
    if path.endswith("/sources"):
        return {"key": f"matrix-source-{n}", **SOURCE}
    if path.endswith("/commitments"):
        return {
            "commitment": f"matrix-commitment-{n}",
            "title": "A commitment for the matrix",
            "events": [
                {"type": "announced", "date": "2024-01", "source": SOURCE, "summary": "Do it."}
            ],
        }
    if path.endswith("/events"):
        return {"type": "progress_reported", "date": "2024-05", "source": SOURCE, "note": "On."}
    return None


class Caller:
    """One kind of caller: a browser-like client with its token and, where it has
    one, a signed-in session."""

    def __init__(self, site: TestClient, kind: str) -> None:
        self.kind = kind
        self.client = TestClient(site.app, base_url="http://testserver")
        self.token = "tpt_" + "x" * 43
        if kind in ("editor", "admin"):
            tokens = site.app.state.services.tokens
            self.token = tokens.create(f"matrix-{kind}", kind, "Matrix Newsroom")
            assert sign_in(self.client, self.token).status_code == 303
        elif kind == "wrong":
            self.client.cookies.set(SESSION_COOKIE, "not-a-session")

    def send(self, method: str, path: str) -> int:
        url = filled(path)
        headers = {"Authorization": f"Bearer {self.token}"} if self.kind != "anonymous" else {}
        if method == "GET":
            return self.client.get(url, headers=headers, follow_redirects=False).status_code
        if path.startswith("/api/"):
            answer = self.client.post(url, json=body(method, path), headers=headers)
            return answer.status_code
        return self.client.post(url, data=self._form(path), follow_redirects=False).status_code

    def _form(self, path: str) -> dict[str, str]:
        """What the page's own form carries (its CSRF token), where the caller may open
        it; a made-up token where it may not."""
        page = {
            "/editor/sign-out": urls.editor_home(),
            "/editor/sign-in": urls.editor_sign_in(),
        }.get(path, filled(path))
        answer = self.client.get(page, follow_redirects=False)
        fields = Inputs(answer.text).values if answer.status_code == 200 else {}
        return {"csrf_token": "made-up", **fields}


@pytest.fixture
def callers(site) -> Iterator[dict[str, Caller]]:
    yield {kind: Caller(site, kind) for kind in CALLERS}


def test_every_route_answers_every_caller_by_the_rules_and_refusals_write_nothing(site, callers):
    tracker = site.app.state.services.tracker
    wrong: list[str] = []
    for (method, path), rule in RULES.items():
        for kind, caller in callers.items():
            before = tracker.recorder.max_notification_id()
            status = caller.send(method, path)
            expected = rule[kind]
            allowed = expected in ("ok", "own rules")
            if expected == "own rules":
                pass
            elif (allowed and status in (401, 403)) or (not allowed and status != expected):
                wrong.append(f"{method} {path} as {kind}: {status}, expected {expected}")
            refused = status in (401, 403, 303) and method == "POST"
            if (
                refused or path == "/editor/sign-in"
            ) and tracker.recorder.max_notification_id() != before:
                wrong.append(f"{method} {path} as {kind}: refused, yet the log grew")
    assert wrong == [], "\n".join(wrong)
    cells = len(RULES) * len(CALLERS)
    print(f"authorisation matrix: {len(RULES)} routes x {len(CALLERS)} callers = {cells}")

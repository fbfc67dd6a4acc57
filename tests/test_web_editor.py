"""The editors' pages: signing in with a token, recording and correcting events through
forms, and everything that keeps another site, a guesser or a stale form from writing.

Tests that write run on every store (``site``); those about rendering and refusing run
on the in-memory one (``memory_site``). "Nothing is written" is checked against the
log's head, which every stored event moves.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.test_web_pages import Tags
from web import urls
from web.editor_auth import safe_next
from web.editor_forms import NEW_SOURCE
from web.sessions import sessions as session_table

PLAN = "london-policing-action-plan-2020"
BWV = "body-worn-video-research"
RECORD = urls.editor_record(PLAN, BWV)
CORRECT = urls.editor_correct(PLAN, BWV)
KEYED_SOURCE = "ldrs-haringey-community-press-2023-11-18"
STATUS_CHANGE = {
    "type": "status_changed",
    "date": "2024-05",
    "status": "in_progress",
    "note": "The study resumed.",
    "source_key": NEW_SOURCE,
    "source_publisher": "Test Gazette",
    "source_title": "Research resumes",
    "source_published_on": "2024-05-02",
    "source_url": "https://example.org/resumes",
}
HOSTILE = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>")
HTMX = {"HX-Request": "true"}


class Inputs(HTMLParser):
    """The fields of a page as a browser would send them (the first of each name):
    text and hidden inputs, checked radios, selected options, textareas."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and (a.get("type") != "radio" or "checked" in a):
            self.values.setdefault(name, a.get("value") or "")
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.values.setdefault(self._select, a.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.values.setdefault(name, "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] += data.removeprefix("\n")


def services(client: TestClient):
    return client.app.state.services


def head(client: TestClient) -> int:
    return services(client).tracker.recorder.max_notification_id() or 0


def entries(client: TestClient, slug: str = BWV):
    return services(client).tracker.commitment(PLAN, slug).entries


def token_for(client: TestClient, role: str = "editor", name: str = "newsroom") -> str:
    organisation = "Example Newsroom" if role == "editor" else "Tracker Team"
    return services(client).tokens.create(name, role, organisation)


def sign_in(client: TestClient, token: str, next: str | None = None):
    """Sign in as a browser would: open the form, then send it with the token."""
    form = Inputs(client.get(urls.editor_sign_in(next=next)).text).values
    return client.post(urls.editor_sign_in(), data=form | {"token": token}, follow_redirects=False)


def signed_in(client: TestClient, role: str = "editor") -> TestClient:
    assert sign_in(client, token_for(client, role)).status_code == 303
    return client


def opened(client: TestClient, url: str) -> dict[str, str]:
    """The hidden fields of a form page: its CSRF token and version."""
    answer = client.get(url)
    assert answer.status_code == 200, answer.text
    return Inputs(answer.text).values


def send(client: TestClient, url: str, fields: dict[str, str], step: str, **kwargs):
    return client.post(url, data=fields | {"step": step}, follow_redirects=False, **kwargs)


def public_page(client: TestClient, slug: str = BWV) -> str:
    services(client).projector.catch_up()
    return client.get(urls.commitment(PLAN, slug)).text


def between(html: str, start: str, end: str) -> str:
    return html.split(start, 1)[1].split(end, 1)[0]


def event_html(html: str, number: int) -> str:
    return between(html, f'id="event-{number}"', "</article>")


@pytest.fixture
def editor(site: TestClient) -> TestClient:
    return signed_in(site)


@pytest.fixture
def memory_editor(memory_site: TestClient) -> TestClient:
    return signed_in(memory_site)


@pytest.fixture
def record_form(memory_editor: TestClient) -> dict[str, str]:
    return opened(memory_editor, urls.editor_record(PLAN, BWV, "status_changed"))


# Signing in


def test_signing_in_with_a_token_leads_back_to_the_page_the_editor_wanted(site):
    wanted = urls.editor_record(PLAN, BWV, "deadline_set")
    sent_away = site.get(wanted, follow_redirects=False)
    assert sent_away.status_code == 303
    assert sent_away.headers["location"] == urls.editor_sign_in(next=wanted)

    answer = sign_in(site, token_for(site), next=wanted)
    assert answer.status_code == 303 and answer.headers["location"] == wanted
    page = site.get(wanted)
    assert page.status_code == 200
    assert "Signed in as <strong>editor, Example Newsroom</strong>" in page.text


def test_a_wrong_token_is_refused_naming_the_field_and_starts_no_session(memory_site):
    token_for(memory_site)
    answer = sign_in(memory_site, "tpt_not-a-real-token")
    assert answer.status_code == 422
    assert "That token is not valid" in answer.text
    assert '<a href="#field-token">API token: That token is not valid' in answer.text
    field = Tags(answer.text).all("input", name="token")[0]
    assert field["aria-invalid"] == "true"
    assert "error-token" in field["aria-describedby"]
    assert (
        "set-cookie" not in answer.headers or "editor-session" not in answer.headers["set-cookie"]
    )
    assert memory_site.get(urls.editor_home(), follow_redirects=False).status_code == 303


def test_a_revoked_token_cannot_sign_in(memory_site):
    token = token_for(memory_site)
    services(memory_site).tokens.revoke("newsroom")
    assert sign_in(memory_site, token).status_code == 422


def test_an_empty_token_is_asked_for_and_not_counted_as_a_failure(memory_site):
    for _ in range(10):
        answer = sign_in(memory_site, "")
        assert answer.status_code == 422 and "Enter your API token." in answer.text
    assert sign_in(memory_site, token_for(memory_site)).status_code == 303


def test_the_session_cookie_is_httponly_strict_and_for_the_whole_site(memory_site):
    answer = sign_in(memory_site, token_for(memory_site))
    cookie = next(c for c in answer.headers.get_list("set-cookie") if "editor-session=" in c)
    flags = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in flags and "samesite=strict" in flags and "path=/" in flags
    assert "secure" not in flags  # plain http: a Secure cookie would never come back
    assert not cookie.startswith("__Host-")
    assert "max-age=43200" in flags  # the session's absolute lifetime


def test_over_https_both_cookies_are_secure_and_host_prefixed(memory_site):
    secure = TestClient(memory_site.app, base_url="https://testserver")
    form_cookie = secure.get(urls.editor_sign_in()).headers["set-cookie"]
    assert form_cookie.startswith("__Host-editor-sign-in=")
    answer = sign_in(secure, token_for(memory_site))
    assert answer.status_code == 303
    cookie = next(c for c in answer.headers.get_list("set-cookie") if "editor-session=" in c)
    assert cookie.startswith("__Host-editor-session=")
    flags = [part.strip().lower() for part in cookie.split(";")]
    assert {"secure", "httponly", "samesite=strict", "path=/"} <= set(flags)
    assert not any(flag.startswith("domain=") for flag in flags)
    assert secure.get(urls.editor_home()).status_code == 200


def test_the_sign_in_form_needs_its_own_csrf_value_so_no_site_can_sign_someone_in(memory_site):
    token = token_for(memory_site)
    memory_site.get(urls.editor_sign_in())
    for value in ("", "forged"):
        answer = memory_site.post(
            urls.editor_sign_in(),
            data={"csrf_token": value, "token": token},
            follow_redirects=False,
        )
        assert answer.status_code == 403
    assert memory_site.get(urls.editor_home(), follow_redirects=False).status_code == 303


def test_the_session_id_is_stored_only_as_its_hash(memory_site):
    answer = sign_in(memory_site, token_for(memory_site))
    session_id = answer.cookies["editor-session"]
    with services(memory_site).sessions.engine.connect() as conn:
        stored = conn.execute(select(session_table.c.id_hash)).scalars().all()
    assert stored == [hashlib.sha256(session_id.encode()).hexdigest()]


# Limiting failed sign-ins


def test_five_failures_from_one_address_get_429_with_retry_after_even_for_a_good_token(
    memory_site,
):
    token = token_for(memory_site)
    for _ in range(5):
        assert sign_in(memory_site, "tpt_wrong").status_code == 422
    refused = sign_in(memory_site, token)
    assert refused.status_code == 429
    assert 0 < int(refused.headers["retry-after"]) <= 15 * 60
    assert "Too many failed" in refused.text
    assert refused.headers["cache-control"] == "no-store, private"


def test_the_block_lifts_once_the_failures_are_old_enough(memory_site):
    throttle = services(memory_site).throttle
    now = [1000.0]
    throttle.clock = lambda: now[0]
    token = token_for(memory_site)
    for _ in range(5):
        sign_in(memory_site, "tpt_wrong")
    now[0] += 15 * 60 - 1
    assert sign_in(memory_site, token).status_code == 429
    now[0] += 2
    assert sign_in(memory_site, token).status_code == 303


def test_a_success_does_not_wipe_the_failures_counted_against_an_address(memory_site):
    token = token_for(memory_site)
    for _ in range(4):
        sign_in(memory_site, "tpt_wrong")
    assert sign_in(memory_site, token).status_code == 303
    memory_site.cookies.clear()  # someone else, behind the same address
    sign_in(memory_site, "tpt_wrong")
    assert sign_in(memory_site, token).status_code == 429


# Sessions ending


def test_signing_out_ends_the_session_on_the_server_too(memory_editor):
    session_id = memory_editor.cookies["editor-session"]
    csrf = opened(memory_editor, urls.editor_home())["csrf_token"]
    out = memory_editor.post(
        urls.editor_sign_out(), data={"csrf_token": csrf}, follow_redirects=False
    )
    assert out.status_code == 303
    assert out.headers["location"] == urls.editor_sign_in(signed_out=True)
    assert "You have signed out." in memory_editor.get(out.headers["location"]).text
    memory_editor.cookies.set("editor-session", session_id)
    replayed = memory_editor.get(urls.editor_home(), follow_redirects=False)
    assert replayed.status_code == 303  # the old cookie opens nothing


def test_a_revoked_token_ends_its_sessions_at_the_next_request(memory_editor):
    assert memory_editor.get(urls.editor_home()).status_code == 200
    services(memory_editor).tokens.revoke("newsroom")
    assert memory_editor.get(urls.editor_home(), follow_redirects=False).status_code == 303


def test_a_session_ends_after_two_idle_hours(memory_editor):
    sessions = services(memory_editor).sessions
    start = sessions.clock()
    sessions.clock = lambda: start + timedelta(hours=1, minutes=59)
    assert memory_editor.get(urls.editor_home()).status_code == 200
    sessions.clock = lambda: start + timedelta(hours=3, minutes=59)
    assert memory_editor.get(urls.editor_home()).status_code == 200  # idle < 2 h
    sessions.clock = lambda: start + timedelta(hours=6)
    assert memory_editor.get(urls.editor_home(), follow_redirects=False).status_code == 303


def test_a_session_ends_after_twelve_hours_however_busy(memory_editor):
    sessions = services(memory_editor).sessions
    start = sessions.clock()
    for hour in range(1, 12):
        sessions.clock = lambda hour=hour: start + timedelta(hours=hour)
        assert memory_editor.get(urls.editor_home()).status_code == 200
    sessions.clock = lambda: start + timedelta(hours=12)
    assert memory_editor.get(urls.editor_home(), follow_redirects=False).status_code == 303


# Anonymous visitors


@pytest.mark.parametrize(
    "url", [urls.editor_home(), RECORD, urls.editor_record(PLAN, BWV, "deadline_set"), CORRECT]
)
def test_an_anonymous_visit_is_sent_to_sign_in_and_back(memory_site, url):
    answer = memory_site.get(url, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == urls.editor_sign_in(next=url)
    assert answer.headers["cache-control"] == "no-store, private"


@pytest.mark.parametrize("url", [RECORD, CORRECT, urls.editor_sign_out()])
def test_an_anonymous_post_is_refused_and_writes_nothing(site, url):
    before = head(site)
    answer = send(site, url, STATUS_CHANGE | {"version": "9"}, "submit")
    assert answer.status_code == 403
    assert "not signed in" in answer.text
    assert head(site) == before


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("/editor/plans/p/commitments/c/record?type=deadline_set", True),
        ("/plans/p", True),
        ("//evil.example/", False),
        ("/\\evil.example", False),
        ("https://evil.example/editor", False),
        ("javascript:alert(1)", False),
        ("/editor\r\nSet-Cookie: x=y", False),
        ("", False),
    ],
)
def test_next_only_ever_leads_to_a_path_on_this_site(given, kept):
    assert safe_next(given) == (given if kept else urls.editor_home())


def test_signing_in_with_a_foreign_next_lands_on_the_editors_home(memory_site):
    answer = sign_in(memory_site, token_for(memory_site), next="//evil.example/")
    assert answer.headers["location"] == urls.editor_home()


# Forged forms


def _forgeries(form: dict[str, str]) -> list[tuple[dict[str, str], dict[str, str]]]:
    return [
        ({k: v for k, v in form.items() if k != "csrf_token"}, {}),
        (form | {"csrf_token": "forged"}, {}),
        (form, {"Origin": "https://evil.example"}),
        (form, {"Origin": "null"}),
        (form, {"Sec-Fetch-Site": "cross-site"}),
        (form | {"csrf_token": "forged"}, HTMX | {"X-CSRF-Token": "forged"}),
    ]


@pytest.mark.parametrize(
    "forgery", range(6), ids=["none", "wrong", "origin", "null", "fetch", "htmx"]
)
def test_a_form_without_the_session_token_or_from_another_site_is_refused(editor, forgery):
    form = opened(editor, urls.editor_record(PLAN, BWV, "status_changed")) | STATUS_CHANGE
    before = head(editor)
    data, headers = _forgeries(form)[forgery]
    answer = send(editor, RECORD, data, "submit", headers=headers)
    assert answer.status_code == 403
    assert answer.headers["cache-control"] == "no-store, private"
    assert head(editor) == before


def test_the_site_s_own_origin_is_accepted(memory_editor, record_form):
    origin = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}
    answer = send(memory_editor, RECORD, record_form | STATUS_CHANGE, "submit", headers=origin)
    assert answer.status_code == 303


def test_htmx_may_carry_the_token_in_a_header(memory_editor, record_form):
    fields = {k: v for k, v in (record_form | STATUS_CHANGE).items() if k != "csrf_token"}
    headers = HTMX | {"X-CSRF-Token": record_form["csrf_token"]}
    assert send(memory_editor, RECORD, fields, "validate", headers=headers).status_code == 200


def test_a_cross_site_text_plain_form_is_not_read_at_all(memory_editor, record_form):
    before = head(memory_editor)
    body = "&".join(f"{k}={v}" for k, v in (record_form | STATUS_CHANGE).items())
    answer = memory_editor.post(
        RECORD, content=body + "&step=submit", headers={"Content-Type": "text/plain"}
    )
    assert answer.status_code == 415
    assert head(memory_editor) == before


# Recording


def test_the_preview_shows_the_event_as_the_public_will_and_writes_nothing(editor):
    form = opened(editor, urls.editor_record(PLAN, BWV, "status_changed")) | STATUS_CHANGE
    before = head(editor)
    answer = send(editor, RECORD, form, "preview")
    assert answer.status_code == 200
    assert head(editor) == before
    shown = event_html(answer.text, 10)
    assert '<span class="status__text">In progress</span>' in shown
    assert '<p class="note" dir="auto">The study resumed.</p>' in shown
    link = '<a href="https://example.org/resumes" rel="external">'
    assert link + "‘<bdi>Research resumes</bdi>’</a>" in shown
    assert "by <bdi>editor, Example Newsroom</bdi>" in shown
    assert '<time datetime="2024-05">May 2024</time>' in shown  # the precision given
    carried = Inputs(answer.text).values
    assert {k: carried[k] for k in STATUS_CHANGE} == STATUS_CHANGE
    assert carried["version"] == "9"
    assert 'name="step" value="submit"' in answer.text
    assert 'name="step" value="change"' in answer.text


def test_submitting_records_one_event_by_the_role_and_organisation_shown_publicly(editor):
    preview = send(
        editor,
        RECORD,
        opened(editor, urls.editor_record(PLAN, BWV, "status_changed")) | STATUS_CHANGE,
        "preview",
    )
    before = head(editor)
    answer = send(editor, RECORD, Inputs(preview.text).values, "submit")
    assert answer.status_code == 303
    assert answer.headers["location"] == urls.event(PLAN, BWV, 10)
    assert answer.headers["cache-control"] == "no-store, private"
    assert head(editor) == before + 1
    recorded = entries(editor)[-1]
    assert (recorded.number, recorded.type, recorded.details) == (
        10,
        "status_changed",
        {"status": "in_progress"},
    )
    assert recorded.fact.recorded_by == "editor, Example Newsroom"
    assert str(recorded.date) == "2024-05"
    assert recorded.source.title == "Research resumes"
    shown = event_html(public_page(editor), 10)
    assert "The study resumed." in shown and "by <bdi>editor, Example Newsroom</bdi>" in shown


@pytest.mark.parametrize("role", ["editor", "admin"])
def test_editors_and_admins_may_both_record(memory_site, role):
    client = signed_in(memory_site, role)
    form = opened(client, urls.editor_record(PLAN, BWV, "progress_reported"))
    fields = form | {"date": "2024", "note": "Still waiting.", "source_key": KEYED_SOURCE}
    assert send(client, RECORD, fields | {"type": "progress_reported"}, "submit").status_code == 303
    recorded = entries(client)[-1]
    assert recorded.fact.recorded_by == f"{role}, " + (
        "Example Newsroom" if role == "editor" else "Tracker Team"
    )
    assert recorded.source == services(client).tracker.plan(PLAN).sources[KEYED_SOURCE]


def test_change_brings_the_form_back_with_what_was_typed(memory_editor, record_form):
    answer = send(memory_editor, RECORD, record_form | STATUS_CHANGE, "change")
    assert answer.status_code == 200
    values = Inputs(answer.text).values
    assert values["date"] == "2024-05" and values["source_title"] == "Research resumes"
    assert "The study resumed.</textarea>" in answer.text
    assert '<option value="in_progress" selected>' in answer.text


def test_a_stale_form_gets_a_conflict_showing_the_new_events_and_writes_nothing(editor):
    form = opened(editor, urls.editor_record(PLAN, BWV, "status_changed")) | STATUS_CHANGE
    meanwhile = {"type": "progress_reported", "date": "2024-04", "note": "Someone else's news."}
    other = opened(editor, urls.editor_record(PLAN, BWV, "progress_reported"))
    fields = other | meanwhile | {"source_key": KEYED_SOURCE}
    assert send(editor, RECORD, fields, "submit").status_code == 303
    before = head(editor)

    answer = send(editor, RECORD, form, "submit")
    assert answer.status_code == 409
    assert head(editor) == before
    assert "Someone else recorded an event here meanwhile" in answer.text
    assert "Someone else&#39;s news." in between(answer.text, 'class="conflict"', "</div>")
    again = Inputs(answer.text).values
    assert again["version"] == "10" and again["date"] == "2024-05"

    assert again["status"] == "in_progress" and again["note"] == "The study resumed."
    preview = send(editor, RECORD, again, "preview")
    assert preview.status_code == 200
    assert send(editor, RECORD, Inputs(preview.text).values, "submit").status_code == 303
    assert [e.type for e in entries(editor)[-2:]] == ["progress_reported", "status_changed"]


def test_a_preview_of_a_stale_form_says_so_too(memory_editor, record_form):
    fields = record_form | STATUS_CHANGE | {"version": "8"}
    answer = send(memory_editor, RECORD, fields, "preview")
    assert answer.status_code == 409 and 'class="conflict"' in answer.text


# Correcting


def test_the_correction_page_offers_only_events_that_can_still_be_corrected(memory_editor):
    form = opened(memory_editor, CORRECT)
    fields = form | {
        "corrects": "4",
        "note": "The footage was reviewed in August.",
        "date": "2024-06-01",
        "source_key": KEYED_SOURCE,
    }
    assert send(memory_editor, CORRECT, fields, "submit").status_code == 303
    services(memory_editor).projector.catch_up()
    page = memory_editor.get(CORRECT).text
    offered = [a["value"] for a in Tags(page).all("input", type="radio", name="corrects")]
    assert offered == ["1", "2", "3", "5", "6", "7", "8", "9"]  # not 4, nor the correction


def test_a_correction_points_at_the_chosen_event_which_is_struck_through_publicly(editor):
    form = opened(editor, CORRECT)
    fields = form | {
        "corrects": "4",
        "note": "The footage was reviewed in August, not July.",
        "date": "2024-06-01",
        "source_key": KEYED_SOURCE,
    }
    preview = send(editor, CORRECT, fields, "preview")
    assert preview.status_code == 200
    assert '<del class="event__body"' in event_html(preview.text, 4)
    assert 'Corrects <a href="#event-4">event 4</a>' in event_html(preview.text, 10)

    before = head(editor)
    answer = send(editor, CORRECT, Inputs(preview.text).values, "submit")
    assert answer.status_code == 303 and answer.headers["location"] == urls.event(PLAN, BWV, 10)
    assert head(editor) == before + 1
    correction = entries(editor)[-1]
    assert correction.type == "correction" and correction.details == {"corrects": 4}
    assert correction.fact.note == "The footage was reviewed in August, not July."
    assert correction.fact.recorded_by == "editor, Example Newsroom"
    page = public_page(editor)
    assert '<del class="event__body"' in event_html(page, 4)
    assert "The footage was reviewed in August, not July." in event_html(page, 4)


def test_a_correction_needs_a_reason_and_an_event(memory_editor):
    form = opened(memory_editor, CORRECT) | {"date": "2024", "source_key": KEYED_SOURCE}
    answer = send(memory_editor, CORRECT, form, "preview")
    assert answer.status_code == 422
    assert '<a href="#field-corrects">The event to correct: Choose the event to correct.' in (
        answer.text
    )
    assert '<a href="#field-note">Reason: what was wrong: Give the reason' in answer.text


# Checking what is typed


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"date": "2024-13"}, "date", "has no month 13"),
        ({"date": "13/05/2024"}, "date", "YYYY, YYYY-MM or YYYY-MM-DD"),
        ({"status": ""}, "status", "Choose the new status"),
        ({"status": "finished"}, "status", "unknown status"),
        ({"source_key": ""}, "source_key", "Choose one of the plan"),
        ({"source_key": "no-such-source"}, "source_key", "unknown source"),
        ({"source_publisher": ""}, "source_publisher", "Enter the source"),
        ({"source_url": "javascript:alert(1)"}, "source_url", "is not an http(s) URL"),
        ({"source_published_on": "soon"}, "source_published_on", "is not a date"),
        ({"note": "x" * 5001}, "note", "the limit is 5000"),
        ({"note": "a\x00b"}, "note", "control character"),
        ({"source_title": "a\x1bb"}, "source_title", "control character"),
    ],
)
def test_a_plain_post_names_each_bad_field_at_the_top_and_beside_it(
    memory_editor, record_form, changes, field, says
):
    before = head(memory_editor)
    answer = send(memory_editor, RECORD, record_form | STATUS_CHANGE | changes, "preview")
    assert answer.status_code == 422
    assert head(memory_editor) == before
    summary = between(answer.text, 'class="error-summary"', "</div>")
    assert f'href="#field-{field}"' in summary and says.lower() in summary.lower()
    assert says.lower() in between(answer.text, f'id="error-{field}"', "</p>").lower()
    widget = next(a for _, a in Tags(answer.text).tags if a.get("id") == f"field-{field}")
    assert widget["aria-invalid"] == "true"
    assert f"error-{field}" in widget["aria-describedby"].split()
    assert answer.text.count('aria-invalid="true"') == 1
    assert "<title>Error: " in answer.text


def test_pasted_spaces_of_other_kinds_are_not_control_characters(memory_editor, record_form):
    note = "Resumed\u00a0in May,\u2009the council says.\nMore to follow."
    answer = send(memory_editor, RECORD, record_form | STATUS_CHANGE | {"note": note}, "preview")
    assert answer.status_code == 200 and Inputs(answer.text).values["note"] == note


def test_every_problem_is_named_at_once(memory_editor, record_form):
    bad = {"date": "", "status": "", "source_key": ""}
    answer = send(memory_editor, RECORD, record_form | STATUS_CHANGE | bad, "preview")
    summary = between(answer.text, 'class="error-summary"', "</div>")
    assert [a["href"] for a in Tags(summary).all("a")] == [
        "#field-date",
        "#field-status",
        "#field-source_key",
    ]


def test_a_rule_of_the_commitment_itself_is_named_like_any_other(memory_editor):
    form = opened(memory_editor, urls.editor_record(PLAN, BWV, "budget_committed"))
    fields = form | {
        "type": "budget_committed",
        "date": "2024",
        "amount_gbp": "-5",
        "source_key": KEYED_SOURCE,
    }
    answer = send(memory_editor, RECORD, fields, "preview")
    assert answer.status_code == 422
    assert "money committed cannot be negative" in between(
        answer.text, 'id="error-amount_gbp"', "</p>"
    )


@pytest.mark.parametrize(
    "amount, message",
    [
        ("1e5000", "exponent of at most two digits"),
        ("9" * 5000, "at most 40 characters"),
        ("NaN", "must be a number"),
        ("1,000,000,000,000", "less than £1,000,000,000,000"),
        ("10.001", "at most 2 decimal places"),
    ],
)
def test_an_amount_no_plan_could_hold_is_named_in_the_form(memory_editor, amount, message):
    form = opened(memory_editor, urls.editor_record(PLAN, BWV, "budget_committed"))
    fields = form | {
        "type": "budget_committed",
        "date": "2024",
        "amount_gbp": amount,
        "source_key": KEYED_SOURCE,
    }
    answer = send(memory_editor, RECORD, fields, "submit")
    assert answer.status_code == 422
    assert message in between(answer.text, 'id="error-amount_gbp"', "</p>")


def test_htmx_checks_a_form_as_it_is_filled_in_answering_with_a_fragment(
    memory_editor, record_form
):
    fields = record_form | {"date": "2024-13", "status": "", "source_key": ""}
    answer = send(memory_editor, RECORD, fields, "validate", headers=HTMX)
    assert answer.status_code == 200
    assert "HX-Request" in answer.headers["vary"]
    assert answer.headers["cache-control"] == "no-store, private"
    assert "<html" not in answer.text and "<form" not in answer.text
    assert '<div id="validation-status"' in answer.text
    slot = between(
        answer.text, '<p id="error-date" class="field-error" hx-swap-oob="true">', "</p>"
    )
    assert "has no month 13" in slot
    # Fields not yet filled in are not told off; their slots are cleared.
    assert '<p id="error-status" class="field-error" hx-swap-oob="true"></p>' in answer.text
    assert '<p id="error-source_key" class="field-error" hx-swap-oob="true"></p>' in answer.text


def test_a_plain_validate_post_gets_the_whole_page(memory_editor, record_form):
    fields = record_form | {"date": "2024-13"}
    answer = send(memory_editor, RECORD, fields, "validate")
    assert answer.status_code == 200 and "<html" in answer.text
    assert "has no month 13" in between(answer.text, 'id="error-date"', "</p>")


def test_every_htmx_form_also_posts_to_a_real_action(memory_editor):
    for url in (urls.editor_record(PLAN, BWV, "target_set"), CORRECT):
        forms = Tags(memory_editor.get(url).text).all("form")
        checked = [f for f in forms if "hx-post" in f]
        assert checked and all(f["hx-post"] == f["action"] == url.split("?")[0] for f in checked)
        assert all(f["method"] == "post" and "X-CSRF-Token" in f["hx-headers"] for f in checked)


# Hostile input


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_comes_back_inert_in_the_preview_and_on_the_public_page(editor, text):
    form = opened(editor, urls.editor_record(PLAN, BWV, "status_changed"))
    fields = form | STATUS_CHANGE | {"note": text, "source_title": text, "source_publisher": text}
    preview = send(editor, RECORD, fields, "preview")
    escaped = text.replace("<", "&lt;").replace(">", "&gt;")
    assert text not in preview.text and escaped in event_html(preview.text, 10)
    assert Inputs(preview.text).values["note"] == text  # carried on as typed, escaped
    assert send(editor, RECORD, Inputs(preview.text).values, "submit").status_code == 303
    page = public_page(editor)
    assert text not in page and escaped in event_html(page, 10)


# Caching and the security headers


def test_no_editor_page_is_ever_kept_by_the_response_cache(memory_site):
    """Two anonymous visits, no cookie between them: the cache would serve the second
    the first one's page, CSRF value and all, had it kept it."""
    assert memory_site.app.state.services.settings.cache_entries  # the cache is on
    seen = []
    for _ in range(2):
        memory_site.cookies.clear()
        answer = memory_site.get(urls.editor_sign_in())
        assert answer.headers["cache-control"] == "no-store, private"
        seen.append(Inputs(answer.text).values["csrf_token"])
    assert seen[0] != seen[1]


def test_every_editor_answer_says_no_store(memory_editor, record_form):
    answers = [
        memory_editor.get(urls.editor_home()),
        memory_editor.get(RECORD),
        memory_editor.get(CORRECT),
        send(memory_editor, RECORD, record_form | STATUS_CHANGE, "preview"),
        send(memory_editor, RECORD, record_form | {"date": "x"}, "preview"),
        memory_editor.get(urls.editor_record(PLAN, "no-such-commitment")),
    ]
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 422, 404]
    assert all(a.headers["cache-control"] == "no-store, private" for a in answers)


@pytest.mark.parametrize(
    "url",
    [
        urls.editor_home(),
        urls.editor_record(PLAN, BWV, "measurement_recorded"),
        CORRECT,
    ],
)
def test_editor_pages_carry_no_inline_script_handlers_or_styles(memory_editor, url):
    answer = memory_editor.get(url)
    assert "script-src 'self'" in answer.headers["content-security-policy"]
    for tag, attrs in Tags(answer.text).tags:
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        assert "style" not in attrs, (tag, attrs)
        if tag == "script":
            assert attrs["src"].startswith("/static/")


def test_the_sign_in_page_has_no_inline_script_either(memory_site):
    tags = Tags(memory_site.get(urls.editor_sign_in()).text).tags
    assert all("style" not in a and not any(n.startswith("on") for n in a) for _, a in tags)
    field = next(a for t, a in tags if t == "input" and a.get("name") == "token")
    assert field["type"] == "password"


def test_the_public_footer_has_a_discreet_link_for_editors(memory_site):
    footer = memory_site.get(urls.home()).text.split('class="site-footer"')[1]
    assert f'<a href="{urls.editor_home()}">Editors</a>' in footer


def test_the_editors_home_lists_every_commitment_with_its_two_forms(memory_editor):
    page = memory_editor.get(urls.editor_home()).text
    assert urls.editor_record(PLAN, BWV) in page and urls.editor_correct(PLAN, BWV) in page
    assert page.count("Record a development<span") == 14
    sign_out = [f for f in Tags(page).all("form") if f["action"] == urls.editor_sign_out()]
    assert sign_out and sign_out[0]["method"] == "post"


def test_an_unknown_commitment_is_a_404_page(memory_editor):
    answer = memory_editor.get(urls.editor_correct(PLAN, "no-such-commitment"))
    assert answer.status_code == 404 and "unknown commitment" in answer.text.lower()


# Transfers and kinds of source (contract section 5)


def test_the_status_choices_are_those_a_source_can_report(memory_editor):
    form = memory_editor.get(urls.editor_record(PLAN, BWV, "status_changed")).text
    choices = between(form, 'name="status"', "</select>")
    assert 'value="in_progress"' in choices and 'value="not_started"' in choices
    assert 'value="announced"' not in choices and 'value="transferred"' not in choices


def test_a_transfer_to_a_commitment_not_in_the_record_is_refused_at_preview(memory_editor):
    form = opened(memory_editor, urls.editor_record(PLAN, BWV, "transferred")) | STATUS_CHANGE
    form |= {"type": "transferred", "to_title": "Elsewhere", "to_plan": PLAN}
    form |= {"to_commitment": "no-such-commitment"}
    before = head(memory_editor)

    answer = send(memory_editor, RECORD, form, "preview")

    assert answer.status_code == 422
    error = between(answer.text, 'id="error-to_commitment"', "</p>")
    assert "The receiving commitment &#39;no-such-commitment&#39; is not a commitment" in error
    assert head(memory_editor) == before


def test_a_transfer_citing_a_new_official_source_is_recorded_as_the_form_says(editor):
    fields = STATUS_CHANGE | {
        "type": "transferred",
        "to_title": "Public scrutiny of the Met",
        "to_plan": PLAN,
        "to_commitment": "public-scrutiny",
        "source_kind": "official",
        "source_note": "A board paper.",
    }
    preview = send(
        editor,
        RECORD,
        opened(editor, urls.editor_record(PLAN, BWV, "transferred")) | fields,
        "preview",
    )
    assert preview.status_code == 200, preview.text

    answer = send(editor, RECORD, Inputs(preview.text).values, "submit")

    assert answer.status_code == 303
    recorded = entries(editor)[-1]
    assert recorded.type == "transferred"
    assert recorded.details["to_commitment"] == "public-scrutiny"
    assert recorded.source.description() == ("official", "A board paper.")
    assert "(Official: the responsible body)" in event_html(public_page(editor), recorded.number)

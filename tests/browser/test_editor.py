"""The editors' pages in a real browser: signing in, recording an event through the
form, its preview and its submission, with JavaScript on (htmx checks each field as it
changes, without loading a page) and off (every step a whole page); axe finds nothing
serious on any of the pages, and the Content-Security-Policy is never broken.

These tests write, so they run against a live server of their own: the shared one's
record stays as the other browser tests expect it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_accessibility import assert_nothing_serious
from tests.browser.test_content_security_policy import violations_on
from tests.livesite import serving
from web import urls

PLAN = "london-policing-action-plan-2020"
COMMITMENT = "body-worn-video-research"


def commitment_events(base: str) -> list[dict]:
    """The commitment's events as the read API gives them now."""
    import httpx

    url = f"{base}/api/v1/plans/{PLAN}/commitments/{COMMITMENT}"
    return httpx.get(url, timeout=30).json()["events"]


TITLE = "Academic research into stop and search using body worn video footage"
SOURCE = "ldrs-haringey-community-press-2023-11-18"  # a source the plan registered


@pytest.fixture(scope="module")
def editors_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A live server of this module's own, and an editor's token for it."""
    from web.app import create_app
    from web.settings import Settings

    url = f"sqlite:///{tmp_path_factory.mktemp('editors') / 'site.sqlite'}"
    app = create_app(Settings(database_url=url, tick=False))
    with serving(app) as base:
        token = app.state.services.tokens.create("newsroom", "editor", "Example Newsroom")
        yield base, token


def sign_in(page: Page, base: str, token: str) -> None:
    page.goto(base + urls.editor_home())
    expect(page).to_have_url(re.compile(r"/editor/sign-in\?next=%2Feditor$"))
    page.get_by_label("API token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(base + urls.editor_home())
    expect(page.locator(".account")).to_contain_text("Signed in as editor, Example Newsroom")


def open_record_form(page: Page, kind: str) -> None:
    page.get_by_role("link", name=f"Record a development on “{TITLE}”").click()
    page.get_by_role("link", name=kind, exact=True).click()
    expect(page.get_by_role("heading", level=2, name=kind)).to_be_visible()


def test_with_javascript_an_editor_records_an_event_checked_as_they_type(
    page: Page, editors_site: tuple[str, str]
):
    base, token = editors_site
    refused = violations_on(page)
    sign_in(page, base, token)
    open_record_form(page, "Status changed")

    loads: list[str] = []
    page.on("request", lambda r: loads.append(r.url) if r.resource_type == "document" else None)
    checks: list[str] = []
    page.on("request", lambda r: checks.append(r.url) if r.headers.get("hx-request") else None)
    date_field = page.get_by_label("Date it happened")
    date_field.fill("2024-13")
    date_field.press("Tab")
    expect(page.locator("#error-date")).to_have_text("Error: 2024-13 has no month 13.")
    expect(page.locator("#validation-status")).to_contain_text("1 field needs attention")
    date_field.fill("2024-05")
    date_field.press("Tab")
    expect(page.locator("#error-date")).to_have_text("")
    assert loads == [] and len(checks) == 2  # htmx checked it; no page was loaded

    page.get_by_label("New status").select_option("in_progress")
    page.get_by_label("Note").fill("The study resumed, <b>at last</b>.")
    page.get_by_label("Source", exact=True).select_option(SOURCE)
    page.get_by_role("button", name="Preview").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check the event before you submit it"
    )
    preview = page.locator(".preview .event")
    expect(preview.locator(".note")).to_have_text("The study resumed, <b>at last</b>.")
    expect(preview.locator(".status__text")).to_have_text("In progress")
    expect(preview).to_contain_text("by editor, Example Newsroom")
    number = len(commitment_events(base)) + 1
    page.get_by_role("button", name="Submit").click()

    expect(page).to_have_url(re.compile(rf"/commitments/body-worn-video-research#event-{number}$"))
    recorded = page.locator(f"#event-{number}")
    expect(recorded.locator(".note")).to_have_text("The study resumed, <b>at last</b>.")
    expect(recorded).to_contain_text("by editor, Example Newsroom")
    page.wait_for_load_state("networkidle")
    assert refused == []


def test_without_javascript_every_step_is_a_whole_page_that_works(
    page_without_javascript: Page, editors_site: tuple[str, str]
):
    page = page_without_javascript
    base, token = editors_site
    sign_in(page, base, token)
    open_record_form(page, "Progress reported")

    page.get_by_label("Date it happened").fill("2024-06-31")
    page.get_by_role("button", name="Preview").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("There are 3 problems")
    expect(summary.get_by_role("link", name=re.compile("^Date it happened: "))).to_have_attribute(
        "href", "#field-date"
    )
    expect(page.get_by_label("Date it happened")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#error-note")).to_contain_text("Say what happened")

    page.get_by_label("Date it happened").fill("2024-06")
    page.get_by_label("Note").fill("A report on the study was promised for the autumn.")
    page.get_by_label("Source", exact=True).select_option("_new")
    page.get_by_label("Publisher").fill("Test Gazette")
    page.get_by_label("Title").fill("Study report promised")
    page.get_by_label("Published on").fill("2024-06-12")
    page.get_by_label("Web address (optional)").fill("https://example.org/promised")
    page.get_by_role("button", name="Preview").click()

    preview = page.locator(".preview .event")
    expect(preview.get_by_role("link", name="‘Study report promised’")).to_have_attribute(
        "href", "https://example.org/promised"
    )
    expect(preview.locator("time").first).to_have_text("June 2024")  # as precise as given
    page.get_by_role("button", name="Change").click()
    expect(page.get_by_label("Title")).to_have_value("Study report promised")
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("button", name="Submit").click()

    expect(page).to_have_url(re.compile(r"/commitments/body-worn-video-research#event-\d+$"))
    number = page.url.rsplit("-", 1)[1]
    recorded = page.locator(f"#event-{number}")
    expect(recorded.locator(".note")).to_have_text(
        "A report on the study was promised for the autumn."
    )


def test_signing_out_works_without_javascript(
    page_without_javascript: Page, editors_site: tuple[str, str]
):
    page = page_without_javascript
    base, token = editors_site
    sign_in(page, base, token)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_have_text("You have signed out.")
    page.goto(base + urls.editor_home())
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to record events")


def test_no_editor_page_has_a_serious_or_critical_wcag_violation(
    page: Page, editors_site: tuple[str, str]
):
    base, token = editors_site
    refused = violations_on(page)
    page.goto(base + urls.editor_sign_in())
    assert_nothing_serious(page, "the sign-in page")
    page.get_by_label("API token").fill("tpt_wrong")
    page.get_by_role("button", name="Sign in").click()
    assert_nothing_serious(page, "the sign-in page with an error")
    page.context.clear_cookies()
    sign_in(page, base, token)
    assert_nothing_serious(page, "the editors' home")

    page.goto(base + urls.editor_record(PLAN, COMMITMENT, "target_set"))
    assert_nothing_serious(page, "the record page")
    page.get_by_label("Target figure").fill("many")
    page.get_by_label("Target figure").press("Tab")
    expect(page.locator("#error-target")).to_contain_text("must be a number")
    assert_nothing_serious(page, "the record page after an inline check")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_nothing_serious(page, "the record page with errors")

    page.get_by_label("Date it happened").fill("2024-07")
    page.get_by_label("What is measured").fill("Pieces of footage coded")
    page.get_by_label("Target figure").fill("1,000")
    page.get_by_label("Unit").fill("clips")
    page.get_by_label("Source", exact=True).select_option(SOURCE)
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".preview .event")).to_contain_text("Pieces of footage coded")
    assert_nothing_serious(page, "the preview page")

    page.goto(base + urls.editor_correct(PLAN, COMMITMENT))
    assert_nothing_serious(page, "the correct page")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".error-summary")).to_contain_text("Choose the event to correct")
    assert_nothing_serious(page, "the correct page with errors")
    page.get_by_label(re.compile(r"^Event 4, ")).check()
    page.get_by_label("Reason: what was wrong").fill("The footage was reviewed in August.")
    page.get_by_label("Date of the correction").fill("2024-08")
    page.get_by_label("Source", exact=True).select_option(SOURCE)
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#event-4 del")).to_be_visible()
    assert_nothing_serious(page, "the preview of a correction")
    page.wait_for_load_state("networkidle")
    assert refused == []

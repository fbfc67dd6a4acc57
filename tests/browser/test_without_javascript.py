"""With JavaScript off, every page is whole: the filter and as-of forms are plain GET
forms that load a new page, and nothing a reader needs is drawn by a script."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Page, expect

from tests.browser.conftest import COMMITMENT, PLAN, PageType, plan_rows, titles
from web import urls


def query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def listed(page: Page):
    return page.locator("#results .commitment-cell a")


def submit(page: Page, button: str) -> None:
    """Press a form's button and wait for the whole new page it loads."""
    with page.expect_response(lambda r: r.request.is_navigation_request()) as loaded:
        page.get_by_role("button", name=button, exact=True).click()
    response = loaded.value
    assert response.ok and response.request.method == "GET"
    assert response.request.headers.get("hx-request") is None  # the browser's own submit
    page.wait_for_url(response.url)


def test_the_filter_form_works_as_a_plain_get_form(page_without_javascript: Page, live_server: str):
    page = page_without_javascript
    rows = plan_rows(live_server)
    paused = titles(rows, status="paused")
    page.goto(live_server + urls.plan(PLAN))
    expect(listed(page)).to_have_count(len(rows))

    page.get_by_label("Status", exact=True).select_option("paused")
    submit(page, "Show commitments")
    assert query(page) == {"status": ["paused"]}
    expect(listed(page)).to_have_count(len(paused))
    assert sorted(listed(page).all_inner_texts()) == paused
    assert "Academic research into stop and search using body worn video footage" in paused
    expect(page.locator("#result-count")).to_have_text(
        re.compile(rf"^{len(paused)} of {len(rows)} commitments match")
    )
    expect(page.get_by_label("Status", exact=True)).to_have_value(
        "paused"
    )  # the new page's own form

    page.get_by_label("Status", exact=True).select_option("")
    page.get_by_label("Theme").select_option("Stop and search")
    page.get_by_label("Words in the title or summary").fill("cannabis")
    submit(page, "Show commitments")
    assert query(page) == {"theme": ["Stop and search"], "q": ["cannabis"]}
    expect(listed(page)).to_have_text(
        ["Scrutiny of stop and searches based solely on the smell of cannabis"]
    )

    page.go_back()
    assert query(page) == {"status": ["paused"]}
    expect(listed(page)).to_have_count(len(paused))
    # The form is the one that made this list, not the choices made on it since.
    expect(page.get_by_label("Status", exact=True)).to_have_value("paused")
    expect(page.get_by_label("Theme")).to_have_value("")
    expect(page.get_by_label("Words in the title or summary")).to_have_value("")


def test_the_as_of_form_works_as_a_plain_get_form(page_without_javascript: Page, live_server: str):
    page = page_without_javascript
    page.goto(live_server + urls.commitment(PLAN, COMMITMENT))
    date_field = page.get_by_label("Show this commitment as it stood on")
    status = page.locator(".figures .status")

    date_field.fill("2022-08-01")
    submit(page, "Show")
    assert query(page) == {"as_of": ["2022-08-01"]}
    expect(page.locator("#standing-heading")).to_have_text("Where it stood on 1 August 2022")
    expect(status).to_have_text("In progress")

    date_field.fill("2023-01-01")
    submit(page, "Show")
    assert query(page) == {"as_of": ["2023-01-01"]}
    expect(status).to_have_text("Paused")

    page.go_back()
    assert query(page) == {"as_of": ["2022-08-01"]}
    expect(status).to_have_text("In progress")
    expect(date_field).to_have_value("2022-08-01")


def test_every_page_type_shows_the_same_content_without_javascript_as_with_it(
    page: Page, page_without_javascript: Page, live_server: str, page_type: PageType
):
    with_js = page.goto(live_server + page_type.path)
    without_js = page_without_javascript.goto(live_server + page_type.path)
    assert with_js is not None and without_js is not None
    assert without_js.status == with_js.status == page_type.status

    expect(page_without_javascript.locator("h1")).to_have_text(page_type.heading)
    scripts = "object" if page_type.scripted else "undefined"
    assert page.evaluate("typeof htmx") == scripts  # the scripts did run on the other one
    assert page_without_javascript.locator("main").inner_text() == page.locator("main").inner_text()
    assert page_without_javascript.locator("noscript").count() == 0

"""The Content-Security-Policy holds in a real browser: every kind of page loads, and
htmx filters a list, without one violation reported."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import PLAN, PageType, plan_rows
from web import urls


def violations_on(page: Page) -> list[str]:
    """Collects what the browser reports as refused by the policy, from now on."""
    seen: list[str] = []
    page.on(
        "console",
        lambda m: seen.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return seen


def test_every_kind_of_page_loads_without_breaking_its_policy(
    page: Page, live_server: str, page_type: PageType
):
    refused = violations_on(page)
    answer = page.goto(live_server + page_type.path)
    assert answer.status == page_type.status
    assert "script-src 'self'" in answer.headers["content-security-policy"]
    expect(page.get_by_role("heading", level=1)).to_have_text(page_type.heading)
    page.wait_for_load_state("networkidle")
    assert refused == []


def test_htmx_runs_under_the_policy(page: Page, live_server: str):
    refused = violations_on(page)
    page.goto(live_server + urls.plan(PLAN))
    page.wait_for_function("window.htmx !== undefined")
    swapped = []
    page.on("request", lambda r: swapped.append(r) if r.headers.get("hx-request") else None)
    page.get_by_label("Status", exact=True).select_option("paused")
    page.get_by_role("button", name="Show commitments").click()
    paused = sum(r["status"] == "paused" for r in plan_rows(live_server))
    expect(page.locator("#results .status")).to_have_text(["Paused"] * paused)
    assert len(swapped) == 1  # htmx made the request: its script ran
    assert refused == []

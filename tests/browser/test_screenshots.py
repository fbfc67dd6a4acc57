"""Full-page screenshots of every kind of page, for people to look at (they are kept in
test-artifacts/screenshots/), and the checks a reader would make of them by eye."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import COMMITMENT, PLAN, PageType, plan_rows
from web import urls
from web.presenters.wording import STATUS_LABELS

DESKTOP = 1280
PHONE = 390


def spills_sideways(page: Page) -> bool:
    """Whether the page is wider than the window, so that a reader must scroll sideways."""
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


def test_every_page_type_fits_a_desktop_window_and_is_saved_as_a_screenshot(
    page: Page, live_server: str, screenshots: Path, page_type: PageType
):
    assert page.viewport_size == {"width": DESKTOP, "height": 900}
    response = page.goto(live_server + page_type.path)
    assert response is not None and response.status == page_type.status
    expect(page.locator("h1")).to_have_text(page_type.heading)
    assert not spills_sideways(page)
    page.screenshot(path=screenshots / f"{page_type.name}-{DESKTOP}.png", full_page=True)


def test_on_a_phone_a_commitment_shows_its_status_dates_citation_and_a_legible_chart(
    sized_page: Callable[..., Page], live_server: str, screenshots: Path
):
    page = sized_page(PHONE, phone=True)
    page.goto(live_server + urls.commitment(PLAN, COMMITMENT))
    page.screenshot(path=screenshots / f"commitment-{PHONE}-phone.png", full_page=True)

    assert not spills_sideways(page)
    status = page.locator(".figures").get_by_text("Status", exact=True).locator("..")
    expect(status).to_contain_text("Paused since November 2022")  # at the month it is known to
    expect(status.locator(".status use")).to_have_attribute("href", "#icon-paused")
    citation = page.locator(".citation")
    expect(citation).to_contain_text("status as of")
    box = citation.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE
    # The chart scrolls sideways rather than shrink its labels below a readable size.
    label_px = page.evaluate(
        """() => {
            const svg = document.querySelector('.timeline-chart');
            const label = svg.querySelector('.chart__lane-label');
            const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
            return parseFloat(getComputedStyle(label).fontSize) * scale;
        }"""
    )
    assert label_px >= 11, f"the chart's labels are {label_px:.1f} pixels high"


def test_in_greyscale_every_status_in_a_plan_is_still_told_by_its_words_and_shape(
    page: Page, live_server: str, screenshots: Path
):
    page.goto(live_server + urls.plan(PLAN))
    # Through the CSSOM, which the page's Content-Security-Policy allows (a <style>
    # element it would refuse).
    page.evaluate("document.documentElement.style.filter = 'grayscale(1)'")
    results = page.locator("#results")
    results.screenshot(path=screenshots / f"plan-commitments-{DESKTOP}-greyscale.png")

    badges = results.locator(".status")
    expect(badges).to_have_count(len(plan_rows(live_server)))
    for badge in badges.all():
        (status,) = [c.removeprefix("status--") for c in badge.get_attribute("class").split()[1:]]
        expect(badge).to_have_text(STATUS_LABELS[status])
        expect(badge.locator("use")).to_have_attribute("href", f"#icon-{status}")

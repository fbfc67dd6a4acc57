"""With JavaScript on, htmx swaps in the part of a page that changes: the filtered list of
a plan's commitments, or a commitment as it stood on a chosen day. The address bar always
says what is shown, and the back button goes back to the previous view, form included."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, Request, expect

from tests.browser.conftest import COMMITMENT, PLAN, plan_rows, titles
from web import urls

BWV_TITLE = "Academic research into stop and search using body worn video footage"


class Tab:
    """A page that notices if the browser loads a whole new document."""

    def __init__(self, page: Page, base: str, path: str) -> None:
        self.page = page
        self.documents: list[str] = []
        self.swaps: list[Request] = []
        page.goto(base + path)
        page.on("request", self._saw)
        # Lost if the browser loads a new document: it lives only in this one.
        page.evaluate("window.sameDocument = true")

    def _saw(self, request: Request) -> None:
        if request.resource_type == "document":
            self.documents.append(request.url)
        elif request.headers.get("hx-request") == "true":
            self.swaps.append(request)

    def query(self) -> dict[str, list[str]]:
        """The address bar's query, without the empty fields a form always sends."""
        return parse_qs(urlsplit(self.page.url).query)

    def never_reloaded(self) -> bool:
        return not self.documents and self.page.evaluate("window.sameDocument === true")


@pytest.fixture
def plan_tab(page: Page, live_server: str) -> Tab:
    return Tab(page, live_server, urls.plan(PLAN))


@pytest.fixture
def commitment_tab(page: Page, live_server: str) -> Tab:
    return Tab(page, live_server, urls.commitment(PLAN, COMMITMENT))


def listed(page: Page):
    return page.locator("#results .commitment-cell a")


def expect_listed(page: Page, wanted: list[str]) -> None:
    """The list shows exactly the wanted titles (in the page's own order, by theme)."""
    expect(listed(page)).to_have_count(len(wanted))
    assert sorted(listed(page).all_inner_texts()) == wanted


@pytest.fixture(scope="module")
def rows(live_server: str) -> list[dict]:
    return plan_rows(live_server)


def show_commitments(page: Page) -> None:
    page.get_by_role("button", name="Show commitments").click()


def test_choosing_a_status_narrows_the_list_in_place_and_puts_the_status_in_the_url(
    plan_tab: Tab, rows: list[dict]
):
    page = plan_tab.page
    paused = titles(rows, status="paused")
    expect(listed(page)).to_have_count(len(rows))
    page.get_by_label("Status", exact=True).select_option("paused")
    show_commitments(page)

    page.wait_for_url(re.compile(r"[?&]status=paused(&|$)"))
    assert plan_tab.query() == {"status": ["paused"]}
    expect_listed(page, paused)
    assert BWV_TITLE in paused
    expect(page.locator("#result-count")).to_have_text(
        re.compile(rf"^{len(paused)} of {len(rows)} commitments match")
    )
    assert [r.url for r in plan_tab.swaps] == [page.url]
    assert plan_tab.never_reloaded()


def test_choosing_a_theme_narrows_the_list_in_place_and_puts_the_theme_in_the_url(
    plan_tab: Tab, rows: list[dict]
):
    page = plan_tab.page
    stop_and_search = titles(rows, theme="Stop and search")
    page.get_by_label("Theme").select_option("Stop and search")
    show_commitments(page)

    page.wait_for_url(re.compile(r"[?&]theme=Stop"))
    assert plan_tab.query() == {"theme": ["Stop and search"]}
    expect_listed(page, stop_and_search)
    expect(page.locator("#results .theme-heading")).to_have_text(
        [f"Stop and search ({len(stop_and_search)})"]
    )
    expect(page.locator("#result-count")).to_have_text(
        re.compile(rf"^{len(stop_and_search)} of {len(rows)} commitments match")
    )
    assert plan_tab.never_reloaded()


def test_typing_words_and_pressing_enter_searches_in_place_and_puts_the_words_in_the_url(
    plan_tab: Tab,
):
    page = plan_tab.page
    search = page.get_by_label("Words in the title or summary")
    search.fill("cannabis")
    search.press("Enter")

    page.wait_for_url(re.compile(r"[?&]q=cannabis"))
    assert plan_tab.query() == {"q": ["cannabis"]}
    expect(listed(page)).to_have_text(
        ["Scrutiny of stop and searches based solely on the smell of cannabis"]
    )
    expect(search).to_be_focused()  # the swap leaves the reader where they were typing
    assert plan_tab.never_reloaded()


def test_a_search_that_matches_nothing_says_so_and_offers_the_whole_list(
    plan_tab: Tab, rows: list[dict]
):
    page = plan_tab.page
    page.get_by_label("Words in the title or summary").fill("zeppelin")
    show_commitments(page)

    page.wait_for_url(re.compile(r"[?&]q=zeppelin"))
    expect(page.locator("#results .empty")).to_contain_text("No commitment matches")
    expect(page.locator("#result-count")).to_have_text(
        re.compile(rf"^0 of {len(rows)} commitments match")
    )
    assert plan_tab.never_reloaded()


def test_the_back_button_restores_the_previous_list_its_url_and_the_form_that_made_it(
    plan_tab: Tab, rows: list[dict]
):
    page = plan_tab.page
    paused = titles(rows, status="paused")
    status, theme = page.get_by_label("Status", exact=True), page.get_by_label("Theme")
    status.select_option("paused")
    show_commitments(page)
    page.wait_for_url(re.compile(r"status=paused"))
    status.select_option("")
    theme.select_option("Stop and search")
    show_commitments(page)
    page.wait_for_url(re.compile(r"theme=Stop"))
    expect(listed(page)).to_have_count(len(titles(rows, theme="Stop and search")))

    page.go_back()
    expect(page).to_have_url(re.compile(r"status=paused"))
    expect_listed(page, paused)
    # The form shows the filter in the address bar, so "Show commitments" repeats it.
    expect(status).to_have_value("paused")
    expect(theme).to_have_value("")

    page.go_back()
    expect(page).to_have_url(re.compile(re.escape(urls.plan(PLAN)) + "$"))
    expect(listed(page)).to_have_count(len(rows))
    expect(page.locator("#result-count")).to_have_text(re.compile(rf"^All {len(rows)} commitments"))
    expect(status).to_have_value("")

    page.go_forward()
    expect(page).to_have_url(re.compile(r"status=paused"))
    expect_listed(page, paused)
    assert plan_tab.never_reloaded()


def test_an_as_of_date_in_the_filters_recounts_the_plan_as_it_stood_then(
    plan_tab: Tab, rows: list[dict]
):
    page = plan_tab.page
    page.get_by_label("As of", exact=True).fill("2022-08-01")
    show_commitments(page)

    page.wait_for_url(re.compile(r"as_of=2022-08-01"))
    expect(page.locator("#picture-heading")).to_have_text("At a glance, as of 1 August 2022")
    expect(page.locator("#result-count")).to_have_text(
        re.compile(rf"All {len(rows)} commitments, as of 1 August 2022\.")
    )
    bwv_row = page.locator("#results tr", has_text=BWV_TITLE)
    expect(bwv_row.locator(".status")).to_have_text("In progress")
    assert plan_tab.never_reloaded()


def standing(page: Page):
    return page.locator("#as-of-view .figures .status")


def show_day(page: Page, day: str) -> None:
    page.get_by_label("Show this commitment as it stood on").fill(day)
    page.get_by_role("button", name="Show", exact=True).click()
    page.wait_for_url(re.compile(rf"[?&]as_of={day}$"))


def test_the_as_of_control_shows_the_commitment_as_it_stood_on_the_chosen_day(
    commitment_tab: Tab,
):
    page = commitment_tab.page
    expect(standing(page)).to_have_text("Paused")

    show_day(page, "2022-08-01")
    expect(page.locator("#standing-heading")).to_have_text("Where it stood on 1 August 2022")
    expect(standing(page)).to_have_text("In progress")
    expect(page.locator(".citation")).to_contain_text("status as of 1 August 2022: in progress. ")

    show_day(page, "2023-01-01")
    expect(page.locator("#standing-heading")).to_have_text("Where it stood on 1 January 2023")
    expect(standing(page)).to_have_text("Paused")
    assert commitment_tab.query() == {"as_of": ["2023-01-01"]}
    assert len(commitment_tab.swaps) == 2
    assert commitment_tab.never_reloaded()


def test_the_back_button_returns_to_the_day_shown_before_with_that_date_in_the_form(
    commitment_tab: Tab,
):
    page = commitment_tab.page
    date_field = page.get_by_label("Show this commitment as it stood on")
    show_day(page, "2022-08-01")
    show_day(page, "2023-01-01")
    expect(standing(page)).to_have_text("Paused")

    page.go_back()
    expect(page).to_have_url(re.compile(r"as_of=2022-08-01$"))
    expect(standing(page)).to_have_text("In progress")
    expect(date_field).to_have_value("2022-08-01")

    page.go_back()
    expect(page).to_have_url(re.compile(re.escape(urls.commitment(PLAN, COMMITMENT)) + "$"))
    expect(page.locator("#standing-heading")).to_have_text(re.compile(r"^Where it stands today"))
    expect(standing(page)).to_have_text("Paused")
    assert commitment_tab.never_reloaded()

"""A live server and Debian's Chromium, for tests that need a real browser.

Playwright drives ``/usr/bin/chromium`` (its own browser download cannot work here);
axe-core runs offline from the axe-playwright-python package. Without Chromium these
tests skip, saying why; under CI (``CI=true``) that is a failure instead.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import LIVE_RECORD
from tests.livesite import serving
from web import urls

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


PLAN = "london-policing-action-plan-2020"
COMMITMENT = "body-worn-video-research"


def plan_rows(live_server: str) -> list[dict]:
    """The bundled plan's rows as the API gives them today: what a page must list, so that
    these tests follow the record as its curators extend it."""
    import httpx

    return httpx.get(f"{live_server}/api/v1/plans/{PLAN}/commitments", timeout=30).json()


def titles(rows: list[dict], **wanted: object) -> list[str]:
    """The titles of the rows whose fields have the wanted values, sorted."""
    return sorted(r["title"] for r in rows if all(r[k] == v for k, v in wanted.items()))


@dataclass(frozen=True)
class PageType:
    """One kind of page on the site, by an example of it."""

    name: str
    path: str
    status: int
    heading: str
    scripted: bool = True  # loads htmx (the embedded card runs no script at all)


PAGE_TYPES = (
    PageType("home", urls.home(), 200, "Where government action plans stand"),
    PageType(
        "plan",
        urls.plan(PLAN),
        200,
        "Action Plan – Transparency, Accountability and Trust in Policing",
    ),
    PageType(
        "commitment",
        urls.commitment(PLAN, COMMITMENT),
        200,
        "Academic research into stop and search using body worn video footage",
    ),
    PageType("timeline", urls.timeline(), 200, "Timeline"),
    PageType("delays", urls.delays(), 200, "Delays"),
    PageType("log", urls.log(), 200, "The log and its hash"),
    PageType("how-we-know", urls.how_we_know(), 200, "How we know"),
    PageType("search", urls.search("body-worn video"), 200, "Search"),
    PageType("changes", urls.changes(since="2021-01-01", until="2022-12-31"), 200, "What changed"),
    PageType(
        "pinned",  # a cited commitment, as recorded when the log held 200 events
        urls.commitment_pinned(PLAN, COMMITMENT, None, 200),
        200,
        "Academic research into stop and search using body worn video footage",
    ),
    PageType("not-found", urls.commitment(PLAN, "no-such-commitment"), 404, "Not found"),
    PageType(
        "embed",  # the card other sites frame
        urls.embed(PLAN, COMMITMENT),
        200,
        "Academic research into stop and search using body worn video footage",
        scripted=False,
    ),
)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The site on a SQLite file, with the live record, served by uvicorn on a free
    loopback port."""
    from web.app import create_app
    from web.settings import Settings

    url = f"sqlite:///{tmp_path_factory.mktemp('site') / 'site.sqlite'}"
    settings = Settings(database_url=url, tick=False, events_dir=LIVE_RECORD)  # real pages
    with serving(create_app(settings)) as base:
        yield base


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not CHROMIUM.exists():
        reason = f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI must not skip them")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser) -> Iterator:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture
def page_without_javascript(browser) -> Iterator:
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    yield context.new_page()
    context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture(params=PAGE_TYPES, ids=[p.name for p in PAGE_TYPES])
def page_type(request: pytest.FixtureRequest) -> PageType:
    """Each kind of page in turn: home, plan, commitment, timeline, delays, not found."""
    return request.param


@pytest.fixture
def sized_page(browser) -> Iterator[Callable]:
    """Opens a page in a window of a given width: ``sized_page(1280)`` for a desktop,
    ``sized_page(390, phone=True)`` for a touch phone."""
    contexts = []

    def open_page(width: int, *, phone: bool = False):
        context = browser.new_context(
            viewport={"width": width, "height": 844 if phone else 900},
            is_mobile=phone,
            has_touch=phone,
        )
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()

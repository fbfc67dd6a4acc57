"""The browsable API documentation at /docs: drawn in a real browser by the vendored
Swagger UI under the site's own Content-Security-Policy, listing every operation."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.test_accessibility import axe_violations, described
from web import urls

# The serious or critical axe-core findings that come from Swagger UI's own markup
# (third-party, vendored unchanged), each excluded on /docs only; empty when none.
SWAGGER_UI_FINDINGS: set[str] = set()


def opened_docs(page: Page, live_server: str) -> list[str]:
    """/docs opened and drawn; what the browser complained of meanwhile."""
    complaints: list[str] = []
    page.on("console", lambda m: complaints.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: complaints.append(str(e)))
    response = page.goto(live_server + urls.docs())
    assert response is not None and response.status == 200
    expect(page.locator(".opblock").first).to_be_visible(timeout=20_000)
    return complaints


def test_the_docs_list_every_operation_under_the_sites_own_policy(page: Page, live_server: str):
    complaints = opened_docs(page, live_server)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    for path in (
        "/api/v1/changes",
        "/api/v1/events.jsonl",
        "/api/v1/events.csv",
        "/api/v1/timeline",
    ):
        assert any(p.replace("\u200b", "") == path for p in paths), paths
    assert not complaints, complaints  # a refused script or style would be logged here


def test_the_docs_have_no_serious_wcag_violation_of_our_own(page: Page, live_server: str):
    opened_docs(page, live_server)
    violations = [v for v in axe_violations(page) if v["impact"] in ("serious", "critical")]
    ours = [v for v in violations if v["id"] not in SWAGGER_UI_FINDINGS]
    assert not ours, described(violations)

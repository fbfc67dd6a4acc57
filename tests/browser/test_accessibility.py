"""axe-core finds nothing serious or critical against WCAG 2.2 AA on any kind of page, on
a desktop window or a phone, nor in a list that htmx has just swapped in."""

from __future__ import annotations

import re
import warnings
from collections import Counter
from collections.abc import Callable

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.conftest import COMMITMENT, PLAN, PageType, plan_rows
from web import urls

# Every WCAG 2.x level A and AA rule that axe-core has, up to 2.2.
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = {"serious", "critical"}
AXE = Axe()


def axe_violations(page: Page, within: str | None = None) -> list[dict]:
    options = {"runOnly": {"type": "tag", "values": WCAG_22_AA}, "resultTypes": ["violations"]}
    return AXE.run(page, context=within, options=options).response["violations"]


def described(violations: list[dict]) -> str:
    counts = Counter(v["impact"] for v in violations)
    lines = [", ".join(f"{n} {impact}" for impact, n in sorted(counts.items())) or "none"]
    for v in violations:
        targets = "; ".join(" ".join(map(str, n["target"])) for n in v["nodes"][:5])
        more = f" (and {len(v['nodes']) - 5} more)" if len(v["nodes"]) > 5 else ""
        lines.append(f"- {v['impact']} {v['id']}: {v['help']} at {targets}{more} {v['helpUrl']}")
    return "\n".join(lines)


def assert_nothing_serious(page: Page, where: str, within: str | None = None) -> None:
    violations = axe_violations(page, within)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"axe on {where}: {described(violations)}"
    if violations:  # minor or moderate: reported, not failed
        warnings.warn(f"axe on {where}: {described(violations)}", stacklevel=2)


def test_no_page_type_has_a_serious_or_critical_wcag_violation(
    page: Page, live_server: str, page_type: PageType
):
    response = page.goto(live_server + page_type.path)
    assert response is not None and response.status == page_type.status
    assert_nothing_serious(page, f"the {page_type.name} page ({page_type.path})")


def test_the_commitment_page_on_a_phone_has_no_serious_or_critical_wcag_violation(
    sized_page: Callable[..., Page], live_server: str
):
    page = sized_page(390, phone=True)
    page.goto(live_server + urls.commitment(PLAN, COMMITMENT))
    assert_nothing_serious(page, "the commitment page, 390 pixels wide")


def test_a_list_filtered_by_htmx_has_no_serious_or_critical_wcag_violation(
    page: Page, live_server: str
):
    rows = plan_rows(live_server)
    overdue = sum(r["days_overdue"] > 0 for r in rows)
    page.goto(live_server + urls.plan(PLAN))
    page.get_by_label("Status", exact=True).select_option("overdue")
    page.get_by_role("button", name="Show commitments").click()
    expect(page.locator("#result-count")).to_have_text(
        re.compile(rf"^{overdue} of {len(rows)} commitments match")
    )
    swapped = "#glance, #result-count, #results"  # what htmx replaced
    assert_nothing_serious(page, "the plan page after filtering with htmx", swapped)

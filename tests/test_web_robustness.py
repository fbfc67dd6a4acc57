"""Hostile addresses get a 4xx on every kind of route, on every store: never a 5xx."""

from __future__ import annotations

import pytest

PLAN = "london-policing-action-plan-2020"
HOSTILE = ["a%00b", "%2e%2e", "A" * 300, "%F0%9F%92%A5", "x'%20OR%201=1--"]


@pytest.mark.parametrize(
    "template",
    [
        "/plans/{x}",
        f"/plans/{PLAN}/commitments/{{x}}",
        "/plans/{x}/feed.rss",
        f"/plans/{PLAN}/commitments/{{x}}/feed.atom",
        "/api/v1/plans/{x}",
        f"/api/v1/plans/{PLAN}/commitments/{{x}}",
    ],
)
def test_an_address_that_cannot_be_a_slug_is_not_found(site, template):
    for bad in HOSTILE:
        response = site.get(template.format(x=bad))
        assert response.status_code == 404, (template, bad, response.status_code)


@pytest.mark.parametrize("query", ["q=a%00b", "theme=%00", "as_of=2021-02-30", "as_of=soon"])
def test_bad_filters_and_dates_are_refused_not_crashed_on(site, query):
    for path in (f"/plans/{PLAN}", f"/api/v1/plans/{PLAN}/commitments"):
        response = site.get(f"{path}?{query}")
        assert 400 <= response.status_code < 500, (path, query, response.status_code)


def test_a_broken_link_gets_a_page_for_people_and_json_for_machines(memory_site):
    page = memory_site.get("/no/such/page", headers={"accept": "text/html"})
    api = memory_site.get("/api/v1/no/such/route", headers={"accept": "text/html"})
    assert page.status_code == api.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "There is no page at this address." in page.text
    assert api.json() == {"detail": "Not Found"}

"""The search page and API, on every store: what a journalist types finds the event,
its words marked; text from the record is never markup; nothing typed is a 500."""

from __future__ import annotations

import re

import pytest

from tracker.application import RecordEvent, parse_event
from web import urls

PLAN = "london-policing-action-plan-2020"
BWV = "body-worn-video-research"
HOSTILE = ['"', "NEAR(", "*", "-", "stud*", "ünïcödé 北京 🚓", "x" * 2000, "a\x00b", "", "%"]


def note(site, text):
    services = site.app.state.services
    sources = services.tracker.plan(PLAN).sources
    fields = {"type": "progress_reported", "date": "2024", "note": text}
    fields["source"] = "ldrs-haringey-community-press-2023-11-18"
    services.tracker.execute([RecordEvent(PLAN, BWV, parse_event(fields, sources))], "test")
    services.projector.catch_up()


def test_the_search_page_lists_hits_best_first_with_their_words_marked(site):
    response = site.get(urls.search("body-worn video"))
    assert response.status_code == 200
    html = response.text
    first = html.index('class="search-hit__matched"')
    assert "Commitment title" in html[first : first + 80]
    assert "<mark>video</mark>" in html
    assert f'href="{urls.commitment(PLAN, BWV)}"' in html
    assert f'href="{urls.event(PLAN, BWV, 4)}"' in site.get(urls.search("incapacitant")).text


def test_every_page_has_a_search_form_that_works_without_javascript(site):
    html = site.get(urls.home()).text
    form = re.search(r'<form class="site-search"[^>]*>', html).group(0)
    assert f'action="{urls.search()}"' in form and 'method="get"' in form
    assert site.get(urls.search()).status_code == 200  # the empty form


def test_a_script_in_a_note_is_shown_as_text_never_run(site):
    note(site, "<script>alert('x')</script> marmalade <b>bold</b>")
    html = site.get(urls.search("marmalade")).text
    assert "<mark>marmalade</mark>" in html
    assert "<script>alert" not in html and "<b>bold" not in html
    [item] = site.get(urls.api_search(q="marmalade")).json()["items"]
    start, end = item["marks"][0]
    assert item["text"][start:end] == "marmalade"


def test_htmx_gets_only_the_results_block_and_every_answer_varies_on_it(site):
    whole = site.get(urls.search("coders"))
    part = site.get(urls.search("coders"), headers={"HX-Request": "true"})
    assert "HX-Request" in whole.headers["vary"] and "HX-Request" in part.headers["vary"]
    assert "<html" not in part.text and "<mark>coders</mark>" in part.text
    assert 'hx-swap-oob="innerHTML:#search-count"' in part.text
    form = re.search(r'<form class="search-form"[^>]*>', whole.text).group(0)
    assert re.search(r'hx-get="([^"]*)"', form).group(1) == urls.search()
    assert f'action="{urls.search()}"' in form and 'hx-push-url="true"' in form


def test_the_api_pages_hits_as_other_lists_do(site):
    answer = site.get(urls.api_search(q="study", per_page=2)).json()
    assert answer["total"] > 2 and len(answer["items"]) == 2 and answer["pages"] > 1
    assert answer["links"]["next"] == urls.api_search(q="study", page=2, per_page=2)
    assert answer["links"]["prev"] is None
    second = site.get(answer["links"]["next"]).json()
    seen = {(i["links"]["html"], i["matched"]) for i in answer["items"]}
    assert not {(i["links"]["html"], i["matched"]) for i in second["items"]} & seen


@pytest.mark.parametrize("typed", ["", "x" * 201, "***"])
def test_the_api_refuses_an_empty_overlong_or_wordless_query_naming_q(site, typed):
    response = site.get("/api/v1/search", params={"q": typed})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "q"


def test_the_page_says_what_to_change_about_a_query_it_cannot_read(site):
    response = site.get(urls.search("x" * 300))
    assert response.status_code == 422
    assert "the limit is 200" in response.text and 'id="search-q"' in response.text


@pytest.mark.parametrize("typed", HOSTILE)
def test_nothing_typed_makes_a_server_error(site, typed):
    for path in ("/search", "/api/v1/search"):
        response = site.get(path, params={"q": typed})
        assert response.status_code in (200, 422), (path, typed)

"""The "Sources" sections: each commitment's page lists every document its events cite,
and each plan's page every document the plan rests on, once each, with who published
it, when, and a link only where one is known. The API gives the same lists."""

from __future__ import annotations

import html

from tests.test_web_pages import BWV, HOSTILE_NOTE, HOSTILE_TITLE, PLAN, SOURCE, Tags, record
from web import urls
from web.presenters.wording import SOURCE_KINDS
from web.rendering import templates
from web.sourcelists import commitment_sources, plan_sources, source_line

PRESS_RELEASE = "Mayor's Action Plan focuses on disproportionality of police powers"
LDRS = "Lib Dem candidate slams Mayor of London on stop and search"
SUN = 'Report on Dawn Butler MP accusing the Met of "stereotyping" (headline unknown)'
ONLY_HERE = {
    "publisher": "Test Borough Gazette",
    "title": "A report cited by one commitment only",
    "published_on": "2024-02",
    "author": "A. Reporter",
}


def sources_of(page: str) -> list[str]:
    """Each item of a page's Sources list, as text with its markup."""
    section = page.split('aria-labelledby="sources-heading"', 1)[1].split("</section>", 1)[0]
    return section.split('<li class="source-item">')[1:]


def test_a_commitment_lists_each_source_its_events_cite_once_oldest_first(memory_site):
    items = sources_of(memory_site.get(urls.commitment(PLAN, BWV)).text)
    assert len(items) == 2
    first, second = (html.unescape(item) for item in items)
    assert PRESS_RELEASE in first and "13 November 2020" in first
    assert LDRS in second and "Noah Vickers" in second and "18 November 2023" in second


def test_a_source_cited_by_several_events_links_to_each_of_them(memory_site):
    ldrs = sources_of(memory_site.get(urls.commitment(PLAN, BWV)).text)[1]
    cited = [a["href"] for a in Tags(ldrs).all("a") if a["href"].startswith("#event-")]
    assert cited == [f"#event-{n}" for n in range(2, 10)]


def test_a_source_title_links_to_its_url_and_one_without_says_no_link_is_known(memory_site):
    items = sources_of(memory_site.get(urls.plan(PLAN)).text)
    sun = next(item for item in items if html.unescape(SUN) in html.unescape(item))
    assert "(no link known)" in sun and not Tags(sun).all("a")
    release = next(item for item in items if PRESS_RELEASE in html.unescape(item))
    assert [a["href"] for a in Tags(release).all("a")] == [
        "https://www.london.gov.uk/press-releases/mayoral/stop-and-search-to-be-better-scrutinised"
    ]


def test_a_plan_lists_its_registered_sources_and_those_only_its_commitments_cite(site):
    record(site, BWV, type="progress_reported", date="2024-02", note="Seen.", source=ONLY_HERE)
    plan_page = [html.unescape(i) for i in sources_of(site.get(urls.plan(PLAN)).text)]
    assert len(plan_page) == 5
    assert any(PRESS_RELEASE in item for item in plan_page)
    assert any(SUN in item for item in plan_page)  # registered, cited only by the plan
    gazette = [item for item in plan_page if ONLY_HERE["title"] in item]
    assert len(gazette) == 1 and "February 2024" in gazette[0] and "A. Reporter" in gazette[0]
    commitment = sources_of(site.get(urls.commitment(PLAN, BWV)).text)
    assert any(ONLY_HERE["title"] in item for item in commitment)


def test_a_document_cited_again_is_still_listed_once(site):
    for month in ("2024-02", "2024-03"):
        record(site, BWV, type="progress_reported", date=month, note="On.", source=ONLY_HERE)
    commitment = sources_of(site.get(urls.commitment(PLAN, BWV)).text)
    assert sum(ONLY_HERE["title"] in item for item in commitment) == 1
    assert (
        sum(ONLY_HERE["title"] in item for item in sources_of(site.get(urls.plan(PLAN)).text)) == 1
    )


def test_the_trackers_own_deadline_checks_are_not_listed_as_sources(memory_site):
    services = memory_site.app.state.services
    services.tracker.tick(services.today())
    services.projector.catch_up()
    page = memory_site.get(urls.commitment(PLAN, "community-progress-reviews")).text
    assert "Deadline missed" in page
    assert not any("Action Plan Tracker" in item for item in sources_of(page))


def test_hostile_text_in_a_source_is_escaped_in_the_sources_list(memory_site):
    hostile = {**SOURCE, "title": HOSTILE_TITLE, "publisher": HOSTILE_NOTE}
    record(memory_site, BWV, type="progress_reported", date="2024-02", note="On.", source=hostile)
    for path in (urls.commitment(PLAN, BWV), urls.plan(PLAN)):
        listed = "".join(sources_of(memory_site.get(path).text))
        assert "<script>" not in listed and "<img" not in listed
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listed


def test_a_source_with_a_kind_and_a_note_shows_both_and_one_without_shows_neither():
    section = templates.env.get_template("_sources.html").module.sources_section
    described = {**SOURCE, "kind": "official", "note": "The <b>press office</b> of the body."}
    page = str(section([source_line(described), source_line(SOURCE)], "Intro.", "None."))
    with_kind, without = sources_of(page)
    assert f"Who is speaking: {html.escape(SOURCE_KINDS['official'].label)}." in with_kind
    assert "The &lt;b&gt;press office&lt;/b&gt; of the body." in with_kind
    assert "Who is speaking" not in without and "source-item__note" not in without


def test_an_unknown_kind_is_shown_as_written_rather_than_dropped():
    assert source_line({**SOURCE, "kind": "ombudsman"}).kind_label == "ombudsman"
    assert source_line(SOURCE).kind_label is None


def test_sources_without_kind_or_note_attributes_are_read_all_the_same(memory_site):
    services = memory_site.app.state.services
    detail = services.read.commitment(PLAN, BWV, services.today())
    lines = commitment_sources(detail.items)
    assert [line.kind for line in lines] == [None, None]
    assert [line.note for line in lines] == [None, None]


def test_the_same_document_registered_and_cited_is_listed_once():
    assert len(plan_sources({"report": dict(SOURCE)}, [dict(SOURCE), dict(SOURCE)])) == 1


def test_a_page_with_no_sources_says_so():
    section = templates.env.get_template("_sources.html").module.sources_section
    page = str(section([], "Intro.", "No source has been cited yet."))
    assert "No source has been cited yet." in page and "source-list" not in page


# The API's twins


def test_the_commitment_api_gives_its_sources_once_each(memory_site):
    answer = memory_site.get(urls.api_commitment(PLAN, BWV)).json()
    assert [s["title"] for s in answer["sources"]] == [PRESS_RELEASE, LDRS]
    assert answer["sources"][1]["author"] == "Noah Vickers"
    assert answer["sources"][1]["published_on"] == "2023-11-18"
    assert len(answer["events"]) == 9  # the events are still all there


def test_the_plan_api_keeps_its_registered_sources_and_adds_all_its_sources(site):
    before = site.get(urls.api_plan(PLAN)).json()
    record(site, BWV, type="progress_reported", date="2024-02", note="Seen.", source=ONLY_HERE)
    after = site.get(urls.api_plan(PLAN)).json()
    assert after["sources"] == before["sources"]  # keyed, registered: unchanged
    assert len(before["all_sources"]) == len(before["sources"]) == 4
    titles = [s["title"] for s in after["all_sources"]]
    assert len(titles) == 5 and titles[-1] == ONLY_HERE["title"]
    assert after["all_sources"][-1]["published_on"] == "2024-02"

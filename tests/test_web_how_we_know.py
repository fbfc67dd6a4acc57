"""The "How we know" page: how the record is kept, in plain words, filled in from the
rules themselves (the statuses' labels, the staleness limit, the closed statuses, the
source kinds), so that what it says cannot drift from what the tracker does."""

from __future__ import annotations

import html

import pytest

from tests.test_web_pages import PAGES, Tags, between
from tracker.domain.entries import CLOSED_STATUSES
from tracker.domain.figures import STALE_AFTER_DAYS
from web import urls
from web.presenters import wording as pages
from web.presenters.wording import SOURCE_KINDS, STATUS_MEANINGS


@pytest.fixture
def page(memory_site) -> str:
    answer = memory_site.get(urls.how_we_know())
    assert answer.status_code == 200
    return html.unescape(answer.text)


def section(page: str, part: str) -> str:
    """The text of one section of the page, from its heading to the next section."""
    return between(page, f'id="{part}"', "</section>")


@pytest.mark.parametrize("path", PAGES)
def test_every_page_links_to_how_we_know_from_its_footer(memory_site, path):
    footer = memory_site.get(path).text.split('class="site-footer"')[1]
    assert Tags(footer).all("a", href=urls.how_we_know())


def test_the_error_page_links_to_how_we_know_too(memory_site):
    answer = memory_site.get(urls.plan("no-such-plan"))
    assert answer.status_code == 404
    assert Tags(answer.text).all("a", href=urls.how_we_know())


def test_every_status_the_site_shows_is_listed_with_its_label_and_meaning(page):
    statuses = section(page, "statuses")
    for name, label in pages.STATUS_LABELS.items():
        assert label in statuses, name
        assert STATUS_MEANINGS[name] in statuses, name


def test_a_status_added_to_the_labels_appears_on_the_page(memory_site, monkeypatch):
    labels = {**pages.STATUS_LABELS, "transferred": "Transferred to another plan"}
    monkeypatch.setattr(pages, "STATUS_LABELS", labels)
    text = html.unescape(memory_site.get(urls.how_we_know()).text)
    assert "Transferred to another plan" in section(text, "statuses")
    assert STATUS_MEANINGS["transferred"] in section(text, "statuses")


def test_the_statuses_that_close_a_commitment_are_named_from_the_rule(page):
    statuses = section(page, "statuses")
    closed = [pages.STATUS_LABELS[s] for s in pages.STATUS_LABELS if s in CLOSED_STATUSES]
    sentence = next(p for p in statuses.split("<p>") if "never overdue and never stale" in p)
    assert closed and all(label in sentence for label in closed)
    open_labels = [label for s, label in pages.STATUS_LABELS.items() if s not in CLOSED_STATUSES]
    assert not any(label in sentence for label in open_labels)


def test_staleness_is_stated_with_the_limit_the_figures_use(page):
    assert f"more than {STALE_AFTER_DAYS} days" in section(page, "stale")


def test_the_staleness_limit_on_the_page_follows_the_constant(memory_site, monkeypatch):
    monkeypatch.setattr(pages, "STALE_AFTER_DAYS", 97)
    text = memory_site.get(urls.how_we_know()).text
    assert "more than 97 days" in section(text, "stale")


def test_every_kind_of_source_is_explained_in_the_one_wording(page):
    speakers = section(page, "speakers")
    for kind in SOURCE_KINDS.values():
        assert kind.label in speakers
        assert kind.meaning[1:] in speakers  # its first letter is capitalised on the page


def test_the_page_explains_each_rule_a_reader_needs(page):
    assert "(“November 2022”)" in section(page, "dates")
    assert "never as the first of that month" in section(page, "dates")
    assert "falls due at the end of that month or year" in section(page, "dates")
    assert "not the date a later source mentioned it" in section(page, "statuses")
    assert "never counted as overdue or stale" in section(page, "transfers")
    assert "the day after the deadline" in section(page, "missed")
    assert "no longer counts in any figure" in section(page, "corrections")


def test_the_page_links_to_the_log_and_its_contents_to_each_section(memory_site):
    tags = Tags(memory_site.get(urls.how_we_know()).text)
    assert tags.all("a", href=urls.log())
    for link in (a["href"] for a in tags.all("a") if (a.get("href") or "").startswith("#")):
        if link != "#main":
            assert tags.all("h2", id=link[1:]), link


def test_the_site_explains_exactly_the_kinds_of_source_the_contract_names():
    contract = ("official", "oversight", "parliament", "press", "independent", "foi")
    assert tuple(SOURCE_KINDS) == contract

"""Text that could reorder what a reader sees stays inside its own piece of the page.

A U+202E RIGHT-TO-LEFT OVERRIDE in a source's title would, left alone, run on into the
date and the words after it and make a citation read as another. Pages isolate user text
with ``<bdi>`` (or ``dir="auto"`` on a block of its own); feed bodies with
``<span dir="auto">`` and the isolating characters; plain-text titles with U+2068 FIRST
STRONG ISOLATE ... U+2069 POP DIRECTIONAL ISOLATE.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tracker.application import AnnounceCommitment, RecordEvent, parse_event
from web import bidi, urls

PLAN = "london-policing-action-plan-2020"
COMMITMENT = "body-worn-video-research"
RLO = "\u202e"
SPOOFED_TITLE = f"Report{RLO}fdp.exe"
SOURCE = {"publisher": f"Gazette{RLO}", "title": SPOOFED_TITLE, "published_on": "2024-01-05"}
FSI, PDI = "\u2068", "\u2069"
ATOM = "{http://www.w3.org/2005/Atom}"


def record(site, commitment: str | None, **event) -> None:
    services = site.app.state.services
    spec = parse_event({"source": SOURCE, **event}, {})
    services.tracker.execute([RecordEvent(PLAN, commitment, spec)], f"editor{RLO} (test)")
    services.projector.catch_up()


@pytest.fixture
def spoofed(memory_site):
    """A progress report citing a source whose title holds a right-to-left override."""
    record(memory_site, COMMITMENT, type="progress_reported", date="2024-02", note=f"Done{RLO}")
    return memory_site


def test_a_source_title_with_an_override_is_isolated_on_the_commitment_page(spoofed):
    html = spoofed.get(urls.commitment(PLAN, COMMITMENT)).text

    assert f"‘<bdi>{SPOOFED_TITLE}</bdi>’" in html
    assert f"<bdi>Gazette{RLO}</bdi>" in html
    assert f"by <bdi>editor{RLO} (test)</bdi>" in html
    assert f'<p class="note" dir="auto">Done{RLO}</p>' in html


def test_the_timeline_isolates_the_source_title_too(spoofed):
    html = spoofed.get(urls.timeline()).text

    assert f"‘<bdi>{SPOOFED_TITLE}</bdi>’" in html


def rss_bodies(xml: str) -> list[str]:
    return [item.findtext("description") or "" for item in ET.fromstring(xml).iter("item")]


def atom_bodies(xml: str) -> list[str]:
    return [
        entry.findtext(f"{ATOM}content") or "" for entry in ET.fromstring(xml).iter(f"{ATOM}entry")
    ]


@pytest.mark.parametrize("kind, bodies", [("rss", rss_bodies), ("atom", atom_bodies)])
def test_a_source_title_with_an_override_is_isolated_in_both_feeds(spoofed, kind, bodies):
    xml = spoofed.get(f"/plans/{PLAN}/commitments/{COMMITMENT}/feed.{kind}").text

    body = next(b for b in bodies(xml) if SPOOFED_TITLE in b)

    assert f'“<span dir="auto">{FSI}{SPOOFED_TITLE}{PDI}</span>”' in body
    assert f'<span dir="auto">{FSI}Gazette{RLO}{PDI}</span>' in body
    assert f'<p dir="auto">{FSI}Done{RLO}{PDI}</p>' in body


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_a_commitment_title_with_an_override_is_isolated_in_page_and_item_titles(memory_site, kind):
    spec = parse_event(
        {"type": "announced", "date": "2024-01", "summary": "s", "source": SOURCE}, {}
    )
    services = memory_site.app.state.services
    title = f"Cameras{RLO} for all"
    services.tracker.execute([AnnounceCommitment(PLAN, "spoof", title, spec)], "editor (test)")
    services.projector.catch_up()

    page = memory_site.get(urls.commitment(PLAN, "spoof")).text
    feed = memory_site.get(f"/plans/{PLAN}/feed.{kind}").text

    assert f"<title>{FSI}{title}{PDI} – " in page
    assert f'<h1 dir="auto">{title}</h1>' in page
    assert f"‘{FSI}{title}{PDI}’, status as of" in page  # the ready citation
    assert f"{FSI}{title}{PDI}: announced" in feed


def test_everyday_text_is_left_exactly_as_it_is():
    assert bidi.isolated("Mayor’s Action Plan – 2020") == "Mayor’s Action Plan – 2020"


@pytest.mark.parametrize(
    "text", [f"a{RLO}b", "\u2066x", "mark\u200e", "mark\u200f", "עברית", "العربية"]
)
def test_text_with_a_control_mark_or_right_to_left_letters_is_isolated(text):
    assert bidi.isolated(text) == f"{FSI}{text}{PDI}"

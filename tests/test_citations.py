"""Citations that do not change (contract section 6): the "cite this" text and link pin
a position of the log and its head; the downloads (BibTeX, RIS, CSL-JSON) parse with
the tools reference managers use and carry the pinned link; Zotero's meta tags are
on the page."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import bibtexparser
import jsonschema
import pytest
import rispy

from tests.test_as_recorded import COMMITMENT, head, later_news_and_a_correction, pinned_link
from tests.test_web_pages import BWV, PLAN, Tags
from web import urls

CSL_SCHEMA = json.loads(
    (Path(__file__).parent / "fixtures" / "schemas" / "csl-data-minimal.json").read_text()
)
TITLE = "Academic research into stop and search using body worn video footage"


def download(site, kind: str, **query) -> str:
    answer = site.get(urls.commitment_citation(PLAN, BWV, kind, **query))
    assert answer.status_code == 200, answer.text
    return answer.text


def test_cite_this_pins_the_record_number_and_the_head(site):
    h = head(site)
    html = site.get(COMMITMENT).text
    assert pinned_link(html) == (
        urls.commitment_pinned(PLAN, BWV, date.today().isoformat(), h.events)
    )
    assert f"(record {h.events:,}, head {h.hash[:12]}…)" in html
    assert f"sha256:{h.hash}" in html
    assert 'id="cite"' in html and f"as_recorded={h.events}#cite" in html


@pytest.mark.parametrize("kind", ["bib", "ris", "json"])
def test_every_download_of_todays_page_is_pinned_to_the_head(site, kind):
    h = head(site)
    text = download(site, kind)
    assert f"as_recorded={h.events}#cite" in text and h.hash in text


def test_the_bibtex_download_parses_and_carries_the_pinned_link(site):
    pinned = head(site).events
    later_news_and_a_correction(site)
    library = bibtexparser.parse_string(download(site, "bib", as_recorded=pinned))
    assert not library.failed_blocks
    (entry,) = library.entries
    fields = {f.key: f.value for f in entry.fields}
    assert entry.entry_type == "misc"
    assert fields["title"] == "{" + TITLE + "}"
    assert fields["publisher"] == "Action Plan Tracker"
    assert f"as_recorded={pinned}#cite" in fields["url"]
    assert f"Record {pinned} of the tracker's log, head sha256:" in fields["note"]
    assert fields["urldate"] == date.today().isoformat()


def test_the_ris_download_parses_and_carries_the_pinned_link(site):
    pinned = head(site).events
    later_news_and_a_correction(site)
    (entry,) = rispy.loads(download(site, "ris", as_recorded=pinned))
    assert entry["type_of_reference"] == "ELEC"
    assert entry["title"] == TITLE and entry["publisher"] == "Action Plan Tracker"
    assert f"as_recorded={pinned}#cite" in entry["urls"][0]
    assert f"Record {pinned} of the tracker's log" in entry["notes"][0]
    assert entry["access_date"] == date.today().strftime("%Y/%m/%d")


def test_the_csl_json_download_follows_the_csl_data_schema(site):
    pinned = head(site).events
    later_news_and_a_correction(site)
    items = json.loads(download(site, "json", as_recorded=pinned))
    jsonschema.validate(items, CSL_SCHEMA)
    (item,) = items
    assert item["title"] == TITLE and f"as_recorded={pinned}#cite" in item["URL"]
    today = date.today()
    assert item["accessed"] == {"date-parts": [[today.year, today.month, today.day]]}
    assert "paused" in item["note"]  # the status as recorded then, not today's


def test_a_title_with_tex_specials_stays_one_bibtex_field(memory_site):
    from web.presenters import citations

    cited = citations.Citation(
        "k",
        "50% of {stops} & #1_~^\\",
        "status",
        date(2024, 5, 1),
        date(2024, 5, 2),
        "https://x/",
        1,
        "0" * 64,
    )
    (entry,) = bibtexparser.parse_string(citations.bibtex(cited)).entries
    assert entry.fields_dict["url"].value == "https://x/"


def test_the_page_has_the_meta_tags_zotero_reads(site):
    h = head(site)
    tags = {
        t["name"]: t["content"] for t in Tags(site.get(COMMITMENT).text).all("meta") if "name" in t
    }
    assert tags["citation_title"] == TITLE
    assert tags["citation_publisher"] == "Action Plan Tracker"
    assert tags["citation_date"] == tags["citation_publication_date"]
    assert f"as_recorded={h.events}#cite" in tags["citation_public_url"]
    assert tags["citation_abstract_html_url"] == tags["citation_public_url"]


def test_an_unknown_citation_format_or_commitment_is_a_404(site):
    assert site.get(f"{COMMITMENT}/cite.docx").status_code == 404
    missing = f"/plans/{PLAN}/commitments/no-such-thing/cite.bib"
    assert site.get(missing).status_code == 404

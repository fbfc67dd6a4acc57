"""The curated record in ``events/`` keeps to its editorial rules: every source is cited
and complete, no event is dated after the document that reports it, every status is
quoted, no document is listed twice, and every kind of source is one the site explains.

The first half runs each check over the real data, plan by plan; each failure lists
every offender with its file and entry. The second half proves each check on small
plans written here: a good one passes, and each kind of fault is caught, every time
it occurs.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.recordchecks import (
    CHECKS,
    PlanRecord,
    duplicate_sources,
    events_dated_after_their_source,
    incomplete_sources,
    normalised_url,
    read_plan,
    uncited_sources,
    unknown_citations,
    unknown_kinds,
    unquoted_statuses,
)

ROOT = Path(__file__).resolve().parent.parent
PLAN_FOLDERS = sorted(p.parent for p in (ROOT / "events").glob("*/plan.yaml"))

# Checks that today's data fails, while its curators fix the data (never the check).
# strict: once the data is fixed the mark must go, or the run fails.
CURATING: dict[tuple[str, str], str] = {}


def _cases() -> list:
    cases = []
    for folder in PLAN_FOLDERS:
        for check in CHECKS:
            reason = CURATING.get((check.__name__, folder.name))
            marks = (
                [pytest.mark.xfail(strict=True, raises=AssertionError, reason=reason)]
                if reason
                else []
            )
            cases.append(
                pytest.param(check, folder, marks=marks, id=f"{folder.name}-{check.__name__}")
            )
    return cases


def test_there_is_a_plan_to_check():
    assert PLAN_FOLDERS, "no plan folders under events/"


@pytest.mark.parametrize(("check", "folder"), _cases())
def test_the_record_keeps_to_its_editorial_rules(check, folder):
    offenders = check(read_plan(folder, ROOT))
    assert not offenders, f"{check.__doc__.splitlines()[0]}\n" + "\n".join(offenders)


def test_every_mark_of_data_being_curated_names_a_real_check_and_plan():
    names = {check.__name__ for check in CHECKS}
    plans = {folder.name for folder in PLAN_FOLDERS}
    assert all(check in names and plan in plans for check, plan in CURATING)


# The checks themselves, on small plans written here


GOOD_PLAN = """
    plan: test-plan
    title: A plan for the checks
    publisher: Test Council
    published_on: 2023
    sources:
      council-report:
        publisher: Test Council
        title: Annual report
        published_on: 2023
        url: https://example.org/report
        kind: official
      gazette:
        publisher: Test Gazette
        title: Council pauses the scheme
        published_on: 2024-02
        note: Printed edition only; no web address is known.
        kind: press
    events:
      - type: progress_reported
        date: 2023-11
        source: council-report
        note: The council reported progress.
"""
GOOD_COMMITMENT = """
    commitment: the-scheme
    title: The scheme
    events:
      - type: announced
        date: 2023-06-01
        source: council-report
        summary: Run the scheme.
      - type: status_changed
        date: 2024-02
        status: paused
        source: gazette
        quote: "The scheme is paused."
"""


def plan_of(tmp_path: Path, plan: str = GOOD_PLAN, **commitments: str) -> PlanRecord:
    """A plan folder written from YAML text, read back as the checks read ``events/``."""
    folder = tmp_path / "events" / "test-plan"
    folder.mkdir(parents=True)
    (folder / "plan.yaml").write_text(textwrap.dedent(plan), encoding="utf-8")
    for slug, text in (commitments or {"the-scheme": GOOD_COMMITMENT}).items():
        (folder / f"{slug}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return read_plan(folder, tmp_path)


def changed(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new)


@pytest.mark.parametrize("check", CHECKS, ids=[c.__name__ for c in CHECKS])
def test_a_good_plan_passes_every_check(tmp_path, check):
    assert check(plan_of(tmp_path)) == []


def test_dates_are_read_as_written_not_as_numbers_or_days(tmp_path):
    plan = plan_of(tmp_path)
    assert plan.sources["council-report"]["published_on"] == "2023"
    assert plan.events[0].raw["date"] == "2023-11"


def test_a_source_no_event_cites_is_caught(tmp_path):
    plan = changed(GOOD_PLAN, "    events:", "      unused:\n" + UNUSED + "    events:")
    assert uncited_sources(plan_of(tmp_path, plan)) == [
        "events/test-plan/plan.yaml: source 'unused': cited by no event"
    ]


UNUSED = """\
        publisher: Nobody
        title: Never cited
        published_on: 2022
        url: https://example.org/never
"""


def test_every_citation_of_an_unlisted_source_is_caught(tmp_path):
    commitment = GOOD_COMMITMENT.replace("source: gazette", "source: no-such-source")
    commitment = commitment.replace("source: council-report", "source: another-missing")
    assert unknown_citations(plan_of(tmp_path, GOOD_PLAN, the_scheme=commitment)) == [
        "events/test-plan/the_scheme.yaml: event 1 (announced, 2023-06-01): cites"
        " 'another-missing', which events/test-plan/plan.yaml does not list",
        "events/test-plan/the_scheme.yaml: event 2 (status_changed, 2024-02): cites"
        " 'no-such-source', which events/test-plan/plan.yaml does not list",
    ]


def test_every_missing_field_of_every_source_is_caught(tmp_path):
    plan = changed(GOOD_PLAN, "        title: Annual report\n", "")
    plan = changed(plan, "        publisher: Test Gazette\n", "")
    plan = changed(plan, "        note: Printed edition only; no web address is known.\n", "")
    assert incomplete_sources(plan_of(tmp_path, plan)) == [
        "events/test-plan/plan.yaml: source 'council-report': no title",
        "events/test-plan/plan.yaml: source 'gazette': no publisher",
        "events/test-plan/plan.yaml: source 'gazette': no URL and no note saying why none is known",
    ]


def test_a_source_at_a_plain_http_address_is_caught(tmp_path):
    plan = changed(GOOD_PLAN, "url: https://example.org/report", "url: http://example.org/report")
    assert incomplete_sources(plan_of(tmp_path, plan)) == [
        "events/test-plan/plan.yaml: source 'council-report': URL"
        " 'http://example.org/report' is not https:// and no note says why"
    ]


def test_a_source_at_a_plain_http_address_passes_with_a_note_saying_why(tmp_path):
    plan = changed(
        GOOD_PLAN,
        "url: https://example.org/report",
        "url: http://example.org/report\n        note: Read at this http address only.",
    )
    assert incomplete_sources(plan_of(tmp_path, plan)) == []


@pytest.mark.parametrize(
    ("event_date", "published_on", "after"),
    [
        ("2024-02-29", "2024-02", False),  # within the month its source was published
        ("2024-02", "2024-02-01", False),  # the month starts on the source's day
        ("2024-03", "2024-02", True),
        ("2024-02-02", "2024-02-01", True),
        ("2023-12-31", "2023", False),
        ("2024", "2023-12-31", True),
    ],
)
def test_an_event_dated_after_its_source_is_caught_at_each_dates_precision(
    tmp_path, event_date, published_on, after
):
    plan = changed(GOOD_PLAN, "published_on: 2024-02", f"published_on: {published_on}")
    commitment = changed(GOOD_COMMITMENT, "date: 2024-02\n", f"date: {event_date}\n")
    offenders = events_dated_after_their_source(plan_of(tmp_path, plan, the_scheme=commitment))
    expected = [
        f"events/test-plan/the_scheme.yaml: event 2 (status_changed, {event_date}): dated"
        f" after its source 'gazette' was published ({published_on})"
    ]
    assert offenders == (expected if after else [])


def test_every_event_dated_after_its_source_is_caught_in_every_file(tmp_path):
    plan = changed(GOOD_PLAN, "date: 2023-11", "date: 2024-01")
    commitment = changed(GOOD_COMMITMENT, "date: 2023-06-01", "date: 2024-06-01")
    offenders = events_dated_after_their_source(plan_of(tmp_path, plan, the_scheme=commitment))
    assert [line.split(":")[0] for line in offenders] == [
        "events/test-plan/plan.yaml",
        "events/test-plan/the_scheme.yaml",
    ]


def test_every_status_or_transfer_without_a_quote_is_caught(tmp_path):
    commitment = changed(GOOD_COMMITMENT, '        quote: "The scheme is paused."\n', "")
    commitment += textwrap.indent(
        textwrap.dedent("""\
            - type: transferred
              date: 2024-02
              to_title: The next plan
              source: gazette
              quote: "  "
        """),
        "      ",  # as GOOD_COMMITMENT's own events are indented
    )
    assert unquoted_statuses(plan_of(tmp_path, GOOD_PLAN, the_scheme=commitment)) == [
        "events/test-plan/the_scheme.yaml: event 2 (status_changed, 2024-02): no quote",
        "events/test-plan/the_scheme.yaml: event 3 (transferred, 2024-02): no quote",
    ]


def test_one_document_listed_twice_is_caught_by_its_address(tmp_path):
    twin = "      twin:\n" + UNUSED.replace(
        "https://example.org/never", "http://EXAMPLE.org/report/"
    )
    plan = changed(GOOD_PLAN, "    events:", twin + "    events:")
    assert duplicate_sources(plan_of(tmp_path, plan)) == [
        "events/test-plan/plan.yaml: source 'twin': the same URL as source 'council-report'"
    ]


def test_one_document_listed_twice_is_caught_by_its_publisher_title_and_date(tmp_path):
    twin = "      twin:\n" + textwrap.indent(
        "publisher: test  gazette\ntitle: Council pauses the SCHEME\npublished_on: 2024-02\n",
        "        ",
    )
    plan = changed(GOOD_PLAN, "    events:", twin + "    events:")
    assert duplicate_sources(plan_of(tmp_path, plan)) == [
        "events/test-plan/plan.yaml: source 'twin': the same publisher, title and date as"
        " source 'gazette'"
    ]


def test_addresses_are_compared_without_scheme_slash_fragment_or_tracking():
    same = normalised_url("https://example.org/a/?utm_source=x&b=2&a=1#top")
    assert same == normalised_url("http://Example.org/a?a=1&b=2")
    assert normalised_url("https://example.org/doc?id=1") != normalised_url(
        "https://example.org/doc?id=2"
    )


def test_every_kind_the_site_cannot_explain_is_caught(tmp_path):
    plan = changed(GOOD_PLAN, "kind: official", "kind: gossip")
    plan = changed(plan, "kind: press", "kind: Press")
    offenders = unknown_kinds(plan_of(tmp_path, plan))
    assert [line.split(": kind")[0] for line in offenders] == [
        "events/test-plan/plan.yaml: source 'council-report'",
        "events/test-plan/plan.yaml: source 'gazette'",
    ]
    assert "'gossip' is not one of: official, oversight" in offenders[0]

"""The rules a plan's record keeps, tested on the aggregates alone (no store, no files)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from uuid import UUID, uuid5

import pytest

from tracker.domain.commitments import Commitment
from tracker.domain.dates import PartialDate
from tracker.domain.entries import REPORTED_STATUSES, as_now_described
from tracker.domain.errors import (
    HistoryRewrittenError,
    InvalidCorrectionError,
    InvalidDateError,
    InvalidInputError,
    InvalidURLError,
    NegativeAmountError,
    NotFoundError,
    UnknownStatusError,
)
from tracker.domain.ids import catalogue_id, commitment_id, plan_id
from tracker.domain.plans import Catalogue, Plan
from tracker.domain.sources import Fact, Source

PLAN = "london-policing-action-plan-2020"
PLAN_SOURCE = Source.create(
    publisher="Mayor of London",
    title="Action Plan: Transparency, Accountability and Trust in Policing",
    published_on="2020-11-13",
    url="https://www.london.gov.uk/publications/action-plan",
)
NEWS_SOURCE = Source.create(
    publisher="BBC News",
    title="Met Police stop and search data published",
    published_on="2022-07",
    author="A. Reporter",
)


def fact(
    on: str = "2021-03-01",
    note: str | None = None,
    quote: str | None = None,
    source: Source = PLAN_SOURCE,
) -> Fact:
    return Fact.create(PartialDate.parse(on), source, "editor@example.org", note, quote)


def announce(plan: str = PLAN, slug: str = "stop-and-search-data", **overrides) -> Commitment:
    arguments = {
        "title": "Publish stop and search data",
        "summary": "The Met will publish stop and search data every month.",
        "fact": fact("2020-11-13"),
        "theme": "Stop and search",
        "owner": "Metropolitan Police Service",
        **overrides,
    }
    return Commitment.announce(plan, slug, **arguments)


def publish(slug: str = PLAN, **overrides) -> Plan:
    arguments = {
        "title": "Action Plan: Transparency, Accountability and Trust in Policing",
        "publisher": "Mayor of London",
        "published_on": PartialDate.parse("2020-11-13"),
        "url": "https://www.london.gov.uk/publications/action-plan",
        **overrides,
    }
    return Plan.publish(slug, **arguments)


def types(chronicle) -> list[str]:
    return [entry.type for entry in chronicle.entries]


# A commitment's history


def test_a_commitment_is_created_by_its_announcement_as_entry_one():
    commitment = announce()

    assert commitment.version == 1
    assert commitment.id == commitment_id(PLAN, "stop-and-search-data")
    assert (commitment.plan, commitment.slug) == (PLAN, "stop-and-search-data")
    assert commitment.title == "Publish stop and search data"
    assert commitment.theme == "Stop and search"
    assert commitment.owner == "Metropolitan Police Service"
    [announcement] = commitment.entries
    assert announcement.number == 1
    assert announcement.type == "announced"
    assert announcement.get("summary") == "The Met will publish stop and search data every month."
    assert announcement.date == PartialDate(2020, 11, 13)
    assert announcement.source == PLAN_SOURCE
    assert len(commitment.pending_events) == 1


def test_each_command_appends_the_next_numbered_entry_with_its_details():
    commitment = announce()
    commands = [
        (lambda: commitment.set_deadline(PartialDate.parse("2021-02"), fact()), "deadline_set"),
        (lambda: commitment.change_status("delayed", fact()), "status_changed"),
        (
            lambda: commitment.report_progress(fact(note="First data published")),
            "progress_reported",
        ),
        (lambda: commitment.commit_budget(Decimal("250000"), fact()), "budget_committed"),
        (lambda: commitment.set_target("officers trained", 500, "officers", fact()), "target_set"),
        (
            lambda: commitment.record_measurement("officers trained", "120", "officers", fact()),
            "measurement_recorded",
        ),
        (lambda: commitment.correct(3, fact(note="The status was never delayed")), "correction"),
        (
            lambda: commitment.record_missed_deadline(PartialDate.parse("2021-02"), fact()),
            "deadline_missed",
        ),
    ]

    for number, (command, expected_type) in enumerate(commands, start=2):
        command()
        assert commitment.entries[-1].number == number
        assert commitment.entries[-1].type == expected_type
        assert commitment.version == number

    assert [entry.number for entry in commitment.entries] == list(range(1, 10))
    details = [entry.details for entry in commitment.entries[1:]]
    assert details == [
        {"due": PartialDate(2021, 2)},
        {"status": "delayed"},
        {},
        {"amount_gbp": Decimal("250000")},
        {"metric": "officers trained", "target": Decimal("500"), "unit": "officers"},
        {"metric": "officers trained", "value": Decimal("120"), "unit": "officers"},
        {"corrects": 3},
        {"due": PartialDate(2021, 2)},
    ]
    assert len(commitment.pending_events) == 9


def test_an_entry_keeps_the_fact_it_was_recorded_with():
    commitment = announce()
    cited = fact(
        "2022-07", note="Data is now monthly", quote="“We publish monthly”", source=NEWS_SOURCE
    )

    commitment.report_progress(cited)

    entry = commitment.entries[-1]
    assert entry.fact == cited
    assert entry.date.precision == "month"
    assert entry.source.author == "A. Reporter"
    assert entry.fact.recorded_by == "editor@example.org"
    assert entry.recorded_at == commitment.pending_events[-1].timestamp


def test_a_commitment_cannot_be_announced_without_title_or_summary():
    with pytest.raises(InvalidInputError) as title_missing:
        announce(title="  ")
    with pytest.raises(InvalidInputError) as summary_missing:
        announce(summary=None)

    assert title_missing.value.field == "title"
    assert summary_missing.value.field == "summary"


def test_theme_and_owner_are_optional_and_blanks_mean_unknown():
    commitment = announce(theme=None, owner="   ")

    assert commitment.theme is None
    assert commitment.owner is None


# The rules, each with its named error


def test_an_unknown_status_is_refused_with_the_vocabulary():
    commitment = announce()

    with pytest.raises(UnknownStatusError) as refused:
        commitment.change_status("finished", fact())

    assert refused.value.field == "status"
    assert "'finished'" in str(refused.value)
    for status in REPORTED_STATUSES:
        assert status in str(refused.value)


@pytest.mark.parametrize("status", REPORTED_STATUSES)
def test_every_status_a_source_can_report_is_accepted(status):
    commitment = announce()

    commitment.change_status(status, fact())

    assert commitment.entries[-1].get("status") == status


@pytest.mark.parametrize("status", ["announced", "transferred"])
def test_a_status_that_no_source_reports_directly_is_refused_saying_why(status):
    commitment = announce()

    with pytest.raises(UnknownStatusError) as refused:
        commitment.change_status(status, fact())

    assert refused.value.field == "status"
    assert "cannot be reported" in str(refused.value) or "'transferred' event" in str(refused.value)
    assert len(commitment.entries) == 1


@pytest.mark.parametrize("status", ["Delivered", "in progress", "", None])
def test_a_status_must_be_written_exactly_as_in_the_vocabulary(status):
    with pytest.raises(UnknownStatusError):
        announce().change_status(status, fact())


def test_a_transfer_names_where_the_commitment_went():
    commitment = announce()

    commitment.transfer(" Police and Crime Plan 2022-25 ", "pcp-2022", "stop-search", fact())

    assert commitment.entries[-1].type == "transferred"
    assert commitment.entries[-1].details == {
        "to_title": "Police and Crime Plan 2022-25",
        "to_plan": "pcp-2022",
        "to_commitment": "stop-search",
    }


def test_a_transfer_needs_the_title_its_source_gives_the_receiving_plan():
    commitment = announce()

    with pytest.raises(InvalidInputError) as refused:
        commitment.transfer("  ", None, None, fact())

    assert refused.value.field == "to_title"
    assert len(commitment.entries) == 1


def test_a_transfer_to_a_commitment_names_its_plan_too():
    with pytest.raises(InvalidInputError) as refused:
        announce().transfer("Elsewhere", None, "stop-search", fact())

    assert refused.value.field == "to_plan"


def test_a_commitment_cannot_be_transferred_to_itself():
    with pytest.raises(InvalidInputError) as refused:
        announce().transfer("Itself", PLAN, "stop-and-search-data", fact())

    assert refused.value.field == "to_commitment"


def test_money_committed_cannot_be_negative():
    commitment = announce()

    with pytest.raises(NegativeAmountError) as refused:
        commitment.commit_budget(Decimal("-1"), fact())

    assert refused.value.field == "amount_gbp"
    assert "-1" in str(refused.value)
    assert types(commitment) == ["announced"]


def test_committing_zero_pounds_is_allowed():
    commitment = announce()

    commitment.commit_budget(Decimal("0"), fact(note="No money yet"))

    assert commitment.entries[-1].get("amount_gbp") == 0


def test_amounts_given_as_text_are_kept_exactly():
    commitment = announce()

    commitment.commit_budget("1000000.10", fact())
    commitment.commit_budget(0.1, fact())

    assert str(commitment.entries[-2].get("amount_gbp")) == "1000000.10"
    assert commitment.entries[-1].get("amount_gbp") == Decimal("0.1")


NUMBER_COMMANDS: dict[str, Callable[[Commitment, object], None]] = {
    "amount_gbp": lambda c, n: c.commit_budget(n, fact()),
    "target": lambda c, n: c.set_target("officers trained", n, "officers", fact()),
    "value": lambda c, n: c.record_measurement("officers trained", n, "officers", fact()),
}


@pytest.mark.parametrize("field", NUMBER_COMMANDS)
@pytest.mark.parametrize("bad", ["£1m", "ten", "", "NaN", "Infinity", None, True, [1]])
def test_amounts_targets_and_values_must_be_finite_numbers(field, bad):
    commitment = announce()

    with pytest.raises(InvalidInputError) as refused:
        NUMBER_COMMANDS[field](commitment, bad)

    assert type(refused.value) is InvalidInputError
    assert refused.value.field == field
    assert commitment.version == 1


@pytest.mark.parametrize("field", ["metric", "unit"])
def test_targets_and_measurements_name_their_metric_and_unit(field):
    given = {"metric": "officers trained", "unit": "officers", field: " "}

    with pytest.raises(InvalidInputError) as target_refused:
        announce().set_target(given["metric"], 500, given["unit"], fact())
    with pytest.raises(InvalidInputError) as measurement_refused:
        announce().record_measurement(given["metric"], 120, given["unit"], fact())

    assert target_refused.value.field == measurement_refused.value.field == field


def test_a_deadline_must_be_a_date():
    commitment = announce()

    with pytest.raises(InvalidInputError) as refused:
        commitment.set_deadline("2021-02", fact())

    assert refused.value.field == "due"


# Corrections


def commitment_with_three_entries() -> Commitment:
    commitment = announce()
    commitment.set_deadline(PartialDate.parse("2021-02"), fact())
    commitment.change_status("delivered", fact())
    return commitment


@pytest.mark.parametrize("corrects", [0, -1, 4, 5, 100])
def test_a_correction_must_point_at_an_earlier_event(corrects):
    commitment = commitment_with_three_entries()

    with pytest.raises(InvalidCorrectionError) as refused:
        commitment.correct(corrects, fact(note="Wrong"))

    assert refused.value.field == "corrects"
    assert commitment.version == 3


@pytest.mark.parametrize("corrects", ["2", 2.0, True, None])
def test_a_correction_points_at_an_event_by_its_whole_number(corrects):
    with pytest.raises(InvalidCorrectionError):
        commitment_with_three_entries().correct(corrects, fact(note="Wrong"))


@pytest.mark.parametrize("corrects", [1, 2, 3])
def test_any_earlier_event_can_be_corrected_including_the_latest(corrects):
    commitment = commitment_with_three_entries()

    commitment.correct(corrects, fact(note="The source said otherwise"))

    assert commitment.entries[-1].number == 4
    assert commitment.entries[-1].get("corrects") == corrects
    assert commitment.entries[-1].fact.note == "The source said otherwise"
    assert commitment.corrected_numbers() == {corrects}


def test_a_correction_cannot_itself_be_corrected():
    commitment = commitment_with_three_entries()
    commitment.correct(3, fact(note="It was not delivered"))

    with pytest.raises(InvalidCorrectionError, match="itself a correction"):
        commitment.correct(4, fact(note="Undo the correction"))


def test_an_event_can_be_corrected_only_once():
    commitment = commitment_with_three_entries()
    commitment.correct(3, fact(note="It was not delivered"))

    with pytest.raises(InvalidCorrectionError, match="already corrected"):
        commitment.correct(3, fact(note="Still not delivered"))

    assert commitment.version == 4


@pytest.mark.parametrize("note", [None, "", "   "])
def test_a_correction_needs_a_note_saying_what_was_wrong(note):
    commitment = commitment_with_three_entries()

    with pytest.raises(InvalidCorrectionError) as refused:
        commitment.correct(3, fact(note=note))

    assert refused.value.field == "note"
    assert commitment.version == 3


def test_progress_reported_needs_a_note_or_a_quote():
    commitment = announce()

    with pytest.raises(InvalidInputError) as refused:
        commitment.report_progress(fact())
    commitment.report_progress(fact(note="Data published for June"))
    commitment.report_progress(fact(quote="“We have published the data.”"))

    assert refused.value.field == "note"
    assert types(commitment) == ["announced", "progress_reported", "progress_reported"]


# A refused command changes nothing

REFUSED_COMMANDS: dict[str, Callable[[Commitment], None]] = {
    "unknown status": lambda c: c.change_status("finished", fact()),
    "negative amount": lambda c: c.commit_budget("-5", fact()),
    "amount not a number": lambda c: c.commit_budget("£1m", fact()),
    "target not a number": lambda c: c.set_target("m", "lots", "u", fact()),
    "value not a number": lambda c: c.record_measurement("m", "some", "u", fact()),
    "deadline not a date": lambda c: c.set_deadline("soon", fact()),
    "correction beyond the record": lambda c: c.correct(4, fact(note="x")),
    "correction without note": lambda c: c.correct(2, fact()),
    "progress without note": lambda c: c.report_progress(fact()),
}


@pytest.mark.parametrize("command", REFUSED_COMMANDS.values(), ids=list(REFUSED_COMMANDS))
def test_a_refused_command_leaves_the_commitment_unchanged(command):
    commitment = commitment_with_three_entries()
    entries_before = list(commitment.entries)

    with pytest.raises(InvalidInputError):
        command(commitment)

    assert commitment.version == 3
    assert commitment.entries == entries_before
    assert len(commitment.pending_events) == 3


# Sources


def test_a_source_without_url_or_author_keeps_them_unknown():
    source = Source.create("Hansard", "Mayor's Question Time", "2021-05")

    assert source.url is None
    assert source.author is None
    assert source.published_on.precision == "month"
    assert source.citation() == "Hansard, “Mayor's Question Time”, May 2021"


@pytest.mark.parametrize("url", [None, "", "   "])
def test_a_source_url_is_optional(url):
    assert Source.create("Hansard", "Debate", "2021", url=url).url is None


@pytest.mark.parametrize(
    "url",
    [
        "https://www.london.gov.uk/plan",
        "http://example.com",
        "https://example.com/report?page=2#section-3",
    ],
)
def test_a_source_url_may_be_any_absolute_http_link(url):
    assert Source.create("Mayor of London", "Plan", "2020", url=url).url == url


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/plan.pdf",
        "javascript:alert(1)",
        "www.example.com",
        "https:///path",
        "/publications/plan",
        "mailto:press@example.com",
        "data:text/html,<script>alert(1)</script>",
        "https://exa mple.com",
        "https://example.com/a\nb",
        "https://example.com/\tplan",
        "http://[::1",
        "https://[not-an-address]/",
        "https://:443/path",
        "https://example.com:port/",
    ],
)
def test_a_source_url_must_be_an_absolute_http_link(url):
    with pytest.raises(InvalidURLError) as refused:
        Source.create("Mayor of London", "Plan", "2020", url=url)

    assert refused.value.field == "url"


@pytest.mark.parametrize("field", ["publisher", "title"])
@pytest.mark.parametrize("blank", [None, "", "   "])
def test_a_source_needs_a_publisher_and_a_title(field, blank):
    given = {"publisher": "Mayor of London", "title": "Plan", "published_on": "2020", field: blank}

    with pytest.raises(InvalidInputError) as refused:
        Source.create(**given)

    assert refused.value.field == field


def test_a_source_needs_a_real_publication_date():
    with pytest.raises(InvalidDateError) as refused:
        Source.create("Mayor of London", "Plan", "2021-02-30")

    assert refused.value.field == "published_on"
    assert "February 2021 has 28 days" in str(refused.value)


def test_a_source_is_normalised_so_equal_input_gives_equal_sources():
    tidy = Source.create("BBC News", "Headline", "2022-07", url="https://bbc.co.uk/x")
    untidy = Source.create(
        " BBC News ", "Headline\n", PartialDate(2022, 7), " https://bbc.co.uk/x "
    )

    assert tidy == untidy


# Over-long text

TOO_LONG = {
    "commitment title": (lambda: announce(title="t" * 1001), "title", 1000),
    "summary": (lambda: announce(summary="s" * 5001), "summary", 5000),
    "theme": (lambda: announce(theme="t" * 201), "theme", 200),
    "note": (lambda: fact(note="n" * 5001), "note", 5000),
    "quote": (lambda: fact(quote="q" * 2001), "quote", 2000),
    "source publisher": (lambda: Source.create("p" * 301, "T", "2020"), "publisher", 300),
    "source title": (lambda: Source.create("P", "t" * 1001, "2020"), "title", 1000),
    "source url": (
        lambda: Source.create("P", "T", "2020", "https://example.com/" + "x" * 2000),
        "url",
        2000,
    ),
    "plan title": (lambda: publish(title="t" * 1001), "title", 1000),
}


@pytest.mark.parametrize("make, field, limit", TOO_LONG.values(), ids=list(TOO_LONG))
def test_over_long_text_is_refused_naming_the_limit(make, field, limit):
    with pytest.raises(InvalidInputError) as refused:
        make()

    assert refused.value.field == field
    assert f"the limit is {limit}" in str(refused.value)


def test_text_exactly_at_the_limit_is_accepted():
    commitment = announce(title="t" * 1000, summary="s" * 5000)
    commitment.report_progress(fact(note="n" * 5000, quote="q" * 2000))

    assert len(commitment.title) == 1000
    assert len(commitment.entries[-1].fact.quote) == 2000


# Slugs


@pytest.mark.parametrize("slug", ["a", "plan-2020", "2020", "london-policing-action-plan-2020"])
def test_slugs_of_lowercase_letters_digits_and_hyphens_are_accepted(slug):
    assert announce(plan=slug, slug=slug).slug == slug
    assert publish(slug).slug == slug


@pytest.mark.parametrize(
    "slug",
    [
        "Stop-And-Search",
        "stop and search",
        "stop_and_search",
        "-stop",
        "stop-",
        "stop--search",
        "",
        "../plan",
        "café",
        "stop\n",
        "x" * 101,
        None,
    ],
)
def test_slugs_must_be_lowercase_letters_digits_and_hyphens(slug):
    with pytest.raises(InvalidInputError) as commitment_refused:
        announce(slug=slug)
    with pytest.raises(InvalidInputError) as plan_refused:
        announce(plan=slug)
    with pytest.raises(InvalidInputError) as publish_refused:
        publish(slug)

    assert commitment_refused.value.field == "commitment"
    assert plan_refused.value.field == "plan"
    assert publish_refused.value.field == "plan"
    assert "lowercase letters, digits and hyphens" in str(commitment_refused.value)


# Plans


def test_a_plan_is_published_with_no_sources_commitments_or_entries():
    plan = publish()

    assert plan.id == plan_id(PLAN)
    assert plan.version == 1
    assert plan.published_on == PartialDate(2020, 11, 13)
    assert (plan.sources, plan.commitments, plan.entries) == ({}, [], [])


def test_a_plan_url_is_optional_but_must_be_an_http_link():
    assert publish(url=None).url is None

    with pytest.raises(InvalidURLError):
        publish(url="javascript:alert(1)")


def test_a_plan_needs_a_publication_date():
    with pytest.raises(InvalidInputError) as refused:
        publish(published_on="2020-11-13")

    assert refused.value.field == "published_on"


def test_a_registered_source_can_be_cited_by_its_key():
    plan = publish()

    plan.register_source("mayor-2020", PLAN_SOURCE)

    assert plan.source("mayor-2020") == PLAN_SOURCE
    assert plan.version == 2


def test_an_unknown_source_key_is_not_found():
    with pytest.raises(NotFoundError, match="bbc-2022"):
        publish().source("bbc-2022")


def test_registering_the_same_source_again_records_nothing():
    plan = publish()
    plan.register_source("mayor-2020", PLAN_SOURCE)

    plan.register_source("mayor-2020", Source.create(**PLAN_SOURCE.as_dict()))

    assert plan.version == 2
    assert len(plan.pending_events) == 2


def test_a_source_key_once_registered_cannot_be_given_other_details():
    plan = publish()
    plan.register_source("mayor-2020", PLAN_SOURCE)
    retitled = Source.create(**{**PLAN_SOURCE.as_dict(), "title": "A different title"})

    with pytest.raises(HistoryRewrittenError, match="mayor-2020"):
        plan.register_source("mayor-2020", retitled)

    assert plan.source("mayor-2020") == PLAN_SOURCE
    assert plan.version == 2


def test_a_registered_source_given_again_with_a_kind_and_note_is_described_not_rewritten():
    plan = publish()
    plan.register_source("mayor-2020", PLAN_SOURCE)
    described = PLAN_SOURCE.described("official", "The Mayor's own plan")

    plan.register_source("mayor-2020", described)
    plan.register_source("mayor-2020", described)  # again: nothing new

    assert [type(e).__name__ for e in plan.pending_events][-2:] == [
        "SourceRegistered",
        "SourceDescribed",
    ]
    assert plan.source("mayor-2020").description() == ("official", "The Mayor's own plan")


def test_a_source_of_an_unknown_kind_is_refused_naming_the_field():
    with pytest.raises(InvalidInputError) as refused:
        Source.create(**{**PLAN_SOURCE.as_dict(), "kind": "rumour"})

    assert refused.value.field == "kind"
    assert "official" in str(refused.value)


def test_entries_show_the_kind_their_plan_now_gives_a_source_recorded_without_one():
    commitment = announce()
    commitment.change_status("delivered", fact(source=NEWS_SOURCE))
    now = [PLAN_SOURCE, NEWS_SOURCE.described("press", None)]

    entries = as_now_described(commitment.entries, now)

    assert [e.source.kind for e in entries] == [None, "press"]
    assert entries[1].details == commitment.entries[1].details


def test_a_source_key_must_be_a_slug():
    plan = publish()

    with pytest.raises(InvalidInputError):
        plan.register_source("BBC 2022", NEWS_SOURCE)

    assert plan.sources == {}


def test_adding_a_commitment_twice_lists_it_once():
    plan = publish()

    plan.add_commitment("stop-and-search-data")
    plan.add_commitment("body-worn-video")
    plan.add_commitment("stop-and-search-data")

    assert plan.commitments == ["stop-and-search-data", "body-worn-video"]
    assert plan.version == 3


def test_a_plan_lists_only_commitments_with_valid_slugs():
    plan = publish()

    with pytest.raises(InvalidInputError):
        plan.add_commitment("Stop And Search")

    assert plan.commitments == []


def test_plan_wide_events_are_numbered_apart_from_the_plan_bookkeeping():
    plan = publish()
    plan.register_source("mayor-2020", PLAN_SOURCE)
    plan.add_commitment("stop-and-search-data")

    plan.report_progress(fact("2020-08", note="Protests led to a review of policing"))
    plan.record_measurement("stops per month", "21000", "stops", fact("2020-06"))

    assert [(e.number, e.type) for e in plan.entries] == [
        (1, "progress_reported"),
        (2, "measurement_recorded"),
    ]
    assert plan.version == 5


def test_a_plan_wide_correction_counts_plan_entries_not_versions():
    plan = publish()
    plan.register_source("mayor-2020", PLAN_SOURCE)
    plan.report_progress(fact(note="Baseline published"))

    with pytest.raises(InvalidCorrectionError):
        plan.correct(2, fact(note="Wrong"))
    plan.correct(1, fact(note="The baseline was for 2019"))

    assert plan.entries[-1].number == 2
    assert plan.corrected_numbers() == {1}


def test_the_catalogue_lists_each_plan_once():
    catalogue = Catalogue.start()

    catalogue.list_plan(PLAN)
    catalogue.list_plan("another-plan")
    catalogue.list_plan(PLAN)

    assert catalogue.id == catalogue_id()
    assert catalogue.plans == [PLAN, "another-plan"]


# Ids derived from slugs


def test_the_same_slugs_always_give_the_same_ids():
    assert announce().id == announce().id == commitment_id(PLAN, "stop-and-search-data")
    assert publish().id == publish().id == Plan.create_id(PLAN) == plan_id(PLAN)
    assert Catalogue.start().id == Catalogue.start().id


def test_a_commitment_slug_in_different_plans_gives_different_ids():
    here = announce(plan="plan-a", slug="training")
    there = announce(plan="plan-b", slug="training")

    assert here.id != there.id
    assert len({plan_id("training"), commitment_id("training", "training"), catalogue_id()}) == 3


def test_ids_are_uuid5_of_the_slugs_in_a_fixed_namespace():
    # Stored aggregates are found again by these ids: changing the scheme would make a
    # second load of the same files create a second copy of every plan and commitment.
    namespace = UUID("5d0c3a55-9f1e-4b7a-8a43-6c1f1f2b7e10")

    assert plan_id(PLAN) == uuid5(namespace, f"plan/{PLAN}")
    assert commitment_id(PLAN, "training") == uuid5(namespace, f"commitment/{PLAN}/training")
    assert catalogue_id() == uuid5(namespace, "catalogue")
    assert plan_id(PLAN).version == 5


# Dates at the precision given


@pytest.mark.parametrize(
    "text, precision, start, end, human",
    [
        ("2021", "year", date(2021, 1, 1), date(2021, 12, 31), "2021"),
        ("2022-07", "month", date(2022, 7, 1), date(2022, 7, 31), "July 2022"),
        ("2024-02", "month", date(2024, 2, 1), date(2024, 2, 29), "February 2024"),
        ("2020-11-13", "day", date(2020, 11, 13), date(2020, 11, 13), "13 November 2020"),
    ],
)
def test_a_date_keeps_the_precision_it_was_given(text, precision, start, end, human):
    when = PartialDate.parse(text)

    assert when.precision == precision
    assert (when.start, when.end) == (start, end)
    assert when.human() == human
    assert str(when) == text


@pytest.mark.parametrize(
    "text",
    [
        "2021-02-29",
        "2021-13",
        "2021-00",
        "0000",
        "21",
        "2021-1",
        "2021/02",
        "Feb 2021",
        "",
        "2021-",
    ],
)
def test_a_date_must_be_a_real_calendar_date_as_yyyy_mm_dd(text):
    with pytest.raises(InvalidDateError):
        PartialDate.parse(text)

"""``parse_event``: one event as written in a data file or sent to the API."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tracker.application import EventSpec, parse_event
from tracker.domain.commitments import Commitment
from tracker.domain.dates import PartialDate
from tracker.domain.entries import PLAN_EVENT_TYPES, REPORTED_STATUSES
from tracker.domain.errors import (
    InvalidDateError,
    InvalidInputError,
    InvalidURLError,
    UnknownEventTypeError,
    UnknownStatusError,
)
from tracker.domain.plans import Plan
from tracker.domain.sources import Fact, Source

MAYOR = Source.create(
    publisher="Mayor of London",
    title="Action Plan: Transparency, Accountability and Trust in Policing",
    published_on="2020-11-13",
    url="https://www.london.gov.uk/publications/action-plan",
)
BBC = Source.create("BBC News", "Stop and search data delayed", "2022-07")
SOURCES = {"mayor-2020": MAYOR, "bbc-2022": BBC}


def event(type: str, **fields) -> dict:
    return {"type": type, "date": "2021-03-01", "source": "mayor-2020", **fields}


def parse(raw: dict, **options) -> EventSpec:
    return parse_event(raw, SOURCES, **options)


def refusal(raw: dict, **options) -> InvalidInputError:
    with pytest.raises(InvalidInputError) as refused:
        parse(raw, **options)
    return refused.value


# Every event type of the contract

CONTRACT_EVENTS = {
    "announced": ({"summary": "Publish data monthly"}, {"summary": "Publish data monthly"}),
    "deadline_set": ({"due": "2021-02"}, {"due": PartialDate(2021, 2)}),
    "status_changed": ({"status": "paused"}, {"status": "paused"}),
    "progress_reported": ({"note": "First data published"}, {}),
    "budget_committed": ({"amount_gbp": "1000000"}, {"amount_gbp": Decimal("1000000")}),
    "target_set": (
        {"metric": "officers trained", "target": "500", "unit": "officers"},
        {"metric": "officers trained", "target": Decimal("500"), "unit": "officers"},
    ),
    "measurement_recorded": (
        {"metric": "officers trained", "value": "120", "unit": "officers"},
        {"metric": "officers trained", "value": Decimal("120"), "unit": "officers"},
    ),
    "correction": ({"corrects": "3", "note": "It was never paused"}, {"corrects": 3}),
    "transferred": (
        {"to_title": "Police and Crime Plan 2022-25"},
        {"to_title": "Police and Crime Plan 2022-25", "to_plan": None, "to_commitment": None},
    ),
}


@pytest.mark.parametrize("kind", CONTRACT_EVENTS)
def test_every_contract_event_type_is_accepted_with_its_fields(kind):
    fields, details = CONTRACT_EVENTS[kind]

    spec = parse(event(kind, **fields))

    assert spec.type == kind
    assert spec.date == PartialDate(2021, 3, 1)
    assert spec.source == MAYOR
    assert spec.details == details


def test_note_and_quote_are_optional_on_every_event_and_kept_when_given():
    bare = parse(event("deadline_set", due="2021-02"))
    cited = parse(
        event("deadline_set", due="2021-02", note=" Set in the plan ", quote="“By February”")
    )

    assert (bare.note, bare.quote) == (None, None)
    assert (cited.note, cited.quote) == ("Set in the plan", "“By February”")


def test_an_event_can_cite_any_of_the_plans_sources():
    assert parse(event("status_changed", status="delayed", source="bbc-2022")).source == BBC


# Values as text or as JSON numbers


@pytest.mark.parametrize(
    "field, as_text, as_number, expected",
    [
        ("date", "2021", 2021, PartialDate(2021)),
        ("due", "2021", 2021, PartialDate(2021)),
        ("amount_gbp", "1000000", 1000000, Decimal("1000000")),
        ("amount_gbp", "2.5", 2.5, Decimal("2.5")),
        ("target", "500", 500, Decimal("500")),
        ("value", "0.58", 0.58, Decimal("0.58")),
        ("corrects", "3", 3, 3),
    ],
)
def test_values_may_be_given_as_text_or_as_json_numbers(field, as_text, as_number, expected):
    kinds = {
        "date": ("deadline_set", {"due": "2021-02"}),
        "due": ("deadline_set", {}),
        "amount_gbp": ("budget_committed", {}),
        "target": ("target_set", {"metric": "m", "unit": "u"}),
        "value": ("measurement_recorded", {"metric": "m", "unit": "u"}),
        "corrects": ("correction", {"note": "Wrong figure"}),
    }
    kind, others = kinds[field]

    from_text = parse(event(kind, **others, **{field: as_text}))
    from_number = parse(event(kind, **others, **{field: as_number}))

    def value(spec: EventSpec):
        return spec.date if field == "date" else spec.details[field]

    assert value(from_text) == value(from_number) == expected
    assert type(value(from_text)) is type(value(from_number)) is type(expected)


def test_a_date_read_by_yaml_as_a_date_object_is_the_day_written():
    spec = parse(event("deadline_set", date=date(2020, 11, 13), due=date(2021, 2, 28)))

    assert spec.date == PartialDate(2020, 11, 13)
    assert spec.details["due"] == PartialDate(2021, 2, 28)


def test_a_date_keeps_the_precision_it_was_written_with():
    spec = parse(event("deadline_set", date="2022-11", due="2023"))

    assert spec.date.precision == "month"
    assert spec.details["due"].precision == "year"


def test_amounts_may_group_thousands_with_commas():
    spec = parse(event("budget_committed", amount_gbp="1,500,000.25"))

    assert spec.details["amount_gbp"] == Decimal("1500000.25")


@pytest.mark.parametrize("amount", ["1,5", "1,50", "1,000,00", "1_500", ",500"])
def test_a_comma_that_does_not_group_thousands_is_refused_not_guessed(amount):
    # "1,5" is one and a half in much of Europe: reading it as fifteen would be worse
    # than asking.
    assert refusal(event("budget_committed", amount_gbp=amount)).field == "amount_gbp"


# Refusals, each naming the field


@pytest.mark.parametrize("kind", ["deadline_passed", "Announced", "status-changed", "comment"])
def test_an_unknown_event_type_is_refused_listing_the_known_ones(kind):
    error = refusal(event(kind))

    assert isinstance(error, UnknownEventTypeError)
    assert error.field == "type"
    for known in CONTRACT_EVENTS:
        assert known in str(error)


def test_deadline_missed_is_recorded_only_by_tracker_tick():
    error = refusal(event("deadline_missed", due="2021-02"))

    assert isinstance(error, UnknownEventTypeError)
    assert error.field == "type"
    assert "tracker tick" in str(error)


@pytest.mark.parametrize("raw", [{}, {"date": "2021", "source": "mayor-2020"}, event("  ")])
def test_an_event_needs_a_type(raw):
    assert refusal(raw).field == "type"


def test_an_event_must_be_a_mapping():
    with pytest.raises(InvalidInputError):
        parse_event(["type", "announced"], SOURCES)


def test_a_plan_wide_event_cannot_be_of_a_commitment_only_type():
    error = refusal(event("status_changed", status="paused"), allowed_types=PLAN_EVENT_TYPES)

    assert isinstance(error, UnknownEventTypeError)
    assert error.field == "type"
    assert parse(event("budget_committed", amount_gbp=5), allowed_types=PLAN_EVENT_TYPES)


@pytest.mark.parametrize(
    "kind, fields, unknown",
    [
        ("budget_committed", {"amount_gbp": "5", "amount": "5"}, "amount"),
        ("status_changed", {"status": "paused", "due": "2021"}, "due"),
        ("announced", {"summary": "S", "title": "T"}, "title"),
        ("progress_reported", {"note": "n", "Note": "N"}, "Note"),
        ("deadline_set", {"due": "2021", "commitment": "x"}, "commitment"),
    ],
)
def test_an_unknown_field_is_refused_by_name(kind, fields, unknown):
    error = refusal(event(kind, **fields))

    assert error.field == unknown
    assert f"'{unknown}'" in str(error)


REQUIRED = [
    (kind, field)
    for kind, (fields, _) in CONTRACT_EVENTS.items()
    for field in (*fields, "date", "source")
    if field != "note"
]


@pytest.mark.parametrize("kind, missing", REQUIRED)
@pytest.mark.parametrize("absent", ["left out", None, "", "   "])
def test_a_missing_required_field_is_refused_by_name(kind, missing, absent):
    fields, _ = CONTRACT_EVENTS[kind]
    raw = event(kind, **fields)
    if absent == "left out":
        del raw[missing]
    else:
        raw[missing] = absent

    error = refusal(raw)

    assert error.field == missing
    assert f"{missing} is required" in str(error)


def test_an_unknown_status_is_refused_with_the_vocabulary():
    error = refusal(event("status_changed", status="finished"))

    assert isinstance(error, UnknownStatusError)
    assert error.field == "status"
    assert all(status in str(error) for status in REPORTED_STATUSES)


def test_a_transfer_names_the_receiving_plan_and_commitment_by_slug_where_tracked():
    spec = parse(
        event(
            "transferred",
            to_title="Police and Crime Plan 2022-25: stop and search",
            to_plan=" police-crime-plan-2022 ",
            to_commitment="stop-and-search",
        )
    )

    assert spec.details == {
        "to_title": "Police and Crime Plan 2022-25: stop and search",
        "to_plan": "police-crime-plan-2022",
        "to_commitment": "stop-and-search",
    }


@pytest.mark.parametrize("field", ["to_plan", "to_commitment"])
def test_a_transfer_slug_that_is_not_a_slug_is_refused_by_name(field):
    error = refusal(event("transferred", to_title="Elsewhere", **{field: "Not A Slug"}))

    assert error.field == field


def test_a_source_written_out_may_say_its_kind_and_carry_a_note():
    spec = parse(
        event(
            "status_changed",
            status="delivered",
            source={
                "publisher": "MOPAC",
                "title": "Quarterly report",
                "published_on": "2023-05",
                "kind": "official",
                "note": "Published as a PDF only; no stable URL is known.",
            },
        )
    )

    assert spec.source.kind == "official"
    assert spec.source.note == "Published as a PDF only; no stable URL is known."


def test_a_source_of_an_unknown_kind_is_refused_naming_the_field():
    source = {"publisher": "MOPAC", "title": "Report", "published_on": "2023", "kind": "blog"}

    error = refusal(event("status_changed", status="delivered", source=source))

    assert error.field == "source.kind"
    assert "'blog'" in str(error) and "official" in str(error)


@pytest.mark.parametrize("value", [True, False])
def test_a_yes_or_no_that_yaml_read_as_true_or_false_is_not_taken_as_text(value):
    assert refusal(event("status_changed", status=value)).field == "status"
    assert refusal(event("announced", summary=value)).field == "summary"


@pytest.mark.parametrize(
    "field, bad",
    [
        ("date", "2021-02-30"),
        ("date", "March 2021"),
        ("date", "21-03"),
        ("date", True),
    ],
)
def test_an_event_date_must_be_a_date(field, bad):
    error = refusal(event("deadline_set", due="2021-02", **{field: bad}))

    assert error.field == "date"


@pytest.mark.parametrize("bad", ["2021-02-30", "soon", "Q1 2021", "2021-13"])
def test_a_deadline_must_be_a_date(bad):
    error = refusal(event("deadline_set", due=bad))

    assert isinstance(error, InvalidDateError)
    assert error.field == "due"


@pytest.mark.parametrize(
    "kind, field, others",
    [
        ("budget_committed", "amount_gbp", {}),
        ("target_set", "target", {"metric": "m", "unit": "u"}),
        ("measurement_recorded", "value", {"metric": "m", "unit": "u"}),
    ],
)
@pytest.mark.parametrize("bad", ["£1m", "one million", "1 000 000", "NaN", "Infinity", True])
def test_a_number_must_be_a_finite_number(kind, field, others, bad):
    error = refusal(event(kind, **others, **{field: bad}))

    assert error.field == field


@pytest.mark.parametrize("bad", ["0", "-1", "first", "2.0", 2.5, True, "³", "٣"])
def test_a_correction_names_an_event_by_its_number_from_one(bad):
    error = refusal(event("correction", corrects=bad, note="Wrong"))

    assert error.field == "corrects"


@pytest.mark.parametrize("note", [None, "", "  "])
def test_a_correction_needs_a_note(note):
    assert refusal(event("correction", corrects=2, note=note)).field == "note"


def test_progress_reported_needs_a_note_or_a_quote():
    error = refusal(event("progress_reported"))

    assert error.field == "note"
    assert parse(event("progress_reported", quote="“Data is late.”")).quote == "“Data is late.”"


# Sources: a key of the plan's, or (for the API) written out in full


def test_an_unknown_source_key_is_refused_listing_the_known_keys():
    error = refusal(event("status_changed", status="paused", source="guardian-2022"))

    assert error.field == "source"
    assert "'guardian-2022'" in str(error)
    assert "bbc-2022, mayor-2020" in str(error)


def test_a_source_key_in_a_plan_without_sources_says_there_are_none():
    with pytest.raises(InvalidInputError, match="none") as refused:
        parse_event(event("status_changed", status="paused"), {})

    assert refused.value.field == "source"


def test_a_source_may_be_written_out_in_full():
    inline = {
        "publisher": "The Guardian",
        "title": "Met misses data deadline",
        "published_on": "2021-03",
        "url": "https://www.theguardian.com/uk-news/met-data",
        "author": "A. Journalist",
    }

    spec = parse(event("status_changed", status="delayed", source=inline))

    assert spec.source == Source.create(**inline)
    assert spec.source.published_on.precision == "month"


def test_a_source_written_out_without_url_has_none():
    inline = {"publisher": "LBC", "title": "Phone-in", "published_on": 2021, "url": None}

    spec = parse(event("status_changed", status="delayed", source=inline))

    assert spec.source.url is None
    assert spec.source.published_on == PartialDate(2021)


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.com/x", "example.com"])
def test_a_source_written_out_with_a_bad_url_is_refused(url):
    inline = {"publisher": "LBC", "title": "Phone-in", "published_on": "2021", "url": url}

    error = refusal(event("status_changed", status="delayed", source=inline))

    assert isinstance(error, InvalidURLError)
    assert error.field == "source.url"


@pytest.mark.parametrize(
    "inline, field",
    [
        ({"title": "Phone-in", "published_on": "2021"}, "source"),
        ({"publisher": " ", "title": "Phone-in", "published_on": "2021"}, "source.publisher"),
        ({"publisher": "LBC", "title": "Phone-in", "published_on": "2021-02-30"}, "source"),
        ({"publisher": "LBC", "title": "T", "published_on": "2021", "link": "x"}, "source"),
    ],
)
def test_a_source_written_out_must_be_complete_and_valid(inline, field):
    error = refusal(event("status_changed", status="delayed", source=inline))

    assert error.field.startswith("source")
    assert error.field == field or field == "source"


# Comparing input with what is recorded


def recorded(raw: dict) -> Commitment:
    """A commitment whose second entry is ``raw``, recorded through its spec."""
    announcement = parse(event("announced", summary="Publish data monthly"))
    commitment = Commitment.announce(
        "a-plan", "a-commitment", "Title", "Publish data monthly", announcement.fact("ed")
    )
    parse(raw).apply_to(commitment, "ed")
    return commitment


def test_an_identical_event_has_no_differences():
    raw = event("status_changed", status="paused", note="Paused for review", quote="“Paused”")

    announcement, status_changed = recorded(raw).entries
    announced_again = parse(event("announced", summary="Publish data monthly"))

    assert parse(raw).differences(status_changed) == []
    assert announced_again.differences(announcement) == []


def test_a_number_given_as_json_or_as_text_is_the_same_event():
    entry = recorded(event("budget_committed", amount_gbp="1000000")).entries[-1]

    assert parse(event("budget_committed", amount_gbp=1000000)).differences(entry) == []


def test_differences_list_exactly_the_fields_that_differ():
    entry = recorded(event("status_changed", status="paused", note="Paused")).entries[-1]
    changed = parse(event("status_changed", status="delayed", note="Delayed", source="bbc-2022"))

    differences = changed.differences(entry)

    assert [difference.split(":")[0] for difference in differences] == [
        "source",
        "note",
        "status",
    ]
    assert "status: recorded 'paused', now 'delayed'" in differences
    assert "note: recorded 'Paused', now 'Delayed'" in differences


def test_a_date_given_more_precisely_is_a_difference():
    entry = recorded(event("deadline_set", date="2021-03", due="2021-02")).entries[-1]

    differences = parse(event("deadline_set", date="2021-03", due="2021-02-01")).differences(entry)

    assert differences == ["due: recorded '2021-02', now '2021-02-01'"]


def test_a_removed_note_and_a_changed_type_are_differences():
    entry = recorded(event("progress_reported", note="Data published")).entries[-1]
    changed = parse(event("correction", corrects=1, note="Data published"))

    assert [d.split(":")[0] for d in changed.differences(entry)] == ["type", "corrects"]
    assert parse(event("progress_reported", quote="“Out”")).differences(entry) == [
        "note: recorded 'Data published', now nothing",
        "quote: recorded nothing, now '“Out”'",
    ]


# Applying a spec calls the matching command


def test_a_spec_records_the_event_it_describes():
    commitment = recorded(event("deadline_set", due="2021-02", note="From the plan"))

    entry = commitment.entries[-1]
    assert (entry.number, entry.type, entry.get("due")) == (2, "deadline_set", PartialDate(2021, 2))
    assert entry.fact == Fact.create(PartialDate(2021, 3, 1), MAYOR, "ed", "From the plan")


@pytest.mark.parametrize("kind", ["deadline_set", "status_changed", "announced"])
def test_a_plan_cannot_be_given_a_commitment_only_event(kind):
    plan = Plan.publish("a-plan", "Plan", "Mayor", PartialDate(2020))
    spec = parse(event(kind, **CONTRACT_EVENTS[kind][0]))

    with pytest.raises(UnknownEventTypeError):
        spec.apply_to(plan, "ed")

    assert plan.entries == []


def test_an_announcement_cannot_be_recorded_as_a_later_event():
    commitment = recorded(event("status_changed", status="paused"))

    with pytest.raises(UnknownEventTypeError):
        parse(event("announced", summary="Again")).apply_to(commitment, "ed")

    assert commitment.version == 2


@pytest.mark.parametrize("control", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\ud800"])
def test_text_with_a_control_character_is_refused_naming_the_field(control):
    refused = refusal(event("progress_reported", note=f"before{control}after"))
    assert refused.field == "note"
    assert f"U+{ord(control):04X}" in str(refused)


def test_line_breaks_and_tabs_are_text():
    text = "One line.\n\tAnother,\r\nand a third."
    assert parse(event("progress_reported", note=text)).note == text

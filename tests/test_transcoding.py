"""Every event survives being stored: same values, same precision, same topics."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from eventsourcing.persistence import StoredEvent

from tracker.application import Tracker
from tracker.domain.commitments import Commitment
from tracker.domain.dates import PartialDate
from tracker.domain.ids import commitment_id
from tracker.domain.plans import Catalogue, Plan
from tracker.domain.sources import Fact, Source, tracker_source

PLAN = "london-policing-action-plan-2020"
FULL_SOURCE = Source.create(
    publisher="Mayor of London",
    title="Action Plan: Transparency, Accountability and Trust in Policing",
    published_on="2020-11-13",
    url="https://www.london.gov.uk/publications/action-plan",
    author="Sadiq Khan",
)
BARE_SOURCE = Source.create("London Assembly", "Police and Crime Committee", "2022")


def fact(on: str, source: Source = FULL_SOURCE, note: str | None = None, quote=None) -> Fact:
    return Fact.create(PartialDate.parse(on), source, "editor@example.org", note, quote)


def every_event() -> list:
    """One of each event the tracker records, with awkward values where they matter."""
    catalogue = Catalogue.start()
    catalogue.list_plan(PLAN)

    plan = Plan.publish(PLAN, "Action Plan", "Mayor of London", PartialDate.parse("2020-11"))
    plan.register_source("mayor-2020", FULL_SOURCE)
    plan.register_source("assembly-2022", BARE_SOURCE)
    plan.register_source("assembly-2022", BARE_SOURCE.described("oversight", "Minutes only"))
    plan.add_commitment("stop-and-search-data")
    plan.report_progress(fact("2020-08", note="Protests after the death of George Floyd"))
    plan.commit_budget(Decimal("1700000.50"), fact("2020"))
    plan.set_target("trust in police", Decimal("0.75"), "share of Londoners", fact("2020-11-13"))
    plan.record_measurement("trust in police", "0.58", "share of Londoners", fact("2020-06"))
    plan.correct(2, fact("2021-01", note="The budget was for two years"))

    commitment = Commitment.announce(
        PLAN,
        "stop-and-search-data",
        "Publish stop and search data",
        "The Met will publish stop and search data every month.",
        fact("2020-11-13", quote="“We will publish the data.”"),
        owner="Metropolitan Police Service",
    )
    commitment.set_deadline(PartialDate.parse("2021-02"), fact("2020-11-13"))
    commitment.change_status("paused", fact("2022-07", BARE_SOURCE, note="Paused for review"))
    commitment.report_progress(fact("2022-07-14", BARE_SOURCE, quote="“Data is late.”"))
    commitment.commit_budget(Decimal("999999999999.99"), fact("2021"))
    commitment.set_target("stops recorded", Decimal("1E+5"), "stops", fact("2021-03"))
    commitment.record_measurement("stops recorded", Decimal("0.10"), "stops", fact("2021-04"))
    commitment.correct(3, fact("2022-08", note="It was never paused"))
    commitment.transfer(
        "Police and Crime Plan 2022-25", "police-crime-plan-2022", "stop-and-search", fact("2022")
    )
    commitment.record_missed_deadline(
        PartialDate.parse("2021-02"),
        Fact.create(
            PartialDate.parse("2021-03-01"),
            tracker_source(PartialDate.parse("2021-03-01")),
            "tracker tick",
            "The deadline of February 2021 passed with the commitment not started.",
        ),
    )
    return [
        *catalogue.collect_events(),
        *plan.collect_events(),
        *commitment.collect_events(),
    ]


EVENTS = every_event()

STABLE_TOPICS = {
    Catalogue.Started: "tracker.domain.plans:Catalogue.Started",
    Catalogue.PlanListed: "tracker.domain.plans:Catalogue.PlanListed",
    Plan.Published: "tracker.domain.plans:Plan.Published",
    Plan.SourceRegistered: "tracker.domain.plans:Plan.SourceRegistered",
    Plan.SourceDescribed: "tracker.domain.plans:Plan.SourceDescribed",
    Plan.CommitmentAdded: "tracker.domain.plans:Plan.CommitmentAdded",
    Plan.ProgressReported: "tracker.domain.plans:Plan.ProgressReported",
    Plan.BudgetCommitted: "tracker.domain.plans:Plan.BudgetCommitted",
    Plan.TargetSet: "tracker.domain.plans:Plan.TargetSet",
    Plan.MeasurementRecorded: "tracker.domain.plans:Plan.MeasurementRecorded",
    Plan.Corrected: "tracker.domain.plans:Plan.Corrected",
    Commitment.Announced: "tracker.domain.commitments:Commitment.Announced",
    Commitment.DeadlineSet: "tracker.domain.commitments:Commitment.DeadlineSet",
    Commitment.StatusChanged: "tracker.domain.commitments:Commitment.StatusChanged",
    Commitment.ProgressReported: "tracker.domain.commitments:Commitment.ProgressReported",
    Commitment.BudgetCommitted: "tracker.domain.commitments:Commitment.BudgetCommitted",
    Commitment.TargetSet: "tracker.domain.commitments:Commitment.TargetSet",
    Commitment.MeasurementRecorded: "tracker.domain.commitments:Commitment.MeasurementRecorded",
    Commitment.Corrected: "tracker.domain.commitments:Commitment.Corrected",
    Commitment.DeadlineMissed: "tracker.domain.commitments:Commitment.DeadlineMissed",
    Commitment.Transferred: "tracker.domain.commitments:Commitment.Transferred",
}


@pytest.fixture(scope="module")
def app() -> Iterator[Tracker]:
    tracker = Tracker(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    yield tracker
    tracker.close()


def round_trip(app: Tracker, event):
    return app.mapper.to_domain_event(app.mapper.to_stored_event(event))


def stored_state(app: Tracker, event) -> dict:
    return json.loads(app.mapper.to_stored_event(event).state)


def test_the_sample_history_has_one_of_every_event_class():
    assert {type(event) for event in EVENTS} == set(STABLE_TOPICS)


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: type(e).__qualname__)
def test_every_event_comes_back_from_the_store_equal(app, event):
    restored = round_trip(app, event)

    assert type(restored) is type(event)
    assert restored == event
    assert restored.originator_id == event.originator_id
    assert restored.originator_version == event.originator_version


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: type(e).__qualname__)
def test_every_event_is_stored_under_its_stable_topic(app, event):
    # Stored events are loaded by topic: renaming or moving a class would strand them.
    assert app.mapper.to_stored_event(event).topic == STABLE_TOPICS[type(event)]


def test_the_aggregates_themselves_keep_their_topics(app):
    announced = next(e for e in EVENTS if isinstance(e, Commitment.Announced))
    published = next(e for e in EVENTS if isinstance(e, Plan.Published))

    assert announced.originator_topic == "tracker.domain.commitments:Commitment"
    assert published.originator_topic == "tracker.domain.plans:Plan"
    assert round_trip(app, announced).originator_topic == announced.originator_topic


def test_an_aggregate_rebuilt_from_stored_events_has_the_same_entries(app):
    commitment_events = [e for e in EVENTS if e.originator_id == EVENTS[-1].originator_id]
    original = None
    rebuilt = None
    for event in commitment_events:
        original = event.mutate(original)
        rebuilt = round_trip(app, event).mutate(rebuilt)

    assert rebuilt.entries == original.entries
    assert rebuilt.version == original.version == 10


@pytest.mark.parametrize("text", ["2022", "2022-07", "2022-07-14"])
def test_a_date_keeps_its_precision_in_the_store(app, text):
    commitment = Commitment.announce(
        PLAN, "precise", "Title", "Summary", fact(text, Source.create("P", "T", text))
    )
    commitment.set_deadline(PartialDate.parse(text), fact("2020"))
    announced, deadline_set = commitment.collect_events()

    restored_fact = round_trip(app, announced).fact
    restored_due = round_trip(app, deadline_set).due

    assert str(restored_fact.date) == str(restored_fact.source.published_on) == text
    assert str(restored_due) == text
    assert restored_due.precision == PartialDate.parse(text).precision


def test_a_month_is_stored_as_the_month_it_was_given(app):
    status_changed = next(e for e in EVENTS if isinstance(e, Commitment.StatusChanged))

    state = stored_state(app, status_changed)

    assert state["fact"]["_data_"]["date"] == "2022-07"
    assert round_trip(app, status_changed).fact.date == PartialDate(2022, 7)


def test_a_source_without_url_or_author_stays_without(app):
    status_changed = next(e for e in EVENTS if isinstance(e, Commitment.StatusChanged))

    stored_source = stored_state(app, status_changed)["fact"]["_data_"]["source"]
    restored = round_trip(app, status_changed).fact.source

    assert set(stored_source) == {"publisher", "title", "published_on"}
    assert restored == BARE_SOURCE
    assert (restored.url, restored.author) == (None, None)


def test_a_source_with_url_and_author_keeps_them(app):
    registered = next(e for e in EVENTS if isinstance(e, Plan.SourceRegistered))

    restored = round_trip(app, registered).source

    assert restored.url == "https://www.london.gov.uk/publications/action-plan"
    assert restored.author == "Sadiq Khan"


def test_a_fact_without_note_or_quote_stays_without(app):
    deadline_set = next(e for e in EVENTS if isinstance(e, Commitment.DeadlineSet))

    restored = round_trip(app, deadline_set).fact

    assert (restored.note, restored.quote) == (None, None)
    assert restored.recorded_by == "editor@example.org"


@pytest.mark.parametrize(
    "event_class, field, amount",
    [
        (Plan.BudgetCommitted, "amount_gbp", "1700000.50"),
        (Plan.TargetSet, "target", "0.75"),
        (Commitment.BudgetCommitted, "amount_gbp", "999999999999.99"),
        (Commitment.TargetSet, "target", "1E+5"),
        (Commitment.MeasurementRecorded, "value", "0.10"),
    ],
)
def test_decimal_amounts_are_stored_exactly(app, event_class, field, amount):
    event = next(e for e in EVENTS if type(e) is event_class)

    restored = getattr(round_trip(app, event), field)

    assert isinstance(restored, Decimal)
    assert str(restored) == amount
    assert restored.as_tuple() == Decimal(amount).as_tuple()


PAUSED = Fact(
    date=PartialDate(2022, 7),
    source=Source("London Assembly", "Police and Crime Committee", PartialDate(2022)),
    recorded_by="editor@example.org",
    note="Paused for review",
)


def stored_status_change(state: bytes) -> StoredEvent:
    return StoredEvent(
        originator_id=commitment_id(PLAN, "stop-and-search-data"),
        originator_version=3,
        topic="tracker.domain.commitments:Commitment.StatusChanged",
        state=state,
    )


def test_this_release_stores_a_fact_as_one_flat_object_of_plain_values(app):
    # These bytes are what this release writes. If this test fails, the stored format
    # changed: keep reading the old one (see the next test) before changing it.
    stored = stored_status_change(
        b'{"timestamp":{"_type_":"datetime_iso","_data_":"2022-07-15T09:30:00+00:00"},'
        b'"fact":{"_type_":"fact","_data_":{"date":"2022-07",'
        b'"source":{"publisher":"London Assembly","title":"Police and Crime Committee",'
        b'"published_on":"2022"},'
        b'"recorded_by":"editor@example.org","note":"Paused for review"}},'
        b'"status":"paused"}'
    )

    event = app.mapper.to_domain_event(stored)

    assert isinstance(event, Commitment.StatusChanged)
    assert event.status == "paused"
    assert event.fact.source.description() == (None, None)  # stored before kinds existed
    assert event.timestamp == datetime(2022, 7, 15, 9, 30, tzinfo=UTC)
    assert event.fact == PAUSED
    assert event.entry(3).details == {"status": "paused"}
    assert app.mapper.to_stored_event(event) == stored


def test_a_fact_stored_in_the_first_nested_format_still_loads(app):
    # The first development build nested typed objects inside the fact.
    stored = stored_status_change(
        b'{"timestamp":{"_type_":"datetime_iso","_data_":"2022-07-15T09:30:00+00:00"},'
        b'"fact":{"_type_":"fact","_data_":{'
        b'"date":{"_type_":"partial_date","_data_":"2022-07"},'
        b'"source":{"_type_":"source","_data_":{"publisher":"London Assembly",'
        b'"title":"Police and Crime Committee",'
        b'"published_on":{"_type_":"partial_date","_data_":"2022"}}},'
        b'"recorded_by":"editor@example.org","note":"Paused for review"}},'
        b'"status":"paused"}'
    )

    assert app.mapper.to_domain_event(stored).fact == PAUSED


def test_a_stored_source_loads_even_if_it_would_fail_todays_input_rules():
    """Rules may tighten; what was recorded under the old rules must still load."""
    from tracker.application import Tracker

    app = Tracker(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    stored = {
        "_type_": "source",
        "_data_": {
            "publisher": "P",
            "title": "T" * 5000,
            "published_on": {"_type_": "partial_date", "_data_": "2020"},
            "url": "gopher://old.example/",
        },
    }
    transcoder = app.mapper.transcoder
    source = transcoder.decode(json.dumps(stored).encode())
    assert source.url == "gopher://old.example/"
    assert len(source.title) == 5000
    assert source.author is None


@pytest.mark.parametrize("stored", ["1E+5000", "NaN", "-Infinity", "about £2m", "9" * 5000])
def test_a_stored_decimal_always_decodes_whatever_an_older_version_wrote(app, stored):
    encoded = json.dumps({"amount_gbp": {"_type_": "decimal_str", "_data_": stored}})

    decoded = app.mapper.transcoder.decode(encoded.encode())["amount_gbp"]

    assert str(decoded) == stored


def test_a_source_keeps_its_kind_and_note_through_the_store(app):
    source = Source.create("MOPAC", "Quarterly report", "2023-05", kind="official", note="PDF only")
    commitment = Commitment.announce(PLAN, "reports", "Reports", "Publish reports", fact("2020"))
    commitment.change_status("delivered", fact("2023-05", source))

    [_, changed] = [round_trip(app, e) for e in commitment.collect_events()]

    assert changed.fact.source.description() == ("official", "PDF only")
    assert stored_state(app, changed)["fact"]["_data_"]["source"]["kind"] == "official"


def test_a_source_without_kind_or_note_is_stored_exactly_as_before_they_existed(app):
    commitment = Commitment.announce(PLAN, "reports", "Reports", "Publish reports", fact("2020"))
    commitment.change_status("delivered", fact("2023-05", BARE_SOURCE))

    [_, changed] = commitment.collect_events()

    assert set(stored_state(app, changed)["fact"]["_data_"]["source"]) == {
        "publisher",
        "title",
        "published_on",
    }

"""Properties of the figures over random histories (contract section 1).

A history is an announcement followed by events of every kind, recorded in a random
order with respect to their dates. Every entry has its own first day (``date.start``),
so no figure depends on the same-day tie-break, and the announcement is the earliest.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.domain.dates import PartialDate
from tracker.domain.entries import STATUSES, Entry
from tracker.domain.figures import figures
from tracker.domain.sources import Fact, Source, tracker_source

GOVERNMENT = Source("Home Office", "Action plan", PartialDate(2018, 3, 1))
FIRST_RECORDING = datetime(2031, 1, 1, tzinfo=UTC)
EARLIEST = date(2018, 1, 1)
LATEST = date(2026, 12, 31)

# Kinds of event a history draws from; the announcement is always the first entry.
KINDS = (
    "deadline_set",
    "deadline_set",
    "status_changed",
    "status_changed",
    "progress_reported",
    "budget_committed",
    "deadline_missed",
    "correction",
)

SETTINGS = settings(max_examples=150, deadline=None)


def partial_dates(earliest: date = EARLIEST, latest: date = LATEST) -> st.SearchStrategy:
    """A year, a month or a day between ``earliest`` and ``latest``."""
    days = st.integers(0, (latest - earliest).days).map(lambda n: earliest + timedelta(days=n))
    return st.one_of(
        days.map(PartialDate.of),
        days.map(lambda d: PartialDate(d.year, d.month)),
        days.map(lambda d: PartialDate(d.year)),
    )


# Built once: strategies made afresh inside a draw loop are slow to validate.
PARTIAL_DATES = partial_dates()
DISTINCT_DATES = st.lists(PARTIAL_DATES, min_size=1, max_size=12, unique_by=lambda d: d.start)
EVENT_KINDS = st.sampled_from(KINDS)
STATUS_VALUES = st.sampled_from(STATUSES)
AMOUNTS = st.integers(0, 10**9).map(Decimal)


def entry(number: int, kind: str, on: PartialDate, details: dict | None = None) -> Entry:
    source = tracker_source(on) if kind == "deadline_missed" else GOVERNMENT
    recorded_at = FIRST_RECORDING + timedelta(hours=number)
    return Entry(number, kind, Fact(on, source, "a researcher"), recorded_at, details or {})


def correctable(entries: list[Entry]) -> list[Entry]:
    """Entries a correction may point at: not the announcement, not a correction."""
    return [e for e in entries if e.type not in ("announced", "correction")]


def uncorrected(entries: list[Entry]) -> list[Entry]:
    corrected = {e.details["corrects"] for e in entries if e.type == "correction"}
    return [e for e in entries if e.number not in corrected]


@st.composite
def histories(draw: st.DrawFn) -> list[Entry]:
    """An announcement and up to 11 more entries, in a random recording order.

    As the domain requires, a correction points at an earlier entry that is neither the
    announcement, nor a correction, nor already corrected.
    """
    dates = draw(DISTINCT_DATES)
    dates.sort(key=lambda d: d.start)
    announced_on, *others = dates
    others = draw(st.permutations(others))
    entries = [entry(1, "announced", announced_on, {"summary": "A promise"})]
    for on in others:
        number = len(entries) + 1
        kind = draw(EVENT_KINDS)
        targets = correctable(uncorrected(entries))
        if kind == "correction" and not targets:
            kind = "progress_reported"
        if kind in ("deadline_set", "deadline_missed"):
            details = {"due": draw(PARTIAL_DATES)}
        elif kind == "status_changed":
            details = {"status": draw(STATUS_VALUES)}
        elif kind == "budget_committed":
            details = {"amount_gbp": draw(AMOUNTS)}
        elif kind == "correction":
            target = draw(st.sampled_from(targets))
            details = {"corrects": target.number}
        else:
            details = {}
        entries.append(entry(number, kind, on, details))
    return entries


def reference_dates() -> st.SearchStrategy:
    return st.dates(EARLIEST - timedelta(days=400), LATEST + timedelta(days=400))


@SETTINGS
@given(histories(), reference_dates())
def test_slip_and_days_overdue_are_never_negative(entries, as_of):
    result = figures(entries, as_of)
    assert result.slip_days >= 0
    assert result.days_overdue >= 0
    if result.delivered_late_by_days is not None:
        assert result.delivered_late_by_days >= 0


@SETTINGS
@given(histories(), reference_dates())
def test_a_commitment_is_overdue_only_after_its_due_date_while_open(entries, as_of):
    result = figures(entries, as_of)
    if result.days_overdue:
        assert result.due_on is not None
        assert result.due_on < as_of
        assert result.status not in ("delivered", "dropped")


@SETTINGS
@given(histories(), st.data(), reference_dates())
def test_correcting_an_entry_gives_the_same_figures_as_deleting_it(entries, data, as_of):
    candidates = correctable(uncorrected(entries))
    if not candidates:
        return
    target = data.draw(st.sampled_from(candidates))
    # Dated on the announcement's day, the correction is never the last event by itself.
    announcement = entries[0]
    correction_entry = entry(
        len(entries) + 1, "correction", announcement.date, {"corrects": target.number}
    )
    corrected = [*entries, correction_entry]
    deleted = [e for e in entries if e.number != target.number]
    assert figures(corrected, as_of) == figures(deleted, as_of)


@SETTINGS
@given(histories(), st.data(), reference_dates(), PARTIAL_DATES)
def test_a_correction_dated_any_day_removes_the_entry_from_every_figure_but_freshness(
    entries, data, as_of, correction_on
):
    # The correction is itself a sourced event, so it may move the last event and
    # staleness; every other figure is as if the corrected entry had never been recorded.
    candidates = correctable(uncorrected(entries))
    if not candidates:
        return
    target = data.draw(st.sampled_from(candidates))
    correction_entry = entry(
        len(entries) + 1, "correction", correction_on, {"corrects": target.number}
    )
    corrected = figures([*entries, correction_entry], as_of)
    deleted = figures([e for e in entries if e.number != target.number], as_of)
    assert replace(corrected, stale=False, last_event_on=None) == replace(
        deleted, stale=False, last_event_on=None
    )


@SETTINGS
@given(histories(), st.data(), reference_dates())
def test_figures_do_not_depend_on_the_order_events_were_recorded(entries, data, as_of):
    announcement, *rest = entries
    corrections = [e for e in rest if e.type == "correction"]
    others = data.draw(st.permutations([e for e in rest if e.type != "correction"]))
    # Renumber in the new recording order; corrections come last, still after what they
    # correct, and point at the renumbered entries.
    reordered = [announcement, *others, *corrections]
    new_number = {e.number: position for position, e in enumerate(reordered, start=1)}
    renumbered = []
    for e in reordered:
        details = dict(e.details)
        if e.type == "correction":
            details["corrects"] = new_number[details["corrects"]]
        renumbered.append(entry(new_number[e.number], e.type, e.date, details))
    assert figures(renumbered, as_of) == figures(entries, as_of)


@SETTINGS
@given(histories(), reference_dates())
def test_figures_as_of_a_day_do_not_depend_on_events_dated_after_it(entries, as_of):
    # Corrections are kept whatever their date: a correction fixes the record, not the world.
    earlier = [e for e in entries if e.date.start <= as_of or e.type == "correction"]
    assert figures(earlier, as_of) == figures(entries, as_of)


@SETTINGS
@given(histories(), st.data())
def test_events_dated_after_the_reference_date_can_be_anything(entries, data):
    # Replace every later entry's details by others of the same kind: nothing changes.
    as_of = data.draw(st.dates(EARLIEST, LATEST))
    changed = []
    for e in entries:
        if e.date.start > as_of and e.type == "status_changed":
            e = replace(e, details={"status": data.draw(STATUS_VALUES)})
        elif e.date.start > as_of and e.type == "deadline_set":
            e = replace(e, details={"due": data.draw(PARTIAL_DATES)})
        changed.append(e)
    assert figures(changed, as_of) == figures(entries, as_of)


@SETTINGS
@given(histories(), st.dates(EARLIEST, LATEST), st.sampled_from(["day", "month", "year"]))
def test_a_status_change_dated_by_the_day_month_or_year_of_r_is_the_status_on_r(
    entries, as_of, precision
):
    on = {
        "day": PartialDate.of(as_of),
        "month": PartialDate(as_of.year, as_of.month),
        "year": PartialDate(as_of.year),
    }[precision]
    if any(on.start <= e.date.start <= as_of for e in entries):
        return  # an event between would come after it, or tie with it
    change = replace(entry(len(entries) + 1, "status_changed", on), details={"status": "paused"})
    result = figures([*entries, change], as_of)
    assert result.status == "paused"
    assert result.status_since == on


@SETTINGS
@given(histories())
def test_missed_deadline_entries_change_no_figure(entries):
    without = [e for e in entries if e.type != "deadline_missed"]
    for as_of in (EARLIEST, date(2022, 6, 30), LATEST, LATEST + timedelta(days=365)):
        assert figures(without, as_of) == figures(entries, as_of)


@SETTINGS
@given(histories(), st.integers(min_value=1, max_value=3650))
def test_long_before_the_announcement_nothing_has_started_and_nothing_is_due(entries, days_before):
    as_of = entries[0].date.start - timedelta(days=days_before)
    result = figures(entries, as_of)
    assert result.status == "announced"
    assert result.due is None
    assert result.due_on is None
    assert result.slip_days == 0
    assert result.days_overdue == 0
    assert result.stale is False
    assert result.last_event_on is None
    assert result.delivered_on is None

"""The public figures, as of a reference date R, following contract section 1.

Histories are built from small helpers that read like the data files:
``history(announced(on="2020-11-13"), deadline(due="2021-02", on="2020-11-13"))``.
Entries are numbered from 1 in the order given, which is the order they were recorded.
Expected day counts come from calendar facts stated next to them, not from the code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from tracker.domain.dates import PartialDate
from tracker.domain.entries import Entry
from tracker.domain.figures import figures, known_at, missed_deadlines, only_official_says
from tracker.domain.sources import Fact, Source, tracker_source

GOVERNMENT = Source(
    publisher="Mayor of London",
    title="Police and Crime Plan",
    published_on=PartialDate(2020, 11, 13),
    url="https://www.london.gov.uk/plan",
)
FIRST_RECORDING = datetime(2024, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Draft:
    """An event not yet numbered: ``history`` gives it its number and recording time."""

    type: str
    on: str
    details: dict[str, Any] = field(default_factory=dict)
    source: Source = GOVERNMENT
    recorded: str | None = None


def announced(on: str = "2020-11-13", recorded: str | None = None) -> Draft:
    return Draft("announced", on, {"summary": "Recruit more officers"}, recorded=recorded)


def deadline(due: str, on: str, recorded: str | None = None) -> Draft:
    return Draft("deadline_set", on, {"due": PartialDate.parse(due)}, recorded=recorded)


def status(value: str, on: str, recorded: str | None = None) -> Draft:
    return Draft("status_changed", on, {"status": value}, recorded=recorded)


def transferred(on: str, source: Source = GOVERNMENT) -> Draft:
    details = {"to_title": "Police and Crime Plan 2022-25", "to_plan": None, "to_commitment": None}
    return Draft("transferred", on, details, source=source)


def reported(value: str, on: str, kind: str | None) -> Draft:
    """A status change citing a source of ``kind``."""
    source = Source("Someone", f"Says {value}", PartialDate.parse(on), kind=kind)
    return Draft("status_changed", on, {"status": value}, source=source)


def progress(on: str, recorded: str | None = None) -> Draft:
    return Draft("progress_reported", on, recorded=recorded)


def correction(of: int, on: str, recorded: str | None = None) -> Draft:
    return Draft("correction", on, {"corrects": of}, recorded=recorded)


def missed(due: str, on: str) -> Draft:
    """What ``tracker tick`` records, citing the tracker itself."""
    source = tracker_source(PartialDate.parse(on))
    return Draft("deadline_missed", on, {"due": PartialDate.parse(due)}, source=source)


def history(*drafts: Draft) -> list[Entry]:
    """Entries numbered from 1 in the order given; recorded an hour apart unless told."""
    entries = []
    for number, draft in enumerate(drafts, start=1):
        if draft.recorded is None:
            recorded_at = FIRST_RECORDING + timedelta(hours=number)
        else:
            recorded_at = datetime.fromisoformat(draft.recorded).replace(tzinfo=UTC)
        fact = Fact(PartialDate.parse(draft.on), draft.source, "a researcher")
        entries.append(Entry(number, draft.type, fact, recorded_at, dict(draft.details)))
    return entries


def on(text: str) -> date:
    return date.fromisoformat(text)


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# Status


def test_a_commitment_is_announced_with_no_status_reported_from_its_announcement():
    assert figures(history(announced(on="2020-11-13")), on("2020-11-13")).status == "announced"


def test_deadlines_and_progress_reports_do_not_change_the_status():
    entries = history(
        announced(on="2020-11-13"),
        deadline(due="2021-02", on="2020-11-13"),
        progress(on="2020-12-01"),
    )
    result = figures(entries, on("2021-01-01"))
    assert result.status == "announced"
    assert result.status_since is None


def test_the_status_is_the_one_last_changed_to():
    entries = history(
        announced(),
        status("in_progress", on="2021-01-10"),
        status("delayed", on="2021-06-01"),
    )
    assert figures(entries, on("2021-07-01")).status == "delayed"


def test_status_changes_are_taken_in_date_order_not_recording_order():
    entries = history(
        announced(),
        status("in_progress", on="2022-03-01"),
        status("paused", on="2021-05-01"),  # recorded later, but happened earlier
    )
    assert figures(entries, on("2022-06-01")).status == "in_progress"


def test_status_changes_on_the_same_day_are_taken_in_recording_order():
    entries = history(
        announced(),
        status("in_progress", on="2021-05-01"),
        status("paused", on="2021-05-01"),
    )
    assert figures(entries, on("2021-05-01")).status == "paused"


def test_the_status_is_held_since_the_date_of_its_change_at_that_dates_precision():
    entries = history(announced(), status("paused", on="2022-11"))
    assert figures(entries, on("2023-01-01")).status_since == PartialDate(2022, 11)


# Which events count on the reference date


def test_an_event_dated_after_the_reference_date_does_not_count():
    entries = history(announced(), status("in_progress", on="2021-03-15"))
    assert figures(entries, on("2021-03-14")).status == "announced"


def test_an_event_counts_on_the_day_it_is_dated():
    entries = history(announced(), status("in_progress", on="2021-03-15"))
    assert figures(entries, on("2021-03-15")).status == "in_progress"


def test_an_event_dated_by_month_counts_from_the_first_day_of_that_month():
    entries = history(announced(), status("in_progress", on="2021-03"))
    assert figures(entries, on("2021-02-28")).status == "announced"
    assert figures(entries, on("2021-03-01")).status == "in_progress"


def test_an_event_dated_by_year_counts_from_the_first_of_january():
    entries = history(announced(), status("in_progress", on="2022"))
    assert figures(entries, on("2021-12-31")).status == "announced"
    assert figures(entries, on("2022-01-01")).status == "in_progress"


def test_a_deadline_set_after_the_reference_date_is_not_yet_the_due_date():
    entries = history(
        announced(on="2020-11-13"),
        deadline(due="2021-02", on="2020-11-13"),
        deadline(due="2021-12", on="2021-04-10"),
    )
    assert figures(entries, on("2021-04-09")).due == PartialDate(2021, 2)
    assert figures(entries, on("2021-04-10")).due == PartialDate(2021, 12)


def test_before_the_announcement_nothing_is_known():
    entries = history(
        announced(on="2020-11-13"),
        deadline(due="2021-02", on="2020-11-13"),
        status("in_progress", on="2020-12-01"),
    )
    result = figures(entries, on("2020-11-12"))
    assert result.status == "announced"
    assert result.due is None
    assert result.due_on is None
    assert result.slip_days == 0
    assert result.days_overdue == 0
    assert result.stale is False
    assert result.last_event_on is None


def test_the_figures_say_which_day_they_are_for():
    assert figures(history(announced()), on("2021-05-05")).as_of == on("2021-05-05")


# Due date


def test_without_a_deadline_there_is_no_due_date_and_nothing_is_overdue_or_slipped():
    result = figures(history(announced(on="2015-01-01")), on("2024-01-01"))
    assert result.due is None
    assert result.first_due is None
    assert result.due_on is None
    assert result.days_overdue == 0
    assert result.slip_days == 0


def test_the_due_date_keeps_the_precision_it_was_given():
    entries = history(announced(), deadline(due="2021-02", on="2020-11-13"))
    assert figures(entries, on("2020-12-01")).due == PartialDate(2021, 2)


def test_a_deadline_given_as_a_month_falls_due_on_its_last_day():
    entries = history(announced(), deadline(due="2021-02", on="2020-11-13"))
    assert figures(entries, on("2020-12-01")).due_on == date(2021, 2, 28)


def test_a_deadline_given_as_february_of_a_leap_year_falls_due_on_the_29th():
    entries = history(announced(on="2019-06-01"), deadline(due="2020-02", on="2019-06-01"))
    assert figures(entries, on("2019-07-01")).due_on == date(2020, 2, 29)


def test_a_deadline_given_as_a_year_falls_due_on_the_thirty_first_of_december():
    entries = history(announced(), deadline(due="2022", on="2020-11-13"))
    assert figures(entries, on("2020-12-01")).due_on == date(2022, 12, 31)


def test_the_due_date_is_the_latest_deadline_set_by_date_not_by_recording():
    entries = history(
        announced(on="2020-11-13"),
        deadline(due="2022-06", on="2021-09-01"),
        deadline(due="2021-12", on="2021-01-15"),  # backfilled: recorded last, dated earlier
    )
    result = figures(entries, on("2022-01-01"))
    assert result.due == PartialDate(2022, 6)
    assert result.first_due == PartialDate(2021, 12)


# Slip


def test_a_deadline_moved_later_has_slipped_by_the_days_between_the_two():
    # Due 28 February 2021, moved to 31 March 2021: March has 31 days.
    entries = history(
        announced(),
        deadline(due="2021-02", on="2020-11-13"),
        deadline(due="2021-03", on="2021-01-20"),
    )
    assert figures(entries, on("2021-02-01")).slip_days == 31


def test_a_month_deadline_moved_a_month_later_in_a_leap_year_slips_by_29_days():
    # 31 January 2020 to 29 February 2020: February 2020 has 29 days.
    entries = history(
        announced(on="2019-06-01"),
        deadline(due="2020-01", on="2019-06-01"),
        deadline(due="2020-02", on="2019-12-01"),
    )
    assert figures(entries, on("2020-01-01")).slip_days == 29


def test_a_year_deadline_moved_a_year_later_across_a_leap_day_slips_by_366_days():
    # 31 December 2023 to 31 December 2024 includes 29 February 2024.
    entries = history(
        announced(on="2022-01-01"),
        deadline(due="2023", on="2022-01-01"),
        deadline(due="2024", on="2023-06-01"),
    )
    assert figures(entries, on("2023-07-01")).slip_days == 366


def test_a_deadline_refined_from_a_month_to_its_last_day_has_not_slipped():
    entries = history(
        announced(),
        deadline(due="2021-02", on="2020-11-13"),
        deadline(due="2021-02-28", on="2021-01-01"),
    )
    assert figures(entries, on("2021-01-02")).slip_days == 0


def test_a_deadline_moved_earlier_has_not_slipped():
    entries = history(
        announced(),
        deadline(due="2021-12", on="2020-11-13"),
        deadline(due="2021-06", on="2021-01-01"),
    )
    result = figures(entries, on("2021-01-02"))
    assert result.due == PartialDate(2021, 6)
    assert result.slip_days == 0


def test_a_deadline_set_once_has_not_slipped():
    entries = history(announced(), deadline(due="2021-02", on="2020-11-13"))
    assert figures(entries, on("2022-01-01")).slip_days == 0


def test_slip_is_measured_from_the_first_deadline_not_the_one_before():
    # 28 February to 30 April 2021: 31 days of March and 30 of April.
    entries = history(
        announced(),
        deadline(due="2021-02", on="2020-11-13"),
        deadline(due="2021-03", on="2021-01-10"),
        deadline(due="2021-04", on="2021-03-10"),
    )
    assert figures(entries, on("2021-03-10")).slip_days == 61


def test_slip_compares_only_the_current_deadline_with_the_first():
    # Moved out to June, then back to March: 28 February to 31 March is 31 days.
    entries = history(
        announced(),
        deadline(due="2021-02", on="2020-11-13"),
        deadline(due="2021-06", on="2021-01-10"),
        deadline(due="2021-03", on="2021-02-10"),
    )
    assert figures(entries, on("2021-02-10")).slip_days == 31


def test_the_first_deadline_is_the_earliest_dated_not_the_first_recorded():
    entries = history(
        announced(on="2020-11-13"),
        deadline(due="2022-06", on="2021-09-01"),
        deadline(due="2021-12", on="2021-01-15"),  # recorded later, dated earlier
    )
    # 31 December 2021 to 30 June 2022 is 181 days: 31 + 28 + 31 + 30 + 31 (January to
    # May 2022, a non-leap year) to 31 May, then 30 more to 30 June.
    assert figures(entries, on("2022-01-01")).slip_days == 181


# Days overdue


def test_a_commitment_is_not_overdue_on_the_day_its_deadline_falls_due():
    entries = history(announced(), deadline(due="2021-02", on="2020-11-13"))
    assert figures(entries, on("2021-02-28")).days_overdue == 0


def test_a_commitment_is_one_day_overdue_the_day_after_its_deadline():
    # 28 February 2021 to 1 March 2021 is 1 day.
    entries = history(announced(), deadline(due="2021-02", on="2020-11-13"))
    assert figures(entries, on("2021-03-01")).days_overdue == 1


def test_a_commitment_is_not_overdue_before_its_deadline():
    entries = history(announced(), deadline(due="2021-02", on="2020-11-13"))
    assert figures(entries, on("2021-01-15")).days_overdue == 0


def test_days_overdue_count_every_calendar_day_including_a_leap_day():
    # 31 December 2023 to 31 December 2024 is 366 days: 2024 has 29 February.
    entries = history(announced(on="2023-01-01"), deadline(due="2023", on="2023-01-01"))
    assert figures(entries, on("2024-12-31")).days_overdue == 366


def test_overdue_counts_from_the_current_deadline_after_a_slip():
    # Moved from February to March 2021; 31 March to 10 April is 10 days.
    entries = history(
        announced(),
        deadline(due="2021-02", on="2020-11-13"),
        deadline(due="2021-03", on="2021-02-01"),
    )
    assert figures(entries, on("2021-04-10")).days_overdue == 10


@pytest.mark.parametrize("closed", ["delivered", "dropped"])
def test_a_delivered_or_dropped_commitment_is_never_overdue(closed):
    entries = history(
        announced(),
        deadline(due="2021-02", on="2020-11-13"),
        status(closed, on="2021-06-01"),
    )
    assert figures(entries, on("2022-01-01")).days_overdue == 0


@pytest.mark.parametrize("open_", ["in_progress", "delayed", "paused", "partially_delivered"])
def test_a_commitment_neither_delivered_nor_dropped_is_overdue(open_):
    # 28 February to 10 March 2021 is 10 days.
    entries = history(
        announced(),
        deadline(due="2021-02", on="2020-11-13"),
        status(open_, on="2021-01-01"),
    )
    assert figures(entries, on("2021-03-10")).days_overdue == 10


def test_a_commitment_delivered_late_was_overdue_until_its_delivery():
    # 28 February to 31 May 2021: 31 + 30 + 31 = 92 days.
    entries = history(
        announced(),
        deadline(due="2021-02", on="2020-11-13"),
        status("delivered", on="2021-06-01"),
    )
    assert figures(entries, on("2021-05-31")).days_overdue == 92
    assert figures(entries, on("2021-06-01")).days_overdue == 0


def test_a_commitment_reopened_after_delivery_is_overdue_again():
    # 28 February to 31 August 2021 is 31+30+31+30+31+31 = 184 days; 1 September is 185.
    entries = history(
        announced(),
        deadline(due="2021-02", on="2020-11-13"),
        status("delivered", on="2021-02-10"),
        status("in_progress", on="2021-07-01"),
    )
    assert figures(entries, on("2021-09-01")).days_overdue == 185


def test_an_announced_commitment_with_no_status_reported_can_be_overdue():
    entries = history(announced(), deadline(due="2021-02", on="2020-11-13"))
    result = figures(entries, on("2021-03-10"))
    assert (result.status, result.days_overdue) == ("announced", 10)


# Transfers


def test_a_transfer_sets_the_status_to_transferred_from_its_date():
    entries = history(announced(), status("in_progress", on="2021-01"), transferred(on="2022-04"))
    assert figures(entries, on("2022-03-31")).status == "in_progress"
    assert figures(entries, on("2022-04-01")).status == "transferred"
    assert figures(entries, on("2022-04-01")).status_since == PartialDate(2022, 4)


def test_a_transferred_commitment_is_never_overdue_or_stale():
    entries = history(
        announced(), deadline(due="2021-02", on="2020-11-13"), transferred(on="2021-01")
    )
    result = figures(entries, on("2025-01-01"))
    assert (result.days_overdue, result.stale) == (0, False)


def test_no_deadline_is_missed_after_a_transfer():
    entries = history(
        announced(), deadline(due="2022-06", on="2020-11-13"), transferred(on="2022-04")
    )
    assert missed_deadlines(entries, on("2025-01-01")) == []


def test_a_corrected_transfer_leaves_the_commitment_open():
    entries = history(announced(), transferred(on="2022-04"), correction(of=2, on="2022-05"))
    assert figures(entries, on("2023-01-01")).status == "announced"


# Who says so


OFFICIAL = Source("MOPAC", "Quarterly report", PartialDate(2022, 5), kind="official")


def test_the_status_source_kind_is_that_of_the_event_that_set_the_status():
    entries = history(announced(), reported("delivered", on="2022-05", kind="press"))
    assert figures(entries, on("2023-01-01")).status_source_kind == "press"


def test_no_status_reported_means_no_status_source_kind():
    assert figures(history(announced()), on("2023-01-01")).status_source_kind is None


def test_a_transfer_gives_its_own_source_kind():
    entries = history(announced(), transferred(on="2022-04", source=OFFICIAL))
    assert figures(entries, on("2023-01-01")).status_source_kind == "official"


def test_a_status_only_the_responsible_body_reports_rests_on_official_sources_alone():
    entries = history(announced(), reported("delivered", on="2022-05", kind="official"))
    assert only_official_says(entries, on("2023-01-01")) is True


def test_a_status_another_source_also_reports_does_not_rest_on_official_sources_alone():
    entries = history(
        announced(),
        reported("delivered", on="2022-05", kind="press"),
        reported("delivered", on="2022-06", kind="official"),
    )
    assert only_official_says(entries, on("2023-01-01")) is False


def test_another_source_reporting_a_different_status_does_not_corroborate():
    entries = history(
        announced(),
        reported("in_progress", on="2022-01", kind="oversight"),
        reported("delivered", on="2022-06", kind="official"),
    )
    assert only_official_says(entries, on("2023-01-01")) is True


def test_a_source_of_no_stated_kind_is_not_taken_as_the_body_itself():
    entries = history(
        announced(),
        reported("delivered", on="2022-05", kind=None),
        reported("delivered", on="2022-06", kind="official"),
    )
    assert only_official_says(entries, on("2023-01-01")) is False


def test_a_status_set_by_another_kind_of_source_does_not_rest_on_official_sources():
    entries = history(announced(), reported("delivered", on="2022-05", kind="foi"))
    assert only_official_says(entries, on("2023-01-01")) is False


def test_a_corrected_corroboration_no_longer_counts():
    entries = history(
        announced(),
        reported("delivered", on="2022-05", kind="press"),
        reported("delivered", on="2022-06", kind="official"),
        correction(of=2, on="2022-07"),
    )
    assert only_official_says(entries, on("2023-01-01")) is True


def test_without_a_reported_status_nothing_rests_on_official_sources():
    assert only_official_says(history(announced()), on("2023-01-01")) is False


# Staleness


def test_a_commitment_silent_for_exactly_180_days_is_not_stale():
    # 1 January to 30 June 2021 is 180 days: 31 + 28 + 31 + 30 + 31 days to 1 June, + 29.
    entries = history(announced(on="2021-01-01"))
    assert figures(entries, on("2021-06-30")).stale is False


def test_a_commitment_silent_for_more_than_180_days_is_stale():
    # 1 January to 1 July 2021 is 181 days: 31 + 28 + 31 + 30 + 31 + 30.
    entries = history(announced(on="2021-01-01"))
    assert figures(entries, on("2021-07-01")).stale is True


def test_a_sourced_event_of_any_kind_keeps_a_commitment_fresh():
    entries = history(announced(on="2021-01-01"), progress(on="2021-03-01"))
    assert figures(entries, on("2021-07-01")).stale is False


def test_staleness_counts_from_the_first_day_of_an_event_dated_by_month():
    # "January 2021" counts from 1 January: 180 days to 30 June, 181 to 1 July.
    entries = history(announced(on="2020-06-01"), progress(on="2021-01"))
    assert figures(entries, on("2021-06-30")).stale is False
    assert figures(entries, on("2021-07-01")).stale is True


@pytest.mark.parametrize("closed", ["delivered", "dropped"])
def test_a_delivered_or_dropped_commitment_is_never_stale(closed):
    entries = history(announced(on="2015-01-01"), status(closed, on="2015-02-01"))
    assert figures(entries, on("2024-01-01")).stale is False


def test_a_partially_delivered_commitment_can_be_stale():
    entries = history(announced(on="2015-01-01"), status("partially_delivered", on="2015-02-01"))
    assert figures(entries, on("2024-01-01")).stale is True


def test_a_missed_deadline_recorded_by_the_tracker_does_not_keep_a_commitment_fresh():
    entries = history(
        announced(on="2021-01-01"),
        deadline(due="2021-02", on="2021-01-01"),
        missed(due="2021-02", on="2021-03-01"),
    )
    assert figures(entries, on("2021-07-01")).stale is True


def test_an_event_dated_after_the_reference_date_does_not_keep_a_commitment_fresh():
    entries = history(announced(on="2021-01-01"), progress(on="2021-07-02"))
    assert figures(entries, on("2021-07-01")).stale is True


# Last event


def test_the_last_event_is_the_latest_dated_sourced_event_at_its_own_precision():
    entries = history(
        announced(on="2020-11-13"),
        progress(on="2022-11"),
        progress(on="2021-05-04"),  # recorded last, dated earlier
    )
    assert figures(entries, on("2023-01-01")).last_event_on == PartialDate(2022, 11)


def test_the_last_event_leaves_out_events_dated_after_the_reference_date():
    entries = history(announced(on="2020-11-13"), progress(on="2021-05-04"))
    assert figures(entries, on("2021-05-03")).last_event_on == PartialDate(2020, 11, 13)


def test_the_last_event_leaves_out_missed_deadlines_recorded_by_the_tracker():
    entries = history(
        announced(on="2020-11-13"),
        deadline(due="2021-02", on="2020-11-13"),
        missed(due="2021-02", on="2021-03-01"),
    )
    assert figures(entries, on("2021-04-01")).last_event_on == PartialDate(2020, 11, 13)


def test_the_last_event_leaves_out_a_corrected_event():
    entries = history(
        announced(on="2020-11-13"),
        progress(on="2021-05-04"),
        correction(of=2, on="2020-11-13"),
    )
    assert figures(entries, on("2021-06-01")).last_event_on == PartialDate(2020, 11, 13)


# Corrections


def test_a_corrected_status_change_never_counts():
    entries = history(
        announced(),
        status("in_progress", on="2021-01-10"),
        status("delivered", on="2021-03-01"),
        correction(of=3, on="2021-04-01"),
    )
    assert figures(entries, on("2021-05-01")).status == "in_progress"


def test_a_corrected_event_does_not_count_even_before_the_correction_is_dated():
    # The correction fixes the record, not the world: the delivery never happened.
    entries = history(
        announced(),
        deadline(due="2021-02", on="2020-11-13"),
        status("delivered", on="2021-02-15"),
        correction(of=3, on="2021-09-01"),
    )
    result = figures(entries, on("2021-03-01"))
    assert result.status == "announced"
    assert result.days_overdue == 1  # 28 February to 1 March 2021
    assert result.delivered_on is None


def test_a_corrected_deadline_sets_neither_the_due_date_nor_the_slip():
    entries = history(
        announced(),
        deadline(due="2021-02", on="2020-11-13"),
        deadline(due="2023-12", on="2021-01-10"),
        correction(of=3, on="2021-01-11"),
    )
    result = figures(entries, on("2021-02-01"))
    assert result.due == PartialDate(2021, 2)
    assert result.slip_days == 0


def test_a_corrected_first_deadline_leaves_the_next_as_the_first():
    entries = history(
        announced(),
        deadline(due="2021-02", on="2020-11-13"),
        deadline(due="2021-06", on="2021-01-10"),
        correction(of=2, on="2021-01-11"),
    )
    result = figures(entries, on("2021-02-01"))
    assert result.first_due == PartialDate(2021, 6)
    assert result.slip_days == 0


def test_a_corrected_event_no_longer_keeps_a_commitment_fresh():
    # Only the announcement counts: 1 January to 1 July 2021 is 181 days.
    entries = history(
        announced(on="2021-01-01"),
        progress(on="2021-05-01"),
        correction(of=2, on="2022-01"),
    )
    assert figures(entries, on("2021-07-01")).stale is True


# Delivery


def test_a_commitment_delivered_on_its_deadline_is_not_late():
    entries = history(
        announced(),
        deadline(due="2021-02", on="2020-11-13"),
        status("delivered", on="2021-02-28"),
    )
    result = figures(entries, on("2021-06-01"))
    assert result.delivered_on == PartialDate(2021, 2, 28)
    assert result.delivered_late_by_days == 0


def test_a_commitment_delivered_early_is_not_late():
    entries = history(
        announced(),
        deadline(due="2021-02", on="2020-11-13"),
        status("delivered", on="2021-01-05"),
    )
    assert figures(entries, on("2021-06-01")).delivered_late_by_days == 0


def test_a_delivery_the_day_after_a_month_deadline_is_one_day_late():
    # 28 February 2021 to 1 March 2021 is 1 day.
    entries = history(
        announced(),
        deadline(due="2021-02", on="2020-11-13"),
        status("delivered", on="2021-03-01"),
    )
    assert figures(entries, on("2021-06-01")).delivered_late_by_days == 1


def test_a_delivery_dated_by_month_counts_from_the_first_day_of_that_month():
    # "March 2021" counts from 1 March: one day after 28 February 2021.
    entries = history(
        announced(),
        deadline(due="2021-02", on="2020-11-13"),
        status("delivered", on="2021-03"),
    )
    result = figures(entries, on("2021-06-01"))
    assert result.delivered_on == PartialDate(2021, 3)
    assert result.delivered_late_by_days == 1


def test_lateness_is_measured_against_the_first_deadline_not_a_slipped_one():
    # Promised for February 2021, moved to December; delivered 10 March 2021,
    # 10 days after 28 February.
    entries = history(
        announced(),
        deadline(due="2021-02", on="2020-11-13"),
        deadline(due="2021-12", on="2021-01-10"),
        status("delivered", on="2021-03-10"),
    )
    assert figures(entries, on("2021-06-01")).delivered_late_by_days == 10


def test_a_delivery_without_any_deadline_has_no_lateness():
    entries = history(announced(), status("delivered", on="2021-03-10"))
    result = figures(entries, on("2021-06-01"))
    assert result.delivered_on == PartialDate(2021, 3, 10)
    assert result.delivered_late_by_days is None


def test_a_commitment_not_delivered_has_no_delivery_date_or_lateness():
    entries = history(
        announced(),
        deadline(due="2021-02", on="2020-11-13"),
        status("partially_delivered", on="2021-03-10"),
    )
    result = figures(entries, on("2021-06-01"))
    assert result.delivered_on is None
    assert result.delivered_late_by_days is None


def test_a_delivery_dated_after_the_reference_date_is_not_yet_a_delivery():
    entries = history(
        announced(),
        deadline(due="2021-02", on="2020-11-13"),
        status("delivered", on="2021-03-10"),
    )
    assert figures(entries, on("2021-03-09")).delivered_on is None


# Missed deadlines recorded by the tracker


def test_missed_deadlines_recorded_by_the_tracker_change_no_figure():
    plain = history(
        announced(on="2020-11-13"),
        deadline(due="2021-02", on="2020-11-13"),
        status("in_progress", on="2020-12-01"),
    )
    with_tick = history(
        announced(on="2020-11-13"),
        deadline(due="2021-02", on="2020-11-13"),
        status("in_progress", on="2020-12-01"),
        missed(due="2021-02", on="2021-03-01"),
    )
    for day in ("2021-02-28", "2021-03-01", "2021-09-01", "2022-03-01"):
        assert figures(with_tick, on(day)) == figures(plain, on(day))


# The record as known at a moment (transaction time)


def test_the_record_as_known_at_a_moment_leaves_out_events_recorded_later():
    entries = history(
        announced(on="2020-11-13", recorded="2020-11-14T09:00"),
        status("in_progress", on="2021-01-10", recorded="2021-01-12T09:00"),
        status("delivered", on="2021-02-01", recorded="2021-03-20T09:00"),
    )
    then = known_at(entries, moment("2021-03-01T00:00"))
    assert [e.number for e in then] == [1, 2]
    assert figures(then, on("2021-03-01")).status == "in_progress"
    assert figures(entries, on("2021-03-01")).status == "delivered"


def test_an_event_recorded_at_the_very_moment_is_known_at_that_moment():
    entries = history(
        announced(on="2020-11-13", recorded="2020-11-14T09:00"),
        status("in_progress", on="2021-01-10", recorded="2021-01-12T09:00"),
    )
    assert len(known_at(entries, moment("2021-01-12T09:00"))) == 2
    assert len(known_at(entries, moment("2021-01-12T08:59:59"))) == 1


def test_a_correction_recorded_after_the_moment_is_not_yet_known():
    entries = history(
        announced(on="2020-11-13", recorded="2020-11-14T09:00"),
        status("delivered", on="2021-02-01", recorded="2021-02-02T09:00"),
        correction(of=2, on="2021-04-01", recorded="2021-04-02T09:00"),
    )
    before = known_at(entries, moment("2021-03-01T00:00"))
    after = known_at(entries, moment("2021-05-01T00:00"))
    assert figures(before, on("2021-03-01")).status == "delivered"
    assert figures(after, on("2021-03-01")).status == "announced"


def test_an_event_backdated_when_recorded_is_unknown_before_it_was_recorded():
    entries = history(
        announced(on="2020-11-13", recorded="2020-11-14T09:00"),
        deadline(due="2021-02", on="2020-11-13", recorded="2020-11-14T09:05"),
        deadline(due="2021-12", on="2021-01-15", recorded="2021-06-01T09:00"),
    )
    as_it_stood = known_at(entries, moment("2021-03-01T00:00"))
    assert figures(as_it_stood, on("2021-03-01")).days_overdue == 1
    assert figures(entries, on("2021-03-01")).days_overdue == 0


# Missed deadlines


def test_a_deadline_that_passed_in_silence_is_missed():
    entries = history(announced(), deadline(due="2021-02", on="2020-11-13"))
    assert missed_deadlines(entries, on("2021-06-01")) == [PartialDate(2021, 2)]


def test_a_deadline_is_not_missed_until_the_day_after_it_falls_due():
    entries = history(announced(), deadline(due="2021-02", on="2020-11-13"))
    assert missed_deadlines(entries, on("2021-02-28")) == []
    assert missed_deadlines(entries, on("2021-03-01")) == [PartialDate(2021, 2)]


def test_a_commitment_without_a_deadline_misses_nothing():
    assert missed_deadlines(history(announced(on="2015-01-01")), on("2024-01-01")) == []


def test_a_deadline_moved_before_it_fell_due_is_not_missed():
    entries = history(
        announced(),
        deadline(due="2021-02", on="2020-11-13"),
        deadline(due="2021-06", on="2021-01-20"),
    )
    assert missed_deadlines(entries, on("2021-05-01")) == []


def test_after_a_revision_in_time_only_the_revised_deadline_can_be_missed():
    entries = history(
        announced(),
        deadline(due="2021-02", on="2020-11-13"),
        deadline(due="2021-06", on="2021-01-20"),
    )
    assert missed_deadlines(entries, on("2021-07-01")) == [PartialDate(2021, 6)]


def test_a_deadline_brought_forward_is_missed_at_its_new_date_not_its_old_one():
    entries = history(
        announced(),
        deadline(due="2021-12", on="2020-11-13"),
        deadline(due="2021-06", on="2021-01-20"),
    )
    assert missed_deadlines(entries, on("2022-06-01")) == [PartialDate(2021, 6)]


def test_a_deadline_met_by_delivery_is_not_missed():
    entries = history(
        announced(),
        deadline(due="2021-02", on="2020-11-13"),
        status("delivered", on="2021-02-20"),
    )
    assert missed_deadlines(entries, on("2021-06-01")) == []


def test_a_deadline_met_on_its_last_day_is_not_missed():
    entries = history(
        announced(),
        deadline(due="2021-02", on="2020-11-13"),
        status("delivered", on="2021-02-28"),
    )
    assert missed_deadlines(entries, on("2021-06-01")) == []


def test_a_deadline_is_not_missed_by_a_commitment_dropped_before_it():
    entries = history(
        announced(),
        deadline(due="2021-02", on="2020-11-13"),
        status("dropped", on="2021-01-05"),
    )
    assert missed_deadlines(entries, on("2021-06-01")) == []


def test_a_deadline_is_missed_by_a_commitment_only_partially_delivered():
    entries = history(
        announced(),
        deadline(due="2021-02", on="2020-11-13"),
        status("partially_delivered", on="2021-02-20"),
    )
    assert missed_deadlines(entries, on("2021-06-01")) == [PartialDate(2021, 2)]


def test_a_deadline_delivered_weeks_late_was_still_missed():
    entries = history(
        announced(),
        deadline(due="2021-02", on="2020-11-13"),
        status("delivered", on="2021-04-15"),
    )
    assert missed_deadlines(entries, on("2021-06-01")) == [PartialDate(2021, 2)]


def test_the_original_deadline_of_a_commitment_slipped_after_it_passed_is_missed():
    entries = history(
        announced(on="2020-11-13", recorded="2020-11-14T09:00"),
        deadline(due="2021-02", on="2020-11-13", recorded="2020-11-14T09:05"),
        deadline(due="2021-12", on="2021-04-10", recorded="2021-04-11T09:00"),
    )
    assert missed_deadlines(entries, on("2021-05-01")) == [PartialDate(2021, 2)]
    assert missed_deadlines(entries, on("2022-01-01")) == [
        PartialDate(2021, 2),
        PartialDate(2021, 12),
    ]


def test_a_deadline_missed_as_the_record_stood_stays_missed_when_later_slipped():
    entries = history(
        announced(on="2020-11-13", recorded="2020-11-14T09:00"),
        deadline(due="2021-02", on="2020-11-13", recorded="2020-11-14T09:05"),
        deadline(due="2021-12", on="2021-04-10", recorded="2021-04-11T09:00"),
    )
    as_it_stood = known_at(entries, moment("2021-03-01T12:00"))
    assert missed_deadlines(as_it_stood, on("2021-03-01")) == [PartialDate(2021, 2)]
    assert PartialDate(2021, 2) in missed_deadlines(entries, on("2021-06-01"))


def test_a_corrected_deadline_is_never_missed():
    entries = history(
        announced(),
        deadline(due="2021-02", on="2020-11-13"),
        correction(of=2, on="2021-06-01"),
    )
    assert missed_deadlines(entries, on("2021-03-01")) == []


def test_missed_deadlines_are_listed_in_the_order_they_fell_due():
    entries = history(
        announced(on="2020-01-01"),
        deadline(due="2020", on="2020-01-01"),
        deadline(due="2021-06", on="2021-04-01"),
        deadline(due="2021-03-15", on="2021-02-01"),  # recorded after, dated before
    )
    assert missed_deadlines(entries, on("2022-01-01")) == [
        PartialDate(2020),
        PartialDate(2021, 3, 15),
        PartialDate(2021, 6),
    ]

"""The figures the public sees, as pure functions of a history and a reference date.

These follow ../shared/contract.md section 1 exactly:
- only events dated on or before the reference date count; an event dated by month or
  year counts from the first day of that month or year;
- a corrected event never counts, whatever the reference date;
- a deadline given as a month or a year falls due on its last day;
- events are taken in order of their dates, not of their recording. Events on the same
  first day are taken in the order they were recorded (a documented tie-break).

``known_at`` gives the transaction-time view: the history as the record stood at a
past moment, before later events and corrections were recorded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from tracker.domain.dates import PartialDate
from tracker.domain.entries import (
    ANNOUNCED,
    CLOSED_STATUSES,
    COMMITMENT_EVENT_TYPES,
    Entry,
    status_set_by,
)

STALE_AFTER_DAYS = 180
SOURCED_TYPES = frozenset(COMMITMENT_EVENT_TYPES)  # all but the tracker's own


@dataclass(frozen=True, slots=True)
class Figures:
    """Where a commitment stood on ``as_of``."""

    as_of: date
    status: str
    status_since: PartialDate | None
    first_due: PartialDate | None
    due: PartialDate | None
    slip_days: int
    days_overdue: int
    stale: bool
    last_event_on: PartialDate | None
    delivered_on: PartialDate | None
    delivered_late_by_days: int | None
    status_source_kind: str | None = None  # the kind of the source that set the status

    @property
    def due_on(self) -> date | None:
        """The day the current deadline falls due."""
        return self.due.end if self.due else None


def corrected_numbers(entries: Iterable[Entry]) -> set[int]:
    """Numbers of the entries that a correction in ``entries`` has corrected."""
    return {e.details["corrects"] for e in entries if e.type == "correction"}


def known_at(entries: Iterable[Entry], moment: datetime) -> list[Entry]:
    """The history as recorded up to ``moment`` (transaction time)."""
    return [e for e in entries if e.recorded_at <= moment]


def in_date_order(entries: Iterable[Entry]) -> list[Entry]:
    """Entries by the day they start to count, ties in recording order."""
    return sorted(entries, key=lambda e: (e.date.start, e.number))


def counted(entries: Sequence[Entry], as_of: date) -> list[Entry]:
    """Entries that count on ``as_of``: dated by then and not corrected, in date order."""
    corrected = corrected_numbers(entries)
    return in_date_order(e for e in entries if e.number not in corrected and e.date.start <= as_of)


def figures(entries: Sequence[Entry], as_of: date) -> Figures:
    """Status, deadlines, slip, overdue, staleness and delivery as of ``as_of``."""
    events = counted(entries, as_of)
    changes = [e for e in events if status_set_by(e)]
    deadlines = [e.details["due"] for e in events if e.type == "deadline_set"]
    sourced = [e for e in events if e.type in SOURCED_TYPES]
    return figures_from(
        as_of,
        status=status_set_by(changes[-1]) if changes else ANNOUNCED,
        status_since=changes[-1].date if changes else None,
        first_due=deadlines[0] if deadlines else None,
        due=deadlines[-1] if deadlines else None,
        last_event_on=sourced[-1].date if sourced else None,
        status_source_kind=changes[-1].source.kind if changes else None,
    )


def only_official_says(entries: Sequence[Entry], as_of: date) -> bool:
    """Whether the status on ``as_of`` rests on the responsible body's word alone.

    True when the event that set it cites an ``official`` source and no other counted
    event reporting the same status cites a source that is not known to be official
    (a source of no stated kind may be anyone, so it is not the body's word alone).
    Readers are told so beside the status: the body says it, no one else has yet."""
    events = [e for e in counted(entries, as_of) if status_set_by(e)]
    if not events or events[-1].source.kind != "official":
        return False
    status = status_set_by(events[-1])
    return all(e.source.kind == "official" for e in events if status_set_by(e) == status)


def figures_from(
    as_of: date,
    status: str,
    status_since: PartialDate | None,
    first_due: PartialDate | None,
    due: PartialDate | None,
    last_event_on: PartialDate | None,
    status_source_kind: str | None = None,
) -> Figures:
    """The figures from what the history says (status, deadlines, last event): the
    day-dependent arithmetic lives here alone, for replayed histories and read models."""
    open_ = status not in CLOSED_STATUSES
    delivered_on = status_since if status == "delivered" else None
    late_by = None
    if delivered_on and first_due:
        late_by = max(0, (delivered_on.start - first_due.end).days)
    return Figures(
        as_of=as_of,
        status=status,
        status_since=status_since,
        first_due=first_due,
        due=due,
        slip_days=max(0, (due.end - first_due.end).days) if due and first_due else 0,
        days_overdue=max(0, (as_of - due.end).days) if due and open_ else 0,
        stale=open_
        and last_event_on is not None
        and (as_of - last_event_on.start).days > STALE_AFTER_DAYS,
        last_event_on=last_event_on,
        delivered_on=delivered_on,
        delivered_late_by_days=late_by,
        status_source_kind=status_source_kind,
    )


def missed_deadlines(entries: Sequence[Entry], today: date) -> list[PartialDate]:
    """Deadlines that passed while current and undelivered, up to ``today``.

    A deadline counts as missed when, on the day after it fell due, it was still the
    commitment's current deadline and the status was open (not delivered, dropped or
    transferred).
    """
    corrected = corrected_numbers(entries)
    dues = {
        e.details["due"] for e in entries if e.type == "deadline_set" and e.number not in corrected
    }
    missed = []
    for due in sorted(dues, key=lambda d: d.end):
        day_after = date.fromordinal(due.end.toordinal() + 1)
        if day_after > today:
            continue
        then = figures(entries, day_after)
        if then.due == due and then.days_overdue > 0:
            missed.append(due)
    return missed

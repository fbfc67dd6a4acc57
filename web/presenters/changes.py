"""What changed between two dates: worked out once here, for ``/changes`` and
``/api/v1/changes`` alike (contract section 6).

Both sides come from the read models' as-of rows, the same figures every page and the
status command show, so that a change here is a difference a reader could see by
opening the commitment's page on each date. The window counts whole days: ``since``
from its first day, ``until`` to its last (``since=2022-07`` is from 1 July 2022).
The "before" side is the record as of the day before ``since``, the "after" side as of
``until``; the events that made a change are those that start to count in between,
the rule every as-of view uses (an event dated "July 2022" counts from 1 July).

A commitment differs when its status, its current deadline (text and precision) or
whether it is overdue differs; the number of days overdue grows every day and is shown,
not compared. One announced inside the window has no "before" side.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from tracker.domain.dates import PartialDate
from tracker.domain.errors import InvalidInputError
from tracker.readmodels import ReadModel
from tracker.readmodels.views import CommitmentRow, Item
from web import urls
from web.schemas import commitment_links, event_record

# The events that move a status, a deadline or whether it is overdue ("deadline_missed"
# is the tracker's own record of a deadline passing, which is what overdue means).
MOVING = ("announced", "deadline_set", "status_changed", "transferred", "deadline_missed")


@dataclass(frozen=True)
class Window:
    """The two dates asked about, as whole days, and one plan or every plan."""

    since: date
    until: date
    plan: str | None = None

    @property
    def before(self) -> date:
        """The day the "before" side is as of: the last day before the window."""
        return self.since - timedelta(days=1)


def window(since: PartialDate, until: PartialDate | None, today: date, plan: str | None) -> Window:
    """The window from the dates as given; ``until`` defaults to ``today``. A window
    that ends before it starts is refused, naming ``since``."""
    first, last = since.start, until.end if until else today
    if first > last:
        raise InvalidInputError(f"since: {since} is after until ({last.isoformat()})", "since")
    return Window(first, last, plan)


@dataclass(frozen=True)
class Side:
    """Where a commitment stood on one side of the window."""

    status: str
    due: PartialDate | None
    days_overdue: int

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0


@dataclass(frozen=True)
class Change:
    """One commitment that differs between the two sides, and what made it differ."""

    row: CommitmentRow  # as of ``until``
    before: Side | None  # None: not yet announced the day before ``since``
    after: Side
    what: tuple[str, ...]  # "announced", or any of "status", "due", "overdue"
    events: list[Item]


def changes(read: ReadModel, span: Window) -> list[Change]:
    """Every commitment that differs between the two sides, plan by plan."""
    plans = [span.plan] if span.plan else [p.slug for p in read.plan_infos()]
    found = []
    for plan in plans:
        before = {r.slug: r for r in read.commitments(plan, span.before)}
        for row in read.commitments(plan, span.until):
            change = _change(read, span, before[row.slug], row)
            if change:
                found.append(change)
    return found


def _change(read: ReadModel, span: Window, old: CommitmentRow, row: CommitmentRow) -> Change | None:
    if row.announced_on.start > span.until:
        return None  # not on the record yet at the end of the window
    after = _side(row)
    before = None if row.announced_on.start > span.before else _side(old)
    what = ("announced",) if before is None else _differences(before, after)
    if not what:
        return None
    return Change(row, before, after, what, _events(read, span, row))


def _side(row: CommitmentRow) -> Side:
    f = row.figures
    return Side(f.status, f.due, f.days_overdue)


def _differences(before: Side, after: Side) -> tuple[str, ...]:
    pairs = {
        "status": (before.status, after.status),
        "due": (str(before.due), str(after.due)),  # the text keeps the precision
        "overdue": (before.overdue, after.overdue),
    }
    return tuple(name for name, (old, new) in pairs.items() if old != new)


def _events(read: ReadModel, span: Window, row: CommitmentRow) -> list[Item]:
    """The counted events that start to count inside the window, in date order."""
    items = read.commitment(row.plan, row.slug, span.until).items
    made = [
        i
        for i in items
        if i.entry.type in MOVING
        and i.corrected_by is None
        and span.since <= i.entry.date.start <= span.until
    ]
    return sorted(made, key=lambda i: (i.entry.date.start, i.entry.number))


# As data (the API), from the same changes the page shows


def changes_record(span: Window, found: list[Change]) -> dict[str, Any]:
    return {
        "since": span.since.isoformat(),
        "until": span.until.isoformat(),
        "before_as_of": span.before.isoformat(),
        "after_as_of": span.until.isoformat(),
        "plan": span.plan,
        "total": len(found),
        "changes": [change_record(c) for c in found],
        "links": {"html": page_link(span)},
    }


def change_record(change: Change) -> dict[str, Any]:
    row = change.row
    return {
        "plan": row.plan,
        "slug": row.slug,
        "title": row.title,
        "changed": list(change.what),
        "before": side_record(change.before) if change.before else None,
        "after": side_record(change.after),
        "events": [
            event_record(i.plan, i.commitment, i.entry, i.corrected_by) for i in change.events
        ],
        "links": commitment_links(row.plan, row.slug),
    }


def side_record(side: Side) -> dict[str, Any]:
    return {
        "status": side.status,
        "due": str(side.due) if side.due else None,
        "due_precision": side.due.precision if side.due else None,
        "due_on": side.due.end.isoformat() if side.due else None,
        "overdue": side.overdue,
        "days_overdue": side.days_overdue,
    }


def page_link(span: Window) -> str:
    return urls.changes(since=span.since, until=span.until, plan=span.plan)

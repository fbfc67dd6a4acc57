"""The timeline's window (``/api/v1/timeline?since=&until=``), read once for every
route that takes one.

An event is in the window when its date's span overlaps it: one dated "July 2022"
covers 1 to 31 July, so it is in a window from 15 July 2022 (the source does not say
it happened before) and in one until 1 July 2022. ``since`` counts from its first
day, ``until`` to its last, so ``since=2022&until=2022`` is the whole of 2022.
"""

from __future__ import annotations

from datetime import date

from tracker.application.specs import date_of
from tracker.domain.errors import InvalidInputError

WINDOW = {
    "since": "only events whose date may fall on or after this day: YYYY, YYYY-MM or"
    " YYYY-MM-DD (from its first day); an event dated by month or year is in when its"
    " span overlaps the window",
    "until": "only events whose date may fall on or before this day (a month or year to"
    " its last day)",
}


def timeline_window(since: str | None, until: str | None) -> tuple[date | None, date | None]:
    """The window's first and last days, either open; bad dates, and a window that
    ends before it starts, are refused naming the parameter."""
    first = date_of(since, "since").start if _given(since) else None
    last = date_of(until, "until").end if _given(until) else None
    if first and last and first > last:
        raise InvalidInputError(f"since: {since} is after until ({until})", "since")
    return first, last


def _given(text: str | None) -> bool:
    return bool(text and text.strip())

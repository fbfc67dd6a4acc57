"""Deadlines as an iCalendar file (RFC 5545), for calendar apps to subscribe to.

One all-day event per current deadline of an open commitment (not delivered, dropped
or transferred). A month or year deadline falls due on its last day (contract section
1), so that is the day shown, and the summary says "(month)" or "(year)".

A calendar app matches events by ``UID``: it is one per commitment, not per deadline,
so that when a deadline moves the app moves the event rather than keeping the old one
beside it. ``DTSTAMP``, ``LAST-MODIFIED`` and ``SEQUENCE`` come from the record (the
commitment's latest event and its version), never the clock: the same record gives the
same bytes, which is what lets the file be cached and answered with a 304.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from icalendar import Calendar, Event

from tracker.domain.entries import CLOSED_STATUSES
from tracker.readmodels.views import CommitmentRow
from web import bidi, urls
from web.presenters.wording import (
    PRECISION,
    SITE,
    calendar_name,
    day_text,
    days_text,
    due_words,
    status_text,
)

PRODID = f"-//{SITE}//Deadlines//EN"
REFRESH = timedelta(days=1)  # how often an app should fetch the file again


@dataclass(frozen=True)
class Deadline:
    """A commitment whose current deadline goes in a calendar."""

    row: CommitmentRow
    plan_title: str


def deadlines(rows: Iterable[CommitmentRow], plan_titles: dict[str, str]) -> list[Deadline]:
    """The rows that have a current deadline and are still open, soonest first."""
    kept = [
        Deadline(row, plan_titles.get(row.plan, row.plan))
        for row in rows
        if row.figures.due is not None and row.figures.status not in CLOSED_STATUSES
    ]
    return sorted(kept, key=lambda d: (d.row.figures.due.end, d.row.plan, d.row.slug))


def calendar(subject: str | None, items: list[Deadline], base: str) -> bytes:
    """The file: ``subject`` names it (None for every plan); ``base`` is the site's
    address, for links and for the host part of each ``UID``."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", calendar_name(bidi.isolated(subject) if subject else None))
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "P1D")  # the same, as older apps read it
    host = _host(base)
    for item in items:
        cal.add_component(_event(item, base, host))
    return cal.to_ical()


def uid(plan: str, slug: str, host: str) -> str:
    """The event's identity: the commitment's, so a moved deadline updates its event."""
    return f"{plan}/{slug}/deadline@{host}"


def last_recorded(items: list[Deadline]) -> datetime | None:
    """When the latest of the calendar's commitments last changed in the record."""
    return max((_recorded(item.row) for item in items), default=None)


def _event(item: Deadline, base: str, host: str) -> Event:
    row = item.row
    due = row.figures.due
    recorded = _recorded(row)
    link = base + urls.commitment(row.plan, row.slug)
    event = Event()
    event.add("uid", uid(row.plan, row.slug, host))
    event.add("dtstamp", recorded)
    event.add("last-modified", recorded)
    event.add("sequence", row.version)
    event.add("dtstart", due.end)
    event.add("dtend", due.end + timedelta(days=1))
    event.add("summary", f"{due_words(due)}: {bidi.isolated(row.title)}")
    event.add("description", _description(item, link))
    event.add("url", link)
    event.add("transp", "TRANSPARENT")  # a deadline takes no one's time
    return event


def _description(item: Deadline, link: str) -> str:
    """Status, deadline and where to read more: nothing that changes with the day."""
    f = item.row.figures
    since = f" (since {f.status_since.human()})" if f.status_since else ""
    lines = [
        f"Plan: {bidi.isolated(item.plan_title)}",
        f"Status: {status_text(f.status)}{since}",
        f"Deadline: {f.due.human()}{PRECISION[f.due.precision]}; it falls due on"
        f" {day_text(f.due.end)}.",
    ]
    if f.slip_days:
        lines.append(f"First deadline: {f.first_due.human()} ({days_text(f.slip_days)} earlier).")
    lines.append(f"Where it stands, with the source of every line: {link}")
    return "\n".join(lines)


def _recorded(row: CommitmentRow) -> datetime:
    moment = datetime.fromisoformat(row.recorded_at)
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.replace(microsecond=0)


def _host(base: str) -> str:
    """The host of the site's address, as a ``UID`` may carry it."""
    return re.sub(r"[^a-z0-9.-]", "-", (urlsplit(base).hostname or "localhost").lower())

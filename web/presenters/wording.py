"""Every public word the site says about the record, written once: labels, short
texts and the sentences pages, feeds and the editors' preview share. A page, a feed
and the API never say the same thing two ways.

Who is speaking (a source's ``kind``), each status's label and its meaning, the names
of events, groups and headline counts, and how dates, days and figures are written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from tracker.domain import numbers
from tracker.domain.dates import MONTH_NAMES, PartialDate
from tracker.domain.entries import CLOSED_STATUSES
from tracker.domain.figures import STALE_AFTER_DAYS, Figures

SITE = "Action Plan Tracker"

STATUS_LABELS = {
    "announced": "Announced, no status reported",
    "not_started": "Not started",
    "in_progress": "In progress",
    "delayed": "Delayed",
    "paused": "Paused",
    "delivered": "Delivered",
    "partially_delivered": "Partially delivered",
    "dropped": "Dropped",
    "transferred": "Transferred",
}
# Beside a status whose only sources are the body responsible for delivering it.
ONLY_OFFICIAL = "Only the responsible body says so"
GROUP_LABELS = {
    "overdue": "Overdue",
    "stale": "Stale (no news for 180 days)",
    "no_deadline": "No deadline",
}
HEADLINE_LABELS = {
    "delivered": "Delivered",
    "in_progress": "In progress",
    "announced": "No status reported",
    "overdue": "Overdue",
    "stale": "Stale",
    "no_deadline": "No deadline",
}
TYPE_LABELS = {
    "announced": "Announced",
    "deadline_set": "Deadline set",
    "status_changed": "Status changed",
    "progress_reported": "Progress reported",
    "budget_committed": "Budget committed",
    "target_set": "Target set",
    "measurement_recorded": "Measurement recorded",
    "correction": "Correction",
    "deadline_missed": "Deadline missed",
    "transferred": "Transferred",
}
# Search: what a hit says matched (``tracker/readmodels/searchrows.py``'s fields).
MATCHED_LABELS = {
    "title": "Commitment title",
    "summary": "Event summary",
    "quote": "Quote",
    "note": "Note",
    "source": "Source title",
}
SEARCH_HINT = (
    "Every word must appear; words in double quotes, or joined by a hyphen, must appear"
    " together. Case and word endings do not matter."
)
# Error pages' headings.
NOT_FOUND = "Not found"
NO_SUCH_PAGE = "There is no page at this address."
NOT_UNDERSTOOD = "That request could not be understood"
DATE_NOT_READ = "That date could not be read"
FORM_NOT_READ = "The form could not be read"
DATE_FORMATS = "Write a date as YYYY, YYYY-MM or YYYY-MM-DD."
# The static edition (``tracker publish``): what stands in for what only a live site does.
STATIC_FORM = (
    "This copy of the site shows the record as it stood on the day it was published:"
    " choosing another date or filtering the list needs the live site."
)
STATIC_LOG_LINK = "Check a copy of the log"
STATIC_CITE = (
    "To cite this commitment, use the live site's page: its citation is pinned to a record"
    " of the log that this copy cannot show."
)
# After an event's date, where the source gives less than a day.
PRECISION = {
    "day": "",
    "month": " (the source gives the month only)",
    "year": " (the source gives the year only)",
}
# Following a deadline elsewhere: in a calendar, a badge, another site's card. A
# calendar can only show a day, so a month or year deadline says what it really is.
DUE_PRECISION = {"day": "", "month": " (month)", "year": " (year)"}
DEADLINES = "deadlines"
EMBED_THIS = "Embed this"
EMBED_HINT = (
    "Copy either piece of markup into another page. The card and the badge show the"
    " commitment as it stands on the day they are viewed, and link back here."
)


def due_words(due: PartialDate) -> str:
    """When a deadline falls: "Due on 13 November 2020", "Due by July 2022 (month)"."""
    if due.precision == "day":
        return f"Due on {due.human()}"
    return f"Due by {due.human()}{DUE_PRECISION[due.precision]}"


def calendar_name(subject: str | None = None) -> str:
    """A calendar's name as a calendar app lists it."""
    return f"{subject or SITE}: {DEADLINES}"


def badge_words(f: Figures) -> tuple[str, str | None]:
    """A badge's two parts: the status, short, and how long it is overdue (or None)."""
    status = HEADLINE_LABELS["announced"] if f.status == "announced" else status_text(f.status)
    overdue = f"Overdue {days_text(f.days_overdue)}" if f.days_overdue else None
    return status, overdue


@dataclass(frozen=True)
class Kind:
    """How the public reads one kind of source: a short label and what it covers."""

    label: str
    meaning: str


SOURCE_KINDS = {
    "official": Kind(
        "Official: the responsible body",
        "the body responsible for delivering the commitment, or its own press office",
    ),
    "oversight": Kind(
        "Oversight: a body holding it to account",
        "a body that holds the responsible body to account: MOPAC's boards, the London"
        " Assembly, inspectorates, auditors",
    ),
    "parliament": Kind("Parliament", "Parliament, its members and its committees"),
    "press": Kind("Press", "newspapers, broadcasters and news services"),
    "independent": Kind(
        "Independent: research, charities, campaigners",
        "researchers, charities and campaigners, independent of the responsible body",
    ),
    "foi": Kind(
        "Freedom of Information answer",
        "an answer given under the Freedom of Information Act",
    ),
}

STATUS_MEANINGS = {
    "announced": "The commitment has been announced and no source has reported a status since.",
    "not_started": "A source says that work has not begun. Silence is not taken to mean"
    " this: with no status reported, a commitment stays announced.",
    "in_progress": "A source says that work is under way.",
    "delayed": "A source says that the work is running late.",
    "paused": "A source says that work has stopped for now.",
    "delivered": "A source says that it has been done.",
    "partially_delivered": "A source says that part of it has been done.",
    "dropped": "A source says that it has been abandoned.",
    "transferred": "It was carried into another plan: it is closed here, and its page"
    " says where it went.",
}


# Who a source is (contract section 5), as the pages name it beside the source.
SOURCE_KIND_LABELS = {kind: k.label for kind, k in SOURCE_KINDS.items()}


def kind_label(kind: str | None) -> str | None:
    """A source's kind as a reader sees it; an unknown kind is shown as written."""
    if not kind:
        return None
    known = SOURCE_KINDS.get(kind)
    return known.label if known else kind


def day_text(value: date) -> str:
    """A whole day as people write it: "21 November 2026"."""
    return f"{value.day} {MONTH_NAMES[value.month]} {value.year}"


def moment_text(value: datetime) -> str:
    """When something was recorded, to the minute, with its time zone."""
    zone = value.tzname() or ""
    return f"{day_text(value.date())}, {value:%H:%M} {zone}".rstrip()


def number_text(value: Decimal | int | str) -> str:
    """A figure with thousands separators and no invented decimals: 1,700,000; 3.7
    (``numbers.shown``: a stored value no version should have let in shows as stored)."""
    return numbers.shown(value)


def days_text(days: int) -> str:
    return f"{days:,} day" if days == 1 else f"{days:,} days"


def status_text(status: str) -> str:
    """A status's label: "Announced, no status reported"."""
    return STATUS_LABELS.get(status, status_words(status))


def status_words(status: str) -> str:
    """A status by its own name, inside a sentence: "in progress"."""
    return _words(status)


def type_label(kind: str) -> str:
    return TYPE_LABELS.get(kind, _words(kind))


def _words(name: str) -> str:
    return name.replace("_", " ")


def status_meanings() -> list[tuple[str, str, str | None]]:
    """Each status the site shows, as ``(name, label, meaning)``, in the labels' order."""
    return [(name, label, STATUS_MEANINGS.get(name)) for name, label in STATUS_LABELS.items()]


def how_we_know() -> dict[str, Any]:
    """The "How we know" page's words, filled in by the rules' own constants and labels
    so that it cannot drift from what the tracker does."""
    return {
        "statuses": status_meanings(),
        "closed": [label for name, label in STATUS_LABELS.items() if name in CLOSED_STATUSES],
        "kinds": SOURCE_KINDS,
        "stale_after": STALE_AFTER_DAYS,
    }


def sentence(text: str) -> str:
    """An error's message as a sentence: a capital, a full stop, nothing unprintable
    (a name given in an address may hold a NUL, which a page must not)."""
    text = "".join(ch if ch.isprintable() else "\ufffd" for ch in text)
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


# What changed between two dates (``/changes``, ``/api/v1/changes``).
CHANGES_DATES = {
    "since": "the window's first day: YYYY, YYYY-MM or YYYY-MM-DD (a month or year from"
    " its first day); the 'before' side is as of the day before",
    "until": "the window's last day (a month or year to its last day); default today",
}
CHANGE_LABELS = {
    "announced": "Announced in this window",
    "status": "Status changed",
    "due": "Deadline changed",
    "overdue": "Overdue state changed",
}
# Beside a side where a commitment has no deadline.
NO_DEADLINE = "No deadline"


def change_label(what: str) -> str:
    return CHANGE_LABELS.get(what, _words(what))


# Citing (contract section 6): the record as it stood at a past position of the log.
RECORDED_NOT_READ = "That record number or moment could not be read"
RECORDED_FORMS = (
    "Give a record number (how many events the log held, e.g. 1234) or a moment"
    " (2024-05-01T12:00:00Z)."
)
SHORT_HASH = 12  # hex digits of the head's hash in a citation's text


def record_text(events: int) -> str:
    return f"record {events:,}"


def as_recorded_text(events: int, when: datetime | None) -> str:
    """Which view a page shows: "as recorded on 1 May 2024, record 1,234"."""
    if when is None:
        return f"as recorded at {record_text(events)}"
    return f"as recorded on {day_text(when.date())}, {record_text(events)}"


def pin_text(events: int, head: str) -> str:
    """What pins a citation: "(record 1,234, head 3f2a9c1b0d4e…)"."""
    return f"({record_text(events)}, head {head[:SHORT_HASH]}…)"


def moved_on_text(events: int, since: int, here: int) -> str:
    """The notice on a pinned page once the record has moved on."""
    later = f"{since:,} event{'s' * (since != 1)}"
    about = (
        f"{here:,} of them about this commitment" if here else "none of them about this commitment"
    )
    return f"The record has moved on: {later} recorded since {record_text(events)}, {about}."

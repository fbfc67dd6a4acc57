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
from tracker.domain.dates import MONTH_NAMES
from tracker.domain.entries import CLOSED_STATUSES
from tracker.domain.figures import STALE_AFTER_DAYS

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
# After an event's date, where the source gives less than a day.
PRECISION = {
    "day": "",
    "month": " (the source gives the month only)",
    "year": " (the source gives the year only)",
}


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

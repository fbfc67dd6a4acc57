"""The vocabulary of the record, and ``Entry``: one recorded event as plain data.

Aggregates keep their history as a list of entries, numbered from 1 in the order they
were recorded. Figures, views and exports all work from entries, never from the
library's event objects, so they stay pure and easy to test.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from tracker.domain.dates import PartialDate
from tracker.domain.errors import InvalidInputError, UnknownStatusError
from tracker.domain.sources import Fact, Source

# The status before any source reports one: the announcement alone says nothing of
# progress ("not_started" is what a source says when work has not begun).
ANNOUNCED = "announced"
TRANSFERRED = "transferred"
STATUSES = (
    ANNOUNCED,
    "not_started",
    "in_progress",
    "delayed",
    "paused",
    "delivered",
    "partially_delivered",
    "dropped",
    TRANSFERRED,
)
# What a status_changed event may say: "announced" is the absence of a report, and a
# transfer is its own event, naming where the commitment went.
REPORTED_STATUSES = tuple(s for s in STATUSES if s not in (ANNOUNCED, TRANSFERRED))
CLOSED_STATUSES = frozenset({"delivered", "dropped", TRANSFERRED})

COMMITMENT_EVENT_TYPES = (
    "announced",
    "deadline_set",
    "status_changed",
    "transferred",
    "progress_reported",
    "budget_committed",
    "target_set",
    "measurement_recorded",
    "correction",
)
PLAN_EVENT_TYPES = (
    "progress_reported",
    "budget_committed",
    "target_set",
    "measurement_recorded",
    "correction",
)
TRACKER_EVENT_TYPES = ("deadline_missed",)
EVENT_TYPES = COMMITMENT_EVENT_TYPES + TRACKER_EVENT_TYPES

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def checked_slug(slug: str, field: str = "slug") -> str:
    """Lowercase letters, digits and single hyphens: safe in URLs and file names."""
    if not isinstance(slug, str) or not _SLUG.fullmatch(slug) or len(slug) > 100:
        raise InvalidInputError(
            f"'{slug}' is not a slug: use lowercase letters, digits and hyphens", field
        )
    return slug


def checked_status(status: str) -> str:
    """A status a source may report in a status_changed event."""
    if status == ANNOUNCED:
        raise UnknownStatusError(
            "'announced' is the status until one is reported; it cannot be reported", "status"
        )
    if status == TRANSFERRED:
        raise UnknownStatusError(
            "a transfer is recorded as a 'transferred' event, with to_title", "status"
        )
    if status not in REPORTED_STATUSES:
        raise UnknownStatusError(
            f"unknown status '{status}' (expected one of: {', '.join(REPORTED_STATUSES)})",
            "status",
        )
    return status


def status_set_by(entry: Entry) -> str | None:
    """The status this entry sets, if it sets one: a status_changed event its own, a
    transfer ``transferred``."""
    if entry.type == "status_changed":
        return entry.details["status"]
    if entry.type == TRANSFERRED:
        return TRANSFERRED
    return None


@dataclass(frozen=True, slots=True)
class Entry:
    """One recorded event: its number, type, cited fact and type-specific details."""

    number: int
    type: str
    fact: Fact
    recorded_at: datetime
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def date(self) -> PartialDate:
        return self.fact.date

    @property
    def source(self) -> Source:
        return self.fact.source

    def get(self, name: str) -> Any:
        """A type-specific detail (``status``, ``due``, ``amount_gbp``...), or None."""
        return self.details.get(name)


def as_now_described(entries: Iterable[Entry], sources: Iterable[Source]) -> list[Entry]:
    """The entries, each citing its source as the plan describes it now.

    An event keeps the source it was recorded with; a kind or note the plan gives that
    source later (``Plan.SourceDescribed``) is found through the plan's registered
    sources, which match a recorded source whatever its description (``Source``).
    Entries citing a source the plan never registered keep their own."""
    current = {source: source for source in sources}
    described = []
    for entry in entries:
        now = current.get(entry.source)
        if now is None or now.description() == entry.source.description():
            described.append(entry)
        else:
            described.append(replace(entry, fact=replace(entry.fact, source=now)))
    return described

"""The vocabulary of the record, and ``Entry``: one recorded event as plain data.

Aggregates keep their history as a list of entries, numbered from 1 in the order they
were recorded. Figures, views and exports all work from entries, never from the
library's event objects, so they stay pure and easy to test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tracker.domain.dates import PartialDate
from tracker.domain.errors import InvalidInputError, UnknownStatusError
from tracker.domain.sources import Fact, Source

STATUSES = (
    "not_started",
    "in_progress",
    "delayed",
    "paused",
    "delivered",
    "partially_delivered",
    "dropped",
)
CLOSED_STATUSES = frozenset({"delivered", "dropped"})

COMMITMENT_EVENT_TYPES = (
    "announced",
    "deadline_set",
    "status_changed",
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
    if status not in STATUSES:
        raise UnknownStatusError(
            f"unknown status '{status}' (expected one of: {', '.join(STATUSES)})", "status"
        )
    return status


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

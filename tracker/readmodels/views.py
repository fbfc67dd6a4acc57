"""What the read models' queries return, and the rules the site applies to it: plain
data, so that pages, the API and feeds can share them without touching a table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from tracker.application.views import StatusRow
from tracker.domain.dates import PartialDate
from tracker.domain.entries import CLOSED_STATUSES, Entry
from tracker.domain.figures import Figures

HEADLINES = ("delivered", "in_progress", "announced", "overdue", "stale", "no_deadline")


@dataclass(frozen=True)
class PlanInfo:
    slug: str
    title: str
    publisher: str
    published_on: PartialDate
    url: str | None
    sources: dict[str, Any]


@dataclass(frozen=True)
class PlanSummary:
    plan: PlanInfo
    total: int
    counts: dict[str, int]


@dataclass(frozen=True)
class TransferredFrom:
    """A commitment of another plan whose transfer names this one as where it went."""

    plan: str
    commitment: str
    date: PartialDate

    def as_json(self) -> dict[str, str]:
        return {"plan": self.plan, "commitment": self.commitment, "date": str(self.date)}


@dataclass(frozen=True)
class CommitmentRow:
    plan: str
    slug: str
    title: str
    theme: str | None
    owner: str | None
    summary: str
    announced_on: PartialDate
    version: int
    recorded_at: str
    figures: Figures
    transferred_from: tuple[TransferredFrom, ...] = ()


@dataclass(frozen=True)
class Item:
    """One event as the public sees it: where it belongs, and whether it was corrected."""

    position: int
    plan: str
    commitment: str | None
    commitment_title: str | None
    entry: Entry
    corrected_by: int | None
    delay: str | None
    delay_days: int | None
    deadline_before: PartialDate | None = None  # for a deadline_set: the one it replaced


@dataclass(frozen=True)
class CommitmentDetail:
    row: CommitmentRow
    items: list[Item]


def headline_counts(rows: list[CommitmentRow]) -> dict[str, int]:
    counts = dict.fromkeys(HEADLINES, 0)
    for row in rows:
        f = row.figures
        counts["delivered"] += f.status == "delivered"
        counts["in_progress"] += f.status == "in_progress"
        counts["announced"] += f.status == "announced"
        counts["overdue"] += f.days_overdue > 0
        counts["stale"] += f.stale
        counts["no_deadline"] += f.due is None and f.status not in CLOSED_STATUSES
    return counts


def is_delayed(f: Figures) -> bool:
    """What the delays page and API list: open, and overdue, slipped, stale or without
    a deadline (``_delayed`` is the same rule in SQL)."""
    return f.status not in CLOSED_STATUSES and bool(
        f.days_overdue or f.slip_days or f.stale or f.due is None
    )


def status_record(row: CommitmentRow) -> dict[str, Any]:
    """The row as ``tracker status --format json`` prints it, and the API adds where it
    came from (``transferred_from``): the read models know every plan's transfers."""
    record = StatusRow(row.plan, row.slug, row.title, row.theme, row.owner, row.figures).as_json()
    record["transferred_from"] = [arrival.as_json() for arrival in row.transferred_from]
    return record


def status_matches(f: Figures, wanted: str, as_of: date) -> bool:
    """Filter values: a status, or one of the headline groups (overdue, stale...),
    each matching exactly what ``headline_counts`` counts."""
    if wanted == "overdue":
        return f.days_overdue > 0
    if wanted == "stale":
        return f.stale
    if wanted == "no_deadline":
        return f.due is None and f.status not in CLOSED_STATUSES
    return f.status == wanted

"""Plain data the application returns: never an aggregate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from tracker.domain.dates import PartialDate
from tracker.domain.entries import Entry
from tracker.domain.figures import Figures
from tracker.domain.sources import Source


@dataclass(frozen=True)
class PlanView:
    slug: str
    title: str
    publisher: str
    published_on: PartialDate
    url: str | None
    sources: dict[str, Source]
    commitments: tuple[str, ...]
    entries: tuple[Entry, ...]
    version: int


@dataclass(frozen=True)
class CommitmentView:
    plan: str
    slug: str
    title: str
    theme: str | None
    owner: str | None
    entries: tuple[Entry, ...]
    version: int


@dataclass(frozen=True)
class StatusRow:
    """One row of ``tracker status``: a commitment's figures as of a date."""

    plan: str
    slug: str
    title: str
    theme: str | None
    owner: str | None
    figures: Figures

    def as_json(self) -> dict[str, Any]:
        f = self.figures
        return {
            "plan": self.plan,
            "slug": self.slug,
            "title": self.title,
            "theme": self.theme,
            "owner": self.owner,
            "as_of": f.as_of.isoformat(),
            "status": f.status,
            "status_since": _text(f.status_since),
            "status_source_kind": f.status_source_kind,
            "due": _text(f.due),
            "due_on": f.due_on.isoformat() if f.due_on else None,
            "first_due": _text(f.first_due),
            "days_overdue": f.days_overdue,
            "slip_days": f.slip_days,
            "stale": f.stale,
            "last_event_on": _text(f.last_event_on),
            "delivered_on": _text(f.delivered_on),
            "delivered_late_by_days": f.delivered_late_by_days,
        }


@dataclass(frozen=True)
class Receipt:
    """What one command recorded."""

    plan: str
    commitment: str | None
    number: int | None
    version: int


@dataclass(frozen=True)
class LogRecord:
    """One event of the whole log, in recording order, for exports."""

    position: int
    plan: str
    commitment: str | None
    entry: Entry


def _text(value: PartialDate | date | None) -> str | None:
    return None if value is None else str(value)

"""The editors' preview: the commitment a form is about, and a new event as the public
commitment page will show it (its own macro, on the entry the record would get)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tracker.domain.entries import Entry
from tracker.domain.sources import Source
from tracker.readmodels.views import CommitmentRow, Item, PlanInfo


@dataclass(frozen=True)
class Target:
    """The commitment a form is about, as its page showed it."""

    info: PlanInfo
    row: CommitmentRow
    items: list[Item]
    sources: dict[str, Source]
    today: date

    @property
    def plan(self) -> str:
        return self.info.slug

    @property
    def slug(self) -> str:
        return self.row.slug

    @property
    def version(self) -> int:
        return self.row.version

    def item(self, number: int) -> Item | None:
        return next((i for i in self.items if i.entry.number == number), None)

    @property
    def correctable(self) -> list[Item]:
        """What a correction may point at: any event not itself a correction, nor
        corrected already (the domain's rule, ``Chronicle.check_correctable``)."""
        return [i for i in self.items if i.entry.type != "correction" and i.corrected_by is None]


def preview_item(target: Target, entry: Entry) -> Item:
    """A new entry as the read models will hold it, for the public page's macro."""
    delay, days = None, None
    if entry.type == "deadline_set":
        before = _deadlines(target, entry.number)
        due = entry.details["due"]
        if before and due.end > before[-1].end:
            delay, days = "slip", (due.end - before[-1].end).days
    return Item(0, target.plan, target.slug, target.row.title, entry, None, delay, days)


def _deadlines(target: Target, before: int) -> list:
    """The standing (uncorrected) deadlines recorded before event ``before``."""
    return [
        i.entry.details["due"]
        for i in target.items
        if i.entry.type == "deadline_set" and i.corrected_by is None and i.entry.number < before
    ]


def revision(target: Target, number: int) -> int:
    """Which deadline this is, as the public page counts them (0: the first)."""
    return len(_deadlines(target, number))

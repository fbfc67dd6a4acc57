"""A commitment: one promise in a plan, from its announcement onwards."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate

from tracker.domain.chronicle import Chronicle
from tracker.domain.dates import PartialDate
from tracker.domain.entries import Entry, checked_slug, checked_status
from tracker.domain.errors import InvalidInputError
from tracker.domain.ids import commitment_id
from tracker.domain.sources import MAX_LONG_TEXT, Fact, bounded_text, require_text


def _checked_date(value: Any, field: str) -> PartialDate:
    if not isinstance(value, PartialDate):
        raise InvalidInputError(f"{field} must be a date", field)
    return value


class Commitment(Chronicle):
    """Created by its announcement, so that the first event is always the announcement.

    An entry's number is the aggregate's version when it was recorded: the
    announcement is 1, and ``version`` is the number of the latest entry.
    """

    class Announced(Aggregate.Created):
        type = "announced"
        plan: str
        slug: str
        title: str
        theme: str | None
        owner: str | None
        summary: str
        fact: Fact

        def apply(self, aggregate: Commitment) -> None:
            aggregate.plan = self.plan
            aggregate.slug = self.slug
            aggregate.title = self.title
            aggregate.theme = self.theme
            aggregate.owner = self.owner
            aggregate.entries = [self.entry()]

        def entry(self, number: int = 1) -> Entry:
            return Entry(number, self.type, self.fact, self.timestamp, {"summary": self.summary})

    class DeadlineSet(Chronicle.Development):
        type = "deadline_set"
        due: PartialDate

        def details(self) -> dict[str, Any]:
            return {"due": self.due}

    class StatusChanged(Chronicle.Development):
        type = "status_changed"
        status: str

        def details(self) -> dict[str, Any]:
            return {"status": self.status}

    class Transferred(Chronicle.Development):
        """Carried into another plan: closed here, continued there. ``to_title`` names
        the receiving plan or commitment as the source does; the slugs, where given,
        point at it in this tracker."""

        type = "transferred"
        to_title: str
        to_plan: str | None
        to_commitment: str | None

        def details(self) -> dict[str, Any]:
            return {
                "to_title": self.to_title,
                "to_plan": self.to_plan,
                "to_commitment": self.to_commitment,
            }

    class DeadlineMissed(Chronicle.Development):
        """Recorded by the tracker itself when a deadline passes undelivered."""

        type = "deadline_missed"
        due: PartialDate

        def details(self) -> dict[str, Any]:
            return {"due": self.due}

    @classmethod
    def announce(
        cls,
        plan: str,
        slug: str,
        title: str,
        summary: str,
        fact: Fact,
        theme: str | None = None,
        owner: str | None = None,
    ) -> Commitment:
        checked_slug(plan, "plan")
        checked_slug(slug, "commitment")
        return cls._create(
            cls.Announced,
            id=commitment_id(plan, slug),
            plan=plan,
            slug=slug,
            title=require_text(title, "title", 1000),
            theme=bounded_text(theme, "theme", 200),
            owner=bounded_text(owner, "owner", 300),
            summary=require_text(summary, "summary", MAX_LONG_TEXT),
            fact=fact,
        )

    def set_deadline(self, due: PartialDate, fact: Fact) -> None:
        self.trigger_event(self.DeadlineSet, due=_checked_date(due, "due"), fact=fact)

    def change_status(self, status: str, fact: Fact) -> None:
        self.trigger_event(self.StatusChanged, status=checked_status(status), fact=fact)

    def transfer(
        self, to_title: str, to_plan: str | None, to_commitment: str | None, fact: Fact
    ) -> None:
        """Whether the receiving plan and commitment exist is checked when a whole
        batch is ready (``Tracker.execute``): they may be recorded in the same batch."""
        if to_plan is not None:
            checked_slug(to_plan, "to_plan")
        if to_commitment is not None:
            checked_slug(to_commitment, "to_commitment")
            if to_plan is None:
                raise InvalidInputError("to_commitment needs to_plan, its plan", "to_plan")
            if (to_plan, to_commitment) == (self.plan, self.slug):
                raise InvalidInputError(
                    "a commitment cannot be transferred to itself", "to_commitment"
                )
        self.trigger_event(
            self.Transferred,
            to_title=require_text(to_title, "to_title", 1000),
            to_plan=to_plan,
            to_commitment=to_commitment,
            fact=fact,
        )

    def record_missed_deadline(self, due: PartialDate, fact: Fact) -> None:
        self.trigger_event(self.DeadlineMissed, due=_checked_date(due, "due"), fact=fact)

    def missed_deadlines(self) -> set[PartialDate]:
        return {e.details["due"] for e in self.entries if e.type == "deadline_missed"}

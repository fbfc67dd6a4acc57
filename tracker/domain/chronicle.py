"""What plans and commitments share: a numbered, cited, append-only list of entries.

The library redefines these event classes on each subclass, so they are recorded
under the subclass's topic (``tracker.domain.commitments:Commitment.ProgressReported``,
``tracker.domain.plans:Plan.ProgressReported``). Never rename or move an aggregate or
an event class without registering its old topic.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from eventsourcing.domain import Aggregate

from tracker.domain import numbers
from tracker.domain.entries import Entry
from tracker.domain.errors import InvalidCorrectionError, InvalidInputError
from tracker.domain.sources import Fact, bounded_text, require_text


class Chronicle(Aggregate):
    """An aggregate whose history is a list of cited entries, numbered from 1.

    Subclasses' created events set ``entries`` (no class annotation: the library would
    turn it into an ``__init__`` argument).
    """

    class Development(Aggregate.Event):
        """An event that becomes an entry: it carries a ``Fact`` and its own details."""

        type: ClassVar[str] = ""
        fact: Fact

        def details(self) -> dict[str, Any]:
            return {}

        def entry(self, number: int) -> Entry:
            """This event as the ``number``-th entry of its aggregate's history."""
            return Entry(number, self.type, self.fact, self.timestamp, self.details())

        def apply(self, aggregate: Aggregate) -> None:
            aggregate.entries.append(self.entry(len(aggregate.entries) + 1))

    class ProgressReported(Development):
        type = "progress_reported"

    class BudgetCommitted(Development):
        type = "budget_committed"
        amount_gbp: Decimal

        def details(self) -> dict[str, Any]:
            return {"amount_gbp": self.amount_gbp}

    class TargetSet(Development):
        type = "target_set"
        metric: str
        target: Decimal
        unit: str

        def details(self) -> dict[str, Any]:
            return {"metric": self.metric, "target": self.target, "unit": self.unit}

    class MeasurementRecorded(Development):
        type = "measurement_recorded"
        metric: str
        value: Decimal
        unit: str

        def details(self) -> dict[str, Any]:
            return {"metric": self.metric, "value": self.value, "unit": self.unit}

    class Corrected(Development):
        type = "correction"
        corrects: int

        def details(self) -> dict[str, Any]:
            return {"corrects": self.corrects}

    # Commands: each checks its rule, then triggers its event.

    def report_progress(self, fact: Fact) -> None:
        if not fact.note and not fact.quote:
            raise InvalidInputError("progress_reported needs a note or a quote", "note")
        self.trigger_event(self.ProgressReported, fact=fact)

    def commit_budget(self, amount_gbp: Decimal, fact: Fact) -> None:
        self.trigger_event(
            self.BudgetCommitted, amount_gbp=numbers.money(amount_gbp, "amount_gbp"), fact=fact
        )

    def set_target(self, metric: str, target: Decimal, unit: str, fact: Fact) -> None:
        self.trigger_event(
            self.TargetSet,
            metric=require_text(metric, "metric"),
            target=numbers.figure(target, "target"),
            unit=require_text(unit, "unit"),
            fact=fact,
        )

    def record_measurement(self, metric: str, value: Decimal, unit: str, fact: Fact) -> None:
        self.trigger_event(
            self.MeasurementRecorded,
            metric=require_text(metric, "metric"),
            value=numbers.figure(value, "value"),
            unit=require_text(unit, "unit"),
            fact=fact,
        )

    def correct(self, corrects: int, fact: Fact) -> None:
        self.check_correctable(corrects)
        if not bounded_text(fact.note, "note"):
            raise InvalidCorrectionError("a correction needs a note saying what was wrong", "note")
        self.trigger_event(self.Corrected, corrects=corrects, fact=fact)

    def check_correctable(self, number: int) -> None:
        """A correction points at an earlier, uncorrected event that is not a correction."""
        if isinstance(number, bool) or not isinstance(number, int):
            raise InvalidCorrectionError("corrects must be an event number", "corrects")
        if not 1 <= number <= len(self.entries):
            raise InvalidCorrectionError(
                f"corrects {number}, but there are only {len(self.entries)} earlier events",
                "corrects",
            )
        target = self.entries[number - 1]
        if target.type == "correction":
            raise InvalidCorrectionError(
                f"event {number} is itself a correction; correct the original event",
                "corrects",
            )
        if number in self.corrected_numbers():
            raise InvalidCorrectionError(f"event {number} is already corrected", "corrects")

    def corrected_numbers(self) -> set[int]:
        return {e.details["corrects"] for e in self.entries if e.type == "correction"}

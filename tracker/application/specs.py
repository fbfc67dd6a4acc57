"""One event as input, in the shape of the contract's data files.

``parse_event`` turns a loose mapping (YAML text or a JSON body) into an ``EventSpec``
or raises an ``InvalidInputError`` naming the field. The data files use it now and
the web's write API uses it too, so both accept exactly the same events. The shapes
around events (a plan's header and sources, a commitment's header) are described
here once, as tables of field parsers, for the same reason.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tracker.domain import numbers
from tracker.domain.chronicle import Chronicle
from tracker.domain.commitments import Commitment
from tracker.domain.dates import PartialDate
from tracker.domain.entries import EVENT_TYPES, Entry, checked_slug, checked_status
from tracker.domain.errors import InvalidInputError, UnknownEventTypeError
from tracker.domain.sources import MAX_QUOTE, Fact, Source, bounded_text

COMMON_FIELDS = frozenset({"type", "date", "source", "note", "quote"})
TYPE_FIELDS: dict[str, tuple[str, ...]] = {
    "announced": ("summary",),
    "deadline_set": ("due",),
    "status_changed": ("status",),
    "transferred": ("to_title", "to_plan", "to_commitment"),
    "progress_reported": (),
    "budget_committed": ("amount_gbp",),
    "target_set": ("metric", "target", "unit"),
    "measurement_recorded": ("metric", "value", "unit"),
    "correction": ("corrects",),
}
OPTIONAL_FIELDS = frozenset({"to_plan", "to_commitment"})  # of TYPE_FIELDS; the rest required


@dataclass(frozen=True)
class EventSpec:
    """An event to record: its type, date, source, details, note and quote."""

    type: str
    date: PartialDate
    source: Source
    details: dict[str, Any] = field(default_factory=dict)
    note: str | None = None
    quote: str | None = None

    def fact(self, recorded_by: str) -> Fact:
        """The fact to record. Every field was checked when this spec was made, and
        ``recorded_by`` once per batch (``Tracker.execute``): no need to check again."""
        return Fact(self.date, self.source, recorded_by, self.note, self.quote)

    def apply_to(self, aggregate: Chronicle, recorded_by: str) -> None:
        """Call the aggregate command this event stands for."""
        fact = self.fact(recorded_by)
        d = self.details
        match self.type:
            case "deadline_set" if isinstance(aggregate, Commitment):
                aggregate.set_deadline(d["due"], fact)
            case "status_changed" if isinstance(aggregate, Commitment):
                aggregate.change_status(d["status"], fact)
            case "transferred" if isinstance(aggregate, Commitment):
                aggregate.transfer(d["to_title"], d["to_plan"], d["to_commitment"], fact)
            case "progress_reported":
                aggregate.report_progress(fact)
            case "budget_committed":
                aggregate.commit_budget(d["amount_gbp"], fact)
            case "target_set":
                aggregate.set_target(d["metric"], d["target"], d["unit"], fact)
            case "measurement_recorded":
                aggregate.record_measurement(d["metric"], d["value"], d["unit"], fact)
            case "correction":
                aggregate.correct(d["corrects"], fact)
            case _:
                where = "a commitment" if isinstance(aggregate, Commitment) else "a plan"
                raise UnknownEventTypeError(f"'{self.type}' cannot be recorded on {where}", "type")

    def differences(self, entry: Entry) -> list[str]:
        """What differs between this input and an already-recorded entry."""
        diffs = []
        recorded = {
            "type": entry.type,
            "date": entry.date,
            "source": entry.source,
            "note": entry.fact.note,
            "quote": entry.fact.quote,
            **entry.details,
        }
        given = {
            "type": self.type,
            "date": self.date,
            "source": self.source,
            "note": self.note,
            "quote": self.quote,
            **self.details,
        }
        for name in dict.fromkeys([*recorded, *given]):
            if recorded.get(name) != given.get(name):
                diffs.append(
                    f"{name}: recorded {_show(recorded.get(name))}, now {_show(given.get(name))}"
                )
        return diffs


def _show(value: Any) -> str:
    if isinstance(value, Source):
        return f"'{value.citation()}'"
    return "nothing" if value is None else f"'{value}'"


def parse_event(
    raw: Mapping[str, Any],
    sources: Mapping[str, Source],
    allowed_types: tuple[str, ...] = tuple(TYPE_FIELDS),
) -> EventSpec:
    """Validate one event mapping; the error names the first bad field."""
    if not isinstance(raw, Mapping):
        raise InvalidInputError("an event must be a mapping of fields")
    kind = text_of(raw.get("type"), "type")
    if kind not in allowed_types:
        if kind == "deadline_missed":
            raise UnknownEventTypeError(
                "deadline_missed is recorded by 'tracker tick', never by hand", "type"
            )
        known = ", ".join(allowed_types)
        hint = "" if kind in EVENT_TYPES else f" (expected one of: {known})"
        raise UnknownEventTypeError(f"event type '{kind}' is not allowed here{hint}", "type")
    allowed = COMMON_FIELDS | set(TYPE_FIELDS[kind])
    for name in raw:
        if name not in allowed:
            raise InvalidInputError(
                f"unknown field '{name}' for {kind} (allowed: {', '.join(sorted(allowed))})", name
            )
    details = {name: _detail(kind, name, raw.get(name)) for name in TYPE_FIELDS[kind]}
    spec = EventSpec(
        type=kind,
        date=date_of(raw.get("date"), "date"),
        source=source_of(raw.get("source"), sources),
        details=details,
        note=bounded_text(optional_text(raw.get("note"), "note"), "note"),
        quote=bounded_text(optional_text(raw.get("quote"), "quote"), "quote", MAX_QUOTE),
    )
    if (
        kind in ("progress_reported", "correction")
        and not spec.note
        and not (kind == "progress_reported" and spec.quote)
    ):
        raise InvalidInputError(f"{kind} needs a note saying what happened", "note")
    return spec


def text_of(value: Any, name: str) -> str:
    if value.__class__ is str and (text := value.strip()):
        return text  # the common case, first: every field of every event comes here
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InvalidInputError(f"{name} is required", name)
    if isinstance(value, (dict, list, bool)) or _not_finite(value):
        raise InvalidInputError(f"{name} must be text", name)
    return str(value).strip()


def _not_finite(value: Any) -> bool:
    """JSON's NaN and Infinity (and YAML's .nan) are not text anyone wrote."""
    if isinstance(value, float):
        return not math.isfinite(value)
    return isinstance(value, Decimal) and not value.is_finite()


def optional_text(value: Any, name: str) -> str | None:
    if value is None or (isinstance(value, str) and value.strip() in ("", "~", "null")):
        return None
    return text_of(value, name)


def date_of(value: Any, name: str) -> PartialDate:
    try:
        return PartialDate.parse(text_of(value, name))
    except InvalidInputError as error:
        raise error.at(name) if not error.field else error from None


def source_of(value: Any, sources: Mapping[str, Source]) -> Source:
    """A key of the plan's sources, or (for the API) a source written out in full."""
    if isinstance(value, Mapping):
        try:
            return parse_source(value)
        except InvalidInputError as error:
            raise error.at("source") from None
    key = text_of(value, "source")
    try:
        return sources[key]
    except KeyError:
        known = ", ".join(sorted(sources)) or "none"
        raise InvalidInputError(
            f"unknown source '{key}' (the plan's sources: {known})", "source"
        ) from None


def parse_source(value: Any) -> Source:
    """A source written out in full: an entry of a plan's ``sources``, or a source the
    write API is given in place of a key. The error names the bad field."""
    if not isinstance(value, Mapping):
        raise InvalidInputError("a source must be a mapping of fields")
    unknown = sorted(str(name) for name in value if name not in SOURCE_FIELDS)
    if unknown:
        raise InvalidInputError(f"unknown field '{unknown[0]}'", unknown[0])
    return Source.create(
        publisher=value.get("publisher"),
        title=value.get("title"),
        published_on=date_of(value.get("published_on"), "published_on"),
        url=optional_text(value.get("url"), "url"),
        author=optional_text(value.get("author"), "author"),
        kind=optional_text(value.get("kind"), "kind"),
        note=optional_text(value.get("note"), "note"),
    )


def slug_of(value: Any, name: str) -> str:
    return checked_slug(text_of(value, name), name)


FieldParser = Callable[[Any, str], Any]
SOURCE_FIELDS = frozenset({"publisher", "title", "published_on", "url", "author", "kind", "note"})
PLAN_KEYS = frozenset({"plan", "title", "publisher", "published_on", "url", "sources", "events"})
COMMITMENT_KEYS = frozenset({"commitment", "title", "theme", "owner", "events"})
PLAN_HEADER: dict[str, FieldParser] = {
    "title": text_of,
    "publisher": text_of,
    "published_on": date_of,
    "url": optional_text,
}
COMMITMENT_HEADER: dict[str, FieldParser] = {
    "title": text_of,
    "theme": optional_text,
    "owner": optional_text,
}


def parse_header(raw: Mapping[str, Any], parsers: Mapping[str, FieldParser]) -> dict[str, Any]:
    """The header fields of a plan or a commitment (``PLAN_HEADER``, ``COMMITMENT_HEADER``)."""
    return {name: parse(raw.get(name), name) for name, parse in parsers.items()}


def _detail(kind: str, name: str, value: Any) -> Any:
    if name in OPTIONAL_FIELDS:
        slug = optional_text(value, name)
        return None if slug is None else checked_slug(slug, name)
    if name in ("due",):
        return date_of(value, name)
    if name == "status":
        try:
            return checked_status(text_of(value, name))
        except InvalidInputError as error:
            raise error.at(name) if not error.field else error from None
    if name == "amount_gbp":
        return numbers.money(_given(value, name), name)
    if name in ("target", "value"):
        return numbers.figure(_given(value, name), name)
    if name == "corrects":
        return numbers.count(_given(value, name), name)
    return text_of(value, name)


def _given(value: Any, name: str) -> Any:
    """A value that is there: the number rules then say what is wrong with it."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InvalidInputError(f"{name} is required", name)
    return value

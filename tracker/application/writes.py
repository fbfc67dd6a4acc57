"""Writes from the web API: a plan, a source, a commitment or an event, each given as
one mapping shaped like the data files, and each able to say whether it has landed.

Every write is *pinned* so that it can land at most once, however often it is tried:
a plan, a commitment and a source key can each be created only once, and an event is
recorded with ``expected_version`` set to the version it was aimed at (its pin), so it
can only ever become the event numbered pin + 1. That is what lets a retry after a
crash (``tracker.idempotency``) look at one place in the record, see whether the write
landed there, and never record it twice.

The parsing is the data files' own (``tracker.application.documents``): the files are
one entry point and the API another, calling the same application with the same commands.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tracker.application.commands import (
    AnnounceCommitment,
    Command,
    PublishPlan,
    RecordEvent,
    RegisterSource,
)
from tracker.application.documents import (
    InBody,
    check_announced_first,
    read_document,
    read_events,
    read_field,
    read_sources,
)
from tracker.application.service import Tracker
from tracker.application.specs import (
    COMMITMENT_HEADER,
    COMMITMENT_KEYS,
    PLAN_HEADER,
    PLAN_KEYS,
    SOURCE_FIELDS,
    EventSpec,
    parse_event,
    parse_header,
    parse_source,
    slug_of,
)
from tracker.application.views import PlanView
from tracker.domain.entries import COMMITMENT_EVENT_TYPES, PLAN_EVENT_TYPES, Entry
from tracker.domain.errors import ConflictError, InvalidInputError, NotFoundError
from tracker.domain.sources import Source

MAX_ATTEMPTS = 20  # re-aimed attempts of an event whose writer did not ask for a version
EVENT_TYPES_BY_API = tuple(t for t in COMMITMENT_EVENT_TYPES if t != "announced")
BODY = InBody()


# Parsing: one JSON body each


def new_plan(raw: Any) -> NewPlan:
    """A body shaped like ``plan.yaml``: header, ``sources`` and plan-wide ``events``."""
    doc = read_document(raw, PLAN_KEYS, BODY)
    slug = read_field(doc, lambda d: slug_of(d.get("plan"), "plan"), BODY)
    header = read_field(doc, lambda d: parse_header(d, PLAN_HEADER), BODY)
    sources = read_sources(doc.get("sources"), BODY)
    events = read_events(doc.get("events"), sources, PLAN_EVENT_TYPES, BODY)
    return NewPlan(PublishPlan(slug, **header), sources, tuple(spec for spec, _ in events))


def new_source(plan: PlanView, raw: Any) -> NewSource:
    """A body holding ``key`` and a source's fields, as under ``sources`` in plan.yaml."""
    doc = read_document(raw, SOURCE_FIELDS | {"key"}, BODY)
    key = slug_of(doc.get("key"), "key")
    source = parse_source({name: value for name, value in doc.items() if name != "key"})
    return NewSource(plan.slug, key, source)


def new_commitment(plan: PlanView, raw: Any) -> NewCommitment:
    """A body shaped like a commitment file: header, then events, the first announced."""
    doc = read_document(raw, COMMITMENT_KEYS, BODY)
    slug = read_field(doc, lambda d: slug_of(d.get("commitment"), "commitment"), BODY)
    header = read_field(doc, lambda d: parse_header(d, COMMITMENT_HEADER), BODY)
    events = read_events(doc.get("events"), plan.sources, COMMITMENT_EVENT_TYPES, BODY)
    check_announced_first(doc, events, BODY)
    specs = [spec for spec, _ in events]
    announce = AnnounceCommitment(plan.slug, slug, announcement=specs[0], **header)
    return NewCommitment(announce, tuple(specs[1:]))


def new_event(
    plan: PlanView, commitment: str, raw: Any, if_match: Sequence[int] | None = None
) -> NewEvent:
    """One event, as in a commitment file; ``source`` may also be written out in full.
    ``if_match``: the versions the writer accepts the commitment to be at (If-Match)."""
    if not isinstance(raw, Mapping):
        raise InvalidInputError("the body must be a JSON object: one event", "body")
    spec = parse_event(raw, plan.sources, EVENT_TYPES_BY_API)
    return NewEvent(plan.slug, commitment, spec, tuple(if_match) if if_match else None)


# The writes


def _same(spec: EventSpec, entry: Entry, recorded_by: str) -> bool:
    """Whether ``entry`` is what ``spec`` records, recorded by the same writer."""
    return entry.fact.recorded_by == recorded_by and not spec.differences(entry)


def _all_same(specs: Sequence[EventSpec], entries: Sequence[Entry], recorded_by: str) -> bool:
    return len(entries) >= len(specs) and all(
        _same(spec, entry, recorded_by) for spec, entry in zip(specs, entries, strict=False)
    )


class _Unique:
    """A creation: it can only ever land once, so it needs no pin."""

    def first_pin(self, tracker: Tracker) -> int | None:
        return None

    def next_pin(self, tracker: Tracker, conflict: ConflictError) -> int | None:
        raise conflict


@dataclass(frozen=True)
class NewPlan(_Unique):
    publish: PublishPlan
    sources: dict[str, Source]
    events: tuple[EventSpec, ...]

    @property
    def slug(self) -> str:
        return self.publish.plan

    def commands(self, pin: int | None) -> list[Command]:
        slug = self.slug
        return [
            self.publish,
            *(RegisterSource(slug, key, source) for key, source in self.sources.items()),
            *(RecordEvent(slug, None, spec) for spec in self.events),
        ]

    def landed(self, tracker: Tracker, pin: int | None, recorded_by: str) -> bool:
        try:
            plan = tracker.plan(self.slug)
        except NotFoundError:
            return False
        p = self.publish
        header = (p.title, p.publisher, p.published_on, p.url)
        return (
            (plan.title, plan.publisher, plan.published_on, plan.url) == header
            and all(plan.sources.get(key) == source for key, source in self.sources.items())
            and _all_same(self.events, plan.entries, recorded_by)
        )


@dataclass(frozen=True)
class NewSource(_Unique):
    plan: str
    key: str
    source: Source

    def commands(self, pin: int | None) -> list[Command]:
        return [RegisterSource(self.plan, self.key, self.source, new_only=True)]

    def landed(self, tracker: Tracker, pin: int | None, recorded_by: str) -> bool:
        return tracker.plan(self.plan).sources.get(self.key) == self.source


@dataclass(frozen=True)
class NewCommitment(_Unique):
    announce: AnnounceCommitment
    events: tuple[EventSpec, ...]

    @property
    def specs(self) -> tuple[EventSpec, ...]:
        return (self.announce.announcement, *self.events)

    def commands(self, pin: int | None) -> list[Command]:
        a = self.announce
        return [a, *(RecordEvent(a.plan, a.commitment, spec) for spec in self.events)]

    def landed(self, tracker: Tracker, pin: int | None, recorded_by: str) -> bool:
        a = self.announce
        try:
            c = tracker.commitment(a.plan, a.commitment)
        except NotFoundError:
            return False
        header = (a.title, a.theme, a.owner)
        return (c.title, c.theme, c.owner) == header and _all_same(
            self.specs, c.entries, recorded_by
        )


@dataclass(frozen=True)
class NewEvent:
    """An event aimed at the commitment's version ``pin``: it can only become event
    pin + 1. Without ``if_match`` a lost race is re-aimed at the new version; with it,
    the writer asked for that version and gets a ``ConflictError`` instead."""

    plan: str
    commitment: str
    spec: EventSpec
    if_match: tuple[int, ...] | None = None

    def first_pin(self, tracker: Tracker) -> int:
        return self._aim(tracker.commitment(self.plan, self.commitment).version)

    def next_pin(self, tracker: Tracker, conflict: ConflictError) -> int:
        return self._aim(tracker.commitment(self.plan, self.commitment).version)

    def _aim(self, current: int) -> int:
        if self.if_match is not None and current not in self.if_match:
            wanted = " or ".join(str(v) for v in self.if_match)
            raise ConflictError(
                f"If-Match asked for version {wanted}, but the commitment is at version"
                f" {current}: read it again and retry",
                current_version=current,
            )
        return current

    def commands(self, pin: int | None) -> list[Command]:
        return [RecordEvent(self.plan, self.commitment, self.spec, expected_version=pin)]

    def landed(self, tracker: Tracker, pin: int | None, recorded_by: str) -> bool:
        if pin is None:
            return False
        entries = tracker.commitment(self.plan, self.commitment).entries
        return len(entries) > pin and _same(self.spec, entries[pin], recorded_by)


Write = NewPlan | NewSource | NewCommitment | NewEvent


def perform(tracker: Tracker, write: Write, recorded_by: str) -> int | None:
    """Carry out ``write`` once (no idempotency key); returns the pin it landed at.

    An event whose writer named no version is re-aimed when another writer got there
    first, a few times; every other conflict is the caller's to see."""
    pin = write.first_pin(tracker)
    for _ in range(MAX_ATTEMPTS):
        try:
            tracker.execute(write.commands(pin), recorded_by)
            return pin
        except ConflictError as conflict:
            pin = write.next_pin(tracker, conflict)
    raise ConflictError("too many writers at once here: nothing was written; retry")

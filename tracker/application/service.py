"""The tracker application: carries out batches of commands, answers with plain data."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import JSONTranscoder, RecordConflictError

from tracker.application import recorded
from tracker.application.commands import (
    AnnounceCommitment,
    Command,
    PublishPlan,
    RecordEvent,
    RegisterSource,
)
from tracker.application.views import (
    CommitmentView,
    LogRecord,
    PlanView,
    Receipt,
    StatusRow,
)
from tracker.domain.chronicle import Chronicle
from tracker.domain.commitments import Commitment
from tracker.domain.dates import PartialDate
from tracker.domain.entries import as_now_described
from tracker.domain.errors import ConflictError, InvalidInputError, NotFoundError, TrackerError
from tracker.domain.figures import figures, missed_deadlines
from tracker.domain.ids import catalogue_id, commitment_id, plan_id
from tracker.domain.plans import Catalogue, Plan
from tracker.domain.sources import Fact, Source, require_text, tracker_source
from tracker.store.locks import STARTUP, Held
from tracker.store.persistence import DEFAULT_CONNECTIONS, database_url, store_settings
from tracker.store.transcodings import TRANSCODINGS

TICK_RECORDER = "tracker tick"
LOG_PAGE = 1000


class Tracker(Application[UUID]):
    """Plans and commitments, recorded as events in one store."""

    name = "Tracker"

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        for transcoding in TRANSCODINGS:
            transcoder.register(transcoding)

    # Writing

    def execute(self, commands: Iterable[Command], recorded_by: str) -> list[Receipt]:
        """Carry out every command, then save them all in one transaction, or none.

        A command that breaks a rule stops the batch before anything is written; its
        error says which command it was (``command_index``) so that the caller can
        point at the input it came from.
        """
        recorded_by = require_text(recorded_by, "recorded_by", 100)
        batch = _AggregateBatch(self)
        receipts = []
        transfers = []
        for index, command in enumerate(commands):
            try:
                receipts.append(batch.do(command, recorded_by))
            except TrackerError as error:
                error.command_index = index
                raise
            if isinstance(command, RecordEvent) and command.event.type == "transferred":
                transfers.append((index, command.event.details))
        for index, details in transfers:  # now that the batch's own commitments exist
            try:
                batch.check_destination(details["to_plan"], details["to_commitment"])
            except TrackerError as error:
                error.command_index = index
                raise
        batch.save()
        return receipts

    def check_destination(self, to_plan: str | None, to_commitment: str | None) -> None:
        """A transfer's receiving plan and commitment, where named, are in the record:
        what ``execute`` checks once its batch is done, for a preview of one event."""
        _AggregateBatch(self).check_destination(to_plan, to_commitment)

    def tick(self, today: date, recorded_by: str = TICK_RECORDER) -> list[Receipt]:
        """Record ``deadline_missed`` for each deadline passed undelivered by ``today``."""
        batch = _AggregateBatch(self)
        receipts = []
        source = tracker_source(PartialDate.of(today))
        for plan in self.plan_slugs():
            for slug in batch.plan(plan).commitments:
                commitment = batch.commitment(plan, slug)
                already = commitment.missed_deadlines()
                for due in missed_deadlines(commitment.entries, today):
                    if due in already:
                        continue
                    day_after = due.end + timedelta(days=1)
                    status = figures(commitment.entries, day_after).status.replace("_", " ")
                    note = f"The deadline of {due.human()} passed with the commitment {status}."
                    fact = Fact.create(PartialDate.of(day_after), source, recorded_by, note)
                    commitment.record_missed_deadline(due, fact)
                    receipts.append(Receipt(plan, slug, commitment.version, commitment.version))
        batch.save()
        return receipts

    # Reading

    def plan_slugs(self) -> list[str]:
        try:
            return list(self.repository.get(catalogue_id(), projector_func=fold).plans)
        except AggregateNotFoundError:
            return []

    def plan(self, slug: str) -> PlanView:
        p = self._get(plan_id(slug), f"unknown plan '{slug}'")
        return PlanView(
            slug=p.slug,
            title=p.title,
            publisher=p.publisher,
            published_on=p.published_on,
            url=p.url,
            sources=dict(p.sources),
            commitments=tuple(p.commitments),
            entries=tuple(as_now_described(p.entries, p.sources.values())),
            version=p.version,
        )

    def commitment(self, plan: str, slug: str) -> CommitmentView:
        """The commitment, its entries citing sources as the plan now describes them."""
        c = self._get(commitment_id(plan, slug), f"unknown commitment '{slug}' in plan '{plan}'")
        return _commitment_view(c, self.plan(plan).sources)

    def commitments(self, plan: str) -> list[CommitmentView]:
        view = self.plan(plan)
        return [
            _commitment_view(
                self._get(commitment_id(plan, slug), f"unknown commitment '{slug}'"),
                view.sources,
            )
            for slug in view.commitments
        ]

    def status(
        self,
        plan: str | None = None,
        as_of: date | None = None,
        as_recorded_at: datetime | None = None,
    ) -> list[StatusRow]:
        """Every commitment's figures as of ``as_of`` (default today), optionally as
        the record stood at the moment ``as_recorded_at`` (in commit order: see
        ``recorded``)."""
        as_of = as_of or date.today()
        plans = [plan] if plan else self.plan_slugs()
        known = None
        if as_recorded_at is not None:
            known = recorded.versions(self, recorded.count_at(self, as_recorded_at))
        rows = []
        for slug in plans:
            for c in self.commitments(slug):
                entries = c.entries
                if known is not None:
                    entries = recorded.through(entries, known, c.plan, c.slug)
                    if not entries:
                        continue
                rows.append(
                    StatusRow(c.plan, c.slug, c.title, c.theme, c.owner, figures(entries, as_of))
                )
        return rows

    def log(self) -> Iterator[LogRecord]:
        """Every recorded event that is an entry, oldest first, with its plan and number,
        citing its source as the plan now describes it (``as_now_described``)."""
        sources: dict[str, tuple[Source, ...]] = {}  # each plan's, read once
        for record in self._log():
            if record.plan not in sources:
                sources[record.plan] = tuple(self.plan(record.plan).sources.values())
            (entry,) = as_now_described([record.entry], sources[record.plan])
            yield record if entry is record.entry else replace(record, entry=entry)

    def _log(self) -> Iterator[LogRecord]:
        plans: dict[UUID, str] = {}
        commitments: dict[UUID, tuple[str, str]] = {}
        plan_counts: dict[UUID, int] = {}
        start = 1
        while True:
            page = self.recorder.select_notifications(start=start, limit=LOG_PAGE)
            for notification in page:
                event = self.mapper.to_domain_event(notification)
                record = _log_record(notification.id, event, plans, commitments, plan_counts)
                if record:
                    yield record
            if len(page) < LOG_PAGE:
                return
            start = page[-1].id + 1

    def _get(self, aggregate_id: UUID, missing: str) -> Chronicle:
        try:
            return self.repository.get(aggregate_id, projector_func=fold)
        except AggregateNotFoundError:
            raise NotFoundError(missing) from None


def fold(aggregate, events):
    """Apply stored events in order. The library's default does the same but first
    checks each event against a runtime protocol, which costs more than the apply."""
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


def open_tracker(
    url: str | None = None, create_tables: bool = True, connections: int = DEFAULT_CONNECTIONS
) -> Tracker:
    """The one place a store is chosen: ``url``, else ``TRACKER_DATABASE_URL``.

    Creating the tables happens under the store's start-up lock, so that processes
    starting together never race to create them; ``create_tables=False`` (commands that
    only read) runs no DDL at all."""
    url = database_url(url)
    if not create_tables:
        return Tracker(env=store_settings(url, False, connections=connections))
    with Held(url, STARTUP):
        return Tracker(env=store_settings(url, True, connections=connections))


def _commitment_view(c: Commitment, sources: dict[str, Source]) -> CommitmentView:
    return CommitmentView(
        plan=c.plan,
        slug=c.slug,
        title=c.title,
        theme=c.theme,
        owner=c.owner,
        entries=tuple(as_now_described(c.entries, sources.values())),
        version=c.version,
    )


def _log_record(position, event, plans, commitments, plan_counts) -> LogRecord | None:
    """Turn one stored event into a log record, keeping track of plans and numbers."""
    if isinstance(event, Plan.Published):
        plans[event.originator_id] = event.slug
        plan_counts[event.originator_id] = 0
    elif isinstance(event, Commitment.Announced):
        commitments[event.originator_id] = (event.plan, event.slug)
        return LogRecord(position, event.plan, event.slug, event.entry())
    elif isinstance(event, Chronicle.Development):
        if event.originator_id in commitments:
            plan, slug = commitments[event.originator_id]
            return LogRecord(position, plan, slug, event.entry(event.originator_version))
        plan_counts[event.originator_id] += 1
        number = plan_counts[event.originator_id]
        return LogRecord(position, plans[event.originator_id], None, event.entry(number))
    return None


class _AggregateBatch:
    """The aggregates one batch of commands touches, loaded once and saved together."""

    def __init__(self, app: Tracker) -> None:
        self.app = app
        self.loaded: dict[UUID, Chronicle | Catalogue] = {}

    def _load(self, aggregate_id: UUID):
        if aggregate_id not in self.loaded:
            try:
                self.loaded[aggregate_id] = self.app.repository.get(
                    aggregate_id, projector_func=fold
                )
            except AggregateNotFoundError:
                return None
        return self.loaded[aggregate_id]

    def plan(self, slug: str) -> Plan:
        plan = self._load(plan_id(slug))
        if plan is None:
            raise NotFoundError(f"unknown plan '{slug}'")
        return plan

    def commitment(self, plan: str, slug: str) -> Commitment:
        commitment = self._load(commitment_id(plan, slug))
        if commitment is None:
            raise NotFoundError(f"unknown commitment '{slug}' in plan '{plan}'")
        return commitment

    def check_destination(self, to_plan: str | None, to_commitment: str | None) -> None:
        """A transfer's receiving plan and commitment, where named, are in the record
        (or in this batch)."""
        if to_plan is not None and self._load(plan_id(to_plan)) is None:
            raise InvalidInputError(f"to_plan '{to_plan}' is not a plan in the record", "to_plan")
        if to_commitment is not None and self._load(commitment_id(to_plan, to_commitment)) is None:
            raise InvalidInputError(
                f"to_commitment '{to_commitment}' is not a commitment of plan '{to_plan}'",
                "to_commitment",
            )

    def do(self, command: Command, recorded_by: str) -> Receipt:
        match command:
            case PublishPlan():
                return self._publish(command)
            case RegisterSource():
                plan = self.plan(command.plan)
                if command.new_only and command.key in plan.sources:
                    raise ConflictError(f"source '{command.key}' is already registered")
                plan.register_source(command.key, command.source)
                return Receipt(command.plan, None, None, plan.version)
            case AnnounceCommitment():
                return self._announce(command, recorded_by)
            case RecordEvent():
                return self._record(command, recorded_by)
        raise TypeError(f"not a command: {command!r}")

    def _publish(self, c: PublishPlan) -> Receipt:
        if self._load(plan_id(c.plan)) is not None:
            raise ConflictError(f"plan '{c.plan}' is already recorded")
        plan = Plan.publish(c.plan, c.title, c.publisher, c.published_on, c.url)
        self.loaded[plan.id] = plan
        catalogue = self._load(catalogue_id()) or Catalogue.start()
        catalogue.list_plan(c.plan)
        self.loaded[catalogue.id] = catalogue
        return Receipt(c.plan, None, None, plan.version)

    def _announce(self, c: AnnounceCommitment, recorded_by: str) -> Receipt:
        plan = self.plan(c.plan)
        if self._load(commitment_id(c.plan, c.commitment)) is not None:
            raise ConflictError(f"commitment '{c.commitment}' is already announced")
        spec = c.announcement
        commitment = Commitment.announce(
            plan=c.plan,
            slug=c.commitment,
            title=c.title,
            summary=spec.details.get("summary"),
            fact=spec.fact(recorded_by),
            theme=c.theme,
            owner=c.owner,
        )
        plan.add_commitment(c.commitment)
        self.loaded[commitment.id] = commitment
        return Receipt(c.plan, c.commitment, 1, commitment.version)

    def _record(self, c: RecordEvent, recorded_by: str) -> Receipt:
        target = self.commitment(c.plan, c.commitment) if c.commitment else self.plan(c.plan)
        if c.expected_version is not None and c.expected_version != target.version:
            raise ConflictError(
                f"version {c.expected_version} is out of date: the record is at version"
                f" {target.version}",
                current_version=target.version,
            )
        c.event.apply_to(target, recorded_by)
        return Receipt(c.plan, c.commitment, len(target.entries), target.version)

    def save(self) -> None:
        changed = [a for a in self.loaded.values() if a.pending_events]
        if not changed:
            return
        try:
            self.app.save(*changed)
        except RecordConflictError:
            raise ConflictError(
                "someone else recorded an event here at the same moment; nothing was"
                " written: read the record again and retry"
            ) from None

"""A plan: the published document, the sources its record cites, its commitments,
and plan-wide events (the context that led to it, baseline figures)."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate

from tracker.domain.chronicle import Chronicle
from tracker.domain.dates import PartialDate
from tracker.domain.entries import checked_slug
from tracker.domain.errors import HistoryRewrittenError, InvalidInputError, NotFoundError
from tracker.domain.ids import catalogue_id, plan_id
from tracker.domain.sources import Source, checked_url, require_text


class Plan(Chronicle):
    """A government action plan; its commitments are aggregates of their own."""

    class Published(Aggregate.Created):
        slug: str
        title: str
        publisher: str
        published_on: PartialDate
        url: str | None

        def apply(self, aggregate: Plan) -> None:
            aggregate.slug = self.slug
            aggregate.title = self.title
            aggregate.publisher = self.publisher
            aggregate.published_on = self.published_on
            aggregate.url = self.url
            aggregate.sources = {}
            aggregate.commitments = []
            aggregate.entries = []

    class SourceRegistered(Aggregate.Event):
        key: str
        source: Source

        def apply(self, aggregate: Plan) -> None:
            aggregate.sources[self.key] = self.source

    class SourceDescribed(Aggregate.Event):
        """A registered source's kind and note, given after it was registered: they
        describe the document without changing which one it is (``Source``)."""

        key: str
        kind: str | None
        note: str | None

        def apply(self, aggregate: Plan) -> None:
            aggregate.sources[self.key] = aggregate.sources[self.key].described(
                self.kind, self.note
            )

    class CommitmentAdded(Aggregate.Event):
        commitment: str

        def apply(self, aggregate: Plan) -> None:
            aggregate.commitments.append(self.commitment)

    @staticmethod
    def create_id(slug: str) -> UUID:
        return plan_id(slug)

    @classmethod
    def publish(
        cls,
        slug: str,
        title: str,
        publisher: str,
        published_on: PartialDate,
        url: str | None = None,
    ) -> Plan:
        if not isinstance(published_on, PartialDate):
            raise InvalidInputError("published_on must be a date", "published_on")
        return cls._create(
            cls.Published,
            id=plan_id(checked_slug(slug, "plan")),
            slug=slug,
            title=require_text(title, "title", 1000),
            publisher=require_text(publisher, "publisher"),
            published_on=published_on,
            url=checked_url(url),
        )

    def register_source(self, key: str, source: Source) -> None:
        """Add a citable source; a key, once registered, always means that source.

        Registering it again with another kind or note describes it anew
        (``SourceDescribed``): the log stays append-only and a reload finds nothing new."""
        checked_slug(key, "source key")
        if key in self.sources:
            recorded = self.sources[key]
            if recorded != source:
                raise HistoryRewrittenError(
                    f"source '{key}' is already recorded with other details"
                )
            if recorded.description() != source.description():
                kind, note = source.description()
                self.trigger_event(self.SourceDescribed, key=key, kind=kind, note=note)
            return
        self.trigger_event(self.SourceRegistered, key=key, source=source)

    def source(self, key: str) -> Source:
        try:
            return self.sources[key]
        except KeyError:
            raise NotFoundError(f"unknown source '{key}' (not among the plan's sources)") from None

    def add_commitment(self, slug: str) -> None:
        if slug not in self.commitments:
            self.trigger_event(self.CommitmentAdded, commitment=checked_slug(slug, "commitment"))


class Catalogue(Aggregate):
    """The list of plans, so that "every plan" never needs a scan of the whole log."""

    class Started(Aggregate.Created):
        def apply(self, aggregate: Catalogue) -> None:
            aggregate.plans = []

    class PlanListed(Aggregate.Event):
        plan: str

        def apply(self, aggregate: Catalogue) -> None:
            aggregate.plans.append(self.plan)

    @classmethod
    def start(cls) -> Catalogue:
        return cls._create(cls.Started, id=catalogue_id())

    def list_plan(self, slug: str) -> None:
        if slug not in self.plans:
            self.trigger_event(self.PlanListed, plan=slug)

"""Commands: plain data saying what to record. A batch of them is carried out
together and saved in one transaction, so a load writes all or nothing."""

from __future__ import annotations

from dataclasses import dataclass

from tracker.application.specs import EventSpec
from tracker.domain.dates import PartialDate
from tracker.domain.sources import Source


@dataclass(frozen=True)
class PublishPlan:
    plan: str
    title: str
    publisher: str
    published_on: PartialDate
    url: str | None = None


@dataclass(frozen=True)
class RegisterSource:
    """Register a citable source under ``key``. The data files may list a registered
    source again (nothing new is recorded); with ``new_only`` (the write API, where a
    creation is answered as such) a key already taken is a ``ConflictError``."""

    plan: str
    key: str
    source: Source
    new_only: bool = False


@dataclass(frozen=True)
class AnnounceCommitment:
    """Open a commitment with its announcement (event number 1)."""

    plan: str
    commitment: str
    title: str
    announcement: EventSpec
    theme: str | None = None
    owner: str | None = None


@dataclass(frozen=True)
class RecordEvent:
    """Append an event to a commitment, or to the plan itself when ``commitment`` is None.

    ``expected_version``, when given, is the version the writer last saw: if the record
    has moved on since, nothing is written and a ``ConflictError`` says so.
    """

    plan: str
    commitment: str | None
    event: EventSpec
    expected_version: int | None = None


Command = PublishPlan | RegisterSource | AnnounceCommitment | RecordEvent

"""The record as recorded: a position in the log, given as the number of events it held
or as a moment, and each aggregate's version there.

A moment means what had been *committed* by then. Events' own ``recorded_at`` is
taken before commit, and concurrent writers commit in another order (on PostgreSQL,
measured: one event in ten follows one with a later ``recorded_at``, by up to 14 s).
The chain's ``linked_at`` is written under the log's write lock, so it rises with the
count: a moment maps to the largest count linked by then (``docs/chain.md``). Links
written before ``linked_at`` was kept fall back to the events' ``recorded_at``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from tracker.domain.errors import InvalidInputError
from tracker.domain.ids import commitment_id
from tracker.store import chain

PAGE = 1000
NAME = "as_recorded"


@dataclass(frozen=True)
class Recorded:
    """The log after its first ``events`` events: the hash of them all, the log
    position of the last (``notification_id``), and when it was recorded (``at``:
    when its link was written, or for an old link its event's ``recorded_at``).
    ``moment``: the moment asked for, when the position was asked for by time."""

    events: int
    hash: str
    notification_id: int
    at: datetime | None
    moment: datetime | None = None

    @property
    def head_label(self) -> str:
        return f"{chain.ALGORITHM}:{self.hash}"


def at_count(tracker: Any, count: int) -> Recorded:
    """The record once the log held ``count`` events; an input error past the head."""
    if count < 1:
        raise InvalidInputError(f"{NAME}: a record number counts events from 1", NAME)
    link = chain.link_at(tracker, count)
    if link is None:
        held = chain.head(tracker).events
        raise InvalidInputError(f"{NAME}: the log holds {held:,} events, not {count:,}", NAME)
    when = link.linked_at or _recorded_at(tracker, link.notification_id)
    return Recorded(link.seq, link.hash, link.notification_id, when)


def at_moment(tracker: Any, moment: datetime) -> Recorded:
    """The record as it stood at ``moment``; an input error before the first event."""
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if moment > datetime.now(UTC):
        raise InvalidInputError(f"{NAME}: {moment.isoformat()} is in the future", NAME)
    count = count_at(tracker, moment)
    if count == 0:
        raise InvalidInputError(f"{NAME}: nothing had been recorded by {moment.isoformat()}", NAME)
    found = at_count(tracker, count)
    return Recorded(found.events, found.hash, found.notification_id, found.at, moment)


def count_at(tracker: Any, moment: datetime) -> int:
    """How many events the log held at ``moment``, in commit order (module docstring)."""
    timed = chain.count_linked_by(tracker, moment)
    if timed:
        return timed
    untimed = chain.untimed(tracker)
    return _count_by_recorded_at(tracker, moment, untimed) if untimed else 0


def _count_by_recorded_at(tracker: Any, moment: datetime, untimed: int) -> int:
    """Among the first ``untimed`` events (their links have no time), the last one
    recorded by ``moment``, by the events' own ``recorded_at``: the best the log
    says of them. Reads those events (the tracker is small; a one-off cost)."""
    last = chain.link_at(tracker, untimed)
    count, found, start = 0, 0, 1
    while last is not None:
        page = tracker.recorder.select_notifications(
            start=start, limit=PAGE, stop=last.notification_id
        )
        for notification in page:
            count += 1
            if tracker.mapper.to_domain_event(notification).timestamp <= moment:
                found = count
        if len(page) < PAGE:
            break
        start = page[-1].id + 1
    return found


def _recorded_at(tracker: Any, notification_id: int) -> datetime | None:
    page = tracker.recorder.select_notifications(
        start=notification_id, limit=1, stop=notification_id
    )
    return tracker.mapper.to_domain_event(page[0]).timestamp if page else None


def versions(tracker: Any, count: int) -> dict[UUID, int]:
    """Each aggregate's version once the log held ``count`` events: an aggregate at its
    version is the record as it stood then."""
    return {UUID(key): version for key, version in chain.versions_through(tracker, count).items()}


def parse(text: str) -> int | datetime:
    """``as_recorded`` as given: a record number (digits) or a moment (ISO 8601; a day
    alone means the end of that day, UTC; no zone means UTC)."""
    text = text.strip()
    if text.isascii() and text.isdigit():
        if len(text) > 12:
            raise InvalidInputError(f"{NAME}: '{text[:20]}…' is not a record number", NAME)
        return int(text)
    try:
        if len(text) == 10:
            day = datetime.fromisoformat(text)
            moment = day.replace(hour=23, minute=59, second=59, microsecond=999999)
        else:
            moment = datetime.fromisoformat(text)
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
    except (ValueError, OverflowError):
        shown = text if len(text) <= 40 else text[:40] + "…"
        raise InvalidInputError(
            f"{NAME}: '{shown}' is neither a record number (1234) nor a moment"
            " (2024-05-01T12:00:00Z)",
            NAME,
        ) from None


def recorded(tracker: Any, text: str) -> Recorded:
    """``as_recorded`` as given, checked against the log."""
    given = parse(text)
    if isinstance(given, int):
        return at_count(tracker, given)
    return at_moment(tracker, given)


def known_at(tracker: Any, plan: str, slug: str, entries: Any, moment: datetime) -> list[Any]:
    """A commitment's entries as recorded by ``moment`` (an entry's number is its
    aggregate's version): what ``tracker history --as-recorded-at`` shows."""
    return through(entries, versions(tracker, count_at(tracker, moment)), plan, slug)


def through(entries: Any, known: dict[UUID, int], plan: str, slug: str) -> list[Any]:
    """The entries of commitment ``plan``/``slug`` among the ``known`` versions."""
    version = known.get(commitment_id(plan, slug), 0)
    return [e for e in entries if e.number <= version]

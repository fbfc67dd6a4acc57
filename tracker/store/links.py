"""The chain's links and their encoding: how one stored event is hashed onto the one
before, and what a store that keeps the chain offers (``ChainedRecorder``).

Kept apart from reading and verifying (``chain``): the recorders, which write links in
the same transaction as the events, need only this. Why it is so: ``docs/chain.md``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any, NamedTuple, Protocol, runtime_checkable

from eventsourcing.persistence import Notification, StoredEvent

from tracker.domain.errors import TrackerError

ALGORITHM = "sha256"
GENESIS = "0" * 64


class ChainError(TrackerError):
    """The stored log no longer matches its chain where a new event must be linked."""


class Link(NamedTuple):
    """One row of the chain table."""

    notification_id: int
    seq: int
    originator_id: str
    originator_version: int
    hash: str
    # When the link was written, under the log's write lock: commit order, unlike the
    # events' own ``recorded_at``. Not hashed. None for links written before it was kept.
    linked_at: datetime | None = None


# The stores' side: what a chained recorder offers.


class LogReader(Protocol):
    """The events and the links, read in one snapshot of the store."""

    def events(self, after: int, limit: int) -> Sequence[Notification]: ...

    def links(self, after: int, limit: int) -> Sequence[Link]: ...


@runtime_checkable
class ChainedRecorder(Protocol):
    def log_snapshot(self) -> AbstractContextManager[LogReader]: ...

    def chain_head(self) -> Link | None: ...

    def chain_links(self, first: int, last: int) -> Sequence[Link]: ...

    def chain_link_at(self, seq: int) -> Link | None: ...

    def chain_seq_linked_by(self, moment: datetime) -> int: ...

    def chain_untimed(self) -> int: ...

    def chain_versions_through(self, seq: int) -> dict[str, int]: ...


# When links were written


def linked_at(last: Link | None, now: datetime) -> datetime:
    """The time to write on new links: ``now``, but never before the last link's, so
    that ``linked_at`` rises with ``seq`` even if the clock steps back."""
    now = now.astimezone(UTC)
    if last is not None and last.linked_at is not None and last.linked_at > now:
        return last.linked_at
    return now


def timed(links: Iterable[Link], moment: datetime) -> list[Link]:
    """``links`` with ``linked_at`` set to ``moment``."""
    return [link._replace(linked_at=moment) for link in links]


def moment_text(moment: datetime) -> str:
    """A moment as fixed-width UTC text, which sorts as time does (SQLite keeps text)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def text_moment(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


# The encoding


def canonical(
    notification_id: int, originator_id: Any, originator_version: int, topic: str, state: bytes
) -> bytes:
    """One stored event as five netstrings (``docs/chain.md``)."""
    return _netstrings(
        str(notification_id).encode(),
        str(originator_id).encode(),
        str(originator_version).encode(),
        topic.encode(),
        bytes(state),
    )


def _netstrings(a: bytes, b: bytes, c: bytes, d: bytes, e: bytes) -> bytes:
    return b"%d:%s,%d:%s,%d:%s,%d:%s,%d:%s," % (
        len(a), a, len(b), b, len(c), c, len(d), d, len(e), e
    )  # fmt: skip


def link_hash(
    previous: str,
    notification_id: int,
    originator_id: Any,
    originator_version: int,
    topic: str,
    state: bytes,
) -> str:
    """The hash of an event chained after ``previous`` (both lowercase hex)."""
    encoded = canonical(notification_id, originator_id, originator_version, topic, state)
    return hashlib.sha256(bytes.fromhex(previous) + encoded).hexdigest()


def new_links(last: Link | None, events: Iterable[tuple[int, StoredEvent]]) -> list[Link]:
    """Links for newly stored events, given as (notification id, event) in id order,
    chained after ``last`` (None: the log was empty). One pass, no I/O: the same
    encoding as ``canonical``, with each originator's and topic's netstring made once
    (a load of 100,000 events spends a fraction of a second here)."""
    previous, seq, after = (last.hash, last.seq, last.notification_id) if last else (GENESIS, 0, 0)
    digest = bytes.fromhex(previous)
    sha256 = hashlib.sha256
    names: dict[Any, tuple[str, bytes]] = {}
    topics: dict[str, bytes] = {}
    links = []
    for notification_id, event in events:
        if notification_id <= after:
            raise ChainError(
                f"the hash chain already reaches event {after}, past the new event"
                f" {notification_id}: the stored log was changed outside the tracker;"
                " run `tracker verify`"
            )
        named = names.get(event.originator_id)
        if named is None:
            name = str(event.originator_id)
            named = names[event.originator_id] = (name, _netstring(name.encode()))
        topic = topics.get(event.topic)
        if topic is None:
            topic = topics[event.topic] = _netstring(event.topic.encode())
        number = b"%d" % notification_id
        version = b"%d" % event.originator_version
        state = event.state
        digest = sha256(
            b"%s%d:%s,%s%d:%s,%s%d:%s,"
            % (
                digest,
                len(number),
                number,
                named[1],
                len(version),
                version,
                topic,
                len(state),
                state,
            )
        ).digest()
        seq += 1
        after = notification_id
        links.append(Link(notification_id, seq, named[0], event.originator_version, digest.hex()))
    return links


def _netstring(field: bytes) -> bytes:
    return b"%d:%s," % (len(field), field)

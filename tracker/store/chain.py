"""A log anyone can verify: every stored event is chained to the one before by a hash,
so that a changed, removed or slipped-in event shows against any head published before.

The design and why it is so: ``docs/chain.md``.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.persistence import Notification

from tracker.domain.errors import InvalidInputError, TrackerError
from tracker.domain.ids import catalogue_id, commitment_id, plan_id
from tracker.store.links import (
    ALGORITHM,
    GENESIS,
    ChainedRecorder,
    Link,
    LogReader,
    link_hash,
)

# Read by callers as ``chain.X`` beside the rest: the chain's whole public face.
from tracker.store.links import ChainError as ChainError
from tracker.store.links import canonical as canonical

PAGE = 1000

ALTERED = "altered"
MISSING = "missing"
EXTRA = "extra"
OUT_OF_ORDER = "out of order"

LOG_EXPORT_FIELDS = (
    "event",
    "originator_id",
    "originator_version",
    "topic",
    "state_base64",
    "previous_hash",
    "hash",
)

T = TypeVar("T")


@dataclass(frozen=True)
class Head:
    """The chain's last link: how many events the log holds and the hash of them all."""

    events: int
    hash: str
    notification_id: int | None

    @property
    def label(self) -> str:
        return f"{ALGORITHM}:{self.hash}"


@dataclass(frozen=True)
class Mismatch:
    """The first event that does not match the chain, and why."""

    event: int
    originator_id: str
    originator_version: int
    reason: str
    detail: str


@dataclass(frozen=True)
class Verification:
    """What ``verify`` found: ``events`` matched, up to ``head``; then ``mismatch``."""

    events: int
    head: str
    mismatch: Mismatch | None = None

    @property
    def ok(self) -> bool:
        return self.mismatch is None

    @property
    def head_label(self) -> str:
        return f"{ALGORITHM}:{self.head}"

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "events": self.events,
            "head": self.head_label,
            "mismatch": asdict(self.mismatch) if self.mismatch else None,
        }


# Reading the chain


def chained(store: Any) -> ChainedRecorder:
    """The chained recorder of a ``Tracker`` (or the recorder itself)."""
    recorder = getattr(store, "recorder", store)
    if not isinstance(recorder, ChainedRecorder):
        raise TrackerError("this store keeps no hash chain of its log")
    return recorder


def head(store: Any) -> Head:
    """The number of events and the head hash, from the last link alone."""
    last = chained(store).chain_head()
    if last is None:
        return Head(0, GENESIS, None)
    return Head(last.seq, last.hash, last.notification_id)


def count_through(store: Any, position: int) -> int:
    """How many events the log holds up to and including log position ``position``
    (a notification id). Positions may skip numbers (PostgreSQL spends one on every
    insert that rolls back); the chain's count does not."""
    if position <= 0:
        return 0
    links = chained(store).chain_links(position, position)
    if links:
        return links[0].seq
    earlier = chained(store).chain_links(0, position)  # a position with no event: rare
    return earlier[-1].seq if earlier else 0


# Positions: the log as it stood after a number of events, or at a moment


def link_at(store: Any, count: int) -> Link | None:
    """The link of the ``count``-th event (``seq``): its position, hash and when it was
    linked; None past the head."""
    return chained(store).chain_link_at(count) if count > 0 else None


def count_linked_by(store: Any, moment: datetime) -> int:
    """How many events had been linked by ``moment``: links are written under the log's
    write lock, so ``linked_at`` follows commit order (``docs/chain.md``). 0 when no
    timed link is that old (older links may have no time: see ``untimed``)."""
    return chained(store).chain_seq_linked_by(moment)


def untimed(store: Any) -> int:
    """How many of the first links carry no ``linked_at`` (written before it was kept)."""
    return chained(store).chain_untimed()


def versions_through(store: Any, count: int) -> dict[str, int]:
    """Each aggregate's version (by originator id, as text) once the log held ``count``
    events."""
    return chained(store).chain_versions_through(count) if count > 0 else {}


def hashes(store: Any, first: int, last: int) -> dict[int, str]:
    """Each event's hash by notification id, for the events ``first`` to ``last``."""
    return {link.notification_id: link.hash for link in chained(store).chain_links(first, last)}


def with_hashes(
    store: Any, items: Iterable[T], position: Callable[[T], int]
) -> Iterator[tuple[T, str | None]]:
    """``items`` (in log order) each with its event's hash, looked up a page at a time."""
    recorder = chained(store)
    page: list[T] = []

    def flush() -> Iterator[tuple[T, str | None]]:
        found = {
            link.notification_id: link.hash
            for link in recorder.chain_links(position(page[0]), position(page[-1]))
        }
        for item in page:
            yield item, found.get(position(item))
        page.clear()

    for item in items:
        page.append(item)
        if len(page) == PAGE:
            yield from flush()
    if page:
        yield from flush()


def _paged(fetch: Callable[[int, int], Sequence[T]], key: Callable[[T], int]) -> Iterator[T]:
    after = 0
    while True:
        rows = fetch(after, PAGE)
        yield from rows
        if len(rows) < PAGE:
            return
        after = key(rows[-1])


def _pairs(log: LogReader) -> Iterator[tuple[Notification | None, Link | None]]:
    """Events and links side by side by notification id; None where one side lacks it."""
    events = _paged(log.events, lambda n: n.id)
    links = _paged(log.links, lambda link: link.notification_id)
    event, link = next(events, None), next(links, None)
    while event is not None or link is not None:
        if link is None or (event is not None and event.id < link.notification_id):
            yield event, None
            event = next(events, None)
        elif event is None or link.notification_id < event.id:
            yield None, link
            link = next(links, None)
        else:
            yield event, link
            event, link = next(events, None), next(links, None)


def verify(store: Any) -> Verification:
    """Recompute the chain over the whole stored log, a page at a time, in one
    snapshot of the store; stop at the first event that does not match."""
    with chained(store).log_snapshot() as log:
        return _check(_pairs(log))


def _check(pairs: Iterable[tuple[Notification | None, Link | None]]) -> Verification:
    running, count = GENESIS, 0
    for event, link in pairs:
        fault = _fault(event, link, count)
        if fault is None:
            computed = link_hash(
                running,
                event.id,
                event.originator_id,
                event.originator_version,
                event.topic,
                event.state,
            )
            if computed != link.hash:
                fault = _at(event, ALTERED, "stored hash does not match")
        if fault is not None:
            return Verification(count, running, fault)
        running, count = computed, count + 1
    return Verification(count, running)


def _at(event: Notification, reason: str, detail: str) -> Mismatch:
    return Mismatch(event.id, str(event.originator_id), event.originator_version, reason, detail)


def _fault(event: Notification | None, link: Link | None, count: int) -> Mismatch | None:
    """What is wrong with the next stored event and its chain link, seen before its hash
    is worked out (the ``count`` events before it matched), if anything."""
    if link is None:
        assert event is not None
        return _at(
            event,
            EXTRA,
            "the event is not in the hash chain: it was added behind the tracker's back",
        )
    if event is None:
        return Mismatch(
            link.notification_id,
            str(link.originator_id),
            link.originator_version,
            MISSING,
            "the event was removed: the hash chain holds it, the log does not",
        )
    if link.seq != count + 1:
        gap = link.seq - count - 1
        if gap > 0:
            return _at(
                event,
                MISSING,
                f"{gap:,} event{'s' * (gap != 1)} before it were removed with their hashes",
            )
        return _at(
            event, ALTERED, f"the hash chain counts it as event {link.seq:,}, not {count + 1:,}"
        )
    if (str(event.originator_id), event.originator_version) != (
        link.originator_id,
        link.originator_version,
    ):
        return _at(
            event,
            OUT_OF_ORDER,
            f"the hash chain holds {link.originator_id} version {link.originator_version}"
            " here (events were moved, or this one's originator or version changed)",
        )
    if not (isinstance(event.state, bytes) and isinstance(event.topic, str)):
        return _at(
            event,
            ALTERED,
            "stored hash does not match (its state or topic is stored as the wrong type)",
        )
    return None


# Exports


def log_export(store: Any) -> Iterator[dict[str, Any]]:
    """Every stored event with what it takes to recompute the chain: one dict per
    event, ``LOG_EXPORT_FIELDS``, in log order, with the hashes as stored."""
    previous = GENESIS
    with chained(store).log_snapshot() as log:
        for event, link in _pairs(log):
            if event is None:
                # Removed: the chain still holds its hash, which the next line gives as
                # its previous_hash, so that checking the file finds the gap there.
                previous = link.hash if link else previous
                continue
            stored = link.hash if link else None
            yield {
                "event": event.id,
                "originator_id": str(event.originator_id),
                "originator_version": event.originator_version,
                "topic": event.topic,
                "state_base64": base64.b64encode(event.state).decode("ascii"),
                "previous_hash": previous,
                "hash": stored,
            }
            previous = stored


def verify_export(lines: Iterable[str]) -> Verification:
    """Recompute the chain from a log export (``tracker export --format log``)."""
    running, count, after = GENESIS, 0, 0

    def failed(line: dict[str, Any], reason: str, detail: str) -> Verification:
        mismatch = Mismatch(
            line["event"], line["originator_id"], line["originator_version"], reason, detail
        )
        return Verification(count, running, mismatch)

    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        line = _export_line(number, text)
        if line["event"] <= after:
            return failed(line, OUT_OF_ORDER, f"it comes after event {after} in the file")
        if line["hash"] is None:
            return failed(line, EXTRA, "the event is not in the hash chain")
        if line["previous_hash"] != running:
            return failed(
                line,
                MISSING,
                "its previous hash is not the hash of the event before it in the file:"
                " an event was removed or moved",
            )
        computed = link_hash(
            running,
            line["event"],
            line["originator_id"],
            line["originator_version"],
            line["topic"],
            line["state"],
        )
        if computed != line["hash"]:
            return failed(line, ALTERED, "stored hash does not match")
        running, count, after = computed, count + 1, line["event"]
    return Verification(count, running)


def _export_line(number: int, text: str) -> dict[str, Any]:
    """One line of a log export, checked for shape; a bad line is an input error."""
    where = f"line {number}"
    try:
        line = json.loads(text)
    except ValueError:
        raise InvalidInputError(f"{where} is not JSON") from None
    if not isinstance(line, dict) or not set(LOG_EXPORT_FIELDS) <= set(line):
        raise InvalidInputError(
            f"{where} is not an event of a log export (tracker export --format log): it"
            f" needs {', '.join(LOG_EXPORT_FIELDS)}"
        )
    kinds = {
        "event": int,
        "originator_id": str,
        "originator_version": int,
        "topic": str,
        "state_base64": str,
        "previous_hash": (str, type(None)),
        "hash": (str, type(None)),
    }
    for name, kind in kinds.items():
        if not isinstance(line[name], kind) or isinstance(line[name], bool):
            raise InvalidInputError(f"{where}: '{name}' has the wrong type")
    try:
        line["state"] = base64.b64decode(line["state_base64"], validate=True)
    except binascii.Error:
        raise InvalidInputError(f"{where}: 'state_base64' is not base64") from None
    return line


# Naming an aggregate for people


def describe(tracker: Any, originator_id: str) -> str:
    """'commitment PLAN/SLUG', 'plan PLAN' or 'the list of plans' for an originator
    id; the id itself when the record cannot say (its events may be the bad ones)."""
    try:
        wanted = UUID(originator_id)
    except ValueError:
        return f"aggregate {originator_id}"
    if wanted == catalogue_id():
        return "the list of plans"
    try:
        for plan in tracker.plan_slugs():
            if plan_id(plan) == wanted:
                return f"plan {plan}"
            for slug in tracker.plan(plan).commitments:
                if commitment_id(plan, slug) == wanted:
                    return f"commitment {plan}/{slug}"
    except Exception:  # a tampered event may not even decode: fall back to the id
        pass
    return f"aggregate {originator_id}"

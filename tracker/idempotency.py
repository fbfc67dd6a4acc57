"""Idempotency keys: a write retried with the same key is done once, answered alike,
even when a crash falls between recording the write and noting its answer.

The design and why it is so: ``docs/idempotency.md``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Column,
    Engine,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from tracker.access import connection, transaction
from tracker.application.service import Tracker
from tracker.application.writes import MAX_ATTEMPTS, Write
from tracker.domain.errors import ConflictError, InvalidInputError, TrackerError

PENDING, DONE = "pending", "done"
LEASE = timedelta(seconds=15)
HEADER = "Idempotency-Key"

metadata = MetaData()

keys = Table(
    "api_idempotency_keys",
    metadata,
    Column("scope", String(100), nullable=False),  # the token's name
    Column("key", String(255), nullable=False),
    Column("fingerprint", String(64), nullable=False),  # of the request, see the web
    Column("state", String(10), nullable=False),
    Column("pin", Integer),
    Column("response", Text),  # JSON, once done
    Column("created_at", String(40), nullable=False),
    Column("touched_at", String(40), nullable=False),
    PrimaryKeyConstraint("scope", "key"),
)


class KeyReusedError(InvalidInputError):
    """The key was used before for a different request (422 in the IETF draft)."""

    def __init__(self) -> None:
        super().__init__(f"{HEADER} was already used for a different request", HEADER)


class KeyInUseError(ConflictError):
    """A request with this key is still in progress (409 in the IETF draft)."""

    def __init__(self) -> None:
        super().__init__(
            "a request with this Idempotency-Key is still in progress: retry in a few seconds"
        )


@dataclass(frozen=True)
class Claim:
    """What a request found under its key: ``new``, ``recover`` (pending, left by a
    request that stopped), ``done`` (with its ``response``)."""

    state: str
    pin: int | None = None
    response: dict[str, Any] | None = None


def _now() -> datetime:
    return datetime.now(UTC)


class IdempotencyKeys:
    """The keys table: claim a key, move its pin, note its answer, or let it go."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create_tables(self) -> None:
        metadata.create_all(self.engine)

    def _where(self, scope: str, key: str):
        return (keys.c.scope == scope, keys.c.key == key)

    def claim(
        self, scope: str, key: str, fingerprint: str, first_pin: Callable[[], int | None]
    ) -> Claim:
        """Take the key for this request, or say why not (raises the draft's errors)."""
        for _ in range(5):
            with connection(self.engine) as conn:
                row = conn.execute(select(keys).where(*self._where(scope, key))).first()
            if row is None:
                pin = first_pin()
                if self._insert(scope, key, fingerprint, pin):
                    return Claim("new", pin)
                continue  # another request with this key inserted first: look again
            if row.fingerprint != fingerprint:
                raise KeyReusedError()
            if row.state == DONE:
                return Claim(DONE, row.pin, json.loads(row.response))
            if _now() - datetime.fromisoformat(row.touched_at) < LEASE:
                raise KeyInUseError()
            if self._take_over(scope, key, row.touched_at):
                return Claim("recover", row.pin)
        raise KeyInUseError()

    def _insert(self, scope: str, key: str, fingerprint: str, pin: int | None) -> bool:
        moment = _now().isoformat()
        row = dict(scope=scope, key=key, fingerprint=fingerprint, state=PENDING, pin=pin)
        try:
            with transaction(self.engine) as conn:
                conn.execute(insert(keys).values(**row, created_at=moment, touched_at=moment))
        except IntegrityError:
            return False
        return True

    def _take_over(self, scope: str, key: str, touched_at: str) -> bool:
        """Only one of several retries finding the same abandoned key gets it."""
        with transaction(self.engine) as conn:
            return bool(
                conn.execute(
                    update(keys)
                    .where(*self._where(scope, key), keys.c.touched_at == touched_at)
                    .values(touched_at=_now().isoformat())
                ).rowcount
            )

    def move_pin(self, scope: str, key: str, old: int | None, new: int | None) -> bool:
        """Re-aim the pending write, unless someone else took the key meanwhile."""
        same_pin = keys.c.pin.is_(None) if old is None else keys.c.pin == old
        with transaction(self.engine) as conn:
            return bool(
                conn.execute(
                    update(keys)
                    .where(*self._where(scope, key), keys.c.state == PENDING, same_pin)
                    .values(pin=new, touched_at=_now().isoformat())
                ).rowcount
            )

    def finish(self, scope: str, key: str, pin: int | None, response: dict[str, Any]) -> None:
        done = dict(state=DONE, pin=pin, response=json.dumps(response))
        with transaction(self.engine) as conn:
            conn.execute(
                update(keys)
                .where(*self._where(scope, key))
                .values(**done, touched_at=_now().isoformat())
            )

    def release(self, scope: str, key: str) -> None:
        with transaction(self.engine) as conn:
            conn.execute(delete(keys).where(*self._where(scope, key), keys.c.state == PENDING))


Respond = Callable[[int | None], dict[str, Any]]


def run_once(
    store: IdempotencyKeys,
    scope: str,
    key: str,
    fingerprint: str,
    tracker: Tracker,
    write: Write,
    recorded_by: str,
    respond: Respond,
) -> tuple[dict[str, Any], bool]:
    """Carry out ``write`` at most once for this key; returns the answer (``respond``'s,
    built from the record at the write's pin) and whether it is a replay."""
    claim = store.claim(scope, key, fingerprint, lambda: write.first_pin(tracker))
    if claim.state == DONE:
        return claim.response or {}, True
    try:
        pin = _land(store, scope, key, tracker, write, recorded_by, claim)
    except KeyInUseError:
        raise
    except TrackerError:
        store.release(scope, key)  # nothing was written: let a retry be judged afresh
        raise
    response = respond(pin)
    store.finish(scope, key, pin, response)
    return response, False


def _land(
    store: IdempotencyKeys,
    scope: str,
    key: str,
    tracker: Tracker,
    write: Write,
    recorded_by: str,
    claim: Claim,
) -> int | None:
    """Carry out the pinned write, or find it already landed; returns its pin."""
    pin = claim.pin
    if claim.state == "recover" and write.landed(tracker, pin, recorded_by):
        return pin
    for _ in range(MAX_ATTEMPTS):
        try:
            tracker.execute(write.commands(pin), recorded_by)
            return pin
        except ConflictError as conflict:
            if write.landed(tracker, pin, recorded_by):
                return pin  # a retry taking over the key got there first, with our write
            new_pin = write.next_pin(tracker, conflict)
            if not store.move_pin(scope, key, pin, new_pin):
                raise KeyInUseError() from None
            pin = new_pin
    raise ConflictError("too many writers at once here: nothing was written; retry")

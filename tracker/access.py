"""API tokens: who may write through the web API, and as what.

The design and why it is so: ``docs/tokens.md``.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from weakref import WeakKeyDictionary

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    MetaData,
    String,
    Table,
    Text,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import StaticPool

from tracker.domain.entries import checked_slug
from tracker.domain.errors import ConflictError, InvalidInputError, NotFoundError
from tracker.domain.sources import bounded_text

TOKEN_PREFIX = "tpt_"
ROLES = ("editor", "admin")
MAY: dict[str, frozenset[str]] = {
    "create_plan": frozenset({"admin"}),
    "register_source": frozenset({"admin"}),
    "create_commitment": frozenset({"admin"}),
    "record_event": frozenset({"editor", "admin"}),
}
MAX_ORGANISATION = 90  # "editor, " + organisation fits recorded_by's 100 characters
LAST_USED_EVERY = timedelta(minutes=1)  # at most one write per token per minute

metadata = MetaData()

tokens = Table(
    "api_tokens",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("role", String(10), nullable=False),
    Column("organisation", Text),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", String(40), nullable=False),
    Column("last_used_at", String(40)),
    Column("revoked_at", String(40)),
)


@dataclass(frozen=True)
class Identity:
    """Who a request's token says is writing: what the application needs, no more."""

    name: str
    role: str
    organisation: str | None = None

    @property
    def recorded_by(self) -> str:
        """What events record and the public pages show: a role, not a person."""
        return f"{self.role}, {self.organisation}" if self.organisation else self.role

    def may(self, action: str) -> bool:
        return self.role in MAY[action]


@dataclass(frozen=True)
class TokenInfo:
    """A token as ``tracker token list`` shows it: never the secret, nor its hash."""

    name: str
    role: str
    organisation: str | None
    created_at: str
    last_used_at: str | None
    revoked_at: str | None

    def as_json(self) -> dict[str, str | None]:
        return {
            "name": self.name,
            "role": self.role,
            "organisation": self.organisation,
            "created_at": self.created_at,
            "last_used_at": self.last_used_at,
            "revoked": self.revoked_at is not None,
            "revoked_at": self.revoked_at,
        }


_TURNS: WeakKeyDictionary[Engine, threading.RLock] = WeakKeyDictionary()
_TURNS_LOCK = threading.Lock()


def _one_at_a_time(engine: Engine):
    """``memory://`` gives every thread the same SQLite connection (a ``StaticPool``),
    which cannot hold two transactions at once: there, they take turns. A real
    database gives each thread a connection of its own and needs no such lock."""
    if not isinstance(engine.pool, StaticPool):
        return nullcontext()
    with _TURNS_LOCK:
        return _TURNS.setdefault(engine, threading.RLock())


@contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    """``engine.begin()``, safe on ``memory://`` too."""
    with _one_at_a_time(engine), engine.begin() as conn:
        yield conn


@contextmanager
def connection(engine: Engine) -> Iterator[Connection]:
    """``engine.connect()``, safe on ``memory://`` too."""
    with _one_at_a_time(engine), engine.connect() as conn:
        yield conn


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Tokens:
    """Create, list, revoke and check API tokens, in the store's database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create_tables(self) -> None:
        metadata.create_all(self.engine)

    def create(self, name: str, role: str, organisation: str | None = None) -> str:
        """A new token for ``name``; the only time the secret is ever seen."""
        checked_slug(name, "name")
        if role not in ROLES:
            raise InvalidInputError(f"unknown role '{role}' (expected editor or admin)", "role")
        organisation = bounded_text(organisation, "organisation", MAX_ORGANISATION)
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        row = {
            "name": name,
            "role": role,
            "organisation": organisation,
            "token_hash": token_hash(token),
            "created_at": now(),
        }
        try:
            with transaction(self.engine) as conn:
                conn.execute(insert(tokens).values(row))
        except IntegrityError:
            raise ConflictError(
                f"a token named '{name}' already exists (names are never reused)"
            ) from None
        return token

    def list(self) -> list[TokenInfo]:
        query = select(
            tokens.c.name,
            tokens.c.role,
            tokens.c.organisation,
            tokens.c.created_at,
            tokens.c.last_used_at,
            tokens.c.revoked_at,
        ).order_by(tokens.c.created_at, tokens.c.name)
        with connection(self.engine) as conn:
            return [TokenInfo(*row) for row in conn.execute(query)]

    def revoke(self, name: str) -> bool:
        """Revoke ``name``'s token; False if it already was."""
        with transaction(self.engine) as conn:
            done = conn.execute(
                update(tokens)
                .where(tokens.c.name == name, tokens.c.revoked_at.is_(None))
                .values(revoked_at=now())
            ).rowcount
            if done:
                return True
            if conn.scalar(select(tokens.c.name).where(tokens.c.name == name)) is None:
                raise NotFoundError(f"no token named '{name}'")
        return False

    def authenticate(self, token: str) -> Identity | None:
        """The identity behind a live token, or None for an unknown or revoked one."""
        if not token.startswith(TOKEN_PREFIX):
            return None  # not one of ours: no need to ask the database
        digest = token_hash(token)
        with connection(self.engine) as conn:
            row = conn.execute(
                select(
                    tokens.c.name, tokens.c.role, tokens.c.organisation, tokens.c.last_used_at
                ).where(tokens.c.token_hash == digest, tokens.c.revoked_at.is_(None))
            ).first()
        if row is None:
            return None
        self._touch(digest, row.last_used_at)
        return Identity(row.name, row.role, row.organisation)

    def _touch(self, digest: str, last_used_at: str | None) -> None:
        """Note when a token was last used, at most once a minute: cheap enough."""
        moment = datetime.now(UTC)
        if last_used_at and moment - datetime.fromisoformat(last_used_at) < LAST_USED_EVERY:
            return
        with transaction(self.engine) as conn:
            conn.execute(
                update(tokens)
                .where(tokens.c.token_hash == digest)
                .values(last_used_at=moment.isoformat(timespec="seconds"))
            )

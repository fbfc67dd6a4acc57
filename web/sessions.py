"""Editors' sessions: signing in once with an API token, then working with a cookie.

Editors sign in by pasting the API token they were given (``tracker token create``):
the site stores no passwords, and whoever may write through the API may write through
the pages, as the same role and organisation. A session is a row of its own here, not
a signed cookie, so that it can be ended from the server: at sign-out, when it has been
idle for ``IDLE`` or alive for ``LIFETIME``, and as soon as its token is revoked (every
look-up joins the token's row, so a revoked token ends its sessions at their next
request, with nothing else to remember to do).

The cookie holds a random session id of 256 bits; the table keeps only its SHA-256,
for the reason ``tracker.access`` gives for tokens: a leaked table opens no session.
Each session has its own CSRF secret, which the pages put in their forms.

The table lives in its own ``MetaData`` on the read models' engine, beside the tokens,
so that ``tracker rebuild`` (which drops the read models) never drops it. On
``memory://`` it lasts as long as the process, as the tokens do.

``last seen`` is written at most once a minute (``SEEN_EVERY``): an editor's every
click need not be a write, and the idle timeout is not that precise a thing anyway.
The clock is injectable so that tests can move time on.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Column, Engine, MetaData, String, Table, delete, insert, or_, select, update

from tracker.access import Identity, connection, tokens, transaction

IDLE = timedelta(hours=2)
LIFETIME = timedelta(hours=12)
SEEN_EVERY = timedelta(minutes=1)

metadata = MetaData()

sessions = Table(
    "editor_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("token_name", String(100), nullable=False, index=True),
    Column("csrf", String(64), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("seen_at", String(40), nullable=False),
)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def _text(moment: datetime) -> str:
    """UTC, to the second, one format: so that the table's texts sort as times do."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Session:
    """A live session: who is signed in, and the secret their forms must carry."""

    id_hash: str
    who: Identity
    csrf: str
    created_at: datetime
    seen_at: datetime


class Sessions:
    """Start, find and end editors' sessions, in the store's database."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock = utc_now,
        idle: timedelta = IDLE,
        lifetime: timedelta = LIFETIME,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.idle = idle
        self.lifetime = lifetime

    def create_tables(self) -> None:
        metadata.create_all(self.engine)

    def start(self, who: Identity) -> tuple[str, Session]:
        """A new session for ``who``: its id (for the cookie, never stored) and itself.
        Always a new id, so a session id planted before sign-in is worth nothing."""
        self.purge()
        session_id = secrets.token_urlsafe(32)
        now = self.clock()
        session = Session(digest(session_id), who, secrets.token_urlsafe(32), now, now)
        row = {
            "id_hash": session.id_hash,
            "token_name": who.name,
            "csrf": session.csrf,
            "created_at": _text(now),
            "seen_at": _text(now),
        }
        with transaction(self.engine) as conn:
            conn.execute(insert(sessions).values(row))
        return session_id, session

    def find(self, session_id: str | None) -> Session | None:
        """The live session with this id, or None: unknown, ended, expired, or its
        token revoked (such a session is removed on the way)."""
        if not session_id or len(session_id) > 100:
            return None
        id_hash = digest(session_id)
        query = (
            select(sessions, tokens.c.role, tokens.c.organisation, tokens.c.revoked_at)
            .join(tokens, tokens.c.name == sessions.c.token_name, isouter=True)
            .where(sessions.c.id_hash == id_hash)
        )
        with connection(self.engine) as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        now = self.clock()
        created, seen = datetime.fromisoformat(row.created_at), datetime.fromisoformat(row.seen_at)
        if row.role is None or row.revoked_at is not None or self._expired(created, seen, now):
            self._remove(id_hash)
            return None
        if now - seen >= SEEN_EVERY:
            self._seen(id_hash, now)
            seen = now
        who = Identity(row.token_name, row.role, row.organisation)
        return Session(id_hash, who, row.csrf, created, seen)

    def end(self, session_id: str | None) -> None:
        if session_id:
            self._remove(digest(session_id))

    def purge(self) -> int:
        """Remove every expired session; returns how many. Run at each sign-in, so the
        table holds little more than the sessions alive."""
        now = self.clock()
        with transaction(self.engine) as conn:
            return conn.execute(
                delete(sessions).where(
                    or_(
                        sessions.c.seen_at <= _text(now - self.idle),
                        sessions.c.created_at <= _text(now - self.lifetime),
                    )
                )
            ).rowcount

    def _expired(self, created: datetime, seen: datetime, now: datetime) -> bool:
        return now - seen >= self.idle or now - created >= self.lifetime

    def _remove(self, id_hash: str) -> None:
        with transaction(self.engine) as conn:
            conn.execute(delete(sessions).where(sessions.c.id_hash == id_hash))

    def _seen(self, id_hash: str, now: datetime) -> None:
        with transaction(self.engine) as conn:
            conn.execute(
                update(sessions).where(sessions.c.id_hash == id_hash).values(seen_at=_text(now))
            )

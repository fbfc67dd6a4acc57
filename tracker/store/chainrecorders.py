"""The library's SQLite and in-memory application recorders, extended to keep the
hash chain of ``tracker.store.chain`` (PostgreSQL's is in ``pgrecorder``).

Each writes an event's link in the transaction that stores the event, after the
library has given it its notification id; each reads the log and its links in one
snapshot for ``verify``; the SQLite one chains a store made before the chain, once,
when it first opens it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, Notification, StoredEvent
from eventsourcing.popo import POPOApplicationRecorder, POPOFactory
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteDatastore

from tracker.store.chain import PAGE
from tracker.store.links import Link, linked_at, moment_text, new_links, text_moment, timed

LINK_COLUMNS = "notification_id, seq, originator_id, originator_version, hash, linked_at"


class ChainedSQLiteRecorder(SQLiteApplicationRecorder):
    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "stored_events"):
        self.chain_table_name = f"{events_table_name}_chain"
        super().__init__(datastore, events_table_name)
        chain, events = self.chain_table_name, self.events_table_name
        columns = "notification_id, seq, originator_id, originator_version, hash"
        self.insert_links_statement = f"INSERT INTO {chain} ({LINK_COLUMNS}) VALUES (?,?,?,?,?,?)"
        self.select_last_link_statement = (
            f"SELECT {columns} FROM {chain} ORDER BY notification_id DESC LIMIT 1"
        )
        self.select_last_timed_link_statement = (
            f"SELECT {LINK_COLUMNS} FROM {chain} ORDER BY notification_id DESC LIMIT 1"
        )
        self.select_link_at_statement = f"SELECT * FROM {chain} WHERE seq=?"
        self.select_seq_linked_by_statement = (
            f"SELECT max(seq) FROM {chain} WHERE linked_at IS NOT NULL AND linked_at<=?"
        )
        self.select_untimed_statement = f"SELECT max(seq) FROM {chain} WHERE linked_at IS NULL"
        self.select_versions_statement = (
            f"SELECT originator_id, max(originator_version) FROM {chain} WHERE seq<=?"
            " GROUP BY originator_id"
        )
        self.select_links_statement = (
            f"SELECT {columns} FROM {chain} WHERE notification_id>? ORDER BY notification_id"
            " LIMIT ?"
        )
        self.select_link_range_statement = (
            f"SELECT {columns} FROM {chain} WHERE notification_id BETWEEN ? AND ?"
            " ORDER BY notification_id"
        )
        self.select_events_page_statement = (
            "SELECT rowid, originator_id, originator_version, topic, state"
            f" FROM {events} WHERE rowid>? ORDER BY rowid LIMIT ?"
        )
        self.select_chain_needed_statement = (
            f"SELECT NOT EXISTS (SELECT 1 FROM {chain}) AND EXISTS (SELECT 1 FROM {events})"
        )

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {self.chain_table_name} ("
            "notification_id INTEGER PRIMARY KEY, "
            "seq INTEGER NOT NULL, "
            "originator_id TEXT NOT NULL, "
            "originator_version INTEGER NOT NULL, "
            "hash TEXT NOT NULL, "
            "linked_at TEXT)",
        ]

    # Writing

    def create_table(self) -> None:
        super().create_table()
        self._add_linked_at()
        self._chain_existing_log()

    def _add_linked_at(self) -> None:
        """A chain table made before ``linked_at`` gains the column, empty for the links
        already there (``docs/chain.md``): checked, then added, in one write transaction."""
        if self._has_linked_at():
            return
        with self.datastore.transaction(commit=True) as c:
            if not self._has_linked_at(c):
                c.execute(f"ALTER TABLE {self.chain_table_name} ADD COLUMN linked_at TEXT")

    def _has_linked_at(self, c: Any = None) -> bool:
        if c is None:
            with self.datastore.transaction(commit=False) as c:
                return self._has_linked_at(c)
        c.execute(f"PRAGMA table_info({self.chain_table_name})")
        return any(row[1] == "linked_at" for row in c.fetchall())

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        # The INSERTs took the database's write lock: no one else can extend the chain
        # between reading its last link here and committing the new ones.
        ids = super()._insert_events(c, stored_events, **kwargs)
        assert ids is not None
        c.execute(self.select_last_timed_link_statement)
        last = _link(c.fetchone())
        links = new_links(last, sorted(zip(ids, stored_events, strict=True), key=_first))
        now = linked_at(last, datetime.now(UTC))
        c.executemany(self.insert_links_statement, [_row(link) for link in timed(links, now)])
        return ids

    def _chain_existing_log(self) -> None:
        """Chain a store that has events but no links (made before the chain existed),
        in one transaction that holds the write lock; a no-op on every later open."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(self.select_chain_needed_statement)
            if not c.fetchone()[0]:
                return
        with self.datastore.get_connection(commit=True) as conn, conn.cursor() as c:
            c.execute("BEGIN IMMEDIATE")
            try:
                c.execute(self.select_chain_needed_statement)
                if c.fetchone()[0]:
                    last = None
                    for page in self._event_pages(c):
                        links = new_links(last, ((n.id, n) for n in page))
                        c.executemany(self.insert_links_statement, [_row(x) for x in links])
                        last = links[-1]
            except BaseException:
                conn.rollback()
                raise
            conn.commit()

    # Reading

    def chain_head(self) -> Link | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(self.select_last_link_statement)
            return _link(c.fetchone())

    def chain_links(self, first: int, last: int) -> list[Link]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(self.select_link_range_statement, (first, last))
            return [Link(*row) for row in c.fetchall()]

    def chain_link_at(self, seq: int) -> Link | None:
        with self.datastore.transaction(commit=False) as c:
            # All columns: an old table, before a writer added ``linked_at``, has five.
            c.execute(self.select_link_at_statement, (seq,))
            return _link(c.fetchone())

    def chain_seq_linked_by(self, moment: datetime) -> int:
        if not self._has_linked_at():
            return 0
        with self.datastore.transaction(commit=False) as c:
            c.execute(self.select_seq_linked_by_statement, (moment_text(moment),))
            return c.fetchone()[0] or 0

    def chain_untimed(self) -> int:
        with self.datastore.transaction(commit=False) as c:
            if not self._has_linked_at(c):
                c.execute(f"SELECT max(seq) FROM {self.chain_table_name}")
            else:
                c.execute(self.select_untimed_statement)
            return c.fetchone()[0] or 0

    def chain_versions_through(self, seq: int) -> dict[str, int]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(self.select_versions_statement, (seq,))
            return {row[0]: row[1] for row in c.fetchall()}

    @contextmanager
    def log_snapshot(self) -> Iterator[_SQLiteLogReader]:
        # One read transaction: in WAL mode, one snapshot for every page.
        with self.datastore.transaction(commit=False) as c:
            yield _SQLiteLogReader(self, c)

    def _event_pages(self, c: Any) -> Iterator[list[Notification]]:
        after = 0
        while True:
            page = self._events_after(c, after, PAGE)
            if page:
                yield page
            if len(page) < PAGE:
                return
            after = page[-1].id

    def _events_after(self, c: Any, after: int, limit: int) -> list[Notification]:
        c.execute(self.select_events_page_statement, (after, limit))
        return [
            Notification(
                id=row[0],
                originator_id=self._originator_id(row[1]),
                originator_version=row[2],
                topic=row[3],
                state=row[4],
            )
            for row in c.fetchall()
        ]

    def _originator_id(self, stored: Any) -> UUID | str:
        try:
            return self.convert_originator_id(stored)
        except (ValueError, TypeError, AttributeError):  # not a UUID: keep what is there
            return str(stored)


class _SQLiteLogReader:
    def __init__(self, recorder: ChainedSQLiteRecorder, cursor: SQLiteCursor):
        self.recorder = recorder
        self.cursor = cursor

    def events(self, after: int, limit: int) -> list[Notification]:
        return self.recorder._events_after(self.cursor, after, limit)

    def links(self, after: int, limit: int) -> list[Link]:
        self.cursor.execute(self.recorder.select_links_statement, (after, limit))
        return [Link(*row) for row in self.cursor.fetchall()]


class ChainedPOPORecorder(POPOApplicationRecorder):
    """The in-memory store, chained: the links are a list beside the events."""

    def __init__(self) -> None:
        super().__init__()
        self._links: list[Link] = []

    def _update_table(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        # Called by the library with the database lock held.
        ids = super()._update_table(stored_events, **kwargs)
        assert ids is not None
        last = self._links[-1] if self._links else None
        links = new_links(last, zip(ids, stored_events, strict=True))
        self._links += timed(links, linked_at(last, datetime.now(UTC)))
        return ids

    def chain_head(self) -> Link | None:
        with self._database_lock:
            return self._links[-1] if self._links else None

    def chain_links(self, first: int, last: int) -> list[Link]:
        with self._database_lock:
            start = bisect_left(self._links, first, key=_first)
            stop = bisect_right(self._links, last, key=_first)
            return self._links[start:stop]

    def chain_link_at(self, seq: int) -> Link | None:
        with self._database_lock:
            found = bisect_left(self._links, seq, key=_seq)
            return (
                self._links[found]
                if found < len(self._links) and _seq(self._links[found]) == seq
                else None
            )

    def chain_seq_linked_by(self, moment: datetime) -> int:
        with self._database_lock:
            by = [link.seq for link in self._links if link.linked_at and link.linked_at <= moment]
            return max(by, default=0)

    def chain_untimed(self) -> int:
        with self._database_lock:
            return max((link.seq for link in self._links if link.linked_at is None), default=0)

    def chain_versions_through(self, seq: int) -> dict[str, int]:
        versions: dict[str, int] = {}
        with self._database_lock:
            for link in self._links[: bisect_right(self._links, seq, key=_seq)]:
                versions[link.originator_id] = link.originator_version
        return versions

    @contextmanager
    def log_snapshot(self) -> Iterator[_POPOLogReader]:
        with self._database_lock:
            yield _POPOLogReader(self)


class _POPOLogReader:
    def __init__(self, recorder: ChainedPOPORecorder):
        self.recorder = recorder

    def events(self, after: int, limit: int) -> Sequence[Notification]:
        return self.recorder.select_notifications(start=after + 1, limit=limit)

    def links(self, after: int, limit: int) -> list[Link]:
        links = self.recorder._links
        start = bisect_right(links, after, key=_first)
        return links[start : start + limit]


class ChainedPOPOFactory(POPOFactory):
    """``PERSISTENCE_MODULE`` for the chained in-memory store (the library's POPO
    factory takes no ``APPLICATION_RECORDER_TOPIC``)."""

    def application_recorder(self) -> ApplicationRecorder:
        return ChainedPOPORecorder()


def _first(pair: Any) -> int:
    return pair[0]


def _seq(link: Link) -> int:
    return link.seq


def _link(row: Any) -> Link | None:
    """A link from a row of five columns, or six with ``linked_at`` as text."""
    if row is None:
        return None
    return Link(*row[:5], text_moment(row[5]) if len(row) > 5 else None)


def _row(link: Link) -> tuple[Any, ...]:
    """A link as the table's row: ``linked_at`` as fixed-width UTC text."""
    moment = None if link.linked_at is None else moment_text(link.linked_at)
    return (*link[:5], moment)

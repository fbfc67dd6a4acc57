"""PostgreSQL recorders: one that can save a whole large load in one transaction, and
its chained form, which also keeps the log's hash chain (``tracker.store.chain``).

The design and why it is so: ``docs/pgrecorder.md``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from functools import wraps
from typing import Any

import psycopg
from eventsourcing.persistence import (
    InterfaceError,
    Notification,
    OperationalError,
    ProgrammingError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier
from psycopg_pool import PoolTimeout

from tracker.store.chain import PAGE
from tracker.store.links import Link, linked_at, new_links, timed

PIPELINE_LIMIT = 500  # events; a typical editor's save is one or a few
RETRIES = 2  # after a transient error; see ``transient``
RETRY_WAIT = 0.1  # seconds, times the attempt's number


def transient(error: BaseException) -> bool:
    """Whether trying again at once may well succeed: a connection that broke (the
    server restarted) or a prepared statement the server has forgotten. Not a lock or
    statement timeout, nor a pool that had no connection to give within its timeout:
    those already waited their bound, and waiting again would only make the caller's
    wait longer than we promise (README, Deploying)."""
    cause = error.__cause__ or error
    if isinstance(
        cause, (PoolTimeout, psycopg.errors.LockNotAvailable, psycopg.errors.QueryCanceled)
    ):
        return False
    if isinstance(cause, psycopg.errors.InvalidSqlStatementName):
        return True
    return isinstance(error, (InterfaceError, OperationalError))


def bounded_retry(method: Callable[..., Any]) -> Callable[..., Any]:
    """Call ``method`` (the library's own, without its ten-times retry), trying again
    at most ``RETRIES`` times, and only after a transient error."""

    @wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        for attempt in range(RETRIES + 1):
            try:
                return method(*args, **kwargs)
            except (InterfaceError, OperationalError, ProgrammingError) as error:
                if attempt == RETRIES or not transient(error):
                    raise
                time.sleep(RETRY_WAIT * (attempt + 1))
        raise AssertionError("unreachable")

    return call


def _library(name: str) -> Callable[..., Any]:
    """The library's method ``name`` without its retry decorator."""
    method = getattr(PostgresApplicationRecorder, name)
    return getattr(method, "__wrapped__", method)


class LargeBatchPostgresRecorder(PostgresApplicationRecorder):
    # The library retries every read and write ten times, 0.2 s apart, whatever the
    # error: behind a lock timeout of seconds that is a wait of a minute or more. Ours
    # are bounded (``bounded_retry``).
    select_notifications = bounded_retry(_library("select_notifications"))
    max_notification_id = bounded_retry(_library("max_notification_id"))
    select_events = bounded_retry(_library("select_events"))

    @bounded_retry
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        if self._library_path(stored_events):
            return _library("insert_events")(self, stored_events, **kwargs)
        with (
            self.datastore.get_connection() as conn,
            conn.transaction(),
            conn.cursor() as curs,
        ):
            self._insert_events(curs, stored_events, **kwargs)
            self._insert_stored_events(curs, stored_events, **kwargs)
            return self._fetch_ids_after_insert_events(curs, stored_events, **kwargs)

    def _library_path(self, stored_events: Sequence[StoredEvent]) -> bool:
        """Whether the library's own insert (pipelined, or its database function) fits."""
        return len(stored_events) <= PIPELINE_LIMIT or self.datastore.enable_db_functions


class ChainedPostgresRecorder(LargeBatchPostgresRecorder):
    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name=events_table_name)
        self.chain_table_name = f"{events_table_name}_chain"
        self.check_identifier_length(self.chain_table_name)
        names = {
            "schema": Identifier(self.datastore.schema),
            "chain": Identifier(self.chain_table_name),
            "events": Identifier(self.events_table_name),
        }
        columns = SQL("notification_id, seq, originator_id, originator_version, hash")
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {schema}.{chain} ("
                "notification_id bigint PRIMARY KEY, "
                "seq bigint NOT NULL, "
                "originator_id text NOT NULL, "
                "originator_version bigint NOT NULL, "
                "hash text NOT NULL)"
            ).format(**names)
        )
        # Which id went to which event, rather than trusting RETURNING's row order.
        self.insert_events_statement += SQL(", originator_id, originator_version")
        timed_columns = SQL(
            "notification_id, seq, originator_id, originator_version, hash, linked_at"
        )
        self.insert_links_statement = SQL(
            "INSERT INTO {schema}.{chain} ({columns}) VALUES (%s, %s, %s, %s, %s, %s)"
        ).format(columns=timed_columns, **names)
        self.select_last_link_statement = SQL(
            "SELECT {columns} FROM {schema}.{chain} ORDER BY notification_id DESC LIMIT 1"
        ).format(columns=columns, **names)
        self.select_last_timed_link_statement = SQL(
            "SELECT {columns} FROM {schema}.{chain} ORDER BY notification_id DESC LIMIT 1"
        ).format(columns=timed_columns, **names)
        self.select_link_at_statement = SQL("SELECT * FROM {schema}.{chain} WHERE seq = %s").format(
            **names
        )
        self.select_seq_linked_by_statement = SQL(
            "SELECT max(seq) AS seq FROM {schema}.{chain}"
            " WHERE linked_at IS NOT NULL AND linked_at <= %s"
        ).format(**names)
        self.select_untimed_statement = SQL(
            "SELECT max(seq) AS seq FROM {schema}.{chain} WHERE linked_at IS NULL"
        ).format(**names)
        self.select_versions_statement = SQL(
            "SELECT originator_id, max(originator_version) AS version FROM {schema}.{chain}"
            " WHERE seq <= %s GROUP BY originator_id"
        ).format(**names)
        self.select_has_linked_at_statement = SQL(
            "SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = %s"
            " AND table_name = %s AND column_name = 'linked_at') AS present"
        )
        self.add_linked_at_statement = SQL(
            "ALTER TABLE {schema}.{chain} ADD COLUMN IF NOT EXISTS linked_at timestamptz"
        ).format(**names)
        self.select_links_statement = SQL(
            "SELECT {columns} FROM {schema}.{chain} WHERE notification_id > %s"
            " ORDER BY notification_id LIMIT %s"
        ).format(columns=columns, **names)
        self.select_link_range_statement = SQL(
            "SELECT {columns} FROM {schema}.{chain} WHERE notification_id BETWEEN %s AND %s"
            " ORDER BY notification_id"
        ).format(columns=columns, **names)
        self.select_events_page_statement = SQL(
            "SELECT notification_id, originator_id, originator_version, topic, state"
            " FROM {schema}.{events} WHERE notification_id > %s ORDER BY notification_id LIMIT %s"
        ).format(**names)
        self.select_chain_needed_statement = SQL(
            "SELECT NOT EXISTS (SELECT 1 FROM {schema}.{chain})"
            " AND EXISTS (SELECT 1 FROM {schema}.{events}) AS needed"
        ).format(**names)

    # Writing

    def _library_path(self, stored_events: Sequence[StoredEvent]) -> bool:
        return len(stored_events) <= PIPELINE_LIMIT and not self.datastore.enable_db_functions

    def _fetch_ids_after_insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        try:
            rows = curs.fetchall()
        except psycopg.ProgrammingError as e:
            msg = f"Couldn't get the notification IDs of {len(stored_events)} events"
            raise ProgrammingError(msg) from e
        ids = {
            (str(r["originator_id"]), r["originator_version"]): r["notification_id"] for r in rows
        }
        stored = sorted(
            ((ids[str(e.originator_id), e.originator_version], e) for e in stored_events),
            key=lambda pair: pair[0],
        )
        curs.execute(self.select_last_timed_link_statement)
        last = _link(curs.fetchone())
        links = new_links(last, stored)
        # The table's EXCLUSIVE lock is held: links are timed in commit order.
        curs.execute("SELECT clock_timestamp() AS now")
        now = linked_at(last, curs.fetchone()["now"])
        curs.executemany(self.insert_links_statement, timed(links, now))
        return [row["notification_id"] for row in rows]

    def create_table(self) -> None:
        super().create_table()
        self._add_linked_at()
        self._chain_existing_log()

    def _add_linked_at(self) -> None:
        """A chain table made before ``linked_at`` gains the column, empty for the links
        already there (``docs/chain.md``). Checked first: ALTER TABLE would take the
        table's strongest lock on every start even when there is nothing to add."""
        if self._has_linked_at():
            return
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            curs.execute(self.add_linked_at_statement)

    def _has_linked_at(self) -> bool:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(
                self.select_has_linked_at_statement,
                (self.datastore.schema or "public", self.chain_table_name),
            )
            return curs.fetchone()["present"]

    def _chain_existing_log(self) -> None:
        """Chain a store that has events but no links (made before the chain existed),
        in one transaction holding the exclusive lock; a no-op on every later open."""
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self.select_chain_needed_statement)
            if not curs.fetchone()["needed"]:
                return
        with (
            self.datastore.get_connection() as conn,
            conn.transaction(),
            conn.cursor() as curs,
        ):
            self._lock_table(curs)
            curs.execute(self.select_chain_needed_statement)
            if not curs.fetchone()["needed"]:
                return
            last = None
            after = 0
            while True:
                page = self._events_after(curs, after, PAGE)
                if page:
                    links = new_links(last, ((n.id, n) for n in page))
                    curs.executemany(self.insert_links_statement, links)
                    last, after = links[-1], links[-1].notification_id
                if len(page) < PAGE:
                    return

    # Reading

    def chain_head(self) -> Link | None:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self.select_last_link_statement)
            return _link(curs.fetchone())

    def chain_links(self, first: int, last: int) -> list[Link]:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self.select_link_range_statement, (first, last))
            return [_link(row) for row in curs.fetchall()]

    def chain_link_at(self, seq: int) -> Link | None:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self.select_link_at_statement, (seq,))
            return _link(curs.fetchone())

    def chain_seq_linked_by(self, moment: datetime) -> int:
        if not self._has_linked_at():
            return 0
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self.select_seq_linked_by_statement, (moment,))
            return curs.fetchone()["seq"] or 0

    def chain_untimed(self) -> int:
        statement = self.select_untimed_statement
        if not self._has_linked_at():
            statement = SQL("SELECT max(seq) AS seq FROM {schema}.{chain}").format(
                schema=Identifier(self.datastore.schema), chain=Identifier(self.chain_table_name)
            )
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement)
            return curs.fetchone()["seq"] or 0

    def chain_versions_through(self, seq: int) -> dict[str, int]:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self.select_versions_statement, (seq,))
            return {row["originator_id"]: row["version"] for row in curs.fetchall()}

    @contextmanager
    def log_snapshot(self) -> Iterator[_PostgresLogReader]:
        # One REPEATABLE READ transaction: one snapshot for every page.
        with (
            self.datastore.get_connection() as conn,
            conn.transaction(force_rollback=True),
            conn.cursor() as curs,
        ):
            curs.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield _PostgresLogReader(self, curs)

    def _events_after(self, curs: Cursor[DictRow], after: int, limit: int) -> list[Notification]:
        curs.execute(self.select_events_page_statement, (after, limit))
        return [
            Notification(
                id=row["notification_id"],
                originator_id=row["originator_id"],
                originator_version=row["originator_version"],
                topic=row["topic"],
                state=None if row["state"] is None else bytes(row["state"]),
            )
            for row in curs.fetchall()
        ]


class _PostgresLogReader:
    def __init__(self, recorder: ChainedPostgresRecorder, curs: Cursor[DictRow]):
        self.recorder = recorder
        self.curs = curs

    def events(self, after: int, limit: int) -> list[Notification]:
        return self.recorder._events_after(self.curs, after, limit)

    def links(self, after: int, limit: int) -> list[Link]:
        self.curs.execute(self.recorder.select_links_statement, (after, limit))
        return [_link(row) for row in self.curs.fetchall()]


def _link(row: dict[str, Any] | None) -> Link | None:
    if row is None:
        return None
    return Link(
        row["notification_id"],
        row["seq"],
        row["originator_id"],
        row["originator_version"],
        row["hash"],
        row.get("linked_at"),
    )

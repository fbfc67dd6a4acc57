"""The projector: follows the log into the read-model tables.

The design and why it is so: ``docs/projector.md``.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Connection, Engine, insert, inspect, select, update

from tracker.application import Tracker
from tracker.domain.chronicle import Chronicle
from tracker.domain.commitments import Commitment
from tracker.domain.plans import Plan
from tracker.readmodels import schema as t
from tracker.readmodels.batch import RowBatch, describe_source, mark_corrected
from tracker.readmodels.rows import (
    entry_row,
    source_row,
)
from tracker.readmodels.searchrows import index_entries

log = logging.getLogger(__name__)
NAME = "site"
BATCH = 500  # events per transaction when following the log: a short lock
REBUILD_BATCH = 5_000  # when projecting the whole log: fewer transactions and re-reads


class _Moved(Exception):
    """Another projector committed this batch first."""


class Projector:
    def __init__(self, tracker: Tracker, engine: Engine) -> None:
        self.tracker = tracker
        self.engine = engine

    def create_tables(self) -> None:
        """Create the read-model tables. Tables of another version (or of none: made
        before versions) are dropped first; the next catch-up projects the whole log
        into the new ones. Only read-model tables are dropped, never the log."""
        with self.engine.begin() as conn:
            if stored_version(conn) != t.VERSION:
                t.metadata.drop_all(conn)
            t.metadata.create_all(conn)
            if conn.scalar(select(t.version.c.version)) is None:
                conn.execute(insert(t.version).values(version=t.VERSION))
            if conn.scalar(select(t.tracking.c.position).where(t.tracking.c.name == NAME)) is None:
                conn.execute(insert(t.tracking).values(name=NAME, position=0))

    def rebuild(self) -> int:
        """Drop every read-model row and project the whole log again."""
        t.metadata.drop_all(self.engine)
        self.create_tables()
        return self.catch_up(batch=REBUILD_BATCH)

    def position(self) -> int:
        with self.engine.connect() as conn:
            return conn.scalar(select(t.tracking.c.position).where(t.tracking.c.name == NAME))

    def catch_up(self, batch: int = BATCH, stop: int | None = None) -> int:
        """Apply every event recorded since the tracking position (up to log position
        ``stop``, if given: the read models as they stood then); returns how many."""
        applied = 0
        while True:
            start = self.position()
            notifications = self.tracker.recorder.select_notifications(
                start=start + 1, limit=batch, stop=stop
            )
            if not notifications:
                return applied
            events = [(n.id, self.tracker.mapper.to_domain_event(n)) for n in notifications]
            try:
                with self.engine.begin() as conn:
                    self._apply_batch(conn, start, events)
            except _Moved:
                continue
            applied += len(events)

    def _apply_batch(self, conn: Connection, start: int, events: list[tuple[int, Any]]) -> None:
        # Claim the tracking row first, if it is still where the batch was read from: the
        # update takes the row's write lock, so another projector waits here, then finds
        # the position moved and reads its batch again.
        mine = (t.tracking.c.name == NAME) & (t.tracking.c.position == start)
        claimed = conn.execute(update(t.tracking).where(mine).values(position=start))
        if claimed.rowcount != 1:
            raise _Moved
        work = RowBatch(conn)
        for position, event in events:
            _apply(work, position, event)
        work.flush()
        conn.execute(update(t.tracking).where(mine).values(position=events[-1][0]))


def stored_version(conn: Connection) -> int | None:
    """The version the read-model tables were made at; None if there are none, or they
    predate versions."""
    schema = conn.schema_for_object(t.version)
    if not inspect(conn).has_table(t.version.name, schema=schema):
        return None
    return conn.scalar(select(t.version.c.version))


def _apply(work: RowBatch, position: int, event: Any) -> None:
    """One event. Plan events (a few per plan) go straight to their rows; a
    commitment's go into ``work``, written when the batch ends."""
    conn = work.conn
    if isinstance(event, Plan.Published):
        conn.execute(
            insert(t.plans).values(
                slug=event.slug,
                id=str(event.originator_id),
                title=event.title,
                publisher=event.publisher,
                published_on=str(event.published_on),
                url=event.url,
                sources={},
                entry_count=0,
                events=0,
                position=position,
            )
        )
    elif isinstance(event, Plan.SourceRegistered) and not any(event.source.description()):
        row = conn.execute(select(t.plans).where(t.plans.c.id == str(event.originator_id))).one()
        sources = dict(row.sources) | {event.key: source_row(event.source)}
        conn.execute(update(t.plans).where(t.plans.c.slug == row.slug).values(sources=sources))
    elif isinstance(event, (Plan.SourceRegistered, Plan.SourceDescribed)):
        work.flush()  # the events it describes must be in the tables first
        describe_source(conn, event)
        work.reset()
    elif isinstance(event, Commitment.Announced):
        work.announce(position, event)
    elif isinstance(event, Chronicle.Development) and isinstance(event, Commitment.Event):
        work.develop(position, event)
    elif isinstance(event, Chronicle.Development):
        row = conn.execute(select(t.plans).where(t.plans.c.id == str(event.originator_id))).one()
        entry = work.described(row.slug, event.entry(row.entry_count + 1))
        values = entry_row(position, row.slug, None, entry)
        conn.execute(insert(t.entries).values(values))
        index_entries(conn, [values], {})
        conn.execute(
            update(t.plans)
            .where(t.plans.c.slug == row.slug)
            .values(entry_count=entry.number, events=t.plans.c.events + 1)
        )
        mark_corrected(conn, row.slug, None, entry)

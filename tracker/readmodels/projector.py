"""The projector: follows the log into the read-model tables.

Each batch of events and the new tracking position commit in one transaction. A batch
starts by locking the tracking row, so two projectors on one database take turns, and
the position only moves if nobody else moved it first: a crash or restart resumes
exactly where it stopped, and no event is applied twice or skipped.
"""

from __future__ import annotations

import logging
import threading
from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from tracker.application import Tracker
from tracker.domain.chronicle import Chronicle
from tracker.domain.commitments import Commitment
from tracker.domain.entries import Entry
from tracker.domain.figures import counted, figures
from tracker.domain.plans import Plan
from tracker.readmodels import schema as t
from tracker.readmodels.rows import entry_from_row, entry_row, source_row

log = logging.getLogger(__name__)
NAME = "site"
DELAY_STATUSES = frozenset({"delayed", "paused", "dropped"})


class _Moved(Exception):
    """Another projector committed this batch first."""


class Projector:
    def __init__(self, tracker: Tracker, engine: Engine) -> None:
        self.tracker = tracker
        self.engine = engine

    def create_tables(self) -> None:
        t.metadata.create_all(self.engine)
        with self.engine.begin() as conn:
            if conn.scalar(select(t.tracking.c.position).where(t.tracking.c.name == NAME)) is None:
                conn.execute(insert(t.tracking).values(name=NAME, position=0))

    def rebuild(self) -> int:
        """Drop every read-model row and project the whole log again."""
        t.metadata.drop_all(self.engine)
        self.create_tables()
        return self.catch_up()

    def position(self) -> int:
        with self.engine.connect() as conn:
            return conn.scalar(select(t.tracking.c.position).where(t.tracking.c.name == NAME))

    def catch_up(self, batch: int = 500) -> int:
        """Apply every event recorded since the tracking position; returns how many."""
        applied = 0
        while True:
            try:
                with self.engine.begin() as conn:
                    done = self._apply_batch(conn, batch)
            except _Moved:
                continue
            if not done:
                return applied
            applied += done

    def run(self, stop: threading.Event, interval: float = 0.2) -> None:
        """Follow the log until ``stop`` is set (the server runs this in a thread)."""
        while not stop.is_set():
            try:
                self.catch_up()
            except Exception:  # keep following; the next pass retries from the position
                log.exception("projection failed; retrying")
            stop.wait(interval)

    def _apply_batch(self, conn: Connection, batch: int) -> int:
        # Claim the tracking row first: a no-op update takes its write lock, so another
        # projector waits here, then reads the position this one leaves behind.
        mine = t.tracking.c.name == NAME
        conn.execute(update(t.tracking).where(mine).values(position=t.tracking.c.position))
        start = conn.scalar(select(t.tracking.c.position).where(mine))
        notifications = self.tracker.recorder.select_notifications(start=start + 1, limit=batch)
        if not notifications:
            return 0
        for notification in notifications:
            event = self.tracker.mapper.to_domain_event(notification)
            _apply(conn, notification.id, event)
        moved = conn.execute(
            update(t.tracking)
            .where(t.tracking.c.name == NAME, t.tracking.c.position == start)
            .values(position=notifications[-1].id)
        )
        if moved.rowcount != 1:
            raise _Moved
        return len(notifications)


def _apply(conn: Connection, position: int, event: Any) -> None:
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
                position=position,
            )
        )
    elif isinstance(event, Plan.SourceRegistered):
        row = conn.execute(select(t.plans).where(t.plans.c.id == str(event.originator_id))).one()
        sources = dict(row.sources) | {event.key: source_row(event.source)}
        conn.execute(update(t.plans).where(t.plans.c.slug == row.slug).values(sources=sources))
    elif isinstance(event, Commitment.Announced):
        entry = event.entry()
        conn.execute(insert(t.entries).values(entry_row(position, event.plan, event.slug, entry)))
        conn.execute(
            insert(t.commitments).values(
                id=str(event.originator_id),
                plan=event.plan,
                slug=event.slug,
                title=event.title,
                theme=event.theme,
                owner=event.owner,
                summary=event.summary,
                announced_on=str(entry.date),
                search=" ".join(
                    x for x in (event.title, event.summary, event.theme, event.owner) if x
                ).lower(),
                **_basis([entry], position),
            )
        )
    elif isinstance(event, Chronicle.Development) and isinstance(event, Commitment.Event):
        _apply_to_commitment(conn, position, event)
    elif isinstance(event, Chronicle.Development):
        row = conn.execute(select(t.plans).where(t.plans.c.id == str(event.originator_id))).one()
        entry = event.entry(row.entry_count + 1)
        conn.execute(insert(t.entries).values(entry_row(position, row.slug, None, entry)))
        conn.execute(
            update(t.plans).where(t.plans.c.slug == row.slug).values(entry_count=entry.number)
        )
        _mark_corrected(conn, row.slug, None, entry)


def _apply_to_commitment(conn: Connection, position: int, event: Any) -> None:
    row = conn.execute(
        select(t.commitments).where(t.commitments.c.id == str(event.originator_id))
    ).one()
    earlier = commitment_entries(conn, row.plan, row.slug)
    entry = event.entry(event.originator_version)
    values = entry_row(position, row.plan, row.slug, entry)
    values["delay"], values["delay_days"] = _delay(earlier, entry)
    conn.execute(insert(t.entries).values(values))
    _mark_corrected(conn, row.plan, row.slug, entry)
    conn.execute(
        update(t.commitments)
        .where(t.commitments.c.id == row.id)
        .values(**_basis([*earlier, entry], position))
    )


def commitment_entries(conn: Connection, plan: str, slug: str) -> list[Entry]:
    rows = conn.execute(
        select(t.entries)
        .where(t.entries.c.plan == plan, t.entries.c.commitment == slug)
        .order_by(t.entries.c.number)
    )
    return [entry_from_row(r) for r in rows]


def _mark_corrected(conn: Connection, plan: str, commitment: str | None, entry: Entry) -> None:
    if entry.type != "correction":
        return
    which = (
        t.entries.c.commitment.is_(None)
        if commitment is None
        else (t.entries.c.commitment == commitment)
    )
    conn.execute(
        update(t.entries)
        .where(t.entries.c.plan == plan, which, t.entries.c.number == entry.details["corrects"])
        .values(corrected_by=entry.number)
    )


def _delay(earlier: list[Entry], entry: Entry) -> tuple[str | None, int | None]:
    """Whether this event announces a delay, and by how many days."""
    announced = earlier[0].date.start
    if entry.type == "deadline_missed":
        return "missed", (entry.date.start - announced).days
    if entry.type == "status_changed" and entry.details["status"] in DELAY_STATUSES:
        return "status", (entry.date.start - announced).days
    if entry.type == "deadline_set":
        before = figures(earlier, date.max).due
        if before and entry.details["due"].end > before.end:
            return "slip", (entry.details["due"].end - before.end).days
    return None, None


def _basis(entries: list[Entry], position: int) -> dict[str, Any]:
    """What the request-time figures need, counting every uncorrected event."""
    f = figures(entries, date.max)
    latest = max(e.date.start for e in counted(entries, date.max)) if entries else date.min
    last = entries[-1]
    return {
        "version": last.number,
        "position": position,
        "recorded_at": last.recorded_at.isoformat(),
        "status": f.status,
        "status_since": str(f.status_since) if f.status_since else None,
        "first_due": str(f.first_due) if f.first_due else None,
        "due": str(f.due) if f.due else None,
        "due_end": f.due.end if f.due else None,
        "last_event_on": str(f.last_event_on) if f.last_event_on else None,
        "last_event_start": f.last_event_on.start if f.last_event_on else None,
        "latest_start": latest,
    }

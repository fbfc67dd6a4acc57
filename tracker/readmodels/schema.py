"""The read-model tables. They can always be rebuilt from the log (``tracker rebuild``).

``VERSION`` names this shape of the tables. The projector stores it beside them and,
finding another (or none, as in read models made before versions), drops the read-model
tables and projects the log again: bump it whenever a table, column or index changes,
or what the projector writes into them. The event store is never touched.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from tracker.readmodels import fulltext

VERSION = 4  # 4: the search table and its full-text index
metadata = MetaData()

version = Table("rm_version", metadata, Column("version", Integer, nullable=False))

tracking = Table(
    "rm_tracking",
    metadata,
    Column("name", String(50), primary_key=True),
    Column("position", Integer, nullable=False),
)

plans = Table(
    "rm_plans",
    metadata,
    Column("slug", String(100), primary_key=True),
    Column("id", String(36), nullable=False, unique=True),
    Column("title", Text, nullable=False),
    Column("publisher", Text, nullable=False),
    Column("published_on", String(10), nullable=False),
    Column("url", Text),
    Column("sources", JSON, nullable=False),
    Column("entry_count", Integer, nullable=False),
    Column("events", Integer, nullable=False),  # its rows in rm_entries: the timeline's count
    Column("position", Integer, nullable=False),
)

commitments = Table(
    "rm_commitments",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("plan", String(100), nullable=False),
    Column("slug", String(100), nullable=False),
    Column("title", Text, nullable=False),
    Column("theme", Text),
    Column("owner", Text),
    Column("summary", Text, nullable=False),
    Column("announced_on", String(10), nullable=False),
    Column("version", Integer, nullable=False),
    Column("position", Integer, nullable=False),  # of its latest event
    Column("recorded_at", String(40), nullable=False),  # of its latest event
    # The figures' basis, counting every uncorrected event; today-dependent figures
    # (days overdue, stale) are worked out from these dates at request time.
    Column("status", String(30), nullable=False),
    Column("status_since", String(10)),
    Column("status_source_kind", String(20)),  # the kind of the source that set the status
    Column("first_due", String(10)),
    Column("first_due_end", Date),  # with due_end: whether the deadline has slipped
    Column("first_due_from", Date),  # the first day of the event that set first_due
    Column("due", String(10)),
    Column("due_end", Date),
    Column("due_from", Date),  # the first day of the event that set due
    Column("last_event_on", String(10)),
    Column("last_event_start", Date),
    Column("latest_start", Date, nullable=False),  # the latest date any event counts from
    Column("stale_news_at", String(26)),  # rows.stale_news_at: orders the delays feed
    Column("search", Text, nullable=False),
    UniqueConstraint("plan", "slug"),
)

entries = Table(
    "rm_entries",
    metadata,
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("plan", String(100), nullable=False),
    Column("commitment", String(100)),  # null for plan-wide events
    Column("number", Integer, nullable=False),
    Column("type", String(30), nullable=False),
    Column("date", String(10), nullable=False),
    Column("date_start", Date, nullable=False),
    Column("recorded_at", String(40), nullable=False),
    Column("recorded_by", Text, nullable=False),
    Column("source", JSON, nullable=False),
    Column("note", Text),
    Column("quote", Text),
    Column("details", JSON, nullable=False),
    Column("corrected_by", Integer),
    Column("delay", String(10)),  # missed, slip or status: what the delays feed carries
    Column("delay_days", Integer),
    # For a deadline_set: the deadline it replaced as the record stood just before it
    # (PartialDate text, None for a first deadline), so feeds need no history.
    Column("deadline_before", String(10)),
    # For a transferred event: the receiving plan and commitment, where tracked, so that
    # the receiving commitment finds where it came from through an index.
    Column("to_plan", String(100)),
    Column("to_commitment", String(100)),
)

Index("rm_entries_commitment", entries.c.plan, entries.c.commitment, entries.c.number)
Index("rm_entries_date", entries.c.date_start, entries.c.position)
Index("rm_entries_transfers", entries.c.to_plan, entries.c.to_commitment)
# The delays feed's newest delays: a walk down this index, however many events there are.
Index(
    "rm_entries_delays",
    entries.c.position,
    sqlite_where=entries.c.delay.is_not(None),
    postgresql_where=entries.c.delay.is_not(None),
)
Index("rm_commitments_due", commitments.c.due_end)
# Stale commitments in the delays feed's order, newest first, and those whose figures
# must be replayed because an event is dated after the day asked.
Index("rm_commitments_stale_news", commitments.c.stale_news_at)
Index("rm_commitments_latest", commitments.c.latest_start)

# Search (``tracker/readmodels/search.py``): one row per piece of text a reader may
# look for (a commitment's title, an event's summary, note, quote or source), tied to
# its event by position; what a hit shows besides is read from rm_entries, so that a
# correction needs no new index rows.
search = Table(
    "rm_search",
    metadata,
    Column("id", Integer, primary_key=True),  # SQLite's FTS5 table is keyed by it
    Column("position", Integer, nullable=False),  # the event's row in rm_entries
    Column("field", String(10), nullable=False),  # searchrows.FIELDS
    Column("text", Text, nullable=False),
)
Index("rm_search_position", search.c.position, search.c.field)
fulltext.attach(search)

"""What the projector writes into the search table, in the batch's own transaction:
the index never lags the rows it points at.

Each piece of text is a row of its own, so that a hit says what matched. The title of
a commitment is indexed with its announcement (it never changes); an event's source
with the event, as the plan describes the source when the event is projected, and
again when the plan describes it anew (``reindex_sources``). Whether an event was
corrected is not indexed: a search reads it from the event's row.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, delete, insert

from tracker.domain.entries import TRACKER_EVENT_TYPES
from tracker.readmodels import schema as t

# What a hit may say matched, in the order a tie shows them.
FIELDS = ("title", "summary", "quote", "note", "source")


def source_text(source: dict[str, Any]) -> str:
    """A cited document as one searchable line: title, publisher, and its note."""
    parts = (source.get("title"), source.get("publisher"), source.get("note"))
    return " — ".join(p for p in parts if p)


def texts(row: dict[str, Any], title: str | None = None) -> list[tuple[str, str]]:
    """An entry row's (``rows.entry_row``) searchable pieces, as (field, text);
    ``title``: its commitment's, for an announcement."""
    found = [("title", title)] if title else []
    if row["type"] == "announced":
        found.append(("summary", row["details"].get("summary")))
    found += [("quote", row["quote"]), ("note", row["note"])]
    if row["type"] not in TRACKER_EVENT_TYPES:  # the tracker's own source is no news
        found.append(("source", source_text(row["source"])))
    return [(field, text) for field, text in found if text]


def index_entries(
    conn: Connection, rows: Iterable[dict[str, Any]], titles: dict[tuple[str, str], str]
) -> None:
    """Index new entry rows; ``titles``: the titles of commitments announced with them,
    by (plan, slug)."""
    values = []
    for row in rows:
        title = titles.get((row["plan"], row["commitment"])) if row["type"] == "announced" else None
        values += [
            {"position": row["position"], "field": field, "text": text}
            for field, text in texts(row, title)
        ]
    if values:
        conn.execute(insert(t.search), values)


def reindex_sources(conn: Connection, positions: list[int], source: dict[str, Any]) -> None:
    """The events at ``positions`` now cite ``source`` as newly described."""
    if not positions:
        return
    s = t.search.c
    conn.execute(delete(t.search).where(s.field == "source", s.position.in_(positions)))
    text = source_text(source)
    conn.execute(
        insert(t.search), [{"position": p, "field": "source", "text": text} for p in positions]
    )

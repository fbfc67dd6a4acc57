"""Search across every plan: one interface (``SearchIndex``) over SQLite's FTS5 and
PostgreSQL's full-text search, chosen by the engine's dialect (``memory://`` is SQLite).

A backend finds, ranks and excerpts the matching index rows (``searchrows``); what a
hit shows besides (its plan, commitment, event, whether it was corrected) is read here
from the read-model tables, the same way for both. Ranking: the backend's relevance
(FTS5's bm25, PostgreSQL's ``ts_rank`` with length normalisation), weighted by what
matched, so that a commitment's title comes before a note that mentions it in passing;
ties newest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, case, column, func, select, table

from tracker.readmodels import schema as t
from tracker.readmodels.fulltext import CONFIG, FTS, vector
from tracker.readmodels.searchtext import START, STOP, SearchQuery, Snippet, marked

WEIGHTS = {"title": 4.0, "summary": 2.0, "quote": 1.5, "note": 1.0, "source": 0.5}
SNIPPET_WORDS = 30


@dataclass(frozen=True)
class Match:
    """An index row the query matched, with its excerpt."""

    position: int
    field: str
    snippet: Snippet


class SearchIndex(Protocol):
    """A full-text index over ``schema.search``."""

    def matches(self, conn: Connection, query: SearchQuery, limit: int, offset: int) -> list[Match]:
        """The best matches, best first, ``limit`` from ``offset``."""
        ...

    def count(self, conn: Connection, query: SearchQuery) -> int:
        """How many rows match in all."""
        ...


def _weight(field: Any) -> Any:
    return case(WEIGHTS, value=field, else_=1.0)


class SQLiteIndex:
    """FTS5 (``fulltext``): bm25 is lower for better matches, so weights multiply a
    negative score."""

    fts = table(FTS, column("rowid"), column("text"))

    def _where(self, query: SearchQuery) -> Any:
        return self.fts.c.text.op("MATCH")(query.fts5())

    def matches(self, conn: Connection, query: SearchQuery, limit: int, offset: int) -> list[Match]:
        s = t.search.c
        excerpt = func.snippet(column(FTS), 0, START, STOP, "…", SNIPPET_WORDS)
        score = func.bm25(column(FTS)) * _weight(s.field)
        rows = conn.execute(
            select(s.position, s.field, excerpt.label("snippet"))
            .select_from(self.fts.join(t.search, s.id == self.fts.c.rowid))
            .where(self._where(query))
            .order_by(score, s.position.desc(), s.id)
            .limit(limit)
            .offset(offset)
        )
        return [Match(r.position, r.field, marked(r.snippet)) for r in rows]

    def count(self, conn: Connection, query: SearchQuery) -> int:
        return conn.scalar(select(func.count()).select_from(self.fts).where(self._where(query)))


class PostgresIndex:
    """A GIN index on ``to_tsvector('english', text)``: each phrase a
    ``phraseto_tsquery``, all of them required."""

    HEADLINE = (
        f"StartSel={START}, StopSel={STOP}, MaxWords={SNIPPET_WORDS}, MinWords=12,"
        ' MaxFragments=2, FragmentDelimiter=" … "'
    )

    def _tsquery(self, query: SearchQuery) -> Any:
        parts = [func.phraseto_tsquery(CONFIG, text) for text in query.phrase_texts()]
        combined = parts[0]
        for part in parts[1:]:
            combined = combined.op("&&")(part)
        return combined

    def matches(self, conn: Connection, query: SearchQuery, limit: int, offset: int) -> list[Match]:
        s = t.search.c
        tsquery = self._tsquery(query)
        score = func.ts_rank(vector(s.text), tsquery, 1) * _weight(s.field)
        best = (
            select(s.position, s.field, s.text, s.id, score.label("score"))
            .where(vector(s.text).op("@@")(tsquery))
            .order_by(score.desc(), s.position.desc(), s.id)
            .limit(limit)
            .offset(offset)
            .subquery()
        )
        # Excerpts only for the page asked: ts_headline re-reads each text.
        excerpt = func.ts_headline(CONFIG, best.c.text, tsquery, self.HEADLINE)
        rows = conn.execute(
            select(best.c.position, best.c.field, excerpt.label("snippet")).order_by(
                best.c.score.desc(), best.c.position.desc(), best.c.id
            )
        )
        return [Match(r.position, r.field, marked(r.snippet)) for r in rows]

    def count(self, conn: Connection, query: SearchQuery) -> int:
        where = vector(t.search.c.text).op("@@")(self._tsquery(query))
        return conn.scalar(select(func.count()).select_from(t.search).where(where))


def index_for(engine: Engine) -> SearchIndex:
    """The index the engine's database has."""
    return PostgresIndex() if engine.dialect.name == "postgresql" else SQLiteIndex()


@dataclass(frozen=True)
class Hit:
    """One piece of text that matched, and the event it belongs to. A commitment's
    title is found with its announcement (event 1); a plan-wide event has no
    commitment."""

    field: str  # searchrows.FIELDS: what matched
    snippet: Snippet
    position: int
    plan: str
    plan_title: str
    commitment: str | None
    commitment_title: str | None
    number: int
    type: str
    date: str  # YYYY, YYYY-MM or YYYY-MM-DD
    corrected_by: int | None  # the number of the event that corrected it, if any
    corrects: int | None  # for a correction: the number of the event it corrects


@dataclass(frozen=True)
class Found:
    """A page of hits, best first, and how many there are in all."""

    hits: list[Hit]
    total: int


def search_index(engine: Engine, query: SearchQuery, limit: int, offset: int = 0) -> Found:
    """A page of hits for ``query`` from the engine's index."""
    index = index_for(engine)
    with engine.connect() as conn:
        total = index.count(conn, query)
        matches = index.matches(conn, query, limit, offset) if total > offset else []
        events = _events(conn, {m.position for m in matches})
    return Found([_hit(m, events[m.position]) for m in matches], total)


def _events(conn: Connection, positions: set[int]) -> dict[int, Any]:
    """The matched events' rows, with their plan's and commitment's titles."""
    if not positions:
        return {}
    e, c, p = t.entries.c, t.commitments.c, t.plans.c
    query = (
        select(
            e.position,
            e.plan,
            e.commitment,
            e.number,
            e.type,
            e.date,
            e.corrected_by,
            e.details,
            p.title.label("plan_title"),
            c.title.label("commitment_title"),
        )
        .join(t.plans, p.slug == e.plan)
        .outerjoin(t.commitments, (c.plan == e.plan) & (c.slug == e.commitment))
        .where(e.position.in_(sorted(positions)))
    )
    return {r.position: r for r in conn.execute(query)}


def _hit(match: Match, row: Any) -> Hit:
    return Hit(
        field=match.field,
        snippet=match.snippet,
        position=row.position,
        plan=row.plan,
        plan_title=row.plan_title,
        commitment=row.commitment,
        commitment_title=row.commitment_title,
        number=row.number,
        type=row.type,
        date=row.date,
        corrected_by=row.corrected_by,
        corrects=row.details.get("corrects") if row.type == "correction" else None,
    )

"""The full-text index's DDL, attached to the search table (``schema.search``) so that
creating, dropping and rebuilding the read models handle it like any other table.

SQLite: an FTS5 table over ``rm_search`` (external content: the text is stored once),
kept in step by triggers, so that a row written by the projector is indexed in the
same transaction. It is not in the metadata, so ``drop_all`` would leave it behind:
it is dropped just before the table it indexes. PostgreSQL: a GIN index on the
text's ``tsvector``, an expression index the server keeps itself.

Everything is ``IF NOT EXISTS``: start-up creates the read models under the store's
lock (``web.services.start``), and a second process finds them there.
"""

from __future__ import annotations

from sqlalchemy import DDL, Index, Table, event, func, literal_column
from sqlalchemy.sql.elements import ColumnElement

FTS = "rm_search_fts"
# A literal, not a bound parameter: the planner uses the index only for the very
# expression it was built on. English stemming, as the record is in English.
CONFIG = literal_column("'english'::regconfig")
# Porter stemming over Unicode words, case and accents folded: what PostgreSQL's
# ``english`` configuration does, as near as FTS5 comes.
TOKENIZE = "porter unicode61 remove_diacritics 2"


def vector(text: ColumnElement) -> ColumnElement:
    """The words of ``text`` as PostgreSQL indexes them."""
    return func.to_tsvector(CONFIG, text)


def attach(table: Table) -> None:
    """Give ``table`` (``id``, ``text``) its full-text index on either database."""
    Index(f"{table.name}_words", vector(table.c.text), postgresql_using="gin").ddl_if(
        dialect="postgresql"
    )
    for statement in _sqlite(table.name):
        event.listen(table, "after_create", DDL(statement).execute_if(dialect="sqlite"))
    drop = DDL(f"DROP TABLE IF EXISTS {FTS}").execute_if(dialect="sqlite")
    event.listen(table, "before_drop", drop)


def _sqlite(name: str) -> list[str]:
    """The FTS5 table and the triggers that keep it in step. The projector only ever
    inserts and deletes index rows, never updates them."""
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5("
        f"text, content='{name}', content_rowid='id', tokenize='{TOKENIZE}')",
        f"CREATE TRIGGER IF NOT EXISTS {name}_indexed AFTER INSERT ON {name} BEGIN"
        f" INSERT INTO {FTS}(rowid, text) VALUES (new.id, new.text); END",
        f"CREATE TRIGGER IF NOT EXISTS {name}_unindexed AFTER DELETE ON {name} BEGIN"
        f" INSERT INTO {FTS}({FTS}, rowid, text) VALUES ('delete', old.id, old.text); END",
    ]

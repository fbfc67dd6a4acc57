"""Search's text handling, apart from any database: what a reader typed, read as words
and phrases (never as a query language), and a matched snippet as plain text with the
offsets of its matches.

Readers' text is hostile input: FTS5 gives ``"``, ``*``, ``-``, ``NEAR(`` and ``AND``
meanings, and a syntax error there would be a 500. So the text is cut into runs of
letters and digits here, and each backend is handed only those, quoted, as phrases.
Words joined by a hyphen or an apostrophe ("body-worn", "Casey's"), or put in double
quotes, stay together as a phrase; every phrase must match.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from tracker.domain.errors import InvalidInputError

MAX_QUERY = 200  # characters, as the plan page's filters take
WORD = re.compile(r"[^\W_]+")
# A quoted phrase, or a run of non-space text (a hyphenated word is one run).
CHUNK = re.compile(r'"([^"]*)"?|(\S+)')
# The backends wrap each match in these: control characters, which recorded text can
# never hold (``tracker.domain.sources.bounded_text`` refuses them).
START, STOP = "\x02", "\x03"


@dataclass(frozen=True)
class SearchQuery:
    """What to look for: phrases of one or more lowercase words, all required."""

    text: str  # as typed, trimmed
    phrases: tuple[tuple[str, ...], ...]

    def fts5(self) -> str:
        """An FTS5 MATCH expression: each phrase a quoted string, so that nothing a
        reader types is taken as FTS5 syntax."""
        return " ".join('"' + " ".join(words).replace('"', '""') + '"' for words in self.phrases)

    def phrase_texts(self) -> list[str]:
        """Each phrase as plain words (for PostgreSQL's ``phraseto_tsquery``)."""
        return [" ".join(words) for words in self.phrases]


def parse_query(text: str | None) -> SearchQuery:
    """The reader's text as phrases; an InvalidInputError (for ``q``) saying what to
    change if it is empty, too long, or has no letters or digits."""
    text = (text or "").strip()
    if not text:
        raise InvalidInputError("q: type some words to search for", "q")
    if len(text) > MAX_QUERY:
        raise InvalidInputError(
            f"q: the text is {len(text)} characters long; the limit is {MAX_QUERY}", "q"
        )
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text):
        raise InvalidInputError("q: the text contains a control character", "q")
    phrases = []
    for quoted, bare in CHUNK.findall(unicodedata.normalize("NFKC", text)):
        words = tuple(w.casefold() for w in WORD.findall(quoted or bare))
        if words and words not in phrases:
            phrases.append(words)
    if not phrases:
        raise InvalidInputError("q: there are no words in it to search for", "q")
    return SearchQuery(text, tuple(phrases))


@dataclass(frozen=True)
class Snippet:
    """Plain text, and where in it (``[start, end)`` in characters) the query matched."""

    text: str
    marks: tuple[tuple[int, int], ...]


def marked(text: str) -> Snippet:
    """A backend's snippet, its matches between ``START`` and ``STOP``, as plain text
    and offsets. Nothing here is markup: whoever shows it escapes the text."""
    plain: list[str] = []
    marks: list[tuple[int, int]] = []
    at, opened = 0, None
    for part in re.split(f"([{START}{STOP}])", text):
        if part == START:
            opened = at
        elif part == STOP:
            if opened is not None and at > opened:
                marks.append((opened, at))
            opened = None
        else:
            plain.append(part)
            at += len(part)
    return Snippet("".join(plain), tuple(marks))

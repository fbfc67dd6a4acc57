"""Who says so: the source behind every event, and the facts an event carries."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from tracker.domain.dates import PartialDate
from tracker.domain.errors import InvalidInputError, InvalidURLError

MAX_SHORT_TEXT = 300
MAX_LONG_TEXT = 5000
MAX_QUOTE = 2000


_ALLOWED_CONTROLS = frozenset("\t\n\r")


def _unwritable(ch: str) -> bool:
    """A control character (NUL, BEL, ESC...) or a lone surrogate: invisible on a page,
    refused by PostgreSQL's text columns (NUL) or by UTF-8 itself (surrogates), and a way
    to make a record say one thing and show another. Line breaks and tabs are text."""
    return unicodedata.category(ch) in ("Cc", "Cs") and ch not in _ALLOWED_CONTROLS


def require_text(value: str | None, field: str, limit: int = MAX_SHORT_TEXT) -> str:
    """A non-empty single string within ``limit`` characters."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError(f"{field} is required", field)
    return bounded_text(value, field, limit)


def bounded_text(value: str | None, field: str, limit: int = MAX_LONG_TEXT) -> str | None:
    """Optional text, stripped, refused past ``limit`` characters."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInputError(f"{field} must be text", field)
    value = value.strip()
    bad = next((ch for ch in value if _unwritable(ch)), None)
    if bad is not None:
        raise InvalidInputError(
            f"{field} contains the control character U+{ord(bad):04X}; "
            "write plain text (line breaks and tabs are fine)",
            field,
        )
    if len(value) > limit:
        raise InvalidInputError(
            f"{field} is {len(value)} characters long; the limit is {limit}", field
        )
    return value or None


def checked_url(url: str | None, field: str = "url") -> str | None:
    """An absolute http(s) URL with a host, or None when the URL is not known."""
    url = bounded_text(url, field, 2000)
    if url is None:
        return None
    try:
        parts = urlsplit(url)
        absolute = parts.scheme in ("http", "https") and bool(parts.hostname)
        parts.port  # noqa: B018 -- raises ValueError for a malformed port
    except ValueError:  # e.g. "http://[::1": a malformed host
        absolute = False
    # urlsplit silently drops tabs and newlines, so look at the text as given.
    if not absolute or any(ch.isspace() or not ch.isprintable() for ch in url):
        raise InvalidURLError(f"'{url}' is not an http(s) URL", field)
    return url


# Who a source is, as far as the record is concerned (contract, section 5).
SOURCE_KINDS = ("official", "oversight", "parliament", "press", "independent", "foi")


def checked_kind(kind: str | None, field: str = "kind") -> str | None:
    if kind is not None and kind not in SOURCE_KINDS:
        raise InvalidInputError(
            f"unknown source kind '{kind}' (expected one of: {', '.join(SOURCE_KINDS)})", field
        )
    return kind


@dataclass(frozen=True, slots=True)
class Source:
    """A published document: publisher, title, date, and a URL only where known.

    ``kind`` (who is speaking: the responsible body, the press...) and ``note`` (such
    as why no URL is known) describe the document rather than identify it, so they
    take no part in equality: a plan may describe a source it registered earlier
    (``Plan.SourceDescribed``) without changing which document its events cite, and
    reloading a file that adds a kind finds the recorded events unchanged.
    """

    publisher: str
    title: str
    published_on: PartialDate
    url: str | None = None
    author: str | None = None
    kind: str | None = field(default=None, compare=False)
    note: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        require_text(self.publisher, "publisher")
        require_text(self.title, "title", 1000)
        if not isinstance(self.published_on, PartialDate):
            raise InvalidInputError("published_on must be a date", "published_on")
        checked_url(self.url)
        bounded_text(self.author, "author", MAX_SHORT_TEXT)
        checked_kind(self.kind)
        bounded_text(self.note, "note", MAX_LONG_TEXT)

    def description(self) -> tuple[str | None, str | None]:
        """What equality leaves out: the kind and the note."""
        return self.kind, self.note

    def described(self, kind: str | None, note: str | None) -> Source:
        """The same document with another description. The rest is copied without its
        rules run again: a rule tightened since it was recorded must not stop a
        recorded source from being described."""
        copy = object.__new__(Source)
        for name in ("publisher", "title", "published_on", "url", "author"):
            object.__setattr__(copy, name, getattr(self, name))
        object.__setattr__(copy, "kind", kind)
        object.__setattr__(copy, "note", note)
        return copy

    @classmethod
    def create(
        cls,
        publisher: str,
        title: str,
        published_on: PartialDate | str,
        url: str | None = None,
        author: str | None = None,
        kind: str | None = None,
        note: str | None = None,
    ) -> Source:
        """Build a source from loose input, normalising whitespace and blanks."""
        if not isinstance(published_on, PartialDate):
            try:
                published_on = PartialDate.parse(published_on)
            except InvalidInputError as error:
                raise error.at("published_on") from None
        return cls(
            publisher=require_text(publisher, "publisher"),
            title=require_text(title, "title", 1000),
            published_on=published_on,
            url=checked_url(url),
            author=bounded_text(author, "author", MAX_SHORT_TEXT),
            kind=checked_kind(bounded_text(kind, "kind", MAX_SHORT_TEXT)),
            note=bounded_text(note, "note", MAX_LONG_TEXT),
        )

    def citation(self) -> str:
        """A one-line reference: Publisher, "Title", date, URL."""
        parts = [self.author, self.publisher, f"“{self.title}”", self.published_on.human()]
        text = ", ".join(part for part in parts if part)
        return f"{text}, {self.url}" if self.url else text

    def as_dict(self) -> dict[str, str | None]:
        return {
            "publisher": self.publisher,
            "title": self.title,
            "published_on": str(self.published_on),
            "url": self.url,
            "author": self.author,
            "kind": self.kind,
            "note": self.note,
        }


TRACKER_PUBLISHER = "Action Plan Tracker"


def tracker_source(today: PartialDate) -> Source:
    """The source of events the tracker records itself (a deadline seen to pass)."""
    return Source(TRACKER_PUBLISHER, "Automatic deadline check (tracker tick)", today)


@dataclass(frozen=True, slots=True)
class Fact:
    """What every event carries: when it happened, who says so, who recorded it."""

    date: PartialDate
    source: Source
    recorded_by: str
    note: str | None = None
    quote: str | None = None

    @classmethod
    def create(
        cls,
        date: PartialDate,
        source: Source,
        recorded_by: str,
        note: str | None = None,
        quote: str | None = None,
    ) -> Fact:
        if not isinstance(date, PartialDate):
            raise InvalidInputError("date must be a date", "date")
        if not isinstance(source, Source):
            raise InvalidInputError("source is required", "source")
        return cls(
            date=date,
            source=source,
            recorded_by=require_text(recorded_by, "recorded_by"),
            note=bounded_text(note, "note"),
            quote=bounded_text(quote, "quote", MAX_QUOTE),
        )

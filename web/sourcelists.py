"""The sources behind a commitment or a plan, each listed once.

A page cites the same document many times, once per event; its "Sources" section (and
the API's ``sources``) lists each document once, oldest first, so that a reader sees at
a glance who the record rests on. Sources arrive in two shapes: domain ``Source``
objects (a commitment's events) and the plain dicts the read models store (a plan's
registered sources). Both are read field by field, and the optional ``kind`` and
``note`` only where the source has them, so that sources recorded before those fields
existed are listed too.

The tracker's own events (a deadline seen to pass) cite the tracker itself, which is
not a published document: they are left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tracker.domain.dates import PartialDate
from tracker.domain.entries import TRACKER_EVENT_TYPES
from tracker.readmodels.views import Item
from web.presenters.wording import kind_label

FIELDS = ("publisher", "title", "published_on", "url", "author", "kind", "note")


@dataclass(frozen=True)
class SourceLine:
    """One document as a "Sources" list shows it, with the events that cite it."""

    publisher: str
    title: str
    published_on: PartialDate
    url: str | None = None
    author: str | None = None
    kind: str | None = None
    note: str | None = None
    cited_by: tuple[int, ...] = ()  # event numbers, on a commitment's page

    @property
    def kind_label(self) -> str | None:
        return kind_label(self.kind)

    @property
    def identity(self) -> tuple[str, ...]:
        """What makes two citations the same document (``kind`` and ``note`` describe
        a document; they do not make it another one)."""
        return (
            self.publisher,
            self.title,
            str(self.published_on),
            self.url or "",
            self.author or "",
        )

    def as_dict(self) -> dict[str, Any]:
        """The source as the API gives it: dates as written, unknowns as null."""
        return {
            "publisher": self.publisher,
            "title": self.title,
            "published_on": str(self.published_on),
            "url": self.url,
            "author": self.author,
            "kind": self.kind,
            "note": self.note,
        }


def _value(source: Any, name: str) -> Any:
    """A field of a ``Source`` or of its stored dict, None where it has none."""
    if isinstance(source, Mapping):
        return source.get(name)
    return getattr(source, name, None)


def source_line(source: Any, cited_by: tuple[int, ...] = ()) -> SourceLine:
    """A ``Source`` or a stored source dict as one line of a list."""
    values = {name: _value(source, name) for name in FIELDS}
    published = values["published_on"]
    if not isinstance(published, PartialDate):
        values["published_on"] = PartialDate.parse(published)
    return SourceLine(**values, cited_by=cited_by)


def in_order(lines: Iterable[SourceLine]) -> list[SourceLine]:
    """Oldest first, then by publisher and title: the order a reader would search."""
    return sorted(lines, key=lambda s: (s.published_on.start, s.publisher.lower(), s.title.lower()))


def commitment_sources(items: Iterable[Item]) -> list[SourceLine]:
    """Every document a commitment's events cite, once each, with the events citing it."""
    first: dict[tuple[str, ...], SourceLine] = {}
    numbers: dict[tuple[str, ...], list[int]] = {}
    for item in items:
        if item.entry.type in TRACKER_EVENT_TYPES:
            continue
        line = source_line(item.entry.source)
        first.setdefault(line.identity, line)
        numbers.setdefault(line.identity, []).append(item.entry.number)
    return in_order(source_line(line, tuple(sorted(numbers[key]))) for key, line in first.items())


def plan_sources(
    registered: Mapping[str, Mapping[str, Any]], cited: Iterable[Mapping[str, Any]]
) -> list[SourceLine]:
    """A plan's registered sources, and any that its events cite without registering
    (the write API accepts a source written out in full), each once."""
    lines: dict[tuple[str, ...], SourceLine] = {}
    for data in (*registered.values(), *cited):
        line = source_line(data)
        lines.setdefault(line.identity, line)
    return in_order(lines.values())

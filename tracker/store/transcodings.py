"""How domain values are stored: the library's JSON transcoder knows only UUID,
Decimal and datetime, so dates-with-precision, sources and facts need their own."""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any

from eventsourcing.persistence import Transcoding

from tracker.domain import numbers
from tracker.domain.dates import PartialDate
from tracker.domain.sources import Fact, Source


class DecimalAsText(Transcoding):
    """The library's own ``decimal_str``, read so that no stored text can stop an event
    from loading: an older version's "1E+5000" or "NaN" is a Decimal still, and text
    that is no number at all stays text (``numbers.restored``), for pages to show."""

    type = Decimal
    name = "decimal_str"

    def encode(self, obj: Decimal) -> str:
        return str(obj)

    def decode(self, data: str) -> Decimal | str:
        return numbers.restored(data)


class PartialDateAsText(Transcoding):
    type = PartialDate
    name = "partial_date"

    def encode(self, obj: PartialDate) -> str:
        return str(obj)

    def decode(self, data: str) -> PartialDate:
        return PartialDate.parse(data)


def source_data(obj: Source) -> dict[str, Any]:
    """A source as plain JSON values (optional fields left out when unknown, so that
    sources stored before ``kind`` and ``note`` existed read the same).

    Cached: a plan's events cite a handful of sources thousands of times. The JSON
    encoder only reads the dict it is given. The cache is keyed by the description
    too, which a source's equality leaves out."""
    return _source_data(obj, obj.kind, obj.note)


@functools.lru_cache(maxsize=4096)
def _source_data(obj: Source, kind: str | None, note: str | None) -> dict[str, Any]:
    data = {"publisher": obj.publisher, "title": obj.title, "published_on": str(obj.published_on)}
    if obj.url:
        data["url"] = obj.url
    if obj.author:
        data["author"] = obj.author
    if kind:
        data["kind"] = kind
    if note:
        data["note"] = note
    return data


def restored_source(data: dict[str, Any] | Source) -> Source:
    """Restore without re-running input rules: a rule tightened later must never
    stop an event that was valid when recorded from loading."""
    if isinstance(data, Source):
        return data
    source = object.__new__(Source)
    published_on = data["published_on"]
    if not isinstance(published_on, PartialDate):
        published_on = PartialDate.parse(published_on)
    object.__setattr__(source, "publisher", data["publisher"])
    object.__setattr__(source, "title", data["title"])
    object.__setattr__(source, "published_on", published_on)
    object.__setattr__(source, "url", data.get("url"))
    object.__setattr__(source, "author", data.get("author"))
    object.__setattr__(source, "kind", data.get("kind"))
    object.__setattr__(source, "note", data.get("note"))
    return source


class SourceAsDict(Transcoding):
    type = Source
    name = "source"

    def encode(self, obj: Source) -> dict[str, Any]:
        return source_data(obj)

    def decode(self, data: dict[str, Any]) -> Source:
        return restored_source(data)


class FactAsDict(Transcoding):
    """A fact as one flat object of plain values: one transcoder call per event, not
    four (fact, source, two dates), which matters when loading 100,000 events."""

    type = Fact
    name = "fact"

    def encode(self, obj: Fact) -> dict[str, Any]:
        data = {
            "date": str(obj.date),
            "source": source_data(obj.source),
            "recorded_by": obj.recorded_by,
        }
        if obj.note:
            data["note"] = obj.note
        if obj.quote:
            data["quote"] = obj.quote
        return data

    def decode(self, data: dict[str, Any]) -> Fact:
        date = data["date"]
        return Fact(
            date=date if isinstance(date, PartialDate) else PartialDate.parse(date),
            source=restored_source(data["source"]),
            recorded_by=data["recorded_by"],
            note=data.get("note"),
            quote=data.get("quote"),
        )


TRANSCODINGS = (DecimalAsText(), PartialDateAsText(), SourceAsDict(), FactAsDict())

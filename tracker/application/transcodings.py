"""How domain values are stored: the library's JSON transcoder knows only UUID,
Decimal and datetime, so dates-with-precision, sources and facts need their own."""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import Transcoding

from tracker.domain.dates import PartialDate
from tracker.domain.sources import Fact, Source


class PartialDateAsText(Transcoding):
    type = PartialDate
    name = "partial_date"

    def encode(self, obj: PartialDate) -> str:
        return str(obj)

    def decode(self, data: str) -> PartialDate:
        return PartialDate.parse(data)


class SourceAsDict(Transcoding):
    type = Source
    name = "source"

    def encode(self, obj: Source) -> dict[str, Any]:
        data = {"publisher": obj.publisher, "title": obj.title, "published_on": obj.published_on}
        if obj.url:
            data["url"] = obj.url
        if obj.author:
            data["author"] = obj.author
        return data

    def decode(self, data: dict[str, Any]) -> Source:
        """Restore without re-running input rules: a rule tightened later must never
        stop an event that was valid when recorded from loading."""
        source = object.__new__(Source)
        for name in ("publisher", "title", "published_on", "url", "author"):
            object.__setattr__(source, name, data.get(name))
        return source


class FactAsDict(Transcoding):
    type = Fact
    name = "fact"

    def encode(self, obj: Fact) -> dict[str, Any]:
        data = {"date": obj.date, "source": obj.source, "recorded_by": obj.recorded_by}
        if obj.note:
            data["note"] = obj.note
        if obj.quote:
            data["quote"] = obj.quote
        return data

    def decode(self, data: dict[str, Any]) -> Fact:
        return Fact(**data)


TRANSCODINGS = (PartialDateAsText(), SourceAsDict(), FactAsDict())

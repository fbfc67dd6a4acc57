"""One parser from a document to what commands need, for every entry point.

A data file and a write-API body have the same shapes (``plan.yaml`` is a plan body, a
commitment file a commitment body), so both are read here. Only where a problem is said
to be differs, and the parser is told that: a file names the file, line and entry
(``file:line: event N (type, date): ...``, ``InFile``), the API names the field
(``events[2].date``, ``InBody``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from tracker.application.specs import EventSpec, parse_event, parse_source
from tracker.domain.entries import checked_slug
from tracker.domain.errors import InvalidInputError, TrackerError
from tracker.domain.sources import Source

ANNOUNCED_FIRST = "the first event must be the announcement (type: announced)"
ANNOUNCED_ONLY_FIRST = "only the first event can be the announcement"

# Every character str.splitlines() breaks at: a quoted value must not split a message.
_LINE_BREAKS = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def _one_line(message: str) -> str:
    """A message quoting input stays one line: line breaks in it are shown escaped."""
    return _LINE_BREAKS.sub(lambda m: repr(m.group())[1:-1], message)


class DataFileError(TrackerError):
    """One problem in one file, located as precisely as we can."""

    def __init__(self, path: Path, message: str, line: int | None = None, entry: str = "") -> None:
        self.path, self.line, self.entry = path, line, entry
        where = f"{path}:{line}" if line else str(path)
        super().__init__(_one_line(f"{where}: {entry + ': ' if entry else ''}{message}"))


class Origin(Protocol):
    """Where a document is read from: how each problem found in it is reported.

    ``field`` is the API's name for the place, ``line`` and ``entry`` the file's."""

    not_a_mapping: str
    source_key: str

    def problem(
        self, message: str, field: str, line: int | None = None, entry: str = ""
    ) -> TrackerError: ...

    def invalid(
        self, error: InvalidInputError, field: str, line: int | None, entry: str
    ) -> TrackerError: ...

    def header(self, error: InvalidInputError, line: int | None) -> TrackerError: ...


@dataclass(frozen=True)
class InFile:
    """A data file: problems name the file, the line and the entry."""

    path: Path
    not_a_mapping: str = "expected a mapping of fields at the top of the file"
    source_key: str = "source key"

    def problem(
        self, message: str, field: str, line: int | None = None, entry: str = ""
    ) -> DataFileError:
        return DataFileError(self.path, message, line, entry)

    def invalid(
        self, error: InvalidInputError, field: str, line: int | None, entry: str
    ) -> DataFileError:
        where = f"{error.field}: " if error.field and error.field not in str(error) else ""
        return DataFileError(self.path, f"{where}{error}", line, entry)

    def header(self, error: InvalidInputError, line: int | None) -> DataFileError:
        return DataFileError(self.path, str(error), line)


@dataclass(frozen=True)
class InBody:
    """A write-API body: problems name the field, outermost name first."""

    not_a_mapping: str = "the body must be a JSON object"
    source_key: str = "key"

    def problem(
        self, message: str, field: str, line: int | None = None, entry: str = ""
    ) -> InvalidInputError:
        return InvalidInputError(message, field)

    def invalid(
        self, error: InvalidInputError, field: str, line: int | None, entry: str
    ) -> InvalidInputError:
        return error.at(field)

    def header(self, error: InvalidInputError, line: int | None) -> InvalidInputError:
        return error


def line_of(value: Any) -> int | None:
    """The line a value started on, where it was read from a file."""
    return getattr(value, "line", None)


def event_label(index: int, raw: Mapping[str, Any]) -> str:
    """How a file's problem names an event: ``event 3 (status_changed, 2022-11)``."""
    kind = raw.get("type") or "no type"
    date = raw.get("date")
    return f"event {index + 1} ({kind}{', ' + str(date) if date else ''})"


def read_document(raw: Any, allowed: frozenset[str], origin: Origin) -> Mapping[str, Any]:
    """The top of a document: a mapping holding only ``allowed`` fields."""
    if not isinstance(raw, Mapping):
        raise origin.problem(origin.not_a_mapping, "body")
    for name in raw:
        if name not in allowed:
            known = ", ".join(sorted(allowed))
            message = f"unknown field '{name}' (allowed: {known})"
            raise origin.problem(message, str(name), line_of(raw))
    return raw


def read_field(
    doc: Mapping[str, Any], parse: Callable[[Mapping[str, Any]], Any], origin: Origin
) -> Any:
    """Header fields, parsed the same from either origin; an error says where."""
    try:
        return parse(doc)
    except InvalidInputError as error:
        raise origin.header(error, line_of(doc)) from None


def read_sources(raw: Any, origin: Origin) -> dict[str, Source]:
    """A plan's ``sources``: keys to sources."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise origin.problem("sources must be a mapping of keys to sources", "sources")
    sources = {}
    for key, value in raw.items():
        try:
            sources[checked_slug(key, origin.source_key)] = parse_source(value)
        except InvalidInputError as error:
            entry = f"source '{key}'"
            raise origin.invalid(error, f"sources.{key}", line_of(value), entry) from None
    return sources


def read_events(
    raw: Any, sources: Mapping[str, Source], allowed: tuple[str, ...], origin: Origin
) -> list[tuple[EventSpec, Any]]:
    """A document's ``events``, each parsed and paired with what it was read from."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise origin.problem("events must be a list", "events")
    parsed = []
    for index, item in enumerate(raw):
        try:
            parsed.append((parse_event(item, sources, allowed), item))
        except InvalidInputError as error:
            label = event_label(index, item if isinstance(item, Mapping) else {})
            raise origin.invalid(error, f"events[{index}]", line_of(item), label) from None
    return parsed


def check_announced_first(
    doc: Mapping[str, Any], events: list[tuple[EventSpec, Any]], origin: Origin
) -> None:
    """A commitment's events start with its announcement, and only there."""
    if not events:
        message = "a commitment needs at least its announced event"
        raise origin.problem(message, "events", line_of(doc))
    for index, (spec, raw) in enumerate(events):
        if (spec.type == "announced") != (index == 0):
            problem = ANNOUNCED_FIRST if index == 0 else ANNOUNCED_ONLY_FIRST
            field, label = f"events[{index}].type", event_label(index, raw)
            raise origin.problem(problem, field, line_of(raw), label)

"""Checks that keep the curated record (``events/``) honest, beyond what loading refuses.

Loading refuses what cannot be recorded at all (an unknown source key, an impossible
date). These checks hold the data to the editorial rules a reader relies on: every
source is used and complete, nothing is dated after the document that reports it,
every status is backed by a quotation, no document is listed twice, and every kind of
source is one the site can explain.

Files are read with the tracker's own YAML reader, so dates stay the text written
(``2021`` is a year, not the integer 2021). Each check returns every offender, one line
each, naming the file and the entry, so that one run tells a curator everything to fix.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tracker.datafiles import PLAN_FILE
from tracker.domain.dates import PartialDate
from tracker.domain.errors import InvalidInputError
from tracker.yamltext import read_yaml
from web.presenters.wording import SOURCE_KINDS

QUOTED_TYPES = ("status_changed", "transferred")
REQUIRED_SOURCE_FIELDS = ("publisher", "title", "published_on")
TRACKING_PARAMETERS = re.compile(r"utm_.*|fbclid|gclid|mc_[ce]id", re.IGNORECASE)


@dataclass(frozen=True)
class Event:
    """One event of a data file, and where it is."""

    path: str
    index: int  # from 0; shown from 1, as loading counts events
    raw: Mapping[str, Any]

    @property
    def where(self) -> str:
        """``events/x/y.yaml: event 3 (status_changed, 2022-11)``."""
        kind = self.raw.get("type") or "no type"
        date = self.raw.get("date")
        return f"{self.path}: event {self.index + 1} ({kind}{', ' + date if date else ''})"


@dataclass(frozen=True)
class PlanRecord:
    """A plan folder as written: its sources by key and every event of its files."""

    plan_file: str
    sources: dict[str, Mapping[str, Any]]
    events: list[Event] = field(default_factory=list)

    def source(self, key: str) -> str:
        """``events/x/plan.yaml: source 'key'``."""
        return f"{self.plan_file}: source '{key}'"


def read_plan(folder: Path, root: Path) -> PlanRecord:
    """A plan folder's ``plan.yaml`` and commitment files, paths shown from ``root``."""

    def shown(path: Path) -> str:
        return path.relative_to(root).as_posix()

    plan_path = folder / PLAN_FILE
    plan = read_yaml(plan_path.read_text(encoding="utf-8")) or {}
    record = PlanRecord(shown(plan_path), dict(plan.get("sources") or {}))
    files = [plan_path, *sorted(p for p in folder.glob("*.yaml") if p.name != PLAN_FILE)]
    for path in files:
        doc = plan if path == plan_path else read_yaml(path.read_text(encoding="utf-8")) or {}
        for index, raw in enumerate(doc.get("events") or []):
            record.events.append(Event(shown(path), index, raw))
    return record


# The checks: each takes a plan as written and returns every offender.


def uncited_sources(plan: PlanRecord) -> list[str]:
    """A source no event cites is a claim about the record with nothing resting on it."""
    cited = {e.raw.get("source") for e in plan.events}
    return [f"{plan.source(key)}: cited by no event" for key in plan.sources if key not in cited]


def unknown_citations(plan: PlanRecord) -> list[str]:
    """An event must cite a source the plan lists, by its key."""
    problems = []
    for event in plan.events:
        key = event.raw.get("source")
        if not isinstance(key, str):
            problems.append(f"{event.where}: cites no source key")
        elif key not in plan.sources:
            problems.append(f"{event.where}: cites '{key}', which {plan.plan_file} does not list")
    return problems


def incomplete_sources(plan: PlanRecord) -> list[str]:
    """Every source says who published what, when, and where to read it (https), or
    has a note saying why no (https) address is known: an address is given as it was
    read, never upgraded by guesswork."""
    problems = []
    for key, source in plan.sources.items():
        for name in REQUIRED_SOURCE_FIELDS:
            if not _text(source.get(name)):
                problems.append(f"{plan.source(key)}: no {name}")
        url = _text(source.get("url"))
        note = _text(source.get("note"))
        if url and not url.startswith("https://") and not note:
            problems.append(f"{plan.source(key)}: URL '{url}' is not https:// and no note says why")
        elif not url and not note:
            problems.append(f"{plan.source(key)}: no URL and no note saying why none is known")
    return problems


def events_dated_after_their_source(plan: PlanRecord) -> list[str]:
    """A source cannot report what had not happened when it was published: an event's
    date must start on or before the end of its source's publication date, each at its
    own precision (an event in November 2023 may rest on a source dated 2023)."""
    problems = []
    for event in plan.events:
        source = plan.sources.get(event.raw.get("source"))
        if source is None:
            continue  # reported by unknown_citations
        happened = _date(event.raw.get("date"))
        published = _date(source.get("published_on"))
        if happened is None or published is None:
            problems.append(f"{event.where}: its date or its source's date cannot be read")
        elif happened.start > published.end:
            problems.append(
                f"{event.where}: dated after its source '{event.raw['source']}'"
                f" was published ({published})"
            )
    return problems


def unquoted_statuses(plan: PlanRecord) -> list[str]:
    """A status (or a move to another plan) is the claim readers cite most: it carries
    the source's own words."""
    return [
        f"{event.where}: no quote"
        for event in plan.events
        if event.raw.get("type") in QUOTED_TYPES and not _text(event.raw.get("quote"))
    ]


def duplicate_sources(plan: PlanRecord) -> list[str]:
    """One document listed twice splits its citations and counts it twice: the same
    address (once normalised), or the same publisher, title and date."""
    problems = []
    for reason, identify in (
        ("the same URL", lambda s: normalised_url(_text(s.get("url")))),
        ("the same publisher, title and date", _document),
    ):
        seen: dict[str, str] = {}
        for key, source in plan.sources.items():
            identity = identify(source)
            if identity is None:
                continue
            if identity in seen:
                problems.append(f"{plan.source(key)}: {reason} as source '{seen[identity]}'")
            else:
                seen[identity] = key
    return problems


def unknown_kinds(plan: PlanRecord) -> list[str]:
    """A kind the site cannot explain would be shown to readers without a meaning."""
    known = ", ".join(SOURCE_KINDS)
    return [
        f"{plan.source(key)}: kind '{source['kind']}' is not one of: {known}"
        for key, source in plan.sources.items()
        if source.get("kind") is not None and source.get("kind") not in SOURCE_KINDS
    ]


CHECKS: tuple[Callable[[PlanRecord], list[str]], ...] = (
    uncited_sources,
    unknown_citations,
    incomplete_sources,
    events_dated_after_their_source,
    unquoted_statuses,
    duplicate_sources,
    unknown_kinds,
)


# Helpers


def normalised_url(url: str | None) -> str | None:
    """An address as a document's identity: http and https alike, the host in any case,
    no trailing slash, no fragment, and the query without tracking parameters, in
    order. The query is kept otherwise: committee papers are told apart by it
    (``mgIssueHistoryHome.aspx?IId=...``)."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    query = sorted(
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not TRACKING_PARAMETERS.fullmatch(name)
    )
    path = parts.path.rstrip("/")
    return urlunsplit(("https", (parts.netloc or "").lower(), path, urlencode(query), ""))


def _document(source: Mapping[str, Any]) -> str | None:
    fields = [_text(source.get(name)) for name in REQUIRED_SOURCE_FIELDS]
    if not all(fields):
        return None
    return "\n".join(" ".join(f.split()).casefold() for f in fields)


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _date(text: Any) -> PartialDate | None:
    try:
        return PartialDate.parse(text) if isinstance(text, str) else None
    except InvalidInputError:
        return None

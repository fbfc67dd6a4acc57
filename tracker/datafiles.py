"""The data files (``events/<plan>/*.yaml``) as an entry point to the application.

Reading a plan folder gives commands, exactly as the web's write API will: loading
compares each file with what is already recorded and turns only what the file adds
at its end into commands. Anything that would change recorded history is refused,
naming the file and the entry, and the whole load writes nothing.
"""

from __future__ import annotations

import dataclasses
import gc
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracker.application import (
    AnnounceCommitment,
    Command,
    EventSpec,
    PublishPlan,
    RecordEvent,
    RegisterSource,
    Tracker,
)
from tracker.application.documents import (
    DataFileError,
    InFile,
    check_announced_first,
    event_label,
    read_document,
    read_events,
    read_field,
    read_sources,
)
from tracker.application.specs import (
    COMMITMENT_HEADER,
    COMMITMENT_KEYS,
    PLAN_HEADER,
    PLAN_KEYS,
    parse_header,
    slug_of,
)
from tracker.application.views import PlanView
from tracker.domain.entries import COMMITMENT_EVENT_TYPES, PLAN_EVENT_TYPES
from tracker.domain.errors import NotFoundError, TrackerError
from tracker.domain.sources import Source
from tracker.yamltext import Located, YamlError, read_yaml

PLAN_FILE = "plan.yaml"
APPEND_ONLY = "the record is append-only: add a correction event at the end instead"

Progress = Callable[[int, int, str], None]


class LoadError(TrackerError):
    """Every problem found; nothing was written."""

    def __init__(self, problems: list[TrackerError]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class PlanFolder:
    path: Path
    commitment_files: list[Path] = field(default_factory=list)

    @property
    def plan_file(self) -> Path:
        return self.path / PLAN_FILE


@dataclass(frozen=True)
class LoadSummary:
    plans: tuple[str, ...]
    files: int
    new_events: int
    new_commitments: int


@dataclass
class _Origin:
    """Where a command came from, for error messages (labelled only when needed)."""

    path: Path
    line: int | None
    name: str = ""
    index: int = 0
    raw: Mapping[str, Any] | None = None

    @property
    def entry(self) -> str:
        return event_label(self.index, self.raw) if self.raw is not None else self.name


# Finding the files


def discover(paths: Iterable[str | Path]) -> list[PlanFolder]:
    """Plan folders (and, for a single file, just that file) named by ``paths``."""
    folders: dict[Path, PlanFolder] = {}

    def folder(path: Path) -> PlanFolder:
        if not (path / PLAN_FILE).is_file():
            raise DataFileError(path, f"no {PLAN_FILE} here: a plan folder needs one")
        return folders.setdefault(path.resolve(), PlanFolder(path))  # once, however named

    for raw in paths:
        path = Path(raw)
        if path.is_dir() and (path / PLAN_FILE).is_file():
            folder(path).commitment_files = _commitment_files(path)
        elif path.is_dir():
            found = sorted(p.parent for p in path.glob(f"*/{PLAN_FILE}"))
            if not found:
                raise DataFileError(path, f"no plan folders here (no */{PLAN_FILE})")
            for sub in found:
                folder(sub).commitment_files = _commitment_files(sub)
        elif path.is_file():
            plan_folder = folder(path.parent)
            named = {p.resolve() for p in plan_folder.commitment_files}
            if path.name != PLAN_FILE and path.resolve() not in named:
                plan_folder.commitment_files.append(path)
        else:
            raise DataFileError(path, "no such file or folder")
    return list(folders.values())


def _commitment_files(folder: Path) -> list[Path]:
    return sorted(
        p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.name != PLAN_FILE
    )


# Loading


def load(
    tracker: Tracker,
    paths: Iterable[str | Path],
    recorded_by: str = "data files",
    progress: Progress | None = None,
) -> LoadSummary:
    """Append what the files add, all in one transaction, or raise ``LoadError``."""
    with _collector_paused():
        return _load(tracker, paths, recorded_by, progress)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """A load builds millions of small objects that all live until it ends; the
    cyclic garbage collector would scan them again and again and free nothing
    (a fifth of a 100,000-event load). Reference counting still frees the rest."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _load(
    tracker: Tracker,
    paths: Iterable[str | Path],
    recorded_by: str,
    progress: Progress | None,
) -> LoadSummary:
    try:
        folders = discover(paths)
    except DataFileError as problem:
        raise LoadError([problem]) from None
    total = sum(1 + len(f.commitment_files) for f in folders)
    reader = _Reader(tracker, total, progress)
    for plan_folder in folders:
        reader.read_folder(plan_folder)
    if reader.problems:
        raise LoadError(reader.problems)
    if progress:
        progress(total, total, f"writing {len(reader.commands)} changes")
    try:
        tracker.execute(reader.commands, recorded_by)
    except TrackerError as error:
        index = getattr(error, "command_index", None)
        if index is None:
            raise LoadError([error]) from None
        origin = reader.origins[index]
        raise LoadError(
            [DataFileError(origin.path, str(error), origin.line, origin.entry)]
        ) from None
    return LoadSummary(
        plans=tuple(reader.plans),
        files=total,
        new_events=sum(isinstance(c, (AnnounceCommitment, RecordEvent)) for c in reader.commands),
        new_commitments=sum(isinstance(c, AnnounceCommitment) for c in reader.commands),
    )


class _Reader:
    """Reads plan folders into commands, collecting every problem it finds."""

    def __init__(self, tracker: Tracker, total: int, progress: Progress | None) -> None:
        self.tracker = tracker
        self.total, self.done, self.progress = total, 0, progress
        self.commands: list[Command] = []
        self.origins: list[_Origin] = []
        self.problems: list[TrackerError] = []
        self.plans: list[str] = []

    def add(self, command: Command, origin: _Origin) -> None:
        self.commands.append(command)
        self.origins.append(origin)

    def tick(self, path: Path) -> None:
        self.done += 1
        if self.progress:
            self.progress(self.done, self.total, str(path))

    def read_folder(self, folder: PlanFolder) -> None:
        try:
            plan, sources = self.read_plan(folder.plan_file)
        except DataFileError as problem:
            self.problems.append(problem)
            return
        finally:
            self.tick(folder.plan_file)
        seen: dict[str, Path] = {}
        for path in folder.commitment_files:
            try:
                self.read_commitment(path, plan, sources, seen)
            except DataFileError as problem:
                self.problems.append(problem)
            self.tick(path)

    # plan.yaml

    def read_plan(self, path: Path) -> tuple[str, dict[str, Source]]:
        infile = InFile(path)
        doc = read_document(_read(path), PLAN_KEYS, infile)
        slug = read_field(doc, lambda d: slug_of(d.get("plan"), "plan"), infile)
        self.plans.append(slug)
        header = read_field(doc, lambda d: parse_header(d, PLAN_HEADER), infile)
        sources = read_sources(doc.get("sources"), infile)
        try:
            recorded = self.tracker.plan(slug)
        except NotFoundError:
            recorded = None
        origin = _Origin(path, doc.line, f"plan '{slug}'")
        if recorded is None:
            self.add(PublishPlan(slug, **header), origin)
        else:
            _check_same(path, doc, header, recorded, "plan")
            _check_no_removed_sources(path, doc, sources, recorded)
        new_sources = 0
        for key, source in sources.items():
            was = None if recorded is None else recorded.sources.get(key)
            if was is not None and was != source:
                line = getattr(doc["sources"][key], "line", None)
                raise DataFileError(
                    path, f"differs from what is recorded; {APPEND_ONLY}", line, f"source '{key}'"
                )
            # New, or newly described (a kind or note added): either is one plan event.
            if was is None or was.description() != source.description():
                new_sources += 1
                self.add(
                    RegisterSource(slug, key, source), _Origin(path, doc.line, f"source '{key}'")
                )
        events = read_events(doc.get("events"), sources, PLAN_EVENT_TYPES, infile)
        if recorded is None:
            self.append_new(path, slug, None, events, [], None, 1)
        else:
            entries = list(recorded.entries)
            version = recorded.version + new_sources  # registering or describing: a plan event
            self.append_new(path, slug, None, events, entries, version, len(entries) + 1)
        return slug, sources

    # <commitment>.yaml

    def read_commitment(
        self, path: Path, plan: str, sources: dict[str, Source], seen: dict[str, Path]
    ) -> None:
        infile = InFile(path)
        doc = read_document(_read(path), COMMITMENT_KEYS, infile)
        slug = read_field(doc, lambda d: slug_of(d.get("commitment"), "commitment"), infile)
        if slug != path.stem:
            raise DataFileError(
                path, f"commitment '{slug}' must be in a file named {slug}.yaml", doc.line
            )
        if slug in seen:
            raise DataFileError(path, f"commitment '{slug}' is also in {seen[slug]}", doc.line)
        seen[slug] = path
        header = read_field(doc, lambda d: parse_header(d, COMMITMENT_HEADER), infile)
        events = read_events(doc.get("events"), sources, COMMITMENT_EVENT_TYPES, infile)
        check_announced_first(doc, events, infile)
        try:
            recorded = self.tracker.commitment(plan, slug)
        except NotFoundError:
            recorded = None
        if recorded is None:
            spec, raw = events[0]
            self.add(
                AnnounceCommitment(plan, slug, announcement=spec, **header),
                _Origin(path, raw.line, index=0, raw=raw),
            )
            self.append_new(path, plan, slug, events, [], None, 1, announced_here=True)
            return
        _check_same(path, doc, header, recorded, "commitment")
        by_hand = [e for e in recorded.entries if e.type != "deadline_missed"]
        self.append_new(path, plan, slug, events, by_hand, recorded.version, recorded.version + 1)

    def append_new(
        self,
        path: Path,
        plan: str,
        commitment: str | None,
        events: list[tuple[EventSpec, Located]],
        recorded_entries: list,
        recorded_version: int | None,
        next_number: int,
        announced_here: bool = False,
    ) -> None:
        """Check the file's events start with what is recorded; command the rest.

        ``corrects`` in a file counts the file's own events; the tracker's own
        ``deadline_missed`` entries are not in files, so numbers are translated.
        """
        numbers = [e.number for e in recorded_entries]
        for index, (spec, raw) in enumerate(events):
            if index >= len(numbers):
                numbers.append(next_number)
                next_number += 1
            if spec.type == "correction":
                spec = _renumbered(spec, numbers[:index], path, raw, event_label(index, raw))
            if index < len(recorded_entries):
                diffs = spec.differences(recorded_entries[index])
                if diffs:
                    raise DataFileError(
                        path,
                        f"differs from what is recorded ({'; '.join(diffs)}); {APPEND_ONLY}",
                        raw.line,
                        event_label(index, raw),
                    )
                continue
            if announced_here and index == 0:
                continue
            first_new = index == len(recorded_entries) and recorded_version is not None
            expected = recorded_version if first_new else None
            origin = _Origin(path, raw.line, index=index, raw=raw)
            self.add(RecordEvent(plan, commitment, spec, expected), origin)
        if len(events) < len(recorded_entries):
            first = recorded_entries[len(events)]
            raise DataFileError(
                path,
                f"event {len(events) + 1} ({first.type}, {first.date}) is recorded but"
                f" missing from the file; {APPEND_ONLY}",
            )


def _renumbered(
    spec: EventSpec, earlier: list[int], path: Path, raw: Located, label: str
) -> EventSpec:
    """A correction's target, from its position in the file to its recorded number."""
    corrects = spec.details["corrects"]
    if corrects > len(earlier):
        raise DataFileError(
            path,
            f"corrects {corrects}, but only {len(earlier)} events come before it",
            raw.line,
            label,
        )
    return dataclasses.replace(spec, details={"corrects": earlier[corrects - 1]})


def _read(path: Path) -> Any:
    """A data file's YAML, or the reason it cannot be read, naming the file."""
    try:
        return read_yaml(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise DataFileError(path, "not UTF-8 text") from None
    except YamlError as error:
        raise DataFileError(path, str(error), error.line) from None


def _check_same(path: Path, doc: Located, header: dict[str, Any], recorded: Any, what: str) -> None:
    for name, value in header.items():
        was = getattr(recorded, name)
        if value != was:
            raise DataFileError(
                path,
                f"{what} {name} is recorded as '{was}' but the file says '{value}'; {APPEND_ONLY}",
                doc.line,
            )


def _check_no_removed_sources(path: Path, doc: Located, sources: dict, recorded: PlanView) -> None:
    for key in recorded.sources:
        if key not in sources:
            raise DataFileError(
                path,
                f"source '{key}' is recorded but missing from the file; {APPEND_ONLY}",
                doc.line,
            )

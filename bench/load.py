"""How fast the tracker loads data files, against the library's own append rate.

    .venv/bin/python bench/load.py [--events 100000] [--store sqlite|postgres] [--repeat 3]
                                   [--profile] [--postgres-db-functions] [--timeout 600]

Absolute timings say more about the machine than about the code, so every figure is
measured next to a baseline taken in the same run on the same kind of store: the
library saving the same number of aggregates x events, in one transaction, as the
tracker's load does (``_AggregateBatch.save`` calls ``app.save(*aggregates)`` once). The two
are interleaved ``--repeat`` times and medians are reported. Nothing here asserts a
time: this is a report, not a test.

Results go to standard output and to ``bench/out/load.json`` (one entry per store).
Load rates count the events in the files; the tracker also stores about 1% more (the
plan's list of commitments and sources), which the rates do not count.
"""

from __future__ import annotations

import argparse
import cProfile
import faulthandler
import gc
import io
import json
import os
import platform
import pstats
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's tracker, even without an editable install

import psycopg  # noqa: E402
from eventsourcing.application import Application  # noqa: E402
from eventsourcing.domain import Aggregate  # noqa: E402

from tracker.application import open_tracker  # noqa: E402
from tracker.datafiles import load  # noqa: E402
from tracker.store.persistence import store_settings  # noqa: E402

OUT_DIR = ROOT / "bench" / "out"
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
PLAN = "bench-policing-plan-2020"
AS_OF = date(2025, 1, 1)  # fixed, so that figures are the same work on every run
TARGET_RATIO = 0.5
HANG_HINT = (
    "On PostgreSQL, a save of more than about 10 MB hangs for good in psycopg's pipeline mode"
    " (the server waits in ClientRead, the client in Pipeline.sync). The tracker's recorder"
    " (tracker/store/pgrecorder.py) saves large batches outside the pipeline; if this"
    " hangs, check that store_settings() still selects it. Drop the schema named above by hand."
)
T = TypeVar("T")


# Generating a plan folder
#
# The point is realistic parsing and validation work: free text of the length real
# notes have, every event type, dates at all three precisions, deadline revisions and
# corrections that the domain accepts. A seeded ``random.Random`` makes it repeatable.

SOURCES = {
    "mayor-press-release-2020-11-13": (
        "Mayor of London (press release)",
        "Mayor's Action Plan focuses on disproportionality of police powers",
        "2020-11-13",
        "https://www.london.gov.uk/press-releases/mayoral/action-plan",
        None,
    ),
    "mopac-quarterly-update-2022-03": (
        "Mayor's Office for Policing and Crime",
        "Action Plan: quarterly progress update",
        "2022-03",
        "https://www.london.gov.uk/mopac-publications/action-plan-update",
        None,
    ),
    "assembly-committee-2023-02-08": (
        "London Assembly Police and Crime Committee",
        "Transcript: Action Plan – Transparency, Accountability and Trust in Policing",
        "2023-02-08",
        None,
        None,
    ),
    "ldrs-report-2023-11-18": (
        "Local Democracy Reporting Service",
        "Mayor criticised over pace of stop and search reforms",
        "2023-11-18",
        "https://example.org/news/2023/11/18/stop-and-search-reforms",
        "A. Reporter",
    ),
}
SOURCE_WEIGHTS = (2, 5, 3, 2)
TOPICS = (
    "stop-and-search-review",
    "vehicle-stop-pilot",
    "body-worn-video",
    "community-scrutiny",
    "recruitment-target",
    "training-programme",
    "handcuff-review",
    "taser-oversight",
    "complaints-handling",
    "data-transparency",
)
THEMES = ("Stop and search", "Use of force", "Training, recruitment and funding", "Scrutiny")
OWNERS = ("Metropolitan Police Service", "MOPAC", "Mayor of London", "London boroughs")
ACTORS = (
    "The Mayor's office",
    "The Met",
    "MOPAC",
    "The police and crime committee",
    "An independent advisory group",
    "The Deputy Mayor for Policing",
)
VERBS = (
    "said",
    "reported",
    "confirmed in a written answer",
    "told the committee",
    "wrote in its quarterly update",
)
FINDINGS = (
    "{n} officers had completed the new training by the end of the quarter",
    "the review of {thing} was {pct} per cent complete",
    "work on {thing} had slipped because of {cause}",
    "a further {n} residents had joined the community monitoring groups",
    "the pilot covering {k} boroughs had started taking referrals",
    "£{m} million had been set aside for {thing}",
    "the board overseeing {thing} had met {k} times since the last update",
    "an external evaluation of {thing} had been commissioned",
    "the first findings on {thing} would be published before the end of the year",
    "data on {thing} would now be published every month, broken down by ethnicity",
)
THINGS = (
    "stop and search data",
    "body-worn video footage",
    "vehicle stops",
    "handcuff use",
    "the use of Taser",
    "the recruitment of Black officers",
    "community scrutiny panels",
    "complaints handling",
    "de-escalation training",
)
CAUSES = (
    "staff shortages",
    "delays in procurement",
    "the pandemic",
    "a change of leadership",
    "problems with data quality",
    "legal advice that was still awaited",
)
QUOTES = (
    "we remain fully committed to {thing}",
    "progress on {thing} has been slower than we would like",
    "this work is now complete and the findings are published",
    "{n} officers have now been through the programme",
)
STATUS_WEIGHTS = {
    "in_progress": 40,
    "delayed": 20,
    "paused": 8,
    "partially_delivered": 8,
    "delivered": 4,
    "dropped": 2,
}
KIND_WEIGHTS = {
    "progress_reported": 52,
    "status_changed": 14,
    "measurement_recorded": 12,
    "budget_committed": 6,
    "deadline_set": 6,  # revisions: the first deadline comes right after the announcement
    "target_set": 3,
    "correction": 2,
}
METRICS = (
    ("Stop and searches per 1,000 Black Londoners in a year", "per 1,000 people"),
    ("Share of searches that found nothing", "per cent"),
    ("Officers trained in de-escalation", "officers"),
    ("Complaints about stops resolved within 60 days", "per cent"),
)

Fields = list[tuple[str, str]]  # one event as YAML keys and already-rendered values


@dataclass(frozen=True)
class Dataset:
    """A generated plan folder and what loading it should append."""

    folder: Path
    plan: str
    commitments: int
    events: int
    bytes: int


def generate(root: Path, commitments: int, per_commitment: int, seed: int) -> Dataset:
    """Write ``plan.yaml`` and one file per commitment under ``root``."""
    rng = random.Random(seed)
    folder = root / PLAN
    folder.mkdir(parents=True)
    size = _write(folder / "plan.yaml", _plan_yaml())
    for number in range(1, commitments + 1):
        slug = f"{rng.choice(TOPICS)}-{number:05d}"
        history = _History(rng).build(per_commitment)
        size += _write(folder / f"{slug}.yaml", _commitment_yaml(rng, slug, history))
    return Dataset(folder, PLAN, commitments, commitments * per_commitment, size)


def _write(path: Path, text: str) -> int:
    path.write_text(text, encoding="utf-8")
    return len(text.encode("utf-8"))


def _q(text: str) -> str:
    """Free text as a YAML double-quoted scalar (a JSON string is one)."""
    return json.dumps(text, ensure_ascii=False)


def _plan_yaml() -> str:
    lines = [
        f"plan: {PLAN}",
        f"title: {_q('Action Plan – Transparency, Accountability and Trust in Policing')}",
        f"publisher: {_q('Mayor of London / MOPAC')}",
        "published_on: 2020-11-13",
        "url: https://www.london.gov.uk/mopac-publications/action-plan",
        "",
        "sources:",
    ]
    for key, (publisher, title, published_on, url, author) in SOURCES.items():
        lines += [f"  {key}:", f"    publisher: {_q(publisher)}", f"    title: {_q(title)}"]
        lines.append(f"    published_on: {published_on}")
        lines += [f"    url: {url}"] if url else []
        lines += [f"    author: {_q(author)}"] if author else []
    return "\n".join(lines) + "\n"


def _commitment_yaml(rng: random.Random, slug: str, history: list[Fields]) -> str:
    lines = [
        f"commitment: {slug}",
        f"title: {_q(_sentence(rng, 'Improve {thing} across {k} boroughs'))}",
        f"theme: {_q(rng.choice(THEMES))}",
        f"owner: {_q(rng.choice(OWNERS))}",
        "events:",
    ]
    for fields in history:
        for index, (key, value) in enumerate(fields):
            lines.append(f"{'  - ' if index == 0 else '    '}{key}: {value}")
    return "\n".join(lines) + "\n"


def _sentence(rng: random.Random, template: str) -> str:
    return template.format(
        n=rng.randint(20, 4000),
        k=rng.randint(2, 32),
        m=rng.randint(1, 40),
        pct=rng.randint(5, 95),
        thing=rng.choice(THINGS),
        cause=rng.choice(CAUSES),
    )


def _note(rng: random.Random, sentences: int) -> str:
    """One to three sentences, 80-400 characters, like the notes in events/."""
    parts = []
    for _ in range(sentences):
        finding = _sentence(rng, rng.choice(FINDINGS))
        parts.append(f"{rng.choice(ACTORS)} {rng.choice(VERBS)} that {finding}.")
    return " ".join(parts)


def _written(day: date, precision: str) -> str:
    """``day`` as a data file writes it to the year, month or day."""
    if precision == "year":
        return str(day.year)
    return f"{day.year}-{day.month:02d}" if precision == "month" else day.isoformat()


class _History:
    """One commitment's events, built in order so that each stays valid in the domain:
    the announcement first, then a deadline, then a weighted mix in which deadlines
    slip, statuses change and corrections point at earlier, uncorrected events."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.day = date(2020, 11, 13) + timedelta(days=rng.randint(0, 60))
        self.due = self.day + timedelta(days=rng.randint(300, 900))
        self.correctable: list[int] = []  # file numbers of uncorrected non-corrections
        self.deadlines = 0

    def build(self, count: int) -> list[Fields]:
        events = [self.announced()]
        while len(events) < count:
            kind = "deadline_set" if len(events) == 1 else self._next_kind()
            events.append(getattr(self, kind)())
            if kind != "correction":
                self.correctable.append(len(events))
        return events

    def _next_kind(self) -> str:
        kind = self.rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()))[0]
        return "progress_reported" if kind == "correction" and not self.correctable else kind

    def _common(self, kind: str, note: bool, quote: bool) -> tuple[Fields, Fields]:
        """The fields every event has, split around the type's own fields."""
        self.day += timedelta(days=self.rng.randint(2, 26))
        when = _written(self.day, "month" if self.rng.random() < 0.1 else "day")
        source = self.rng.choices(list(SOURCES), weights=SOURCE_WEIGHTS)[0]
        tail = [("source", source)]
        if note:
            tail.append(("note", _q(_note(self.rng, self.rng.randint(1, 3)))))
        if quote:
            tail.append(("quote", _q(_sentence(self.rng, self.rng.choice(QUOTES)))))
        return [("type", kind), ("date", when)], tail

    def _event(self, kind: str, own: Fields, note_odds: float = 0.5) -> Fields:
        head, tail = self._common(kind, self.rng.random() < note_odds, self.rng.random() < 0.3)
        return head + own + tail

    def announced(self) -> Fields:
        return self._event("announced", [("summary", _q(_note(self.rng, 2)))])

    def deadline_set(self) -> Fields:
        """The first deadline, or a revision: mostly a slip, sometimes brought forward."""
        if self.deadlines:
            shift = self.rng.randint(60, 400) if self.rng.random() < 0.85 else -45
            self.due += timedelta(days=shift)
        precision = self.rng.choices(("month", "year", "day"), weights=(6, 1, 3))[0]
        due = _written(self.due, precision)
        self.deadlines += 1
        return self._event("deadline_set", [("due", due)])

    def status_changed(self) -> Fields:
        status = self.rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))
        return self._event("status_changed", [("status", status[0])])

    def progress_reported(self) -> Fields:
        return self._event("progress_reported", [], note_odds=1.0)

    def budget_committed(self) -> Fields:
        amount = self.rng.randrange(50_000, 25_000_000, 1_000)
        return self._event("budget_committed", [("amount_gbp", str(amount))])

    def target_set(self) -> Fields:
        metric, unit = self.rng.choice(METRICS)
        own = [("metric", _q(metric)), ("target", str(self.rng.randint(10, 90))), ("unit", unit)]
        return self._event("target_set", own)

    def measurement_recorded(self) -> Fields:
        metric, unit = self.rng.choice(METRICS)
        value = f"{self.rng.uniform(0, 500):.1f}"
        own = [("metric", _q(metric)), ("value", value), ("unit", unit)]
        return self._event("measurement_recorded", own)

    def correction(self) -> Fields:
        target = self.correctable.pop(self.rng.randrange(len(self.correctable)))
        head, tail = self._common("correction", note=False, quote=False)
        note = f"Event {target} gave the wrong figure; the source was misread."
        return [*head, ("corrects", str(target)), *tail, ("note", _q(note))]


# Stores: a fresh one for every run, so that no run reads what another wrote


@contextmanager
def fresh_store(kind: str, workdir: Path, postgres_url: str) -> Iterator[str]:
    """A database URL for an empty store, removed afterwards."""
    if kind == "sqlite":
        path = workdir / f"store-{uuid.uuid4().hex[:12]}.sqlite"
        try:
            yield f"sqlite:///{path}"
        finally:
            for leftover in workdir.glob(f"{path.name}*"):
                leftover.unlink()
        return
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{postgres_url}{'&' if '?' in postgres_url else '?'}schema={schema}"
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


# The runs


class Counter(Aggregate):
    """The smallest aggregate worth saving: one event type with one small field."""

    class Counted(Aggregate.Event):
        n: int

    def count(self, n: int) -> None:
        self.trigger_event(self.Counted, n=n)


class Noted(Aggregate):
    """An aggregate whose one event carries text as long as a tracker event's state:
    what the library alone does with the same number of bytes."""

    class Written(Aggregate.Event):
        text: str

    def write(self, text: str) -> None:
        self.trigger_event(self.Written, text=text)


@dataclass(frozen=True)
class Timing:
    """Wall-clock and this process's CPU seconds. The machine may be shared (tests run
    beside us): CPU time is steadier, but misses work a PostgreSQL server does."""

    wall: float
    cpu: float

    def __add__(self, other: Timing) -> Timing:
        return Timing(self.wall + other.wall, self.cpu + other.cpu)


def _timed(work: Callable[[], T]) -> tuple[Timing, T]:
    """How long ``work`` took, starting from a collected heap so that runs start alike."""
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return Timing(time.perf_counter() - wall, time.process_time() - cpu), result


def _counters(aggregates: int, events_each: int, payload: int) -> list[Aggregate]:
    built: list[Aggregate] = []
    text = "x" * payload
    for _ in range(aggregates):
        if payload:
            noted = Noted()
            for n in range(1, events_each):
                noted.write(f"{n} {text}")
            built.append(noted)
        else:
            counter = Counter()
            for n in range(1, events_each):
                counter.count(n)
            built.append(counter)
    return built


def payload_size(data: Dataset) -> int:
    """The mean size of a tracker event's stored state, from a sample of the files."""
    app = open_tracker("memory://")
    sample = sorted(data.folder.glob("*.yaml"))[:21]
    load(app, sample)
    states = [len(n.state) for n in app.recorder.select_notifications(start=1, limit=10_000)]
    app.close()
    return round(statistics.mean(states))


def run_baseline(url: str, aggregates: int, events_each: int, payload: int = 0) -> dict:
    """The library alone: build the aggregates' events, then save them in one call.

    ``payload`` 0 is the strictest baseline (tiny events); otherwise each event carries
    about ``payload`` bytes of text, as much as a tracker event stores.
    """
    app = Application(env=store_settings(url, hash_chain=False))  # the library's recorders
    try:
        build, counters = _timed(lambda: _counters(aggregates, events_each, payload))
        save, _ = _timed(lambda: app.save(*counters))
    finally:
        app.close()
    events = aggregates * events_each
    total = build + save
    return {
        "seconds": total.wall,
        "cpu_s": total.cpu,
        "build_s": build.wall,
        "save_s": save.wall,
        "ev_per_s": events / total.wall,
        "ev_per_cpu_s": events / total.cpu,
    }


def run_load(url: str, data: Dataset) -> dict[str, float]:
    """The tracker's load, then (as a separate process would) figures and a reload."""
    app = open_tracker(url)
    try:
        loading, summary = _timed(lambda: load(app, [data.folder]))
        stored = app.recorder.max_notification_id() or 0
    finally:
        app.close()
    _expect(summary.new_events == data.events, f"load appended {summary.new_events} events")
    app = open_tracker(url, create_tables=False)
    try:
        figures, rows = _timed(lambda: app.status(plan=data.plan, as_of=AS_OF))
        reload, again = _timed(lambda: load(app, [data.folder]))
    finally:
        app.close()
    _expect(len(rows) == data.commitments, f"status gave {len(rows)} rows")
    _expect(again.new_events == 0, f"the reload appended {again.new_events} events")
    return {
        "seconds": loading.wall,
        "cpu_s": loading.cpu,
        "ev_per_s": data.events / loading.wall,
        "ev_per_cpu_s": data.events / loading.cpu,
        "stored_events": stored,
        "figures_s": figures.wall,
        "figures_per_s": data.commitments / figures.wall,
        "reload_s": reload.wall,
    }


@contextmanager
def watchdog(args: argparse.Namespace, step: str) -> Iterator[None]:
    """Give up, showing every thread's stack, if ``step`` outlasts ``--timeout``.

    Without this, a save that hangs (see ``HANG_HINT``) would keep the script waiting
    forever, with no sign of where it is stuck.
    """

    def give_up() -> None:
        print(f"\nbench/load.py: {step}: running for {args.timeout:.0f} s", file=sys.stderr)
        if args.store == "postgres":
            print(HANG_HINT, file=sys.stderr)
        faulthandler.dump_traceback(file=sys.stderr)
        os._exit(3)

    timer = threading.Timer(args.timeout, give_up)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def _expect(condition: bool, problem: str) -> None:
    """A wrong result makes a timing meaningless: stop rather than report it."""
    if not condition:
        raise SystemExit(f"bench/load.py: {problem}; the timings would mean nothing")


def measure(args: argparse.Namespace, data: Dataset, workdir: Path) -> list[dict[str, Any]]:
    """Baseline and load, interleaved, so that drift in the machine hits both alike."""
    runs = []
    payload = payload_size(data)
    for number in range(1, args.repeat + 1):
        store = fresh_store(args.store, workdir, args.postgres_url)
        with store as url, watchdog(args, f"baseline run {number} into {url}"):
            baseline = run_baseline(url, data.commitments, args.per_commitment)
        store = fresh_store(args.store, workdir, args.postgres_url)
        with store as url, watchdog(args, f"sized baseline run {number} into {url}"):
            sized = run_baseline(url, data.commitments, args.per_commitment, payload)
            sized["payload_bytes"] = payload
        store = fresh_store(args.store, workdir, args.postgres_url)
        with store as url, watchdog(args, f"load run {number} into {url}"):
            loaded = run_load(url, data)
        runs.append({"baseline": baseline, "sized_baseline": sized, "load": loaded})
        print(
            f"  run {number}/{args.repeat}: baseline {baseline['seconds']:.2f} s,"
            f" sized baseline {sized['seconds']:.2f} s,"
            f" load {loaded['seconds']:.2f} s, figures {loaded['figures_s']:.2f} s,"
            f" reload {loaded['reload_s']:.2f} s",
            flush=True,
        )
    return runs


# Reporting


def medians(runs: list[dict[str, Any]]) -> dict[str, float]:
    """Medians of each figure; the ratio is the median of each run's own ratio."""

    def med(part: str, name: str) -> float:
        return statistics.median(run[part][name] for run in runs)

    return {
        "baseline_ev_per_s": med("baseline", "ev_per_s"),
        "baseline_s": med("baseline", "seconds"),
        "baseline_save_s": med("baseline", "save_s"),
        "sized_baseline_ev_per_s": med("sized_baseline", "ev_per_s"),
        "sized_baseline_s": med("sized_baseline", "seconds"),
        "payload_bytes": med("sized_baseline", "payload_bytes"),
        "ratio_sized": statistics.median(
            run["load"]["ev_per_s"] / run["sized_baseline"]["ev_per_s"] for run in runs
        ),
        "load_ev_per_s": med("load", "ev_per_s"),
        "load_s": med("load", "seconds"),
        "ratio": statistics.median(_ratio(run, "ev_per_s") for run in runs),
        "ratio_cpu": statistics.median(_ratio(run, "ev_per_cpu_s") for run in runs),
        "figures_s": med("load", "figures_s"),
        "figures_per_s": med("load", "figures_per_s"),
        "reload_s": med("load", "reload_s"),
    }


def _ratio(run: dict[str, Any], rate: str) -> float:
    return run["load"][rate] / run["baseline"][rate]


def table(store: str, data: Dataset, repeat: int, m: dict[str, float]) -> str:
    """The medians as a small aligned table."""
    verdict = "meets" if m["ratio"] >= TARGET_RATIO else "BELOW"
    rows = [
        (
            "baseline (library append)",
            f"{m['baseline_ev_per_s']:,.0f} ev/s",
            m["baseline_s"],
            f"save alone {m['baseline_save_s']:.2f} s",
        ),
        (
            "same-size baseline",
            f"{m['sized_baseline_ev_per_s']:,.0f} ev/s",
            m["sized_baseline_s"],
            f"events of {m['payload_bytes']:.0f} bytes, as the tracker stores",
        ),
        ("tracker load", f"{m['load_ev_per_s']:,.0f} ev/s", m["load_s"], ""),
        (
            "ratio load/baseline",
            f"{m['ratio']:.2f}",
            None,
            f"{verdict} the {TARGET_RATIO} target (by CPU time: {m['ratio_cpu']:.2f})",
        ),
        ("ratio load/same-size", f"{m['ratio_sized']:.2f}", None, ""),
        (
            "figures (status, all)",
            f"{m['figures_per_s']:,.0f} c/s",
            m["figures_s"],
            "c = commitments",
        ),
        ("reload (appends nothing)", "", m["reload_s"], ""),
    ]
    lines = [
        f"{data.events:,} events ({data.commitments:,} commitments), {store},"
        f" medians of {repeat} interleaved runs",
        f"  {'':<26}{'rate':>14}{'seconds':>10}",
    ]
    for label, rate, seconds, remark in rows:
        shown = f"{seconds:10.2f}" if seconds is not None else " " * 10
        lines.append(f"  {label:<26}{rate:>14}{shown}  {remark}".rstrip())
    return "\n".join(lines)


def environment() -> dict[str, Any]:
    """What the numbers depend on besides the code."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = None
    return {
        "commit": commit,
        "python": platform.python_version(),
        "eventsourcing": metadata.version("eventsourcing"),
        "psycopg": metadata.version("psycopg"),
        "sqlite": sqlite3.sqlite_version,
        "machine": f"{platform.machine()}, {platform.system()}",
    }


def write_json(store: str, entry: dict[str, Any]) -> Path:
    """One entry per store, so that a SQLite run and a PostgreSQL run sit side by side."""
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUT_DIR / "load.json"
    results = json.loads(path.read_text()) if path.exists() else {}
    results[store] = entry
    path.write_text(json.dumps(results, indent=2) + "\n")
    return path


# Profiling


def profile(args: argparse.Namespace, data: Dataset, workdir: Path) -> str:
    """One profiled load into a fresh store: top 25 by cumulative time, top 15 by own."""
    profiler = cProfile.Profile()
    with fresh_store(args.store, workdir, args.postgres_url) as url:
        app = open_tracker(url)
        try:
            gc.collect()
            with watchdog(args, f"profiled load into {url}"):
                profiler.runcall(load, app, [data.folder])
        finally:
            app.close()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(OUT_DIR / f"load-{args.label}.prof")
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text).strip_dirs()
    stats.sort_stats("cumulative").print_stats(25)
    stats.sort_stats("tottime").print_stats(15)
    (OUT_DIR / f"load-profile-{args.label}.txt").write_text(text.getvalue())
    return text.getvalue()


# Command line


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000, help="events in the data files")
    parser.add_argument("--per-commitment", type=int, default=100, help="events per file")
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--repeat", type=int, default=3, help="interleaved runs (0: none)")
    parser.add_argument("--profile", action="store_true", help="also profile one load")
    parser.add_argument("--seed", type=int, default=2020_11_13)
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument(
        "--postgres-db-functions",
        action="store_true",
        help="insert through the library's stored function, not a pipeline (see HANG_HINT)",
    )
    parser.add_argument("--timeout", type=float, default=600, help="seconds before a step is hung")
    args = parser.parse_args(argv)
    if args.per_commitment < 1 or args.events < args.per_commitment or args.repeat < 0:
        parser.error("need --events >= --per-commitment >= 1 and --repeat >= 0")
    if args.postgres_db_functions and args.store != "postgres":
        parser.error("--postgres-db-functions needs --store postgres")
    args.label = args.store + ("+db-functions" if args.postgres_db_functions else "")
    return args


def result_entry(args: argparse.Namespace, data: Dataset, runs: list[dict[str, Any]]) -> dict:
    """What ``load.json`` keeps of one invocation: enough to compare it with another."""
    return {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "environment": environment(),
        "settings": {k: v for k, v in vars(args).items() if k != "postgres_url"},
        "data": {
            "commitments": data.commitments,
            "events": data.events,
            "bytes": data.bytes,
            "as_of": AS_OF.isoformat(),
        },
        "median": medians(runs),
        "runs": runs,
    }


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.postgres_db_functions:
        # The library reads os.environ as well as the settings it is given: this reaches the
        # baseline's Application and open_tracker() alike, without changing either.
        os.environ["POSTGRES_ENABLE_DB_FUNCTIONS"] = "y"
    with tempfile.TemporaryDirectory(prefix="tracker-bench-") as tmp:
        workdir = Path(tmp)
        data = generate(workdir, args.events // args.per_commitment, args.per_commitment, args.seed)
        print(
            f"generated {data.events:,} events in {data.commitments + 1:,} files"
            f" ({data.bytes / 1e6:.1f} MB) under {workdir}",
            flush=True,
        )
        if args.repeat:
            entry = result_entry(args, data, measure(args, data, workdir))
            print(table(args.label, data, args.repeat, entry["median"]))
            print(f"results: {write_json(args.label, entry).relative_to(ROOT)}")
        if args.profile:
            print(profile(args, data, workdir))


if __name__ == "__main__":
    main()

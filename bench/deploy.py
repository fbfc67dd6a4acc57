"""The deployment, proven under load and faults (issue 10, part 8).

    .venv/bin/python bench/deploy.py [--quick] [--scenario NAME] [--workers-list 1,2,4]
                                     [--duration 60] [--lock-seconds 60] [--json]

Runs the deployment as production runs it: ``tracker serve`` with several workers and
no projector of its own, beside ``tracker project`` in its own process, on a fresh
PostgreSQL database per scenario (``bench_deploy_<pid>_<n>``, dropped afterwards).
Which of those options exist is read from ``tracker serve --help`` and ``tracker
--help``; where one is missing the script runs what exists (today: one server process
that projects in a thread) and says so in its output.

Scenarios (``--scenario``; every one by default):

1. ``writers``: 16 writers × 63 events through the write API, 8 of them on a commitment
   each and 8 sharing 2 commitments, with If-Match and an Idempotency-Key, retrying on
   409, 503 and connection errors. Then: every acknowledged event is in the log exactly
   once, the log's positions have no gap, ``tracker verify`` passes, and the read
   models (``/readyz`` lag, each commitment's events in the read API) match the log.
2. ``crash``: ``kill -9`` of one worker during writes, then of every process; restart.
   No acknowledged event is lost, and the read models show each event exactly once.
3. ``pg-restart``: PostgreSQL restarted during reads and writes. Clients get 503 with
   Retry-After, never a 500, and the processes recover without a restart: the figure
   is how many seconds after PostgreSQL is back requests succeed again.
4. ``throughput``: ``wrk -t2 -c64`` on a page, a feed and the API, each at one URL (the
   response cache answers) and with ``as_of`` varied per request (rendered), with 1, 2
   and 4 workers: no error, no 503, and each rate as a ratio to the 1-worker rate.
5. ``lock``: ``LOCK TABLE tracker_events IN ACCESS EXCLUSIVE MODE`` held for
   ``--lock-seconds`` while a write arrives every second: each is answered within 10 s
   (201, or 503 with Retry-After); reads keep their latency; afterwards the log holds
   exactly the acknowledged writes.

As in ``bench/load.py`` and ``bench/site.py``, rates are compared with a baseline from
the same run (here: the 1-worker rate), and no time is asserted except the ones the
issue names as behaviour (an answer within 10 s; recovery is reported, not judged).
A check that fails is printed as FAIL with what was seen, and the exit status is 1.
Results go to standard output and to ``bench/out/deploy-<date>.json`` (git-ignored);
``--json`` prints the JSON instead of the report.

Scenarios 3 and 5 restart PostgreSQL and lock a table (in the bench's own database):
run them when nobody else is using the machine's PostgreSQL. Every process started here
runs in a process group of its own, stopped with the script (Ctrl-C included), and
PostgreSQL is started again if it is found down at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "bench" / "out"
HOST = "127.0.0.1"
POSTGRES = "postgresql://postgres@127.0.0.1:5432"
BASE_DATABASE = "test"  # where CREATE DATABASE and DROP DATABASE are sent
BUNDLED_PLAN = "london-policing-action-plan-2020"
PLAN = "bench-deploy"
SOURCE_KEY = "bench-report"
EVENTS_TABLE = "tracker_events"  # the library's table for the application "Tracker"
WRITE_ANSWER_LIMIT_S = 10.0  # scenario 5: every write answered within this
WORKDIR_STEP = "remove the work folder"
SCENARIOS = ("writers", "crash", "pg-restart", "throughput", "lock")


# Pure helpers (tests/test_bench_deploy.py)


def percentiles(values: Iterable[float]) -> dict[str, float | None]:
    """p50, p95 and max (nearest rank), in the values' unit; None when there are none."""
    ordered = sorted(values)
    if not ordered:
        return {"n": 0, "p50": None, "p95": None, "max": None}

    def rank(p: float) -> float:
        return ordered[max(0, min(len(ordered) - 1, -(-len(ordered) * p // 100) - 1))]

    return {"n": len(ordered), "p50": rank(50), "p95": rank(95), "max": ordered[-1]}


def ms(stats: dict[str, float | None]) -> dict[str, float | None]:
    """Seconds to milliseconds, for the latency keys of ``percentiles``."""
    return {k: (v * 1000 if k != "n" and v is not None else v) for k, v in stats.items()}


@dataclass(frozen=True)
class ExactlyOnce:
    """How the log's markers compare with the writes: acknowledged ones missing from the
    log, any marker logged more than once, markers logged though never acknowledged
    (a write whose answer was lost: allowed, reported), and markers nobody sent."""

    acknowledged: int
    logged: int
    missing: tuple[str, ...]
    duplicated: tuple[str, ...]
    unacknowledged_logged: tuple[str, ...]
    unknown: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not (self.missing or self.duplicated or self.unknown)


def exactly_once(
    acknowledged: Iterable[str], attempted: Iterable[str], logged: Iterable[str]
) -> ExactlyOnce:
    acked, tried = set(acknowledged), set(attempted) | set(acknowledged)
    counts = Counter(logged)
    return ExactlyOnce(
        acknowledged=len(acked),
        logged=sum(counts.values()),
        missing=tuple(sorted(acked - counts.keys())),
        duplicated=tuple(sorted(m for m, n in counts.items() if n > 1)),
        unacknowledged_logged=tuple(sorted((counts.keys() & tried) - acked)),
        unknown=tuple(sorted(counts.keys() - tried)),
    )


def gaps(positions: Iterable[int]) -> list[int]:
    """The positions missing from 1 to the highest one (``duplicates``: any given twice)."""
    seen = set(positions)
    return [p for p in range(1, max(seen, default=0) + 1) if p not in seen]


def duplicates(positions: Iterable[int]) -> list[int]:
    return sorted(p for p, n in Counter(positions).items() if n > 1)


def ratios(rates: dict[int, float | None]) -> dict[int, float | None]:
    """Each rate divided by the 1-worker rate (the smallest worker count given)."""
    if not rates:
        return {}
    base = rates[min(rates)]
    return {n: (r / base if r is not None and base else None) for n, r in rates.items()}


_UNITS_S = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def _wrk_duration(text: str) -> float:
    found = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if not found:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(found.group(1)) * _UNITS_S[found.group(2)]


def parse_wrk(text: str) -> dict[str, Any]:
    """wrk's report (with ``--latency`` and ``WRK_LUA_SCRIPT``'s status lines) as
    figures; raises ValueError when it holds no request count."""
    total = re.search(r"(\d+) requests in ([\d.]+(?:us|ms|s|m|h)),", text)
    if not total:
        raise ValueError(f"cannot read wrk's output:\n{text}")
    rate = re.search(r"Requests/sec:\s+([\d.]+)", text)
    errors = re.search(r"connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    non_ok = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    latency = {
        f"p{p}_ms": _wrk_duration(v) * 1000
        for p, v in re.findall(r"^\s+(\d+)%\s+(\d[\d.]*(?:us|ms|s|m|h))\s*$", text, re.M)
    }
    statuses = {int(s): int(n) for s, n in re.findall(r"^status (\d{3}) (\d+)$", text, re.M)}
    return {
        "requests": int(total.group(1)),
        "seconds": _wrk_duration(total.group(2)),
        "rps": float(rate.group(1)) if rate else None,
        **latency,
        "socket_errors": dict(
            zip(("connect", "read", "write", "timeout"), map(int, errors.groups()), strict=True)
        )
        if errors
        else {"connect": 0, "read": 0, "write": 0, "timeout": 0},
        "non_2xx_3xx": int(non_ok.group(1)) if non_ok else 0,
        "statuses": statuses,
    }


def as_of_dates(first: date, count: int) -> list[str]:
    """``count`` consecutive days from ``first``: the ``as_of`` values of uncached runs."""
    return [(first + timedelta(days=n)).isoformat() for n in range(count)]


WRK_LUA_SCRIPT = """
-- Generated by bench/deploy.py. Arguments: PATH MODE (fixed | vary).
-- vary: each request adds as_of=<one of many days> so that the response cache misses.
local dates = {%(dates)s}
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  base = args[1]
  mode = args[2]
  sep = string.find(base, "?", 1, true) and "&" or "?"
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
  counts = {}
end
function request()
  local path = base
  if mode == "vary" then path = base .. sep .. "as_of=" .. dates[math.random(#dates)] end
  return wrk.format("GET", path)
end
function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end
function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for status, n in pairs(t:get("counts")) do total[status] = (total[status] or 0) + n end
  end
  for status, n in pairs(total) do io.write(string.format("status %%d %%d\\n", status, n)) end
end
"""


def wrk_script(dates: Sequence[str]) -> str:
    return WRK_LUA_SCRIPT % {"dates": ", ".join(f'"{d}"' for d in dates)}


@dataclass(frozen=True)
class Capabilities:
    """What the installed ``tracker`` offers of the deployment under test."""

    workers: bool
    no_project: bool
    no_tick: bool
    base_url: bool
    project_command: bool

    @property
    def full(self) -> bool:
        return self.workers and self.no_project and self.project_command

    def describe(self, workers: int) -> str:
        if self.full:
            return f"tracker serve --workers {workers} --no-project + tracker project"
        missing = [
            name
            for name, there in (
                ("serve --workers", self.workers),
                ("serve --no-project", self.no_project),
                ("tracker project", self.project_command),
            )
            if not there
        ]
        served = (
            f"`tracker serve --workers {workers}`, each worker projecting in a thread"
            if self.workers
            else "one `tracker serve` process projecting in a thread"
        )
        return f"FALLBACK: {served} (this tracker has no {', no '.join(missing)})"


def capabilities(serve_help: str, main_help: str) -> Capabilities:
    """Read from the help texts: the flags of ``serve`` and the commands of ``tracker``."""
    braces = re.search(r"\{([a-z,-]+)\}", main_help)  # argparse's {load,status,...}
    names = set(braces.group(1).split(",")) if braces else set()
    names |= set(re.findall(r"^ {4}([a-z][a-z-]*)(?: |$)", main_help, re.M))  # metavar COMMAND
    return Capabilities(
        workers="--workers" in serve_help,
        no_project="--no-project" in serve_help,
        no_tick="--no-tick" in serve_help,
        base_url="--base-url" in serve_help,
        project_command="project" in names,
    )


def retry_after_ok(status: int | None, retry_after: str | None) -> bool:
    """A 503 must say when to come back (delta-seconds or an HTTP date)."""
    if status != 503:
        return True
    return bool(retry_after and retry_after.strip())


def recovery_seconds(
    answers: Sequence[tuple[float, bool]], back_at: float
) -> tuple[float | None, float | None]:
    """From (time, succeeded) pairs in time order: seconds after ``back_at`` to the first
    success, and to the last failure after which everything succeeded (None: never)."""
    later = [(t, ok) for t, ok in answers if t >= back_at]
    first = next((t - back_at for t, ok in later if ok), None)
    if not later or not later[-1][1]:
        return first, None
    last_failure = max((t for t, ok in later if not ok), default=back_at)
    return first, max(0.0, last_failure - back_at)


# Processes, databases and clean-up


class Cleanup:
    """Undo steps, run newest first, once, whatever happens (Ctrl-C and SIGTERM too)."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, Callable[[], None]]] = []

    def add(self, name: str, step: Callable[[], None]) -> Callable[[], None]:
        self.steps.append((name, step))
        return step

    def run(self, step: Callable[[], None]) -> None:
        """Run one step now, and forget it."""
        self.steps = [(n, s) for n, s in self.steps if s is not step]
        step()

    def all(self, keep: str | None = None) -> None:
        """Run every step (but those named ``keep``), newest first."""
        kept = [(n, s) for n, s in self.steps if n == keep]
        self.steps = [(n, s) for n, s in self.steps if n != keep]
        while self.steps:
            name, step = self.steps.pop()
            try:
                step()
            except Exception as error:
                print(f"  clean-up: {name} failed: {error}", file=sys.stderr)
        self.steps = kept


CLEANUP = Cleanup()


def say(text: str = "") -> None:
    print(text, flush=True)


def tracker_bin() -> str:
    here = Path(sys.executable).parent / "tracker"
    return str(here) if here.exists() else (shutil.which("tracker") or "tracker")


def tracker(url: str, *args: str, timeout: float = 600, check: bool = True):
    done = subprocess.run(
        [tracker_bin(), "--database-url", url, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check and done.returncode != 0:
        raise RuntimeError(f"tracker {' '.join(args)} failed: {done.stderr.strip()}")
    return done


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def psql_connect(database: str = BASE_DATABASE, **kwargs: Any):
    import psycopg

    return psycopg.connect(f"{POSTGRES}/{database}", connect_timeout=5, **kwargs)


def create_database(name: str) -> str:
    with psql_connect(autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psql_connect(autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    CLEANUP.add(f"drop database {name}", drop)
    return f"{POSTGRES}/{name}"


def pg_cluster() -> tuple[str, str]:
    versions = sorted(os.listdir("/etc/postgresql")) if os.path.isdir("/etc/postgresql") else []
    return (versions[-1] if versions else "15"), "main"


def pg_ready() -> bool:
    try:
        with psql_connect() as conn:
            conn.execute("SELECT 1")
        return True
    except Exception:
        return False


def pg_ctl(action: str) -> subprocess.CompletedProcess:
    version, cluster = pg_cluster()
    return subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, cluster, action],
        capture_output=True,
        text=True,
        timeout=120,
    )


def ensure_pg_running() -> None:
    if pg_ready():
        return
    say("  PostgreSQL is down: starting it again")
    pg_ctl("start")
    for _ in range(60):
        if pg_ready():
            return
        time.sleep(1)
    say("  WARNING: PostgreSQL did not come back; start it by hand: pg_ctlcluster 15 main start")


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def stop_group(proc: subprocess.Popen, grace: float = 10.0) -> None:
    """SIGTERM to the process's group, then SIGKILL after ``grace`` seconds."""
    if proc.poll() is not None:
        _kill_group(proc.pid, signal.SIGKILL)  # its children may outlive it
        return
    _kill_group(proc.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(grace)
    _kill_group(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(5)


def _kill_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


# HTTP


@dataclass
class Answer:
    status: int | None  # None: no HTTP answer (connection refused, reset, timeout)
    headers: dict[str, str]
    body: bytes
    error: str | None
    started: float  # time.monotonic()
    elapsed: float

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None


def call(
    port: int,
    method: str,
    path: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30.0,
) -> Answer:
    """One request on a connection of its own (servers come and go in these scenarios)."""
    started = time.monotonic()
    data = None if body is None else json.dumps(body).encode()
    sent = dict(headers or {})
    if data is not None:
        sent["Content-Type"] = "application/json"
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=data, headers=sent)
        response = conn.getresponse()
        payload = response.read()
        found = {k.lower(): v for k, v in response.getheaders()}
        return Answer(response.status, found, payload, None, started, time.monotonic() - started)
    except (OSError, http.client.HTTPException) as error:
        return Answer(None, {}, b"", type(error).__name__, started, time.monotonic() - started)
    finally:
        conn.close()


# The deployment under test


class Deployment:
    """``tracker serve`` (N workers, no projector) and ``tracker project``, or what the
    installed tracker offers of that; each process in a group of its own."""

    def __init__(self, url: str, caps: Capabilities, workers: int, logs: Path) -> None:
        self.url, self.caps, self.workers, self.logs = url, caps, workers, logs
        self.port = free_port()
        self.server: subprocess.Popen | None = None
        self.projector: subprocess.Popen | None = None
        self.starts = 0

    @property
    def description(self) -> str:
        return self.caps.describe(self.workers)

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        log = (self.logs / f"{name}-{self.port}-{self.starts}.log").open("w")
        env = os.environ | {"TRACKER_DATABASE_URL": self.url}
        proc = subprocess.Popen(
            [tracker_bin(), "--database-url", self.url, *args],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a group of its own: kill -9 reaches its workers
            env=env,
        )
        CLEANUP.add(f"stop {name} {proc.pid}", lambda: stop_group(proc))
        proc.log_path = Path(log.name)  # type: ignore[attr-defined]
        log.close()
        return proc

    def start(self, ready_within: float = 90.0) -> None:
        self.starts += 1
        if self.caps.full:
            self.projector = self._spawn("projector", ["project"])
        args = ["serve", "--host", HOST, "--port", str(self.port)]
        if self.caps.workers:
            args += ["--workers", str(self.workers)]
        if self.caps.full:
            args.append("--no-project")
        if self.caps.no_tick:
            args.append("--no-tick")
        if self.caps.base_url:
            args += ["--base-url", f"http://{HOST}:{self.port}"]
        self.server = self._spawn("server", args)
        self.wait_ready(ready_within)

    def wait_ready(self, within: float) -> None:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise RuntimeError(
                    f"the server stopped ({self.server.returncode}):\n{_tail(self.server.log_path)}"
                )
            if call(self.port, "GET", "/readyz", timeout=5).status == 200:
                return
            time.sleep(0.2)
        raise RuntimeError(
            f"the server was not ready in {within:g} s:\n{_tail(self.server.log_path)}"
        )

    def processes(self) -> list[subprocess.Popen]:
        return [p for p in (self.server, self.projector) if p is not None]

    def worker_pids(self) -> list[int]:
        """uvicorn's worker processes (its supervisor's spawned children), else the server."""
        if self.server is None:
            return []
        spawned = [c for c in children(self.server.pid) if "spawn_main" in cmdline(c)]
        return spawned or [self.server.pid]

    def kill_one_worker(self) -> tuple[int, bool]:
        """kill -9 one worker; True when that was the whole server (no separate workers)."""
        pid = self.worker_pids()[0]
        whole = pid == self.server.pid
        os.kill(pid, signal.SIGKILL)
        return pid, whole

    def kill_all(self) -> None:
        for proc in self.processes():
            _kill_group(proc.pid, signal.SIGKILL)
        for proc in self.processes():
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(10)

    def stop(self) -> None:
        for proc in self.processes():
            CLEANUP.steps = [(n, s) for n, s in CLEANUP.steps if not n.endswith(f" {proc.pid}")]
            stop_group(proc)
        self.server = self.projector = None

    # What the deployment says about itself

    def readyz(self) -> dict[str, Any] | None:
        answer = call(self.port, "GET", "/readyz", timeout=10)
        return answer.json() if answer.status == 200 else None

    def wait_caught_up(self, within: float = 120.0) -> tuple[dict[str, Any] | None, float]:
        """Poll /readyz until lag is 0 twice in a row; returns the last body and the wait."""
        started = time.monotonic()
        last, zero = None, 0
        while time.monotonic() - started < within:
            last = self.readyz()
            zero = zero + 1 if last and last.get("lag") == 0 else 0
            if zero >= 2:
                break
            time.sleep(0.25)
        return last, time.monotonic() - started


# The store each scenario starts from


def plan_folder(root: Path, commitments: int) -> Path:
    """A plan of ``commitments`` commitments, one announcement each, for the writers."""
    folder = root / PLAN
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "plan.yaml").write_text(
        f"plan: {PLAN}\n"
        'title: "Deployment benchmark plan"\n'
        'publisher: "Bench Council"\n'
        "published_on: 2024-01-15\n"
        "sources:\n"
        f"  {SOURCE_KEY}:\n"
        '    publisher: "Bench Gazette"\n'
        '    title: "A report"\n'
        "    published_on: 2024-01-16\n"
    )
    for n in range(1, commitments + 1):
        (folder / f"c{n:02d}.yaml").write_text(
            f"commitment: c{n:02d}\n"
            f'title: "Benchmark commitment {n}"\n'
            "theme: Benchmark\n"
            "events:\n"
            "  - type: announced\n"
            "    date: 2024-01-15\n"
            f"    source: {SOURCE_KEY}\n"
            f'    summary: "Commitment {n} of the deployment benchmark."\n'
            "  - type: deadline_set\n"
            "    date: 2024-01-15\n"
            "    due: 2026-12\n"
            f"    source: {SOURCE_KEY}\n"
        )
    return folder


@dataclass
class Store:
    url: str
    token: str


def fresh_store(n: int, workdir: Path) -> Store:
    """A new database with the bundled plan and the bench plan, ticked, and a token."""
    url = create_database(f"bench_deploy_{os.getpid()}_{n}")
    folder = plan_folder(workdir / f"plans-{n}", 24)
    tracker(url, "load", "--quiet", str(ROOT / "events"), str(folder))
    tracker(url, "tick")
    token = tracker(
        url, "token", "create", "--name", "bench", "--role", "editor", "--organisation", "Bench"
    ).stdout.strip()
    return Store(url, token)


def commitment_path(slug: str) -> str:
    return f"/api/v1/plans/{PLAN}/commitments/{slug}"


# Writers


@dataclass
class Outcome:
    marker: str
    commitment: str
    acked: bool
    latency: float  # from the first attempt to the final answer
    attempts: int
    first_status: int | None = None
    final_status: int | None = None
    retry_after_missing: int = 0  # 503s without Retry-After
    visible_at_once: bool | None = None  # in the read API on the next GET after the 201


@dataclass
class Tally:
    """Every answer the clients got, by status (``None``: no HTTP answer)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    no_retry_after: int = 0
    timeline: list[tuple[float, str, int | None, float]] = field(default_factory=list)

    def note(self, kind: str, answer: Answer) -> None:
        with self.lock:
            self.statuses[answer.status] += 1
            if answer.error:
                self.errors[answer.error] += 1
            if not retry_after_ok(answer.status, answer.headers.get("retry-after")):
                self.no_retry_after += 1
            self.timeline.append((answer.started, kind, answer.status, answer.elapsed))

    def summary(self) -> dict[str, Any]:
        return {
            "statuses": {str(k): v for k, v in sorted(self.statuses.items(), key=str)},
            "connection_errors": dict(self.errors),
            "503_without_retry_after": self.no_retry_after,
        }


def version_from(answer: Answer) -> int | None:
    """The version a 201 carries: its ETag where there is one, else the body's."""
    etag = answer.headers.get("etag")
    if etag:
        digits = etag.removeprefix("W/").strip('"')
        if digits.isdigit():
            return int(digits)
    body = answer.json()
    return body.get("version") if isinstance(body, dict) else None


class Writer:
    """Writes events to one commitment, each with If-Match and an Idempotency-Key,
    retrying the same request on 409 (with the version the 409 names), 503 and lost
    connections, until ``give_up_after`` seconds per event."""

    def __init__(
        self,
        port: Callable[[], int],
        token: str,
        commitment: str,
        prefix: str,
        tally: Tally,
        *,
        check_visible: bool = False,
        give_up_after: float = 180.0,
    ) -> None:
        self.port, self.token, self.commitment = port, token, commitment
        self.prefix, self.tally = prefix, tally
        self.check_visible, self.give_up_after = check_visible, give_up_after
        self.version: int | None = None
        self.outcomes: list[Outcome] = []
        self.attempted: list[str] = []

    def _read_version(self) -> None:
        answer = call(self.port(), "GET", commitment_path(self.commitment))
        self.tally.note("read", answer)
        if answer.status == 200:
            self.version = answer.json()["version"]

    def write(self, n: int, stop: threading.Event | None = None) -> Outcome:
        marker = f"{self.prefix}-{self.commitment}-{n:04d}-{uuid.uuid4().hex[:8]}"
        self.attempted.append(marker)
        body = {"type": "progress_reported", "date": "2024-06", "source": SOURCE_KEY}
        body["note"] = marker
        key = uuid.uuid4().hex
        started = time.monotonic()
        outcome = Outcome(marker, self.commitment, False, 0.0, 0)
        while time.monotonic() - started < self.give_up_after:
            if self.version is None:
                self._read_version()
                if self.version is None:
                    time.sleep(0.2)
                    continue
            headers = {
                "Authorization": f"Bearer {self.token}",
                "Idempotency-Key": key,
                "If-Match": f'"{self.version}"',
            }
            answer = call(
                self.port(), "POST", commitment_path(self.commitment) + "/events", body, headers
            )
            self.tally.note("write", answer)
            outcome.attempts += 1
            outcome.first_status = outcome.first_status or answer.status or 0
            outcome.final_status = answer.status
            if answer.status == 201:
                outcome.acked = True
                self.version = version_from(answer) or (self.version + 1)
                break
            if answer.status == 409:
                current = (answer.json() or {}).get("current_version")
                if current is not None:
                    self.version = current  # stale If-Match: aim at the version it names
                    time.sleep(random.uniform(0, 0.01))
                else:
                    time.sleep(0.5)  # this key is in progress elsewhere, or too many writers
                continue
            if answer.status == 503:
                wait = answer.headers.get("retry-after", "")
                time.sleep(min(float(wait), 2.0) if wait.isdigit() else 0.5)
                continue
            if answer.status is None or answer.status >= 500:
                time.sleep(0.3)  # lost connection, or a 5xx: the same request again
                continue
            break  # any other 4xx: a bug in this script or the server; not retried
        outcome.latency = time.monotonic() - started
        if outcome.acked and self.check_visible:
            seen = call(self.port(), "GET", commitment_path(self.commitment))
            notes = [e.get("note") for e in (seen.json() or {}).get("events", [])]
            outcome.visible_at_once = seen.status == 200 and marker in notes
        self.outcomes.append(outcome)
        return outcome

    def run(self, count: int, stop: threading.Event | None = None) -> None:
        for n in range(count):
            if stop is not None and stop.is_set():
                return
            self.write(n)


def run_writers(writers: Sequence[Writer], count: int, stop: threading.Event | None = None):
    threads = [
        threading.Thread(target=w.run, args=(count, stop), daemon=True, name=f"writer-{i}")
        for i, w in enumerate(writers)
    ]
    for t in threads:
        t.start()
    return threads


def outcomes(writers: Sequence[Writer]) -> list[Outcome]:
    return [o for w in writers for o in w.outcomes]


def write_figures(writers: Sequence[Writer]) -> dict[str, Any]:
    done = outcomes(writers)
    acked = [o for o in done if o.acked]
    visible = [o.visible_at_once for o in acked if o.visible_at_once is not None]
    return {
        "writes": len(done),
        "acknowledged": len(acked),
        "gave_up": len(done) - len(acked),
        "attempts": sum(o.attempts for o in done),
        "latency_ms": ms(percentiles(o.latency for o in acked)),
        "read_your_write": f"{sum(visible)}/{len(visible)}" if visible else None,
    }


# Checks against the log and the read models


@dataclass
class Scenario:
    name: str
    title: str
    deployment: str = ""
    figures: dict[str, Any] = field(default_factory=dict)
    checks: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def check(self, name: str, ok: bool, detail: str = "") -> bool:
        self.checks.append({"check": name, "ok": bool(ok), "detail": detail})
        say(f"  [{'PASS' if ok else 'FAIL'}] {name}{': ' + detail if detail else ''}")
        return ok

    def note(self, text: str) -> None:
        self.notes.append(text)
        say(f"  note: {text}")

    @property
    def ok(self) -> bool:
        return all(c["ok"] for c in self.checks)


def _counted(items: Sequence[Any]) -> str:
    return f"{len(items)} ({_shown(items)})" if items else "0"


def _shown(items: Sequence[Any], limit: int = 5) -> str:
    head = ", ".join(str(i) for i in list(items)[:limit])
    return head + (f" … ({len(items)} in all)" if len(items) > limit else "")


def check_record(
    s: Scenario,
    dep: Deployment,
    store: Store,
    prefix: str,
    acked: Iterable[str],
    attempted: Iterable[str],
    commitments: Iterable[str],
    *,
    exact: bool = False,
) -> None:
    """The log against the writes, the chain, and the read models against the log.
    ``exact``: the log must hold the acknowledged writes and nothing else of theirs."""
    acked, attempted = list(acked), list(attempted)
    entries = [
        json.loads(line)
        for line in tracker(store.url, "export", "--format", "jsonl").stdout.splitlines()
    ]
    logged = [e["note"] for e in entries if str(e.get("note", "")).startswith(prefix)]
    result = exactly_once(acked, attempted, logged)
    s.figures["log"] = {
        "acknowledged": result.acknowledged,
        "logged": result.logged,
        "unacknowledged_but_logged": len(result.unacknowledged_logged),
    }
    s.check(
        "every acknowledged event is in the log exactly once",
        result.ok,
        f"{result.acknowledged} acknowledged, {result.logged} logged;"
        f" missing {_counted(result.missing)}, duplicated {_counted(result.duplicated)}",
    )
    if exact:
        s.check(
            "nothing half-written: the log holds exactly the acknowledged writes",
            result.ok and not result.unacknowledged_logged,
            f"{len(result.unacknowledged_logged)} logged without a 201",
        )
    elif result.unacknowledged_logged:
        s.note(
            f"{len(result.unacknowledged_logged)} events are logged whose writer never saw a 201"
            " (an answer lost with a connection; allowed)"
        )
    # Log positions (notification ids) may skip numbers on PostgreSQL, which spends one
    # on every insert that rolls back (a writer that lost a race, a killed process).
    # The log's own count is the hash chain's: verify walks it link by link, so "no
    # gap" means verify passes and counts every exported event, each once, in order.
    positions = [
        json.loads(line)["event"]
        for line in tracker(store.url, "export", "--format", "log").stdout.splitlines()
    ]
    verify = tracker(store.url, "verify", "--json", check=False)
    chained = json.loads(verify.stdout).get("events") if verify.returncode == 0 else None
    twice = duplicates(positions)
    in_order = positions == sorted(positions)
    s.check(
        "tracker verify passes",
        verify.returncode == 0,
        verify.stdout.strip().replace("\n", " ")[:200] if verify.returncode else "",
    )
    s.check(
        "no gap in the log: the chain counts every exported event, once each, in order",
        chained == len(positions) and not twice and in_order,
        f"{len(positions)} exported, {chained} chained; positions up to"
        f" {max(positions, default=0)} ({len(gaps(positions))} numbers skipped by rolled-back"
        " inserts)" + (f"; twice: {_shown(twice)}" if twice else ""),
    )
    ready, waited = dep.wait_caught_up()
    s.figures["catch_up_s"] = round(waited, 2)
    s.check(
        "/readyz: the read models caught up (lag 0, projected == events)",
        bool(ready) and ready.get("lag") == 0 and ready.get("projected") == ready.get("events"),
        f"{ready} after {waited:.1f} s",
    )
    s.check(
        "/readyz events == the number of events in the log",
        bool(ready) and ready.get("events") == len(positions),
        f"readyz {ready.get('events') if ready else None}, log {len(positions)}",
    )
    by_commitment = Counter(e["commitment"] for e in entries if e.get("plan") == PLAN)
    wrong: list[str] = []
    for slug in sorted(set(commitments)):
        answer = call(dep.port, "GET", commitment_path(slug))
        events = (answer.json() or {}).get("events", []) if answer.status == 200 else []
        mine = Counter(
            e["note"]
            for e in entries
            if e.get("commitment") == slug and str(e.get("note", "")).startswith(prefix)
        )
        shown = Counter(e.get("note") for e in events if str(e.get("note", "")).startswith(prefix))
        if answer.status != 200 or len(events) != by_commitment[slug]:
            wrong.append(
                f"{slug}: API {len(events)} events (HTTP {answer.status}),"
                f" log {by_commitment[slug]}"
            )
        elif shown != mine or any(n != 1 for n in shown.values()):
            wrong.append(f"{slug}: the API's events differ from the log's")
    s.check(
        "the read API shows each commitment's logged events, each once",
        not wrong,
        _shown(wrong, 3) if wrong else f"{len(set(commitments))} commitments",
    )


# Scenarios


@dataclass
class Context:
    args: argparse.Namespace
    caps: Capabilities
    workdir: Path
    counter: int = 0

    def store(self) -> Store:
        self.counter += 1
        return fresh_store(self.counter, self.workdir)

    def deployment(self, store: Store, workers: int) -> Deployment:
        dep = Deployment(store.url, self.caps, workers, self.workdir)
        dep.start()
        return dep


def scenario_writers(ctx: Context) -> Scenario:
    s = Scenario("writers", "16 writers × 63 events through the write API")
    store = ctx.store()
    dep = ctx.deployment(store, 4)
    s.deployment = dep.description
    say(f"  deployment: {s.deployment}")
    tally, prefix = Tally(), f"w{uuid.uuid4().hex[:6]}"
    count = ctx.args.events_per_writer
    owned = [f"c{n:02d}" for n in range(1, 9)]
    shared = ["c09", "c10"]
    writers = [
        Writer(lambda: dep.port, store.token, c, prefix, tally, check_visible=True) for c in owned
    ]
    writers += [
        Writer(lambda: dep.port, store.token, shared[i % 2], prefix, tally, check_visible=True)
        for i in range(8)
    ]
    started = time.monotonic()
    for t in run_writers(writers, count):
        t.join()
    elapsed = time.monotonic() - started
    s.figures = {
        "writers": len(writers),
        "events_per_writer": count,
        "seconds": round(elapsed, 2),
        "acknowledged_per_s": round(sum(o.acked for o in outcomes(writers)) / elapsed, 1),
        "own_commitment": write_figures(writers[:8]),
        "shared_commitments": write_figures(writers[8:]),
        "answers": tally.summary(),
    }
    _print_writes(s)
    s.check("no write gave up", all(o.acked for o in outcomes(writers)))
    s.check("no 500 answered", not any(k and k >= 500 and k != 503 for k in tally.statuses))
    s.check(
        "every 503 carried Retry-After",
        tally.no_retry_after == 0,
        f"{tally.no_retry_after} without",
    )
    visible = [o.visible_at_once for o in outcomes(writers) if o.acked]
    s.check(
        "read your write: each 201's event is in the read API on the next GET",
        all(visible),
        f"{sum(bool(v) for v in visible)} of {len(visible)}",
    )
    acked = [o.marker for o in outcomes(writers) if o.acked]
    attempted = [m for w in writers for m in w.attempted]
    check_record(s, dep, store, prefix, acked, attempted, owned + shared)
    dep.stop()
    return s


def _print_writes(s: Scenario) -> None:
    for group in ("own_commitment", "shared_commitments", "writes"):
        f = s.figures.get(group)
        if not f:
            continue
        lat = f["latency_ms"]
        say(
            f"  {group.replace('_', ' ')}: {f['acknowledged']}/{f['writes']} acknowledged in"
            f" {f['attempts']} attempts; latency ms p50 {_n(lat['p50'])} p95 {_n(lat['p95'])}"
            f" max {_n(lat['max'])}; read-your-write {f['read_your_write']}"
        )
    if "answers" in s.figures:
        say(f"  answers by status: {s.figures['answers']}")


def _lat(stats: dict[str, Any], digits: int = 0) -> str:
    return " ".join(f"{k} {_n(stats.get(k), digits)}" for k in ("p50", "p95", "max"))


def _n(value: float | None, digits: int = 0) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def scenario_crash(ctx: Context) -> Scenario:
    s = Scenario("crash", "kill -9 of one worker, then of every process, during writes")
    store = ctx.store()
    dep = ctx.deployment(store, 4)
    s.deployment = dep.description
    say(f"  deployment: {s.deployment}")
    tally, prefix = Tally(), f"k{uuid.uuid4().hex[:6]}"
    commitments = [f"c{n:02d}" for n in range(1, 9)]
    writers = [Writer(lambda: dep.port, store.token, c, prefix, tally) for c in commitments]
    stop = threading.Event()
    threads = run_writers(writers, 10_000, stop)
    phase = ctx.args.crash_phase_s

    def acked() -> int:
        return sum(o.acked for o in outcomes(writers))

    time.sleep(phase)
    before = dep.worker_pids()
    pid, whole = dep.kill_one_worker()
    killed_at = time.monotonic()
    say(f"  kill -9 worker {pid} after {acked()} acknowledged writes")
    if whole:
        s.note("no separate workers: killing 'one worker' killed the whole server; restarting it")
        dep.kill_all()
        dep.start()
    else:
        time.sleep(3)
        after = dep.worker_pids()
        s.figures["workers_after_one_killed"] = {"before": before, "after": after}
        s.check(
            "uvicorn replaced the killed worker",
            len(after) == len(before) and pid not in after,
            f"workers {before} -> {after}",
        )
    time.sleep(phase)
    say(f"  kill -9 of every process after {acked()} acknowledged writes")
    dep.kill_all()
    down_at = time.monotonic()
    time.sleep(2)
    dep.start()
    s.figures["restart_s"] = round(time.monotonic() - down_at, 2)
    time.sleep(phase)
    stop.set()
    for t in threads:
        t.join(240)
    s.figures.update(
        writes=write_figures(writers),
        answers=tally.summary(),
        first_kill_after_s=round(killed_at - min(a[0] for a in tally.timeline), 1),
    )
    _print_writes(s)
    s.check("no 500 answered", not any(k and k >= 500 and k != 503 for k in tally.statuses))
    done = outcomes(writers)
    s.check(
        "no write gave up", all(o.acked for o in done), f"{sum(not o.acked for o in done)} gave up"
    )
    check_record(
        s,
        dep,
        store,
        prefix,
        [o.marker for o in done if o.acked],
        [m for w in writers for m in w.attempted],
        commitments,
    )
    dep.stop()
    return s


def scenario_pg_restart(ctx: Context) -> Scenario:
    s = Scenario("pg-restart", "PostgreSQL restarted during reads and writes")
    store = ctx.store()
    dep = ctx.deployment(store, 4)
    s.deployment = dep.description
    say(f"  deployment: {s.deployment}")
    tally, prefix = Tally(), f"r{uuid.uuid4().hex[:6]}"
    commitments = [f"c{n:02d}" for n in range(1, 5)]
    writers = [Writer(lambda: dep.port, store.token, c, prefix, tally) for c in commitments]
    stop = threading.Event()
    threads = run_writers(writers, 10_000, stop)
    days = as_of_dates(date(2021, 1, 1), 1500)

    def read(n: int) -> None:
        paths = (f"/plans/{PLAN}", f"/api/v1/plans/{BUNDLED_PLAN}/commitments")
        i = 0
        while not stop.is_set():
            path = paths[i % 2] + f"?as_of={random.choice(days)}"
            tally.note("read", call(dep.port, "GET", path, timeout=30))
            i += 1
            time.sleep(0.02)

    readers = [threading.Thread(target=read, args=(n,), daemon=True) for n in range(2)]
    for t in readers:
        t.start()
    time.sleep(5)
    restart_began = time.monotonic()
    say("  restarting PostgreSQL …")
    try:
        done = pg_ctl("restart")
    finally:
        ensure_pg_running()
    back_at = time.monotonic()
    say(f"  PostgreSQL back after {back_at - restart_began:.1f} s (exit {done.returncode})")
    if done.returncode:
        s.note(f"pg_ctlcluster restart: {done.stderr.strip()}")
    time.sleep(ctx.args.recovery_window_s)
    stop.set()
    for t in readers + threads:
        t.join(240)
    timeline = sorted(tally.timeline)
    ok = [(t + e, st is not None and st < 400) for t, _, st, e in timeline]
    reads_ok = [(t + e, st is not None and st < 400) for t, k, st, e in timeline if k == "read"]
    writes_ok = [(t + e, st == 201) for t, k, st, e in timeline if k == "write"]
    during = Counter(str(st) for t, _, st, e in timeline if restart_began <= t + e)
    first, steady = recovery_seconds(ok, back_at)
    first_read, steady_read = recovery_seconds(reads_ok, back_at)
    first_write, steady_write = recovery_seconds(writes_ok, back_at)
    s.figures = {
        "restart_s": round(back_at - restart_began, 2),
        "answers_from_restart_on": dict(during),
        "answers": tally.summary(),
        "recovered_first_success_s": {"reads": first_read, "writes": first_write},
        "recovered_all_succeed_after_s": {"reads": steady_read, "writes": steady_write},
        "writes": write_figures(writers),
    }
    say(f"  answers from the restart on: {dict(during)}")
    say(
        f"  after PostgreSQL was back: first success in {_n(first, 2)} s"
        f" (reads {_n(first_read, 2)}, writes {_n(first_write, 2)});"
        f" everything succeeds after {_n(steady, 2)} s"
        f" (reads {_n(steady_read, 2)}, writes {_n(steady_write, 2)})"
    )
    _print_writes(s)
    statuses = tally.statuses
    s.check(
        "never a 500", not any(k and k >= 500 and k != 503 for k in statuses), str(dict(statuses))
    )
    s.check(
        "every 503 carried Retry-After",
        tally.no_retry_after == 0,
        f"{tally.no_retry_after} without",
    )
    s.check(
        "the server's socket stayed up (no connection refused or reset)",
        not tally.errors,
        str(dict(tally.errors)) if tally.errors else "",
    )
    s.check(
        f"recovered without a restart within the {ctx.args.recovery_window_s:g} s window",
        steady is not None,
        f"N = {_n(steady, 2)} s after PostgreSQL was back",
    )
    alive = [p.poll() is None for p in dep.processes()]
    s.check("every process still running", all(alive), f"{alive}")
    check_record(
        s,
        dep,
        store,
        prefix,
        [o.marker for o in outcomes(writers) if o.acked],
        [m for w in writers for m in w.attempted],
        commitments,
    )
    dep.stop()
    return s


def wrk_run(port: int, path: str, mode: str, duration: float, script: Path) -> dict[str, Any]:
    command = ["wrk", "-t2", "-c64", f"-d{duration:g}s", "--timeout", "10s", "--latency"]
    command += ["-s", str(script), f"http://{HOST}:{port}{path}", "--", path, mode]
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 120)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr.strip()}")
    return parse_wrk(done.stdout)


THROUGHPUT_URLS = (
    ("page", f"/plans/{BUNDLED_PLAN}"),
    ("feed", "/feeds/delays.rss"),
    ("api", f"/api/v1/plans/{BUNDLED_PLAN}/commitments"),
)


def scenario_throughput(ctx: Context) -> Scenario:
    s = Scenario("throughput", f"wrk -t2 -c64 -d{ctx.args.duration:g}s, by worker count")
    if not shutil.which("wrk"):
        s.check("wrk is installed", False, "wrk is not on PATH: apt-get install -y wrk")
        return s
    store = ctx.store()
    script = ctx.workdir / "vary.lua"
    script.write_text(wrk_script(as_of_dates(date(2020, 11, 13), 1800)))
    workers_list = ctx.args.workers_list if ctx.caps.workers else [1]
    if not ctx.caps.workers:
        s.note("serve has no --workers: 1 worker only, no ratios")
    runs: dict[str, dict[int, dict[str, Any]]] = {}
    for workers in workers_list:
        dep = ctx.deployment(store, workers)
        s.deployment = dep.description
        say(f"  {workers} worker(s): {dep.description}")
        for name, path in THROUGHPUT_URLS:
            for mode in ("fixed", "vary"):
                label = f"{name} {'cached' if mode == 'fixed' else 'uncached'}"
                run = wrk_run(dep.port, path, mode, ctx.args.duration, script)
                runs.setdefault(label, {})[workers] = run
                bad = run["non_2xx_3xx"] + sum(run["socket_errors"].values())
                say(
                    f"    {label:16} {run['rps']:>9,.1f} req/s  p50 {_n(run.get('p50_ms'), 1)} ms"
                    f"  p99 {_n(run.get('p99_ms'), 1)} ms  errors {bad}"
                    f"  statuses {run['statuses']}"
                )
        dep.stop()
    table = {}
    for label, by_workers in runs.items():
        rates = {n: r["rps"] for n, r in by_workers.items()}
        table[label] = {
            "rps": rates,
            "ratio_to_1_worker": {n: (round(x, 2) if x else x) for n, x in ratios(rates).items()},
        }
    s.figures = {"runs": {k: {str(n): r for n, r in v.items()} for k, v in runs.items()}}
    s.figures["table"] = {
        k: {kk: {str(n): x for n, x in vv.items()} for kk, vv in v.items()}
        for k, v in table.items()
    }
    say("  req/s (ratio to 1 worker):")
    say("    " + "".ljust(18) + "".join(f"{n} worker(s)".rjust(22) for n in workers_list))
    for label, row in table.items():
        cells = "".join(
            f"{_n(row['rps'].get(n), 1)} ({_n(row['ratio_to_1_worker'].get(n), 2)})".rjust(22)
            for n in workers_list
        )
        say(f"    {label:18}{cells}")
    errors = {
        f"{label}/{n}": r["non_2xx_3xx"] + sum(r["socket_errors"].values())
        for label, v in runs.items()
        for n, r in v.items()
        if r["non_2xx_3xx"] or sum(r["socket_errors"].values())
    }
    s.check("no non-2xx/3xx answer and no socket error", not errors, str(errors) if errors else "")
    busy = {
        f"{label}/{n}": r["statuses"].get(503)
        for label, v in runs.items()
        for n, r in v.items()
        if r["statuses"].get(503)
    }
    s.check("no 503", not busy, str(busy) if busy else "")
    return s


def scenario_lock(ctx: Context) -> Scenario:
    seconds = ctx.args.lock_seconds
    s = Scenario("lock", f"{EVENTS_TABLE} locked for {seconds:g} s while writes arrive")
    store = ctx.store()
    dep = ctx.deployment(store, 4)
    s.deployment = dep.description
    say(f"  deployment: {s.deployment}")
    prefix = f"l{uuid.uuid4().hex[:6]}"
    reads: list[tuple[float, str, int | None, float]] = []
    stop = threading.Event()
    days = as_of_dates(date(2021, 1, 1), 1500)

    def read() -> None:
        paths = (
            ("page", f"/plans/{BUNDLED_PLAN}"),
            ("api", f"/api/v1/plans/{BUNDLED_PLAN}/commitments"),
            ("api uncached", f"/api/v1/plans/{BUNDLED_PLAN}/commitments"),
        )
        i = 0
        while not stop.is_set():
            kind, path = paths[i % len(paths)]
            if kind == "api uncached":
                path += f"?as_of={random.choice(days)}"
            a = call(dep.port, "GET", path, timeout=120)
            reads.append((a.started, kind, a.status, a.elapsed))
            i += 1
            time.sleep(0.05)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    time.sleep(5)
    import psycopg

    lock_conn = psycopg.connect(store.url, connect_timeout=5)
    CLEANUP.add("release the table lock", lock_conn.close)
    lock_conn.execute(f"LOCK TABLE {EVENTS_TABLE} IN ACCESS EXCLUSIVE MODE")
    locked_at = time.monotonic()
    say(f"  {EVENTS_TABLE} locked (ACCESS EXCLUSIVE); {int(seconds)} writes, one a second")
    results: list[dict[str, Any]] = []
    lock = threading.Lock()

    def one_write(n: int) -> None:
        slug = f"c{(n % 8) + 1:02d}"
        marker = f"{prefix}-{slug}-{n:04d}-{uuid.uuid4().hex[:8]}"
        body = {
            "type": "progress_reported",
            "date": "2024-06",
            "source": SOURCE_KEY,
            "note": marker,
        }
        headers = {"Authorization": f"Bearer {store.token}", "Idempotency-Key": uuid.uuid4().hex}
        a = call(dep.port, "POST", commitment_path(slug) + "/events", body, headers, timeout=120)
        with lock:
            results.append(
                {
                    "marker": marker,
                    "slug": slug,
                    "status": a.status,
                    "error": a.error,
                    "retry_after": a.headers.get("retry-after"),
                    "seconds": a.elapsed,
                    "sent_at": a.started - locked_at,
                }
            )

    writes = []
    for n in range(int(seconds)):
        t = threading.Thread(target=one_write, args=(n,), daemon=True)
        t.start()
        writes.append(t)
        time.sleep(max(0.0, locked_at + n + 1 - time.monotonic()))
    lock_conn.rollback()
    lock_conn.close()
    released_at = time.monotonic()
    say(f"  lock released after {released_at - locked_at:.1f} s")
    for t in writes:
        t.join(180)
    time.sleep(3)
    stop.set()
    reader.join(180)

    def window(a: float, b: float, kind: str) -> dict[str, Any]:
        chosen = [r for r in reads if a <= r[0] < b and r[1] == kind]
        return {
            "latency_ms": ms(percentiles(r[3] for r in chosen)),
            "statuses": dict(Counter(str(r[2]) for r in chosen)),
        }

    first_read = min((r[0] for r in reads), default=locked_at)
    read_figures = {
        kind: {
            "before": window(first_read, locked_at, kind),
            "during": window(locked_at, released_at, kind),
        }
        for kind in ("page", "api", "api uncached")
    }
    statuses = Counter(str(r["status"]) for r in results)
    answered = [r["seconds"] for r in results if r["status"] is not None]
    s.figures = {
        "lock_s": round(released_at - locked_at, 1),
        "writes": len(results),
        "write_statuses": dict(statuses),
        "write_answer_s": percentiles(answered),
        "reads": read_figures,
    }
    wa = s.figures["write_answer_s"]
    say(f"  writes: {dict(statuses)}; answered in (s) {_lat(wa, 2)}")
    for kind, f in read_figures.items():
        b, d = f["before"]["latency_ms"], f["during"]["latency_ms"]
        say(
            f"  reads, {kind:12}: before (ms) {_lat(b, 1)} (n {b['n']});"
            f" during {_lat(d, 1)}"
            f" (n {d['n']}) {f['during']['statuses']}"
        )
    late = [r for r in results if r["status"] is None or r["seconds"] > WRITE_ANSWER_LIMIT_S]
    s.check(
        f"every write answered within {WRITE_ANSWER_LIMIT_S:g} s",
        not late,
        f"{len(late)} of {len(results)} late or unanswered"
        + (f" (slowest {max(r['seconds'] for r in late):.1f} s)" if late else ""),
    )
    wrong = [r for r in results if r["status"] not in (201, 503)]
    no_ra = [r for r in results if r["status"] == 503 and not r["retry_after"]]
    s.check(
        "each answer is 201, or 503 with Retry-After",
        not wrong and not no_ra,
        f"other statuses: {dict(Counter(str(r['status']) for r in wrong))};"
        f" 503 without Retry-After: {len(no_ra)}",
    )
    slow_reads = []
    for kind, f in read_figures.items():
        b, d = f["before"]["latency_ms"], f["during"]["latency_ms"]
        bad = {k: v for k, v in f["during"]["statuses"].items() if k != "200"}
        if (
            not d["n"]
            or bad
            or (b["p95"] and d["p95"] and d["p95"] > max(3 * b["p95"], b["p95"] + 100))
        ):
            slow_reads.append(
                f"{kind}: during p95 {_n(d['p95'], 1)} ms vs {_n(b['p95'], 1)} ms before,"
                f" {f['during']['statuses']}"
            )
    s.check(
        "reads unaffected by the lock (all 200; p95 within 3× and +100 ms of before)",
        not slow_reads,
        "; ".join(slow_reads),
    )
    check_record(
        s,
        dep,
        store,
        prefix,
        [r["marker"] for r in results if r["status"] == 201],
        [r["marker"] for r in results],
        [f"c{n:02d}" for n in range(1, 9)],
        exact=True,
    )
    dep.stop()
    return s


RUNNERS: dict[str, Callable[[Context], Scenario]] = {
    "writers": scenario_writers,
    "crash": scenario_crash,
    "pg-restart": scenario_pg_restart,
    "throughput": scenario_throughput,
    "lock": scenario_lock,
}


# Running


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[1], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--quick", action="store_true", help="short runs: 10 s wrk, 20 s lock, fewer events"
    )
    p.add_argument(
        "--scenario", choices=SCENARIOS, action="append", help="run only this one (repeatable)"
    )
    p.add_argument(
        "--workers-list",
        type=_workers,
        default=[1, 2, 4],
        help="worker counts for throughput (1,2,4)",
    )
    p.add_argument("--duration", type=float, help="seconds per wrk run (default 60; --quick 10)")
    p.add_argument(
        "--lock-seconds", type=float, help="how long the table lock is held (60; --quick 20)"
    )
    p.add_argument("--events-per-writer", type=int, help="scenario 1 (63; --quick 20)")
    p.add_argument(
        "--json", action="store_true", help="print the results as JSON instead of the report"
    )
    args = p.parse_args(argv)
    quick = args.quick
    args.duration = args.duration or (10.0 if quick else 60.0)
    args.lock_seconds = args.lock_seconds or (20.0 if quick else 60.0)
    args.events_per_writer = args.events_per_writer or (20 if quick else 63)
    args.crash_phase_s = 4.0 if quick else 10.0
    args.recovery_window_s = 20.0 if quick else 40.0
    return args


def _workers(text: str) -> list[int]:
    try:
        values = sorted({int(v) for v in text.split(",")})
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a list of worker counts such as 1,2,4"
        ) from None
    if not values or values[0] < 1:
        raise argparse.ArgumentTypeError("worker counts are 1 or more")
    return values


def detect() -> Capabilities:
    serve = subprocess.run([tracker_bin(), "serve", "--help"], capture_output=True, text=True)
    main = subprocess.run([tracker_bin(), "--help"], capture_output=True, text=True)
    return capabilities(serve.stdout, main.stdout)


def _commit() -> str:
    done = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    return done.stdout.strip() or "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    real_stdout = sys.stdout
    if args.json:
        sys.stdout = sys.stderr  # the report goes to standard error; JSON alone to stdout
    signal.signal(signal.SIGTERM, _interrupted)
    caps = detect()
    say(f"bench/deploy.py at {_commit()}: {caps.describe(4)}")
    if not caps.full:
        say("  (the deployment under test is not all there yet: each scenario runs what exists)")
    if not shutil.which("wrk"):
        say("  wrk is NOT installed (apt-get install -y wrk): the throughput scenario will fail")
    if not pg_ready():
        say(f"PostgreSQL does not answer at {POSTGRES}/{BASE_DATABASE}")
        return 2
    chosen = args.scenario or list(SCENARIOS)
    results: list[Scenario] = []
    workdir = Path(tempfile.mkdtemp(prefix="bench-deploy-"))
    CLEANUP.add(WORKDIR_STEP, lambda: shutil.rmtree(workdir, ignore_errors=True))
    ctx = Context(args, caps, workdir)
    interrupted = False
    try:
        for name in chosen:
            say(f"\n== {name} ==")
            started = time.monotonic()
            try:
                result = RUNNERS[name](ctx)
            except Exception as error:  # reported as a failed check; the next one runs
                traceback.print_exc()
                result = Scenario(name, "did not complete")
                result.check("the scenario ran to the end", False, str(error)[:2000])
            result.figures["scenario_s"] = round(time.monotonic() - started, 1)
            results.append(result)
            CLEANUP.all(keep=WORKDIR_STEP)  # its processes and its database
    except KeyboardInterrupt:
        interrupted = True
        say("\ninterrupted: cleaning up")
    finally:
        CLEANUP.all()
        ensure_pg_running()
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": _commit(),
        "capabilities": asdict(caps),
        "options": {k: v for k, v in vars(args).items() if k != "json"},
        "scenarios": [asdict(r) for r in results],
    }
    say("\n== summary ==")
    for r in results:
        failed = [c["check"] for c in r.checks if not c["ok"]]
        say(
            f"  {r.name:11} {'PASS' if r.ok else 'FAIL'}"
            + (f"  ({'; '.join(failed)})" if failed else "")
        )
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUT_DIR / f"deploy-{datetime.now(UTC):%Y-%m-%d-%H%M%S}.json"
    path.write_text(json.dumps(report, indent=2, default=str) + "\n")
    say(f"  results: {path.relative_to(ROOT)}")
    if args.json:
        real_stdout.write(json.dumps(report, indent=2, default=str) + "\n")
    if interrupted:
        return 130
    return 0 if all(r.ok for r in results) else 1


def _interrupted(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())

"""How fast the site answers, against a bare FastAPI endpoint served the same way.

    .venv/bin/python bench/site.py [--store sqlite|postgres] [--duration 10] [--repeat 3]
                                   [--events 100000] [--rebuild-repeat 1] [--profile]
                                   [--no-access-log] [--timeout 1800]

Three measures, each a ratio to a baseline taken in the same run, as ``bench/load.py``
does, because absolute rates say more about the machine than about the code:

1. Throughput (``wrk``) of four site URLs against a bare FastAPI endpoint (a plain
   ``def`` returning a small JSON object, as the site's endpoints are plain ``def``),
   both served by uvicorn the way ``tracker serve`` serves the site: one worker, in a
   subprocess of its own, so that the load generator and the server do not share a GIL.
   Bare and site runs take turns; each site run is divided by the bare runs that open
   and close its round, and medians are reported.
2. Latency (``wrk --latency``) of three URLs on the bundled plan alone against the same
   URLs with a generated plan of ``--events`` more events in the store: p50, p99, and
   the ratio big/small, small and big runs taking turns.
3. The projection's rebuild rate against the raw rate of reading the log, in pages of
   1,000, with and without decoding each notification into a domain event.

Everything runs on 127.0.0.1, on fresh stores that are removed afterwards; every
server and every ``wrk`` stops by itself. A missed target is profiled in-process
(cProfile). Nothing here asserts a time: this is a report, not a test. Results go to
standard output and to ``bench/out/site.json`` (one entry per store).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import faulthandler
import gc
import http.client
import importlib.util
import io
import json
import os
import pstats
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's tracker, even without an editable install


def _bench_load():
    """``bench/load.py`` as a module: its generator, stores and environment report.
    (This file cannot be imported by name: ``site`` is a standard-library module.)"""
    spec = importlib.util.spec_from_file_location("bench_load", ROOT / "bench" / "load.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_load"] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


bench_load = _bench_load()

from tracker.application import Tracker, open_tracker  # noqa: E402
from tracker.datafiles import load  # noqa: E402
from tracker.readmodels import Projector, readmodel_engine  # noqa: E402
from web.settings import BUNDLED_EVENTS  # noqa: E402

OUT_DIR = ROOT / "bench" / "out"
HOST = "127.0.0.1"
WRK = "/usr/bin/wrk"
PLAN = "london-policing-action-plan-2020"
COMMITMENT = f"/plans/{PLAN}/commitments/body-worn-video-research"
BARE = "/bare"
PAGE_SIZE = 1_000  # notifications per select when reading the log


@dataclass(frozen=True)
class Endpoint:
    name: str
    label: str
    path: str
    target: float  # the target: ratio to bare (throughput) or big/small (latency)
    not_modified: bool = False  # send the ETag first received: measure the 304 answer
    cached: bool = True  # False: against a server whose response cache is off


THROUGHPUT = (
    Endpoint("delays_feed", "delays feed", "/feeds/delays.rss", 0.5),
    Endpoint("commitment", "commitment page", COMMITMENT, 0.4),
    Endpoint("home", "home page", "/", 0.3),
    Endpoint("feed_304", "delays feed, 304", "/feeds/delays.rss", 0.8, not_modified=True),
    # The same with the response cache off: what each request costs when it is rendered
    # (after a new event, or for a URL nobody asked for since). Reported, not targets.
    Endpoint(
        "delays_feed_uncached", "delays feed, uncached", "/feeds/delays.rss", 0.5, cached=False
    ),
    Endpoint("commitment_uncached", "commitment, uncached", COMMITMENT, 0.4, cached=False),
    Endpoint("home_uncached", "home page, uncached", "/", 0.3, cached=False),
    Endpoint("feed_304_uncached", "304, uncached", "/feeds/delays.rss", 0.8, True, cached=False),
)
# Latency is taken with the response cache off: it measures the cost of rendering from
# the read models, which is what must not grow with the log.
LATENCY = (
    Endpoint("commitment", "commitment page", COMMITMENT, 1.5, cached=False),
    Endpoint("timeline", "first timeline page", "/timeline", 1.5, cached=False),
    Endpoint("delays_feed", "delays feed", "/feeds/delays.rss", 1.5, cached=False),
)


# Timing what this process, a server and the whole machine spend


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float  # this process's CPU seconds: steadier when the machine is shared


def _timed(work: Callable[[], Any]) -> tuple[Timing, Any]:
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return Timing(time.perf_counter() - wall, time.process_time() - cpu), result


TICK = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of a process, all its threads included."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def machine_busy() -> float:
    """CPU seconds the whole machine has spent not idle, summed over its cores."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return (sum(values[:8]) - idle) / TICK


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# Servers: uvicorn in a subprocess each, stopping with this process or after a while


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def bare_app():
    from fastapi import FastAPI

    app = FastAPI()

    @app.get(BARE)
    def bare() -> dict[str, bool]:  # plain def, as every site endpoint is
        return {"ok": True}

    return app


def serve(args: argparse.Namespace) -> None:
    """The server subprocess: what ``tracker serve`` runs, or the bare app."""
    import uvicorn

    _leave_with_parent(args.parent_pid, args.lifetime)
    if args.serve == "bare":
        app = bare_app()
    else:
        from web.app import create_app
        from web.settings import Settings

        cache = 0 if args.serve == "site-uncached" else Settings.cache_entries
        app = create_app(Settings(database_url=args.database_url, tick=False, cache_entries=cache))
    # As tracker.cli.run_serve: one worker, uvicorn's default logging (access log on).
    uvicorn.run(app, host=HOST, port=args.port, workers=1, access_log=args.access_log)


def _leave_with_parent(parent: int, lifetime: float) -> None:
    """Stop (as Ctrl-C would) when the benchmark ends or ``lifetime`` runs out; if that
    does not stop uvicorn within 15 s, exit anyway."""

    def watch() -> None:
        deadline = time.monotonic() + lifetime
        while os.getppid() == parent and time.monotonic() < deadline:
            time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(15)
        os._exit(4)

    threading.Thread(target=watch, name="leave-with-parent", daemon=True).start()


@dataclass
class Server:
    name: str
    proc: subprocess.Popen
    port: int
    log: Path

    def url(self, path: str) -> str:
        return f"http://{HOST}:{self.port}{path}"

    def get(self, path: str, headers: dict[str, str] | None = None):
        return get(self.port, path, headers)


def get(port: int, path: str, headers: dict[str, str] | None = None):
    """One request: (status, headers, body)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


@contextmanager
def running(args: argparse.Namespace, name: str, kind: str, url: str | None, workdir: Path):
    """A server subprocess, ready to answer; stopped (SIGTERM, then SIGKILL) on exit."""
    port = free_port()
    log = workdir / f"server-{name}.log"
    command = [sys.executable, str(Path(__file__).resolve()), "--serve", kind]
    command += ["--port", str(port), "--parent-pid", str(os.getpid())]
    command += ["--lifetime", str(args.timeout), "--database-url", url or ""]
    command += [] if args.access_log else ["--no-access-log"]
    with log.open("wb") as err:
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err, cwd=ROOT)
    server = Server(name, proc, port, log)
    _SERVERS.append(proc)
    try:
        _wait_until_ready(server, BARE if kind == "bare" else "/")
        yield server
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        _SERVERS.remove(proc)


_SERVERS: list[subprocess.Popen] = []  # for the watchdog: stop them before giving up


def _wait_until_ready(server: Server, path: str, within: float = 180) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            _fail(f"the {server.name} server exited: {_tail(server.log)}")
        try:
            if server.get(path)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    _fail(f"the {server.name} server did not answer within {within:.0f} s: {_tail(server.log)}")


def _tail(path: Path, lines: int = 15) -> str:
    text = path.read_text(errors="replace") if path.exists() else ""
    return "\n" + "\n".join(text.splitlines()[-lines:])


# wrk: one run, parsed


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}
_BYTES = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3, "TB": 1024**4}


def wrk(
    server: Server,
    path: str,
    duration: float,
    threads: int,
    connections: int,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """One wrk run against ``server``: rate, latency percentiles, and who used the CPU."""
    command = [WRK, f"-t{threads}", f"-c{connections}", f"-d{duration:g}s"]
    command += ["--timeout", "10s", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    command.append(server.url(path))
    server_cpu, busy, wrk_cpu = process_cpu(server.proc.pid), machine_busy(), children_cpu()
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60)
    if done.returncode != 0:
        _fail(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.strip()}")
    server_cpu = process_cpu(server.proc.pid) - server_cpu
    wrk_cpu = children_cpu() - wrk_cpu
    busy = machine_busy() - busy
    run = _parse_wrk(done.stdout)
    if run["non_2xx_3xx"]:
        _fail(f"{path}: {run['non_2xx_3xx']} responses were not 2xx or 3xx:\n{done.stdout}")
    if not run["requests"]:
        _fail(f"{path}: no request completed:\n{done.stdout}")
    run.update(
        server_cpu_s=server_cpu,
        req_per_server_cpu_s=run["requests"] / server_cpu if server_cpu else None,
        server_cpu_share=server_cpu / run["seconds"],
        wrk_cpu_s=wrk_cpu,
        others_cpu_s=max(0.0, busy - server_cpu - wrk_cpu),  # other work on the machine
    )
    return run


def _parse_wrk(text: str) -> dict[str, Any]:
    def number(pattern: str, default: float | None = None) -> float | None:
        found = re.search(pattern, text)
        return float(found.group(1)) if found else default

    def duration(value: str) -> float:
        found = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", value)
        return float(found.group(1)) * _UNITS[found.group(2)]

    total = re.search(
        r"(\d+) requests in ([\d.]+)(us|ms|s|m|h), ([\d.]+)(B|KB|MB|GB|TB) read", text
    )
    if not total:
        _fail(f"cannot read wrk's output:\n{text}")
    requests = int(total.group(1))
    seconds = float(total.group(2)) * _UNITS[total.group(3)] / 1e3
    read = float(total.group(4)) * _BYTES[total.group(5)]
    percentiles = {
        f"p{p}_ms": duration(v) for p, v in re.findall(r"^\s+(\d+)%\s+(\S+)\s*$", text, re.M)
    }
    errors = re.search(r"connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    return {
        "rps": number(r"Requests/sec:\s+([\d.]+)"),
        "requests": requests,
        "seconds": seconds,
        "bytes_per_request": read / requests if requests else None,
        **percentiles,
        "socket_errors": dict(
            zip(("connect", "read", "write", "timeout"), map(int, errors.groups()), strict=True)
        )
        if errors
        else {},
        "non_2xx_3xx": int(number(r"Non-2xx or 3xx responses:\s+(\d+)", 0)),
    }


# The stores


def prepare(url: str, extra: Path | None) -> dict[str, Any]:
    """The bundled plan (and ``extra``), ticked to today as the daily tick leaves a
    store, projected into the read models."""
    tracker = open_tracker(url)
    try:
        loading, _ = _timed(lambda: load(tracker, [BUNDLED_EVENTS, *([extra] if extra else [])]))
        ticking, receipts = _timed(lambda: tracker.tick(date.today()))
        events = tracker.recorder.max_notification_id() or 0
        info = {"events": events, "missed_deadlines": len(receipts), "load_s": loading.wall}
        info["tick_s"] = ticking.wall
        if extra is None:  # the big store is projected by the timed rebuilds (part 3)
            engine = readmodel_engine(url)
            try:
                projector = Projector(tracker, engine)
                projector.create_tables()
                projected = projector.catch_up()
            finally:
                engine.dispose()
            _expect(projected == events, f"the projector caught up {projected} of {events}")
    finally:
        tracker.close()
    return info


def read_log(tracker: Tracker, decode: bool) -> int:
    """Every notification, ``PAGE_SIZE`` at a time, optionally decoded into an event."""
    start, count = 1, 0
    while page := tracker.recorder.select_notifications(start=start, limit=PAGE_SIZE):
        if decode:
            for notification in page:
                tracker.mapper.to_domain_event(notification)
        count += len(page)
        start = page[-1].id + 1
    return count


def measure_rebuild(args: argparse.Namespace, url: str, events: int) -> list[dict[str, Any]]:
    """Raw reads and rebuilds taking turns; the first rebuild also makes the read models
    the big server will serve."""
    tracker = open_tracker(url, create_tables=False)
    engine = readmodel_engine(url)
    runs = []
    try:
        projector = Projector(tracker, engine)
        for number in range(1, max(args.repeat, args.rebuild_repeat) + 1):
            run: dict[str, Any] = {}
            for name, decode in (("select", False), ("select_decode", True)):
                timing, count = _timed(lambda decode=decode: read_log(tracker, decode))
                _expect(count == events, f"reading the log gave {count} of {events} events")
                run[name] = _rate(timing, count)
            if number <= args.rebuild_repeat:
                with watchdog(args, f"rebuild {number} of {url}"):
                    timing, count = _timed(projector.rebuild)
                _expect(count == events, f"the rebuild projected {count} of {events} events")
                run["rebuild"] = _rate(timing, count)
            runs.append(run)
            shown = ", ".join(f"{k} {v['ev_per_s']:,.0f} ev/s" for k, v in run.items())
            print(f"  read/rebuild run {number}: {shown}", flush=True)
    finally:
        engine.dispose()
        tracker.close()
    return runs


def _rate(timing: Timing, count: int) -> dict[str, float]:
    return {
        "events": count,
        "seconds": timing.wall,
        "cpu_s": timing.cpu,
        "ev_per_s": count / timing.wall,
        "ev_per_cpu_s": count / timing.cpu if timing.cpu else float("nan"),
    }


# The measures


def check_site(server: Server) -> str:
    """Each URL answers as it should before it is timed; returns the delays feed's ETag."""
    for endpoint in (*THROUGHPUT, *LATENCY):
        status, _, body = server.get(endpoint.path)
        _expect(status == 200, f"{server.name}: {endpoint.path} answered {status}")
        _expect(len(body) > 1000, f"{server.name}: {endpoint.path} answered {len(body)} bytes")
    _, _, body = server.get(COMMITMENT)
    _expect(b"body worn video" in body, f"{server.name}: the commitment page lacks its title")
    etag = server.get("/feeds/delays.rss")[1]["etag"]
    status, _, body = server.get("/feeds/delays.rss", {"If-None-Match": etag})
    _expect((status, body) == (304, b""), f"{server.name}: the ETag gave {status}, not 304")
    return etag


def measure_throughput(args, bare: Server, site: Server, uncached: Server) -> dict[str, Any]:
    """Rounds of bare, then each site URL (in a rotating order); a bare run closes each
    round, so that every site run has a bare run before and after it."""
    etags = {True: check_site(site), False: check_site(uncached)}  # ETags name the host
    wrk_args = (args.duration, args.threads, args.connections)
    bare_runs = [wrk(bare, BARE, *wrk_args)]
    runs: dict[str, list[dict[str, Any]]] = {e.name: [] for e in THROUGHPUT}
    for number in range(args.repeat):
        order = THROUGHPUT[number % len(THROUGHPUT) :] + THROUGHPUT[: number % len(THROUGHPUT)]
        for endpoint in order:
            headers = {"If-None-Match": etags[endpoint.cached]} if endpoint.not_modified else None
            server = site if endpoint.cached else uncached
            run = wrk(server, endpoint.path, *wrk_args, headers=headers)
            if endpoint.not_modified:
                # Headers only: about 650 bytes with the security headers; a body would
                # add the delays feed's 13 KB or more.
                _expect(run["bytes_per_request"] < 2048, f"the 304 run read {run}")
            runs[endpoint.name].append(run)
        bare_runs.append(wrk(bare, BARE, *wrk_args))
        before, after = bare_runs[-2:]
        for endpoint in THROUGHPUT:
            run = runs[endpoint.name][-1]
            run["ratio"] = run["rps"] / statistics.mean((before["rps"], after["rps"]))
            cpu = statistics.mean((before["req_per_server_cpu_s"], after["req_per_server_cpu_s"]))
            run["ratio_cpu"] = run["req_per_server_cpu_s"] / cpu
        shown = ", ".join(f"{e.name} {runs[e.name][-1]['ratio']:.3f}" for e in THROUGHPUT)
        print(
            f"  throughput round {number + 1}/{args.repeat}: bare {before['rps']:,.0f}"
            f" then {after['rps']:,.0f} req/s; ratios {shown}",
            flush=True,
        )
    return {"bare": bare_runs, **runs}


def measure_latency(args, small: Server, big: Server) -> dict[str, Any]:
    """Small and big take turns (which goes first alternates), URL by URL."""
    check_site(small)
    check_site(big)
    wrk_args = (args.duration, args.latency_connections, args.latency_connections)
    runs: dict[str, dict[str, list]] = {e.name: {"small": [], "big": []} for e in LATENCY}
    for number in range(args.repeat):
        for endpoint in LATENCY:
            pair = (("small", small), ("big", big))
            for which, server in pair if number % 2 == 0 else reversed(pair):
                runs[endpoint.name][which].append(wrk(server, endpoint.path, *wrk_args))
        shown = ", ".join(
            f"{e.name} {runs[e.name]['small'][-1]['p50_ms']:.1f}"
            f"/{runs[e.name]['big'][-1]['p50_ms']:.1f} ms"
            for e in LATENCY
        )
        print(f"  latency round {number + 1}/{args.repeat}: p50 small/big {shown}", flush=True)
    return runs


# Profiling a missed target, in-process


@contextmanager
def _inline_threadpool() -> Iterator[None]:
    """Run the sync endpoints in the calling thread, so that cProfile (which sees one
    thread) sees them; in the server they run in anyio's worker threads."""
    import anyio.to_thread

    original = anyio.to_thread.run_sync

    async def run_sync(func, *args, **_options):
        return func(*args)

    anyio.to_thread.run_sync = run_sync
    try:
        yield
    finally:
        anyio.to_thread.run_sync = original


async def asgi_get(app, path: str, headers: dict[str, str]) -> tuple[int, dict, bytes]:
    """One GET straight into the ASGI app, as uvicorn would send it (no HTTP client in
    between, so that the profile shows the app and nothing else)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", f"{HOST}:8000".encode()),
            *((k.lower().encode(), v.encode()) for k, v in headers.items()),
        ],
        "client": (HOST, 50000),
        "server": (HOST, 8000),
        "state": {},
    }
    answer: dict[str, Any] = {"body": b""}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
            answer["headers"] = {k.decode(): v.decode() for k, v in message["headers"]}
        elif message["type"] == "http.response.body":
            answer["body"] += message.get("body", b"")

    await app(scope, receive, send)
    return answer["status"], answer["headers"], answer["body"]


def profile(args, name: str, url: str | None, endpoint: Endpoint) -> dict:
    """``--profile-requests`` requests through the whole ASGI app (routing, dependencies,
    endpoint, rendering) in this thread, under cProfile: what uvicorn and the network
    add is left out, and the bare app's profile shows the framework's share."""
    from web.app import create_app
    from web.services import start
    from web.settings import Settings

    if url is None:
        app, services = bare_app(), None
    else:
        settings = Settings(
            database_url=url,
            project=False,
            tick=False,
            create_tables=False,
            cache_entries=Settings.cache_entries if endpoint.cached else 0,
        )
        app = create_app(settings)
        app.state.services = services = start(settings)  # what the lifespan does
    path = BARE if url is None else endpoint.path
    profiler = cProfile.Profile()

    async def requests() -> tuple[int, float]:
        headers: dict[str, str] = {}
        if endpoint.not_modified and url is not None:
            # The ETag depends on the base URL: ask this app for it.
            headers["If-None-Match"] = (await asgi_get(app, path, {}))[1]["etag"]
        for _ in range(20):  # warm the caches: compiled templates, SQL, connections
            status, _, _ = await asgi_get(app, path, headers)
            _expect(status == (304 if headers else 200), f"{path} answered {status}")
        done, started = 0, time.perf_counter()
        profiler.enable()
        while done < args.profile_requests and time.perf_counter() - started < 60:
            await asgi_get(app, path, headers)
            done += 1
        profiler.disable()
        return done, time.perf_counter() - started

    try:
        with _inline_threadpool():
            done, seconds = asyncio.run(requests())
    finally:
        if services:
            services.stop.set()
            services.tracker.close()
            services.projector.engine.dispose()
    summary = summarise_profile(profiler, f"site-profile-{args.store}-{name}")
    return {"path": path, "requests": done, "ms_per_request": seconds / done * 1e3, **summary}


def profile_rebuild(args, workdir: Path, data: Any, commitments: int = 20) -> dict:
    """A rebuild of the bundled plan and ``commitments`` of the generated plan's files,
    under cProfile: each commitment's events cost the same as in the big store, since
    the projector's work per event depends on the event and its commitment, not on the
    size of the log."""
    sample = workdir / "sample" / data.plan
    sample.mkdir(parents=True)
    files = sorted(f for f in data.folder.glob("*.yaml") if f.name != "plan.yaml")
    for file in [data.folder / "plan.yaml", *files[:commitments]]:
        shutil.copy(file, sample / file.name)
    profiler = cProfile.Profile()
    with bench_load.fresh_store(args.store, workdir, args.postgres_url) as url:
        tracker = open_tracker(url)
        engine = readmodel_engine(url)
        try:
            load(tracker, [BUNDLED_EVENTS, sample])
            projector = Projector(tracker, engine)
            projector.create_tables()
            gc.collect()
            started = time.perf_counter()
            count = profiler.runcall(projector.rebuild)
            seconds = time.perf_counter() - started
        finally:
            engine.dispose()
            tracker.close()
    summary = summarise_profile(profiler, f"site-profile-{args.store}-rebuild")
    return {
        "path": "Projector.rebuild()",
        "events": count,
        "ms_per_event": seconds / count * 1e3,
        **summary,
    }


def summarise_profile(profiler: cProfile.Profile, stem: str) -> dict[str, Any]:
    """The profile in ``bench/out``, and where its time went, as shares of the whole."""
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(OUT_DIR / f"{stem}.prof")
    stats = pstats.Stats(profiler, stream=(text := io.StringIO()))
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(25)
    (OUT_DIR / f"{stem}.txt").write_text(text.getvalue())
    # cProfile takes its own overhead out of each function's own time, less exactly out
    # of cumulative times: the outermost call's cumulative time is the whole.
    total = max(
        max(row[3] for row in stats.stats.values()), sum(r[2] for r in stats.stats.values())
    )
    return {
        "own_time_by_package": _by_package(stats, total),
        "top_cumulative": _top(stats, 3, 25, total),
        "files": [f"bench/out/{stem}.txt", f"bench/out/{stem}.prof"],
    }


def _where(filename: str, function: str) -> str:
    """A profile row's package: the project's own module, a site package, or the stdlib."""
    if filename == "~":  # a built-in: name its type's module
        found = re.search(r"of '([\w.]+)", function) or re.search(r"method '(\w+)", function)
        return f"(C) {found.group(1).split('.')[0]}" if found else f"(C) {function}"
    path = Path(filename)
    if "site-packages" in path.parts:
        return path.parts[path.parts.index("site-packages") + 1].removesuffix(".py")
    if filename.startswith(str(ROOT)):
        return str(path.relative_to(ROOT))
    return f"stdlib {path.stem}"


def _by_package(stats: pstats.Stats, total: float) -> list[tuple[str, float]]:
    sums: dict[str, float] = {}
    for (filename, _, function), row in stats.stats.items():
        key = _where(filename, function)
        sums[key] = sums.get(key, 0.0) + row[2]
    ranked = sorted(sums.items(), key=lambda kv: -kv[1])[:15]
    return [(k, round(v / total, 3)) for k, v in ranked]


def _top(stats: pstats.Stats, column: int, count: int, total: float) -> list[tuple[str, float]]:
    """The ``count`` functions of the project's own code (tracker/, web/) and its
    templates, by share of time spent in them and what they call."""
    rows = []
    for (filename, line, function), row in stats.stats.items():
        where = _where(filename, function)
        if where.startswith(("tracker/", "web/")) or "templates" in filename:
            rows.append((f"{where}:{line}({function})", round(row[column] / total, 3)))
    return sorted(rows, key=lambda r: -r[1])[:count]


# Reporting


def median(runs: list[dict[str, Any]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def summarise(throughput, latency, rebuild) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    if throughput:
        bare = throughput["bare"]
        summary["throughput"] = {
            "bare_rps": median(bare, "rps"),
            "bare_req_per_server_cpu_s": median(bare, "req_per_server_cpu_s"),
            **{
                e.name: {
                    "path": e.path,
                    "rps": median(throughput[e.name], "rps"),
                    "ratio": median(throughput[e.name], "ratio"),
                    "ratio_cpu": median(throughput[e.name], "ratio_cpu"),
                    "bytes_per_request": median(throughput[e.name], "bytes_per_request"),
                    "target": e.target,
                    "meets": median(throughput[e.name], "ratio") >= e.target,
                }
                for e in THROUGHPUT
            },
        }
    if latency:
        summary["latency"] = {}
        for e in LATENCY:
            small, big = latency[e.name]["small"], latency[e.name]["big"]
            entry: dict[str, Any] = {"path": e.path, "target": e.target}
            for p in ("p50_ms", "p99_ms"):
                entry[f"small_{p}"] = median(small, p)
                entry[f"big_{p}"] = median(big, p)
                entry[f"ratio_{p.removesuffix('_ms')}"] = statistics.median(
                    b[p] / s[p] for s, b in zip(small, big, strict=True)
                )
            entry["meets"] = entry["ratio_p50"] <= e.target and entry["ratio_p99"] <= e.target
            summary["latency"][e.name] = entry
    if rebuild:
        rates = {
            part: {
                "ev_per_s": statistics.median(r[part]["ev_per_s"] for r in rebuild if part in r),
                "ev_per_cpu_s": statistics.median(
                    r[part]["ev_per_cpu_s"] for r in rebuild if part in r
                ),
            }
            for part in ("select", "select_decode", "rebuild")
        }
        summary["rebuild"] = {
            **rates,
            "ratio_to_select": rates["rebuild"]["ev_per_s"] / rates["select"]["ev_per_s"],
            "ratio_to_select_decode": rates["rebuild"]["ev_per_s"]
            / rates["select_decode"]["ev_per_s"],
            "ratio_to_select_decode_cpu": rates["rebuild"]["ev_per_cpu_s"]
            / rates["select_decode"]["ev_per_cpu_s"],
            "events": rebuild[0]["rebuild"]["events"],
            "rebuild_runs": sum("rebuild" in r for r in rebuild),
        }
    return summary


def table(args, stores: dict[str, Any], summary: dict[str, Any]) -> str:
    lines = []
    if "throughput" in summary:
        t = summary["throughput"]
        lines += [
            f"Throughput, {args.store}, wrk -t{args.threads} -c{args.connections}"
            f" -d{args.duration:g}s, medians of {args.repeat} rounds (bundled plan,"
            f" {stores['small']['events']:,} events)",
            f"  {'':<22}{'req/s':>9}{'ratio':>8}{'by CPU':>8}{'target':>9}",
            f"  {'bare FastAPI':<22}{t['bare_rps']:>9,.0f}{'':>33}{BARE}",
        ]
        for e in THROUGHPUT:
            m = t[e.name]
            verdict = "meets" if m["meets"] else "BELOW"
            path = f"{e.path} (If-None-Match)" if e.not_modified else e.path
            lines.append(
                f"  {e.label:<22}{m['rps']:>9,.0f}{m['ratio']:>8.3f}{m['ratio_cpu']:>8.3f}"
                f"{'>= ' + str(e.target):>9}  {verdict:<7}{path}"
            )
    if "latency" in summary:
        lines += [
            "",
            f"Latency, wrk -t{args.latency_connections} -c{args.latency_connections}"
            f" --latency, medians of {args.repeat}: small ({stores['small']['events']:,} events)"
            f" vs big ({stores['big']['events']:,} events)",
            f"  {'':<22}{'p50 small':>10}{'p50 big':>9}{'ratio':>7}"
            f"{'p99 small':>11}{'p99 big':>9}{'ratio':>7}{'target':>9}",
        ]
        for e in LATENCY:
            m = summary["latency"][e.name]
            verdict = "meets" if m["meets"] else "ABOVE"
            lines.append(
                f"  {e.label:<22}{m['small_p50_ms']:>8.2f}ms{m['big_p50_ms']:>7.2f}ms"
                f"{m['ratio_p50']:>7.2f}{m['small_p99_ms']:>9.2f}ms{m['big_p99_ms']:>7.2f}ms"
                f"{m['ratio_p99']:>7.2f}{'<= ' + str(e.target):>9}  {verdict:<7}{e.path}"
            )
    if "rebuild" in summary:
        r = summary["rebuild"]
        lines += [
            "",
            f"Reading the log vs rebuilding the read models, {args.store}, {r['events']:,}"
            f" events, medians ({r['rebuild_runs']} rebuild(s), {args.repeat} reads)",
            f"  {'':<34}{'ev/s':>10}{'ev/CPU-s':>10}",
        ]
        for part, label in (
            ("select", f"select_notifications x{PAGE_SIZE:,}"),
            ("select_decode", "  + mapper.to_domain_event"),
            ("rebuild", "Projector.rebuild()"),
        ):
            lines.append(
                f"  {label:<34}{r[part]['ev_per_s']:>10,.0f}{r[part]['ev_per_cpu_s']:>10,.0f}"
            )
        lines.append(
            f"  ratio rebuild/select {r['ratio_to_select']:.4f},"
            f" rebuild/select+decode {r['ratio_to_select_decode']:.4f}"
            f" (by CPU {r['ratio_to_select_decode_cpu']:.4f})"
        )
    return "\n".join(lines)


def write_json(store: str, entry: dict[str, Any]) -> Path:
    """One entry per store, as ``bench/out/load.json`` keeps them."""
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUT_DIR / "site.json"
    results = json.loads(path.read_text()) if path.exists() else {}
    results[store] = entry
    path.write_text(json.dumps(results, indent=2) + "\n")
    return path


# Giving up


def _fail(problem: str):
    raise SystemExit(f"bench/site.py: {problem}")


def _expect(condition: bool, problem: str) -> None:
    """A wrong answer makes a timing meaningless: stop rather than report it."""
    if not condition:
        _fail(f"{problem}; the timings would mean nothing")


@contextmanager
def watchdog(args: argparse.Namespace, step: str) -> Iterator[None]:
    """Give up, stopping the servers and showing every thread's stack, if ``step``
    outlasts ``--timeout``."""

    def give_up() -> None:
        print(f"\nbench/site.py: {step}: running for {args.timeout:.0f} s", file=sys.stderr)
        faulthandler.dump_traceback(file=sys.stderr)
        for proc in list(_SERVERS):
            proc.kill()
        os._exit(3)

    timer = threading.Timer(args.timeout, give_up)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


# Command line


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--duration", type=float, default=10, help="seconds per wrk run")
    parser.add_argument("--repeat", type=int, default=3, help="interleaved rounds")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (throughput)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument(
        "--latency-connections", type=int, default=1, help="wrk connections (latency runs)"
    )
    parser.add_argument("--events", type=int, default=100_000, help="events in the big plan")
    parser.add_argument(
        "--rebuild-repeat", type=int, default=1, help="timed rebuilds of the big store"
    )
    parser.add_argument("--seed", type=int, default=2020_11_13)
    parser.add_argument("--postgres-url", default=bench_load.DEFAULT_POSTGRES_URL)
    parser.add_argument(
        "--profile", action="store_true", help="profile every URL, not only missed targets"
    )
    parser.add_argument("--profile-requests", type=int, default=2000)
    parser.add_argument(
        "--no-access-log",
        dest="access_log",
        action="store_false",
        help="both servers without uvicorn's access log (tracker serve logs every request)",
    )
    parser.add_argument("--timeout", type=float, default=1800, help="seconds before giving up")
    # The server subprocess.
    parser.add_argument(
        "--serve", choices=("bare", "site", "site-uncached"), help=argparse.SUPPRESS
    )
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--parent-pid", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--lifetime", type=float, default=600, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        return args
    if args.repeat < 1 or args.rebuild_repeat < 1 or args.duration <= 0:
        parser.error("need --repeat >= 1, --rebuild-repeat >= 1 and --duration > 0")
    if args.events < 100:
        parser.error("need --events >= 100 (the big plan has 100 events per commitment)")
    if args.connections < args.threads:
        parser.error("wrk needs --connections >= --threads")
    if not Path(WRK).exists():
        parser.error(f"this needs wrk at {WRK} (apt-get install wrk)")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.serve:
        serve(args)
        return
    stores: dict[str, Any] = {}
    profiles: dict[str, Any] = {}
    with (
        tempfile.TemporaryDirectory(prefix="tracker-site-bench-") as tmp,
        watchdog(args, "the benchmark"),
        ExitStack() as stack,
    ):
        workdir = Path(tmp)
        data = bench_load.generate(workdir, args.events // 100, 100, args.seed)
        print(f"generated {data.events:,} events in {data.commitments:,} commitments", flush=True)
        fresh = bench_load.fresh_store
        small_url = stack.enter_context(fresh(args.store, workdir, args.postgres_url))
        big_url = stack.enter_context(fresh(args.store, workdir, args.postgres_url))
        stores["small"] = prepare(small_url, None)
        stores["big"] = prepare(big_url, data.folder)
        print(
            f"stores: small {stores['small']['events']:,} events,"
            f" big {stores['big']['events']:,} events"
            f" ({stores['big']['missed_deadlines']:,} missed deadlines ticked)",
            flush=True,
        )
        rebuild = measure_rebuild(args, big_url, stores["big"]["events"])
        with ExitStack() as servers:
            bare = servers.enter_context(running(args, "bare", "bare", None, workdir))
            site = servers.enter_context(running(args, "site", "site", small_url, workdir))
            small = servers.enter_context(
                running(args, "small", "site-uncached", small_url, workdir)
            )
            big = servers.enter_context(running(args, "big", "site-uncached", big_url, workdir))
            throughput = measure_throughput(args, bare, site, small)
            latency = measure_latency(args, small, big)
        summary = summarise(throughput, latency, rebuild)
        missed = [
            e for e in THROUGHPUT if args.profile or not summary["throughput"][e.name]["meets"]
        ]
        slow = [e for e in LATENCY if args.profile or not summary["latency"][e.name]["meets"]]
        if missed or slow:
            print("profiling (in-process, cProfile)...", flush=True)
            profiles["bare"] = profile(args, "bare", None, THROUGHPUT[0])
        for endpoint in missed:
            profiles[endpoint.name] = profile(args, endpoint.name, small_url, endpoint)
        for endpoint in slow:
            name = f"big-{endpoint.name}"
            profiles[name] = profile(args, name, big_url, endpoint)
        if missed or slow:
            profiles["rebuild"] = profile_rebuild(args, workdir, data)
    entry = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "environment": bench_load.environment(),
        "settings": {k: v for k, v in vars(args).items() if k != "postgres_url"},
        "load_average": os.getloadavg(),
        "stores": stores,
        "median": summary,
        "profiles": profiles,
        "runs": {"throughput": throughput, "latency": latency, "rebuild": rebuild},
    }
    print(table(args, stores, summary))
    for name, p in profiles.items():
        cost = (
            f"{p['ms_per_request']:.2f} ms/request"
            if "ms_per_request" in p
            else f"{p['events']:,} events, {p['ms_per_event']:.2f} ms/event"
        )
        print(f"\nprofile {name} ({p['path']}): {cost} profiled")
        print(
            "  own time by package: "
            + ", ".join(f"{k} {v:.0%}" for k, v in p["own_time_by_package"][:8])
        )
        if p["top_cumulative"]:
            print(
                "  project code, cumulative: "
                + ", ".join(f"{k} {v:.0%}" for k, v in p["top_cumulative"][:6])
            )
        print(f"  details: {p['files'][0]}")
    print(f"results: {write_json(args.store, entry).relative_to(ROOT)}")


if __name__ == "__main__":
    main()

"""Read your writes, measured: N sequential pairs of (record an event through the API,
read the commitment back), on a site that projects in a thread as ``tracker serve``
does. Counts the reads that missed their event and times what the wait for the read
models (``web.freshness.after_write``) added to each 201.

    .venv/bin/python bench/read_your_writes.py                  # SQLite, 200 pairs
    .venv/bin/python bench/read_your_writes.py --store postgres --url postgresql://...
    .venv/bin/python bench/read_your_writes.py --projection-wait 0   # without the wait
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault(
    "TRACKER_EVENTS", str(Path(__file__).resolve().parent.parent / "tests/fixtures/first-record")
)

from fastapi.testclient import TestClient

from web import freshness, urls
from web.app import create_app
from web.settings import Settings

PLAN = "london-policing-action-plan-2020"
COMMITMENT = "body-worn-video-research"
SOURCE = {"publisher": "Bench Gazette", "title": "A report", "published_on": "2024-05-02"}


def run(url: str, pairs: int, wait: float = 5.0) -> dict:
    waits: list[float] = []
    real = freshness.after_write

    def timed(services):
        started = time.perf_counter()
        try:
            return real(services)
        finally:
            waits.append(time.perf_counter() - started)

    freshness.after_write = timed
    settings = Settings(database_url=url, project=True, tick=False, projection_wait=wait)
    missed = not_shown = 0
    totals: list[float] = []
    try:
        with TestClient(create_app(settings)) as site:
            token = site.app.state.services.tokens.create("bench", "editor", "Bench")
            headers = {"Authorization": f"Bearer {token}"}
            for n in range(pairs):
                note = f"Bench event {n}."
                body = {"type": "progress_reported", "date": "2024-05", "source": SOURCE}
                started = time.perf_counter()
                answer = site.post(
                    urls.api_events(PLAN, COMMITMENT), json={**body, "note": note}, headers=headers
                )
                totals.append(time.perf_counter() - started)
                assert answer.status_code == 201, answer.text
                not_shown += answer.headers[freshness.HEADER] != "true"
                read = site.get(urls.api_commitment(PLAN, COMMITMENT)).json()
                missed += read["events"][-1]["note"] != note
    finally:
        freshness.after_write = real
    ms = sorted(w * 1000 for w in waits)
    return {
        "pairs": pairs,
        "reads that missed the event": missed,
        "201s with Tracker-Projected: false": not_shown,
        "wait p50 ms": round(statistics.median(ms), 2),
        "wait p95 ms": round(ms[int(len(ms) * 0.95) - 1], 2),
        "wait max ms": round(ms[-1], 2),
        "201 p50 ms": round(statistics.median(totals) * 1000, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", choices=("sqlite", "postgres", "memory"), default="sqlite")
    parser.add_argument("--url", help="PostgreSQL URL (a schema of its own is made and dropped)")
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument(
        "--projection-wait", type=float, default=5.0, help="0: the 201 does not wait (before)"
    )
    args = parser.parse_args()
    if args.store == "memory":
        print(run("memory://", args.pairs, args.projection_wait))
    elif args.store == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            print(run(f"sqlite:///{folder}/bench.sqlite", args.pairs, args.projection_wait))
    else:
        import psycopg

        schema = f"bench_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(args.url, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        try:
            url = f"{args.url}{'&' if '?' in args.url else '?'}schema={schema}"
            print(run(url, args.pairs, args.projection_wait))
        finally:
            with psycopg.connect(args.url, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA {schema} CASCADE")


if __name__ == "__main__":
    main()

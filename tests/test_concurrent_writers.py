"""Eight editors record at once through two servers sharing one store, as two
processes behind a load balancer would: each sends the version it last saw in
``If-Match``, and on a 409 retries with the version the answer names. Exactly 40
events land, numbered on without a gap, none doubled, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections import Counter
from contextlib import ExitStack

import httpx

from tests.livesite import serving
from tests.test_web_writes import COMMITMENT, EVENT, EVENTS, PLAN
from tracker.access import Tokens
from tracker.application import open_tracker
from tracker.readmodels import readmodel_engine
from web import urls
from web.app import create_app
from web.settings import Settings

WRITERS = 8
EVENTS_EACH = 5
MAX_TRIES = 200


def editor_tokens(url: str) -> list[str]:
    engine = readmodel_engine(url)
    try:
        tokens = Tokens(engine)
        tokens.create_tables()
        return [tokens.create(f"writer-{i}", "editor", "Example Newsroom") for i in range(WRITERS)]
    finally:
        engine.dispose()


def test_eight_writers_with_if_match_retries_leave_exactly_forty_events(durable_database_url):
    settings = Settings(database_url=durable_database_url, tick=False)
    with ExitStack() as stack:
        bases = [stack.enter_context(serving(create_app(settings))) for _ in range(2)]
        tokens = editor_tokens(durable_database_url)
        with httpx.Client(base_url=bases[0]) as http:
            start = http.get(urls.api_commitment(PLAN, COMMITMENT)).json()["version"]
        conflicts: Counter[int] = Counter()
        busy: Counter[int] = Counter()
        failures: list[str] = []
        gate = threading.Barrier(WRITERS)

        def writer(i: int) -> None:
            with httpx.Client(base_url=bases[i % 2], timeout=60) as http:
                auth = {"Authorization": f"Bearer {tokens[i]}"}
                gate.wait()
                seen = http.get(urls.api_commitment(PLAN, COMMITMENT)).json()["version"]
                for j in range(EVENTS_EACH):
                    body = {**EVENT, "note": f"writer {i}, event {j}"}
                    for _ in range(MAX_TRIES):
                        answer = http.post(
                            EVENTS, json=body, headers={**auth, "If-Match": str(seen)}
                        )
                        if answer.status_code == 503:  # the store was busy: nothing written
                            busy[i] += 1
                            time.sleep(float(answer.headers["retry-after"]) / 10)
                            continue
                        if answer.status_code != 409:
                            break
                        conflicts[i] += 1
                        seen = answer.json()["current_version"]
                    if answer.status_code != 201:
                        failures.append(
                            f"writer {i}, event {j}: {answer.status_code} {answer.text}"
                        )
                        return
                    seen = answer.json()["number"]

        threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert failures == []
    tracker = open_tracker(durable_database_url)
    try:
        entries = tracker.commitment(PLAN, COMMITMENT).entries
    finally:
        tracker.close()
    added = entries[start:]
    assert len(added) == WRITERS * EVENTS_EACH
    assert [e.number for e in entries] == list(range(1, start + WRITERS * EVENTS_EACH + 1))
    notes = Counter(e.fact.note for e in added)
    assert set(notes.values()) == {1} and len(notes) == WRITERS * EVENTS_EACH
    assert {e.fact.recorded_by for e in added} == {"editor, Example Newsroom"}
    print(
        f"{WRITERS}x{EVENTS_EACH} writers: {len(added)} events, "
        f"{sum(conflicts.values())} stale If-Match answered 409 and retried, "
        f"{sum(busy.values())} busy answers (503) retried"
    )

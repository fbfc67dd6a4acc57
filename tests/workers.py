"""Code run in child processes by the concurrency tests (importable under spawn)."""

from __future__ import annotations

from tracker.application import RecordEvent, open_tracker, parse_event
from tracker.domain.errors import ConflictError


def record_once(url: str, plan: str, commitment: str, expected: int, note: str, barrier) -> str:
    """Wait for the other writer, then try to append one event at ``expected``."""
    tracker = open_tracker(url, create_tables=False)
    sources = tracker.plan(plan).sources
    spec = parse_event(
        {"type": "progress_reported", "date": "2024-01-01", "source": "src", "note": note},
        sources,
    )
    barrier.wait(timeout=30)
    try:
        tracker.execute([RecordEvent(plan, commitment, spec, expected)], "worker")
    except ConflictError as error:
        return f"conflict: {error}"
    finally:
        tracker.close()
    return "won"


def append_many(url: str, plan: str, commitment: str, writer: str, count: int, barrier) -> int:
    """Append ``count`` events, retrying each after a conflict; returns conflicts seen."""
    tracker = open_tracker(url, create_tables=False)
    sources = tracker.plan(plan).sources
    barrier.wait(timeout=30)
    conflicts = 0
    for index in range(count):
        raw = {
            "type": "progress_reported",
            "date": "2024-01-01",
            "source": "src",
            "note": f"{writer} {index}",
        }
        while True:
            version = tracker.commitment(plan, commitment).version
            try:
                spec = parse_event(raw, sources)
                tracker.execute([RecordEvent(plan, commitment, spec, version)], writer)
                break
            except ConflictError:
                conflicts += 1
    tracker.close()
    return conflicts

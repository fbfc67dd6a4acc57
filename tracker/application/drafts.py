"""Trying an event out before recording it: what the editors' preview shows.

An editor previews an event before submitting it, and the preview must show the event
as it will be recorded, or say why it cannot be. Parsing (``specs.parse_event``) catches
a bad field, but some rules need the commitment itself: a correction must point at an
earlier, uncorrected event; money committed cannot be negative. So the draft is applied
to a freshly loaded copy of the commitment, through the same aggregate command a
recording uses, and the copy is then dropped: it is never saved, and no other reader
sees it (the application keeps no cache of aggregates, so the copy is this call's own).

The entry that comes back is the one the record would get, numbered and stamped, which
is what lets the preview reuse the public page's rendering of an event unchanged.
"""

from __future__ import annotations

from eventsourcing.application import AggregateNotFoundError

from tracker.application.service import Tracker, fold
from tracker.application.specs import EventSpec
from tracker.domain.entries import Entry
from tracker.domain.errors import ConflictError, NotFoundError
from tracker.domain.ids import commitment_id
from tracker.domain.sources import require_text


def try_event(
    tracker: Tracker,
    plan: str,
    slug: str,
    spec: EventSpec,
    recorded_by: str,
    expected_version: int,
) -> Entry:
    """The entry ``spec`` would become on the commitment at ``expected_version``.

    Raises what recording it would raise: ``InvalidInputError`` naming the field at
    fault, ``ConflictError`` (with ``current_version``) if the commitment has moved on,
    ``NotFoundError`` for an unknown commitment. Writes nothing, ever."""
    recorded_by = require_text(recorded_by, "recorded_by", 100)
    try:
        copy = tracker.repository.get(commitment_id(plan, slug), projector_func=fold)
    except AggregateNotFoundError:
        raise NotFoundError(f"unknown commitment '{slug}' in plan '{plan}'") from None
    if copy.version != expected_version:
        raise ConflictError(
            f"version {expected_version} is out of date: the record is at version {copy.version}",
            current_version=copy.version,
        )
    spec.apply_to(copy, recorded_by)
    if spec.type == "transferred":
        tracker.check_destination(spec.details["to_plan"], spec.details["to_commitment"])
    return copy.entries[-1]

"""``?as_recorded=``: pages and API answers as the record stood at a past position of
the log (a record number, or a moment), and the position today's pages show.

A past position's read models are projected afresh (``tracker.readmodels.recorded``);
a position never changes once recorded, so the last few are kept here, per process.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Annotated, Any

from fastapi import Depends, Query, Request

from tracker.application.recorded import Recorded, at_count, recorded
from tracker.domain.errors import InvalidInputError
from tracker.readmodels import ReadModel
from tracker.readmodels.recorded import read_model_at
from tracker.store import chain
from web.presenters.wording import RECORDED_NOT_READ
from web.rendering import PageError

KEPT = 8  # past positions' read models kept per process


class RecordedViews:
    """The read models of the last few past positions asked for, by record number."""

    def __init__(self, kept: int = KEPT) -> None:
        self.kept = kept
        self.models: OrderedDict[int, ReadModel] = OrderedDict()
        self.lock = threading.Lock()

    def read(self, tracker: Any, position: Recorded) -> ReadModel:
        with self.lock:
            if position.events in self.models:
                self.models.move_to_end(position.events)
                return self.models[position.events]
        model = read_model_at(tracker, position)  # outside the lock: it takes a while
        with self.lock:
            self.models[position.events] = model
            while len(self.models) > self.kept:
                _, old = self.models.popitem(last=False)
                old.engine.dispose()
        return model


def shown_today(services: Any) -> Recorded | None:
    """The position today's pages show: as far as the read models have followed the
    log (they may trail its head by a moment). None for an empty log."""
    count = chain.count_through(services.tracker, services.projector.position())
    return at_count(services.tracker, count) if count else None


def page_position(services: Any, text: str | None, instead: tuple[str, str]) -> Recorded | None:
    """``?as_recorded=`` on a page; a bad one is an error page offering ``instead``."""
    if text is None or not text.strip():
        return None
    try:
        return recorded(services.tracker, text)
    except InvalidInputError as error:
        raise PageError(422, RECORDED_NOT_READ, f"{error}.", (instead,)) from None


def page_read(services: Any, position: Recorded | None) -> ReadModel:
    """The read models a page reads: today's, or those of ``position``."""
    if position is None:
        return services.read
    return services.recorded.read(services.tracker, position)


def as_recorded(
    request: Request,
    as_recorded: Annotated[
        str | None,
        Query(
            description="the record as it stood at a past position of the log: a record"
            " number (how many events the log held, e.g. 1234) or a moment"
            " (2024-05-01T12:00:00Z); combines with as_of",
            max_length=64,
        ),
    ] = None,
) -> Recorded | None:
    if as_recorded is None or not as_recorded.strip():
        return None
    return recorded(request.app.state.services.tracker, as_recorded)


def recorded_read(
    request: Request, position: Annotated[Recorded | None, Depends(as_recorded)]
) -> ReadModel:
    """The read models an API answer reads: today's, or those of ``?as_recorded=``."""
    return page_read(request.app.state.services, position)


AsRecordedDep = Annotated[Recorded | None, Depends(as_recorded)]
RecordedReadDep = Annotated[ReadModel, Depends(recorded_read)]

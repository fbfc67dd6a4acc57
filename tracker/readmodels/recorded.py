"""The read models as they stood at a past position of the log, for pages and API
answers "as recorded" (``tracker.application.recorded``).

The read models hold only today's record. A past one is the log up to the position,
projected afresh by the same projector into a private in-memory database: every
query, and so every page, then reads exactly as it did at that position. It costs a
projection of the log up to there (the tracker is small: a few thousand events take
well under a second); the site keeps the last few (``web.recorded``), and a position,
once recorded, never changes.
"""

from __future__ import annotations

from tracker.application import Tracker
from tracker.application.recorded import Recorded
from tracker.readmodels.engine import readmodel_engine
from tracker.readmodels.projector import REBUILD_BATCH, Projector
from tracker.readmodels.queries import ReadModel


def read_model_at(tracker: Tracker, position: Recorded) -> ReadModel:
    """Queries over the record as it stood when the log held ``position.events``."""
    engine = readmodel_engine("memory://")
    projector = Projector(tracker, engine)
    projector.create_tables()
    projector.catch_up(batch=REBUILD_BATCH, stop=position.notification_id)
    return ReadModel(engine)

"""Read models: projections of the log into SQLAlchemy tables, for the site, the API
and the feeds. Requests read these tables and never replay aggregates."""

from tracker.readmodels.engine import readmodel_engine
from tracker.readmodels.projector import Projector
from tracker.readmodels.queries import ReadModel

__all__ = ["Projector", "ReadModel", "readmodel_engine"]

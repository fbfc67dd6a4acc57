"""The application: commands in, plain data out. Data files, the CLI and the web
all come through here; nothing above this layer touches an aggregate."""

from tracker.application.commands import (
    AnnounceCommitment,
    Command,
    PublishPlan,
    RecordEvent,
    RegisterSource,
)
from tracker.application.service import Tracker, open_tracker
from tracker.application.specs import EventSpec, parse_event

__all__ = [
    "AnnounceCommitment",
    "Command",
    "EventSpec",
    "PublishPlan",
    "RecordEvent",
    "RegisterSource",
    "Tracker",
    "open_tracker",
    "parse_event",
]

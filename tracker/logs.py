"""How the tracker's processes log: one line per record, as plain text or as a JSON
object (``--log-format``), for the projector, the tick, errors and uvicorn alike: text for
someone reading a terminal, JSON for a log shipper."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

FORMATS = ("text", "json")
TEXT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonLines(logging.Formatter):
    """A record as one JSON object on one line: time (UTC), level, logger, message, and
    the traceback where there is one (kept inside the object, never on lines of its own)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def log_config(log_format: str = "text", level: str = "INFO") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for a whole process, uvicorn's loggers included
    (uvicorn takes it as its ``log_config``): every record through one handler."""
    if log_format not in FORMATS:
        raise ValueError(f"unknown log format '{log_format}' (expected one of: text, json)")
    formatter = {"()": JsonLines} if log_format == "json" else {"format": TEXT}
    uvicorn = {"handlers": [], "level": level, "propagate": True}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": formatter},
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["default"], "level": level},
        "loggers": {name: dict(uvicorn) for name in ("uvicorn", "uvicorn.error", "uvicorn.access")},
    }

"""Sources as plain JSON for the read models."""

from __future__ import annotations

from typing import Any

from tracker.application.transcodings import source_data
from tracker.domain.sources import Source


def plain_sources(sources: dict[str, Source]) -> dict[str, Any]:
    return {key: dict(source_data(source)) for key, source in sources.items()}

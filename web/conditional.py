"""Conditional requests (RFC 9110, 13.1): has what the reader holds changed?

One reading of ``If-None-Match`` and ``If-Modified-Since`` for every place that
answers them: the response cache, the feeds (when the cache is off) and the log
export.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


def etag_listed(if_none_match: str | None, etag: str, *, any_tag: bool = True) -> bool:
    """Whether ``If-None-Match`` names ``etag`` (weak or strong alike). ``*`` matches
    any representation that exists: pass ``any_tag=False`` where that is not yet known."""
    if if_none_match is None:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return (any_tag and "*" in tags) or etag.removeprefix("W/") in tags


def not_modified(
    if_none_match: str | None,
    if_modified_since: str | None,
    etag: str,
    modified: datetime | None,
) -> bool:
    """If-None-Match decides when sent; If-Modified-Since only otherwise (13.2.2)."""
    if if_none_match is not None:
        return etag_listed(if_none_match, etag)
    if if_modified_since is None or modified is None:
        return False
    since = http_date(if_modified_since)
    return since is not None and modified <= since


def http_date(text: str) -> datetime | None:
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)

"""The ``ETag`` of a commitment, and reading the version back out of ``If-Match``.

A commitment's API document (``GET /api/v1/plans/{plan}/commitments/{slug}``) and its
page are tagged ``"{version}.{digest}"``: the commitment's version (how many events
it has), then 16 hex digits of a SHA-256 of the document. The page adds ``.html``,
since a strong tag must differ between representations: ``"9.3f2a…c4d1"`` and
``"9.77b0…e812.html"``.

Why a digest and not only the version: the document also changes when nothing is
recorded on the commitment. Days overdue and staleness move with the day; a plan's
source described anew (``Plan.SourceDescribed``) changes every event that cites it;
another commitment transferred into this one adds to its ``transferred_from``; a page
also shows the log's head. A tag of the version alone would let a cache revalidate a
copy that no longer says what the record says (a 304 for last week's days overdue).
The digest changes exactly when the document does, and no more: a delivered
commitment's document is the same tomorrow, and so is its tag.

Why the version in front: ``If-Match`` on the events route (``web.routers.writes``)
compares only it. ``3``, ``"3"``, ``W/"3"``, ``"3.<digest>"`` and ``"3.<digest>.html"``
all mean version 3, whatever the day or the digest: the write is aimed at the
commitment's events, which only the version counts. A list means any of them; ``*``
any version. Anything else is refused with a 422 naming the header.

The write API's 201 for an event or a commitment carries the tag a ``GET`` of the
commitment gives right after (once the read models show the write, ``web.freshness``),
so a client can send it straight back as ``If-Match``.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from tracker.domain.errors import InvalidInputError

DIGITS = 16
HTML = ".html"
_TAG = re.compile(rf"(?P<version>[0-9]{{1,9}})(\.[0-9a-f]{{{DIGITS}}}({re.escape(HTML)})?)?")
OPENAPI = {  # for a route's documented 200
    "ETag": {
        "description": '"{version}.{digest}": the commitment\'s version, then a digest of the'
        " answer; If-Match on the events route takes it",
        "schema": {"type": "string"},
    }
}


def document_etag(document: dict[str, Any]) -> str:
    """The tag of a commitment's API document, as ``web.documents`` builds it."""
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), default=str)
    return _tag(document["version"], text.encode("utf-8"))


def page_etag(version: int, body: bytes) -> str:
    """The tag of a commitment's page, as rendered."""
    return _tag(version, body, HTML)


def _tag(version: int, content: bytes, suffix: str = "") -> str:
    return f'"{version}.{hashlib.sha256(content).hexdigest()[:DIGITS]}{suffix}"'


def if_match_versions(header: str | None) -> tuple[int, ...] | None:
    """The versions an If-Match header names; None when absent or ``*`` (any)."""
    if header is None or header.strip() == "*":
        return None
    return tuple(_version(part) for part in header.split(","))


def _version(part: str) -> int:
    tag = part.strip().removeprefix("W/")
    if len(tag) >= 2 and tag[0] == tag[-1] == '"':
        tag = tag[1:-1]
    found = _TAG.fullmatch(tag) if tag.isascii() else None
    if found is None:
        shown = part.strip()[:40]
        raise InvalidInputError(
            'If-Match must hold the commitment\'s version or its ETag, such as "3",'
            f" not '{shown}'",
            "If-Match",
        )
    return int(found["version"])

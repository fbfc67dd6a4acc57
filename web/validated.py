"""A rendered body answered with validators: an ``ETag`` that is a digest of the
body, ``Last-Modified`` where the record says when it last changed, and a bodiless
304 to a reader who already holds it.

For answers cheap to make whose bytes follow from the record alone (calendars,
badges, embedded cards): the digest cannot drift from the body, and the response
cache (``web.cache``) keeps the rendered answer until the record moves anyway.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.utils import format_datetime

from fastapi import Request, Response

from web.conditional import not_modified

CACHE_CONTROL = "public, max-age=300"


def validated(
    request: Request,
    body: bytes,
    media_type: str,
    modified: datetime | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """``body`` as a 200, or a 304 when the request's validators match it."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    sent = {"ETag": etag, "Cache-Control": CACHE_CONTROL, **(headers or {})}
    if modified is not None:
        sent["Last-Modified"] = format_datetime(modified, usegmt=True)
    if not_modified(
        request.headers.get("if-none-match"),
        request.headers.get("if-modified-since"),
        etag,
        modified,
    ):
        return Response(status_code=304, headers=sent)
    return Response(body, media_type=media_type, headers=sent)

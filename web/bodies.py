"""Request bodies read with a ceiling, for the routes that take one (the write API's
JSON, the editors' forms)."""

from __future__ import annotations

from fastapi import Request


class BodyTooLarge(Exception):
    """The body is larger than the route takes."""


async def capped_body(request: Request, limit: int) -> bytes:
    """The body, refused past ``limit`` bytes before it is all in memory, whatever
    Content-Length says (a declared size over the limit is refused before any read)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise BodyTooLarge
    return bytes(body)

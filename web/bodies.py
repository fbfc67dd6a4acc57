"""What requests bring: bodies read with a ceiling, for the routes that take one (the
write API's JSON, the editors' forms), and the write API's JSON and headers, read."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Depends, Header, Request

from tracker.domain.errors import InvalidInputError
from tracker.idempotency import HEADER as IDEMPOTENCY_HEADER
from web.problems import Problem, invalid


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


# The write API's body and headers

MAX_BODY = 64 * 1024
MAX_KEY = 255


async def read_capped_body(request: Request) -> None:
    """Read the body, at most ``MAX_BODY`` bytes of it, whatever Content-Length says:
    the router's first dependency, so an oversized body is refused before anything."""
    try:
        request._body = await capped_body(request, MAX_BODY)  # what ``body()`` returns now
    except BodyTooLarge:
        raise Problem(413, f"the body is larger than {MAX_BODY // 1024} KiB") from None


async def json_body(request: Request) -> Any:
    """The body as JSON (415 unless it says it is: ``json_media_type``); the route's
    own parser checks its fields.

    Fractions are kept as their text (a float would round 0.1 and turn 1e400 into
    infinity) and so are integers too long to be a count (``int()`` refuses one past
    4,300 digits): the number rules of ``tracker.domain.numbers`` then judge the text
    as written, and name the field."""
    json_media_type(request.headers.get("content-type"))
    try:
        return json.loads(await request.body(), parse_float=str, parse_int=_json_int)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise invalid("body", f"the body is not JSON: {error}") from None


def json_media_type(content_type: str | None) -> None:
    """Refuse (415) a body that does not say it is JSON: ``application/json`` or any
    ``application/*+json``, parameters such as ``charset`` aside. A form or text posted
    by mistake is named for what it is rather than parsed as JSON and found wanting.
    Checked after the token (a 401 or 403 says more to a caller who may not write) and
    after the body's size (413), before anything is parsed or written."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    kind, _, subtype = media_type.partition("/")
    if kind == "application" and (subtype == "json" or subtype.endswith("+json")):
        return
    given = f"'{media_type[:100]}'" if media_type else "no Content-Type"
    raise Problem(
        415,
        f"the body must be JSON, sent with Content-Type: application/json; this request"
        f" has {given}",
        [{"field": "Content-Type", "detail": f"expected application/json, not {given}"}],
        headers={"Accept-Post": JSON_MEDIA_TYPE},
    )


JSON_MEDIA_TYPE = "application/json"


def _json_int(text: str) -> int | str:
    return int(text) if len(text) <= 20 else text


BodyDep = Annotated[Any, Depends(json_body)]
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description='the commitment\'s version as last read (3, "3" or W/"3") or its ETag'
        ' ("3.<digest>", from a read or a 201): only the version counts; a stale one gets'
        " 409 with the current version",
    ),
]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias=IDEMPOTENCY_HEADER,
        description="a unique value per intended write (e.g. a UUID): a retry with the same"
        " key and body returns the first answer and records nothing new; the same key with"
        " another body gets 422, and while the first request is still running, 409",
    ),
]


def idempotency_key(header: str | None) -> str | None:
    """The key, unquoted (the draft writes it as a quoted string; bare is accepted)."""
    if header is None:
        return None
    key = header.strip()
    if len(key) >= 2 and key[0] == key[-1] == '"':
        key = key[1:-1]
    if not key or len(key) > MAX_KEY or not (key.isascii() and key.isprintable()):
        raise InvalidInputError(
            f"{IDEMPOTENCY_HEADER} must be 1 to {MAX_KEY} printable ASCII characters",
            IDEMPOTENCY_HEADER,
        )
    return key

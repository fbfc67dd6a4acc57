"""Asking the site for a page in-process: one GET through the whole ASGI application
(middleware, routers, error handlers), as a request from outside would go, without a
server, a socket or an HTTP client library."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes


async def get(app: Any, base_url: str, address: str) -> Answer:
    """The site's answer to ``GET address`` (a path and query) from a reader at
    ``base_url``'s host."""
    base = urlsplit(base_url)
    path, _, query = address.partition("?")
    default_port = 443 if base.scheme == "https" else 80
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": base.scheme,
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query.encode(),
        "headers": [(b"host", base.netloc.encode()), (b"accept", b"*/*")],
        "server": (base.hostname, base.port or default_port),
        "client": ("127.0.0.1", 0),
    }
    sent = False
    status, headers, chunks = 500, [], []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()  # the reader never leaves: wait to be cancelled
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        nonlocal status, headers
        if message["type"] == "http.response.start":
            status, headers = message["status"], message.get("headers", [])
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    content_type = next((v.decode() for k, v in headers if k.lower() == b"content-type"), "")
    return Answer(status, content_type, b"".join(chunks))

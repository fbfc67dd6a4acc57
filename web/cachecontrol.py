"""How long others may keep our answers: the ``Cache-Control`` policy, in one place.

Every public answer carries an ``ETag`` (``web.cache``), so any cache, a browser's or
a CDN's, can ask "has it changed?" and get a bodiless 304 from the response cache
rather than a render. What differs per kind of answer is how long a copy may be used
without asking:

- ``API``: never without asking (``no-cache``). Scripts record events and read them
  straight back; the write's 201 waits until the read models show it
  (``web.freshness``), and a cache in between must not undo that by serving the
  answer from before. A CDN still saves the body of every unchanged answer.
- ``PAGE``: browsers ask every time (``max-age=0``), so an editor redirected to the
  page they have just recorded on sees it; shared caches (``s-maxage``) may serve a
  page for ``PAGE_SHARED_SECONDS`` and then, while they ask, the old one for as long
  again (``stale-while-revalidate``): a page linked from the news is rendered once per
  half-minute, however many come to read it, and is at most a minute behind the record.
- ``FEED``: feed readers poll; five minutes is what they expect (``web.routers.feeds``).
- ``NO_STORE``: never kept: the write API's answers, health checks, errors (an unknown
  commitment may be created the next minute) and anything but a GET or HEAD. The
  editors' pages are ``no-store, private`` (``web.security.NoStore``).

Answers vary with ``HX-Request`` and ``HX-History-Restore-Request`` (an htmx request
gets a fragment), which pages say in ``Vary`` (``web.rendering``). They also vary with
the host when ``base_url`` is not set (absolute links are built from the request), but
the host is part of every cache's key already, being part of the URL.

``CachePolicy`` sets these on answers that do not set their own; a route with a
reason to differ (feeds, health checks) sets ``Cache-Control`` itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

PAGE_SHARED_SECONDS = 30
API = "public, no-cache"
PAGE = (
    f"public, max-age=0, s-maxage={PAGE_SHARED_SECONDS},"
    f" stale-while-revalidate={PAGE_SHARED_SECONDS}"
)
FEED = "public, max-age=300"
NO_STORE = "no-store"

READS = ("GET", "HEAD")
FRESH = (200, 304)  # answers worth keeping; anything else is not kept
UNTOUCHED = ("/static/",)  # Starlette serves these with validators of their own
API_PATHS = ("/api/", "/openapi.json")


def policy(method: str, path: str, status: int) -> str | None:
    """The ``Cache-Control`` of an answer that has none of its own; None: leave it."""
    if path.startswith(UNTOUCHED):
        return None
    if method not in READS or status not in FRESH:
        return NO_STORE
    return API if path.startswith(API_PATHS) else PAGE


class CachePolicy:
    """ASGI middleware: ``policy``'s ``Cache-Control`` on every answer without one.
    Inside the response cache, so that kept answers and their 304s carry it too."""

    def __init__(self, app: Callable) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_policy(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                value = policy(scope["method"], scope["path"], message["status"])
                if value and not any(name.lower() == b"cache-control" for name, _ in headers):
                    message = {**message, "headers": [*headers, (b"cache-control", value.encode())]}
            await send(message)

        await self.app(scope, receive, with_policy)

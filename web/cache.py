"""Rendered responses, kept while the record they were rendered from stays the same.

Every public page, API answer and feed is a function of three things: the read models,
today's date (days overdue and staleness move with it) and the request (its URL, host
and htmx headers). The read models only move when the projector commits, which it
records as the tracking position, the log's head. So a response rendered at one head
on one day can be served again, unchanged, to anyone asking the same thing, until the
head moves or the day turns; then the whole cache is dropped at once, since nothing in
it can be asked for again.

This is what lets a feed reader's poll or a busy page cost a dictionary lookup rather
than a render, and it is also where conditional GETs are answered: every cached
response carries an ``ETag`` (the route's own, or a digest of the body), and a request
whose ``If-None-Match`` or ``If-Modified-Since`` matches gets a bodiless 304.

What is never cached: anything but a 200 to a GET; responses that set cookies or say
``no-store`` or ``private``; requests that carry credentials (``Authorization`` or a
cookie), since an editor's view may differ from the public's; static files, which
Starlette already serves with their own validators.

The head is read at most every ``head_ttl`` seconds, in a worker thread. With the
projector running in this process the read models only move every poll interval
anyway; with ``head_ttl`` 0 every request reads it (tests that project by hand). If it
cannot be read (the store is busy or down), the request goes to the app uncached, and
the app answers as it would without a cache (a 503 for a busy store).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import anyio.to_thread

from web.conditional import http_date, not_modified

log = logging.getLogger(__name__)
Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[Message], Any]

# Request headers a response may depend on; everything else is the same for everyone.
KEYED_HEADERS = (b"host", b"hx-request", b"hx-history-restore-request", b"hx-target")
PRIVATE_HEADERS = (b"authorization", b"cookie")
CONDITIONAL_HEADERS = (b"if-none-match", b"if-modified-since")
# 304 carries these of the 200's headers (RFC 9110, 15.4.5), and Last-Modified.
KEPT_ON_304 = (b"etag", b"last-modified", b"cache-control", b"vary", b"content-location")
MAX_BODY = 4 * 1024 * 1024


@dataclass(frozen=True)
class Rendered:
    """One response, as it went out the first time."""

    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes
    etag: str
    modified: datetime | None

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers)


class Store:
    """An LRU of rendered responses for one (head, day); dropped whole when they move."""

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._state: tuple[Any, date] | None = None
        self._entries: OrderedDict[tuple, Rendered] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, state: tuple[Any, date], key: tuple) -> Rendered | None:
        with self._lock:
            if state != self._state:
                return None
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, state: tuple[Any, date], key: tuple, rendered: Rendered) -> None:
        with self._lock:
            if state != self._state:  # the head moved (or a rebuild reset it): start over
                self._state, self._entries, self._bytes = state, OrderedDict(), 0
            old = self._entries.pop(key, None)
            self._bytes -= old.size if old else 0
            self._entries[key] = rendered
            self._bytes += rendered.size
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= dropped.size


class Head:
    """What answers depend on besides the request: the record's position (whatever
    ``position`` returns) and today's date, re-read at most every ``ttl`` seconds."""

    def __init__(self, position: Callable[[], Any], today: Callable[[], date], ttl: float):
        self._position = position
        self._today = today
        self._ttl = ttl
        self._value: tuple[Any, date] | None = None
        self._read_at = 0.0

    def __call__(self) -> tuple[Any, date]:
        now = time.monotonic()
        if self._value is None or now - self._read_at >= self._ttl:
            self._value = (self._position(), self._today())
            self._read_at = now
        return self._value

    async def current(self) -> tuple[Any, date]:
        """As ``__call__``, reading the store in a worker thread when it must, so that
        a slow database never holds up the event loop."""
        if self._value is not None and time.monotonic() - self._read_at < self._ttl:
            return self._value
        return await anyio.to_thread.run_sync(self)

    async def fresh(self) -> tuple[Any, date]:
        """Read now, whatever the age of the last reading."""
        self._value = None
        return await anyio.to_thread.run_sync(self)

    def forget(self) -> None:
        """Read the store on the next request, whatever the age of the last reading:
        a write has been projected (``web.freshness``), and its writer reads next."""
        self._value = None


class ResponseCache:
    """ASGI middleware: serve GETs from ``Store`` while the head and day hold.

    With ``max_entries`` 0 it keeps nothing and reads no head, but still gives every
    answer it would have kept an ``ETag`` and answers conditional GETs with a 304:
    readers and CDNs revalidate the same way whether the cache is on or off."""

    def __init__(
        self,
        app: Callable,
        head: Callable[[Scope], Head | None],
        max_entries: int = 1024,
        max_bytes: int = 64 * 1024 * 1024,
        skip: tuple[str, ...] = ("/static/",),
    ) -> None:
        self.app = app
        self.head = head
        self.store = Store(max_entries, max_bytes)
        self.skip = skip

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        head = self.head(scope) if scope["type"] == "http" else None
        if head is None or not self._cacheable(scope):
            await self.app(scope, receive, send)
            return
        if self.store.max_entries == 0:
            await self._validated(scope, receive, send)
            return
        try:
            state = await head.current()
        except Exception:  # the store is unwell: answer uncached, and let the app say so
            log.warning("response cache: could not read the head", exc_info=True)
            await self.app(scope, receive, send)
            return
        key = _key(scope)
        rendered = self.store.get(state, key)
        if rendered is None:
            rendered = await self._render(scope, receive, send)
            if rendered is None:
                return  # not cacheable: it has already been sent as it was
            if await self._still(head, state):
                self.store.put(state, key, rendered)
        await _answer(scope, rendered, send)

    async def _validated(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Without a store: render, then answer as a kept answer would be answered."""
        rendered = await self._render(scope, receive, send)
        if rendered is not None:
            await _answer(scope, rendered, send)

    async def _still(self, head: Head, state: tuple[Any, date]) -> bool:
        """Whether the record is where it was when the render began: an answer
        rendered while it moved (an event projected, the read models rebuilt) may mix
        two states, and is sent but not kept."""
        try:
            return await head.fresh() == state
        except Exception:
            return False

    def _cacheable(self, scope: Scope) -> bool:
        if scope["method"] != "GET" or scope["path"].startswith(self.skip):
            return False
        return not any(name in PRIVATE_HEADERS for name, _ in scope["headers"])

    async def _render(self, scope: Scope, receive: Receive, send: Send) -> Rendered | None:
        """Run the app without the request's validators (so that it renders a 200 we
        can keep); pass anything we will not keep straight through to the client."""
        plain = dict(scope)
        plain["headers"] = [(k, v) for k, v in scope["headers"] if k not in CONDITIONAL_HEADERS]
        start: Message = {}
        chunks: list[bytes] = []
        passing = False

        async def capture(message: Message) -> None:
            nonlocal passing
            if message["type"] == "http.response.start":
                start.update(message)
                passing = not _keepable(message)
                if passing:
                    await send(message)
            elif passing:
                await send(message)
            else:
                chunks.append(message.get("body", b""))
                if sum(map(len, chunks)) > MAX_BODY:
                    passing = True
                    await send(start)
                    await send(
                        {
                            "type": "http.response.body",
                            "body": b"".join(chunks),
                            "more_body": message.get("more_body", False),
                        }
                    )

        await self.app(plain, receive, capture)
        if passing or not start:
            return None
        return _rendered(start, b"".join(chunks))


def _key(scope: Scope) -> tuple:
    headers = tuple(sorted((k, v) for k, v in scope["headers"] if k in KEYED_HEADERS))
    return (
        scope.get("scheme"),
        scope.get("root_path", ""),
        scope["path"],
        scope.get("query_string", b""),
        headers,
    )


def _keepable(start: Message) -> bool:
    if start["status"] != 200:
        return False
    for name, value in start.get("headers", []):
        if name.lower() == b"set-cookie":
            return False
        if name.lower() == b"cache-control" and (b"no-store" in value or b"private" in value):
            return False
    return True


def _rendered(start: Message, body: bytes) -> Rendered:
    headers = [(k.lower(), v) for k, v in start.get("headers", [])]
    etag = next((v.decode("latin-1") for k, v in headers if k == b"etag"), None)
    if etag is None:
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        headers.append((b"etag", etag.encode("latin-1")))
    modified = next(
        (http_date(v.decode("latin-1")) for k, v in headers if k == b"last-modified"), None
    )
    return Rendered(tuple(headers), body, etag, modified)


async def _answer(scope: Scope, rendered: Rendered, send: Send) -> None:
    if _not_modified(scope, rendered):
        headers = [(k, v) for k, v in rendered.headers if k in KEPT_ON_304]
        await send({"type": "http.response.start", "status": 304, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return
    await send({"type": "http.response.start", "status": 200, "headers": list(rendered.headers)})
    await send({"type": "http.response.body", "body": rendered.body})


def _not_modified(scope: Scope, rendered: Rendered) -> bool:
    headers = {k: v.decode("latin-1") for k, v in scope["headers"] if k in CONDITIONAL_HEADERS}
    return not_modified(
        headers.get(b"if-none-match"),
        headers.get(b"if-modified-since"),
        rendered.etag,
        rendered.modified,
    )

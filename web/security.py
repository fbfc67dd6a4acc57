"""Security headers on every response, and a 500 that says nothing about the inside.

The site only ever runs its own script (the vendored htmx, with its integrity hash)
and its own stylesheet, so the Content-Security-Policy allows exactly that: no inline
script, no ``eval``, nothing from another origin, no framing (the page of a public
record must not be dressed up inside someone else's). The one exception is the card
made to be framed (``/embed/``): any site may frame it, and it says so with
``frame-ancestors *`` and no ``X-Frame-Options``. Source links go out to other
sites, so the Referrer-Policy sends them our origin only, never the page's address.

A failure inside a request is logged here with its stack trace, and the client gets
a short answer in the form it asked for: problem details for the API, a page for
people. Nothing of the exception reaches it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from web.problems import Problem

log = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    )
)
HEADERS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
)
HSTS = (b"strict-transport-security", b"max-age=31536000")
# The card other sites embed: the same policy, except that anyone may frame it.
FRAMEABLE = "/embed/"
FRAMEABLE_HEADERS = tuple(
    (name, value.replace(b"frame-ancestors 'none'", b"frame-ancestors *"))
    for name, value in HEADERS
    if name != b"x-frame-options"
)


class SecurityHeaders:
    """ASGI middleware: add ``HEADERS`` (and HSTS over https) to every response."""

    def __init__(self, app: Callable) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        framed = scope["path"].startswith(FRAMEABLE)
        extra = (FRAMEABLE_HEADERS if framed else HEADERS) + (
            (HSTS,) if scope.get("scheme") == "https" else ()
        )

        async def with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                added = [(k, v) for k, v in extra if k not in present]
                message = {**message, "headers": [*message.get("headers", []), *added]}
            await send(message)

        await self.app(scope, receive, with_headers)


class NoStore:
    """ASGI middleware: ``Cache-Control: no-store, private`` on every answer under
    ``prefix`` (the editors' pages, which carry a session's CSRF token), errors too."""

    def __init__(self, app: Callable, prefix: str) -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: dict[str, Any], receive: Callable, send: Callable) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return

        async def no_store(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if k != b"cache-control"]
                message = {**message, "headers": [*kept, (b"cache-control", NO_STORE)]}
            await send(message)

        await self.app(scope, receive, no_store)


NO_STORE = b"no-store, private"
BUSY_RETRY_AFTER_SECONDS = 2


async def store_busy(request: Request, error: Exception) -> Response:
    """The store could not be reached in time (every connection busy, a lock held too
    long): the transaction was rolled back, so nothing was written, and the request
    can simply be sent again. 503 with ``Retry-After`` says so to any client."""
    log.warning("%s %s: the store is busy (%s)", request.method, request.url.path, error)
    detail = "The record is busy; nothing was recorded. Please try again in a moment."
    headers = {"Retry-After": str(BUSY_RETRY_AFTER_SECONDS)}
    return _answer(request, 503, "The record is busy", detail, headers)


# Driver errors that mean the database went away or forgot a session's state (a
# restart), whichever layer let them through: the request can simply be sent again.
TRANSIENT_DRIVER_ERRORS = {
    "psycopg.OperationalError",
    "psycopg.InterfaceError",
    "psycopg.errors.InvalidSqlStatementName",
    "psycopg.errors.AdminShutdown",
    "psycopg.errors.CannotConnectNow",
    "psycopg_pool.PoolTimeout",
    "eventsourcing.persistence.InterfaceError",
}


def transient(error: BaseException | None) -> bool:
    """Whether ``error``, or any error it was raised from, is a transient driver error."""
    seen = 0
    while error is not None and seen < 10:
        for kind in type(error).__mro__:
            if f"{kind.__module__}.{kind.__qualname__}" in TRANSIENT_DRIVER_ERRORS:
                return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


async def server_error(request: Request, error: Exception) -> Response:
    """The answer to an unexpected failure: logged in full, told in one sentence. A
    transient database error (the server restarting) is a 503, not a failure of ours."""
    if transient(error):
        return await store_busy(request, error)
    log.error("%s %s failed", request.method, request.url.path, exc_info=error)
    detail = "Something went wrong on our side. Please try again later."
    return _answer(request, 500, "Something went wrong", detail)


def _answer(
    request: Request, status: int, heading: str, detail: str, headers: dict[str, str] | None = None
) -> Response:
    """Problem details for machines, a page for people. Written out here rather than
    rendered from a template, since the failure may be in rendering. The security
    headers are set here too: a 500 is sent from outside every middleware."""
    headers = {k.decode(): v.decode() for k, v in HEADERS} | (headers or {})
    headers["Cache-Control"] = "no-store"  # a failure is no answer to keep
    if request.url.path.startswith(("/api/", "/feeds/")):
        return Problem(status, detail, headers=headers).response()
    page = (
        '<!doctype html><html lang="en-GB"><head><meta charset="utf-8">'
        f"<title>{heading}</title></head><body><main><h1>{heading}</h1>"
        f'<p>{detail}</p><p><a href="/">Every plan</a></p></main></body></html>'
    )
    return HTMLResponse(page, status_code=status, headers=headers)

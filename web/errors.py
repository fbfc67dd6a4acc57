"""The shared exception handlers: what a request that fails becomes, in one place.

On the API's paths, problem details (``web.problems``); elsewhere, a page for people
(``web.rendering.error_page``), or for an editor who is not signed in, the way to sign
in. ``create_app`` installs them; no route catches its own errors.
"""

from __future__ import annotations

from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from tracker.domain.errors import InvalidInputError, NotFoundError, TrackerError
from web import problems, urls
from web.editor_auth import SignInNeeded
from web.presenters.wording import NO_SUCH_PAGE, NOT_FOUND, NOT_UNDERSTOOD, sentence
from web.problems import Problem
from web.rendering import PageError, error_page
from web.security import server_error

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
MACHINES = ("/api/", "/feeds/", "/static/")  # paths whose 404s are JSON, never pages


async def on_problem(request: Request, problem: Problem) -> Response:
    return problems.answer(request, problem)


async def on_tracker_error(request: Request, error: TrackerError) -> Response:
    if problems.is_api(request):
        return problems.answer(request, problems.from_error(error))
    if isinstance(error, NotFoundError):
        editors = request.url.path.startswith(urls.editor_home())
        links = ((urls.editor_home(), "Editors"),) if editors else ()
        return await on_page_error(request, PageError(404, NOT_FOUND, sentence(str(error)), links))
    if isinstance(error, InvalidInputError):
        return await on_page_error(request, PageError(422, NOT_UNDERSTOOD, str(error) + "."))
    return await server_error(request, error)


async def on_validation_error(request: Request, error: RequestValidationError) -> Response:
    if problems.is_api(request):
        return problems.answer(request, problems.unreadable(error))
    return await request_validation_exception_handler(request, error)


async def on_page_error(request: Request, error: PageError) -> Response:
    # Rendering reads the log's head: in a worker thread, as a route would.
    return await run_in_threadpool(error_page, request, error)


async def on_sign_in_needed(request: Request, needed: SignInNeeded) -> Response:
    return RedirectResponse(needed.location, status_code=303)


async def on_http_error(request: Request, error: StarletteHTTPException) -> Response:
    """A page for people who follow a broken link; machines still get JSON."""
    if error.status_code == 405:
        return _method_not_allowed(request, error)
    machine = request.url.path.startswith(MACHINES)
    if error.status_code != 404 or machine or "text/html" not in request.headers.get("accept", ""):
        return await http_exception_handler(request, error)
    links = (("/", "Every plan"),)
    problem = PageError(404, NOT_FOUND, NO_SUCH_PAGE, links)
    return await on_page_error(request, problem)


def _method_not_allowed(request: Request, error: StarletteHTTPException) -> Response:
    """405 with every method the path takes in ``Allow`` (RFC 9110, 15.5.6): Starlette
    names only those of the first route that matched the path, and a path such as
    ``/api/v1/plans`` has a route for GET and another for POST."""
    allowed = {
        method
        for method in METHODS
        for route in request.app.routes
        if route.matches({**request.scope, "method": method})[0] == Match.FULL
    }
    headers = {"Allow": ", ".join(sorted(allowed))} if allowed else None
    return JSONResponse({"detail": error.detail}, status_code=405, headers=headers)


def install(app: FastAPI) -> None:
    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(TrackerError, on_tracker_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(PageError, on_page_error)
    app.add_exception_handler(SignInNeeded, on_sign_in_needed)
    app.add_exception_handler(StarletteHTTPException, on_http_error)

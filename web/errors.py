"""The shared exception handlers: what a request that fails becomes, in one place.

On the API's paths, problem details (``web.problems``); elsewhere, a page for people.
``create_app`` installs them; no route catches its own errors."""

from __future__ import annotations

from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError

from tracker.domain.errors import TrackerError
from web import problems
from web.problems import Problem
from web.security import server_error


async def on_problem(request: Request, problem: Problem) -> Response:
    return problems.answer(request, problem)


async def on_tracker_error(request: Request, error: TrackerError) -> Response:
    if problems.is_api(request):
        return problems.answer(request, problems.from_error(error))
    return await server_error(request, error)


async def on_validation_error(request: Request, error: RequestValidationError) -> Response:
    if problems.is_api(request):
        return problems.answer(request, problems.unreadable(error))
    return await request_validation_exception_handler(request, error)


def install(app: FastAPI) -> None:
    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(TrackerError, on_tracker_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)

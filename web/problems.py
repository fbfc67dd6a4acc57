"""Problem details (RFC 9457): how the API (``/api/v1``, reads and writes) answers
every error, through the shared exception handlers here, which ``create_app`` installs.

A body with ``type`` (always ``about:blank``: the status says what kind of problem it
is, and the titles are HTTP's own), ``title``, ``status``, ``detail`` and ``errors``,
one ``{"field", "detail"}`` per field at fault (a body field such as ``date`` or
``source.published_on``, ``body`` for the body as a whole, a parameter such as
``as_of``, or a header such as ``If-Match``). A stale version's 409 adds
``current_version``. Its model, for the OpenAPI document, is ``web.schemas.Error``.

The media type is ``application/problem+json``, except on the read API's 4xx answers
to a client that does not ask for it (``Accept``): those have been
``application/json`` since the first version, and readers parse them as such.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from tracker.domain.errors import (
    ConflictError,
    HistoryRewrittenError,
    InvalidInputError,
    NotFoundError,
    TrackerError,
)

MEDIA_TYPE = "application/problem+json"
TITLES = {  # RFC 9110's names
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class Problem(Exception):
    """An error answer, raised anywhere in a write route and sent as problem details."""

    def __init__(
        self,
        status: int,
        detail: str,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail
        self.errors = errors or []
        self.headers = headers or {}
        self.extra = extra

    def response(self, media_type: str = MEDIA_TYPE) -> JSONResponse:
        body = {
            "type": "about:blank",
            "title": TITLES.get(self.status, "Error"),
            "status": self.status,
            "detail": self.detail,
            "errors": self.errors,
            **self.extra,
        }
        return JSONResponse(
            body, status_code=self.status, headers=self.headers, media_type=media_type
        )


def invalid(field: str, detail: str) -> Problem:
    return Problem(422, _located(field, detail), [{"field": field, "detail": detail}])


def from_error(error: TrackerError) -> Problem:
    """The problem an application error stands for."""
    if isinstance(error, NotFoundError):
        return Problem(404, str(error))
    if isinstance(error, InvalidInputError):
        return invalid(error.field or "body", str(error))
    if isinstance(error, ConflictError):
        extra = {} if error.current_version is None else {"current_version": error.current_version}
        return Problem(409, str(error), **extra)
    if isinstance(error, HistoryRewrittenError):
        return Problem(409, str(error))
    return Problem(422, str(error))


def _located(field: str, detail: str) -> str:
    """``date: '2021-02-30' is not a real date``, unless the message names it already."""
    return detail if detail.startswith(field) else f"{field}: {detail}"


def unreadable(error: RequestValidationError) -> Problem:
    """A parameter FastAPI itself refused: ``page: Input should be...``, each named."""
    problems = []
    for item in error.errors():
        where = [str(part) for part in item.get("loc", ()) if part not in LOCATIONS]
        problems.append({"field": ".".join(where) or "request", "detail": item.get("msg", "")})
    return Problem(422, "; ".join(f"{p['field']}: {p['detail']}" for p in problems), problems)


LOCATIONS = ("query", "path", "header")


def is_api(request: Request) -> bool:
    return request.url.path.startswith(API)


API = "/api/"


def media_type(request: Request, status: int) -> str:
    """``application/json`` for a read's 4xx unless the client asks for problem+json."""
    read = request.method in ("GET", "HEAD") and status < 500
    return (
        "application/json"
        if read and MEDIA_TYPE not in request.headers.get("accept", "")
        else MEDIA_TYPE
    )


def answer(request: Request, problem: Problem) -> JSONResponse:
    return problem.response(media_type(request, problem.status))


# For the OpenAPI document: every problem answer follows ``web.schemas.Error``.

SCHEMA = {"$ref": "#/components/schemas/Error"}


def responses(descriptions: dict[int, str]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses``: for each status, what it means here; a problem+json body."""
    content = {MEDIA_TYPE: {"schema": SCHEMA}}
    documented: dict[int | str, dict[str, Any]] = {
        status: {"description": text, "content": content} for status, text in descriptions.items()
    }
    if 401 in documented:
        documented[401]["headers"] = {
            "WWW-Authenticate": {
                "description": 'Bearer realm="tracker", with error="invalid_token" or'
                ' error="invalid_request" when a token was sent but not accepted',
                "schema": {"type": "string"},
            }
        }
    return documented

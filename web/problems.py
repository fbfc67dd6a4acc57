"""Problem details (RFC 9457): how the write API answers every error.

A body of ``application/problem+json`` with ``type`` (always ``about:blank``: the status
says what kind of problem it is, and the titles are HTTP's own), ``title``, ``status``,
``detail`` and ``errors``, one ``{"field", "detail"}`` per field at fault (a body field
such as ``date`` or ``source.published_on``, ``body`` for the body as a whole, or a
header such as ``If-Match``). A stale version's 409 adds ``current_version``.
"""

from __future__ import annotations

from typing import Any

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
    422: "Unprocessable Content",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class ProblemResponse(JSONResponse):
    media_type = MEDIA_TYPE


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

    def response(self) -> ProblemResponse:
        body = {
            "type": "about:blank",
            "title": TITLES.get(self.status, "Error"),
            "status": self.status,
            "detail": self.detail,
            "errors": self.errors,
            **self.extra,
        }
        return ProblemResponse(body, status_code=self.status, headers=self.headers)


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


# For the OpenAPI document: the schema every problem answer follows.

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "required": ["type", "title", "status", "detail", "errors"],
    "properties": {
        "type": {"type": "string", "description": "always about:blank: see status"},
        "title": {"type": "string", "description": "the status's name"},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "what was wrong, fit to show a person"},
        "errors": {
            "type": "array",
            "description": "one per field at fault: a body field, 'body', or a header",
            "items": {
                "type": "object",
                "required": ["field", "detail"],
                "properties": {"field": {"type": "string"}, "detail": {"type": "string"}},
            },
        },
        "current_version": {
            "type": "integer",
            "description": "on a 409 for a stale If-Match: the commitment's version now",
        },
    },
}


def responses(descriptions: dict[int, str]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses``: for each status, what it means here; a problem+json body."""
    content = {MEDIA_TYPE: {"schema": PROBLEM_SCHEMA}}
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

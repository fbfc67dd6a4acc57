"""Who is writing: the bearer token of a write request, checked, and its role's rights.

``EditorDep`` (record events) and ``AdminDep`` (manage plans) are what routes declare;
the rights themselves are in ``tracker.access.MAY``. Without a valid token the answer
is 401 with ``WWW-Authenticate: Bearer`` (RFC 6750); with a token whose role may not
do this, 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from tracker.access import Identity, Tokens
from web.problems import Problem

REALM = "tracker"

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    bearerFormat="tpt_…",
    description="An API token from `tracker token create --name NAME --role editor|admin`.",
)


def _unauthorised(detail: str, error: str | None = None) -> Problem:
    challenge = f'Bearer realm="{REALM}"' + (f', error="{error}"' if error else "")
    return Problem(401, detail, headers={"WWW-Authenticate": challenge})


def tokens(request: Request) -> Tokens:
    return request.app.state.services.tokens


def identity(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
    store: Annotated[Tokens, Depends(tokens)],
) -> Identity:
    """The identity behind the request's bearer token, or a 401 saying what was wrong."""
    if "authorization" not in request.headers:
        raise _unauthorised("this needs an API token: send Authorization: Bearer TOKEN")
    if credentials is None:
        raise _unauthorised("the Authorization header must be: Bearer TOKEN", "invalid_request")
    who = store.authenticate(credentials.credentials)
    if who is None:
        raise _unauthorised("the token is not valid (unknown or revoked)", "invalid_token")
    return who


def allowed(action: str, what: str) -> Callable[[Identity], Identity]:
    """A dependency: the writer, if their role may do ``action``; else 403."""

    def check(who: Annotated[Identity, Depends(identity)]) -> Identity:
        if not who.may(action):
            raise Problem(403, f"an {who.role} token may not {what}")
        return who

    return check


EditorDep = Annotated[Identity, Depends(allowed("record_event", "record events"))]
PlanAdminDep = Annotated[Identity, Depends(allowed("create_plan", "publish plans"))]
SourceAdminDep = Annotated[Identity, Depends(allowed("register_source", "register sources"))]
CommitmentAdminDep = Annotated[Identity, Depends(allowed("create_commitment", "open commitments"))]

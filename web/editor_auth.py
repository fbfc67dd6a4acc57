"""Who is using the editors' pages: the session cookie, and what each request must show.

Cookies (the session's, and the sign-in form's own CSRF value) are:

- ``HttpOnly``: no script needs them, so no injected script can read them;
- ``SameSite=Strict``: the browser sends them only with requests this site's own pages
  start. Lax would also send them when someone follows a link here from elsewhere,
  which only editors would notice (such a link asks them to sign in again; the sign-in
  page is same-site, so that works), and Strict keeps every cross-site request,
  navigation included, anonymous: a third defence against CSRF;
- ``Secure`` and named with the ``__Host-`` prefix when the request came over https
  (``request.url.scheme``: behind a TLS proxy, uvicorn's ``--proxy-headers`` makes it
  so), which makes browsers refuse them over plain http and refuse any other host's or
  path's attempt to set them; over plain http (a laptop) neither is possible;
- ``Path=/`` (the prefix requires it), no ``Domain``.

A page (GET) without a live session answers 303 to the sign-in page, with ``next`` set
to where the editor was going; ``safe_next`` only ever lets that be a path on this site.
A POST without one answers 403: a form cannot be replayed after signing in, and the
page says so. Every POST must also pass ``web.csrf``'s checks.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request
from starlette.responses import Response

from web import csrf, urls
from web.editor_forms import FormDep
from web.presenters.forms import OFFERS, refusal
from web.rendering import PageError
from web.sessions import Session

SESSION_COOKIE = "editor-session"
SIGN_IN_COOKIE = "editor-sign-in"
ACTION = "record_event"  # what the pages let an editor do (tracker.access.MAY)


class SignInNeeded(Exception):
    """A page asked for without a session: send the editor to sign in, then back."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


# Cookies


def secure(request: Request) -> bool:
    return request.url.scheme == "https"


def cookie_name(request: Request, name: str) -> str:
    return f"__Host-{name}" if secure(request) else name


def set_cookie(
    response: Response, request: Request, name: str, value: str, max_age: int | None = None
) -> None:
    response.set_cookie(
        cookie_name(request, name),
        value,
        max_age=max_age,
        path="/",
        secure=secure(request),
        httponly=True,
        samesite="strict",
    )


def clear_cookie(response: Response, request: Request, name: str) -> None:
    response.delete_cookie(
        cookie_name(request, name),
        path="/",
        secure=secure(request),
        httponly=True,
        samesite="strict",
    )


def read_cookie(request: Request, name: str) -> str | None:
    return request.cookies.get(cookie_name(request, name))


# Where to go after signing in


def safe_next(target: str | None) -> str:
    """``target`` if it is a path on this site (``/editor/...?type=...``), else the
    editors' home: never another site (``//evil.example``, ``/\\evil.example``, a
    scheme), never anything a browser might read two ways."""
    home = urls.editor_home()
    if not target or len(target) > 2000 or not target.isascii() or not target.isprintable():
        return home
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return home
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return home
    return target


def here(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


# Dependencies


def current_session(request: Request) -> Session | None:
    return request.app.state.services.sessions.find(read_cookie(request, SESSION_COOKIE))


def _allowed(session: Session) -> Session:
    if not session.who.may(ACTION):
        raise PageError(403, *refusal("role", role=session.who.role))
    return session


def signed_in(request: Request) -> Session:
    """The session of a page's request; else off to sign in, and back here after."""
    session = current_session(request)
    if session is None:
        raise SignInNeeded(urls.editor_sign_in(next=here(request)))
    return _allowed(session)


def refuse_forgery(request: Request) -> None:
    """403 for a POST another site's page started."""
    if csrf.from_elsewhere(request, request.app.state.services.settings.base_url):
        raise PageError(403, *refusal("elsewhere"))


def posted_by(request: Request, form: FormDep) -> Session:
    """The session of a form's POST, which must carry that session's CSRF token."""
    refuse_forgery(request)
    session = current_session(request)
    if session is None:
        again = (urls.editor_sign_in(next=request.url.path), OFFERS["sign_in_again"])
        raise PageError(403, *refusal("signed_out"), links=(again,))
    if not csrf.matches(session.csrf, csrf.sent_token(request, form)):
        again = (request.url.path, OFFERS["open_again"])
        raise PageError(403, *refusal("form_expired"), links=(again,))
    return _allowed(session)


EditorPage = Annotated[Session, Depends(signed_in)]
EditorPost = Annotated[Session, Depends(posted_by)]

"""Cross-site request forgery: every POST of the editors' pages must prove it came
from one of the site's own forms.

Two checks, each enough alone against a forged form, kept together because each covers
a case the other may not:

- A secret token in every form: per session for the signed-in pages (``Session.csrf``),
  and, for the sign-in form, a random value that is both in the form and in a cookie
  of its own (double submit), so that no other site can sign a browser in as someone
  else (login CSRF). Another site can make a browser send our cookies, but cannot read
  our pages to learn the value, nor, with the ``__Host-`` prefix over https, set the
  cookie. htmx sends the token as the ``X-CSRF-Token`` header (``hx-headers`` on the
  form: JSON in an attribute, no script); a plain form as the ``csrf_token`` field.
  The comparison takes constant time.
- The ``Origin`` header: a browser sends it with every POST it makes from a page; when
  present, it must be the site's own (or that of ``Settings.base_url``). ``null``, sent
  from sandboxed frames and opaque origins, is refused too. ``Sec-Fetch-Site``, when
  present, must be ``same-origin`` (or ``none``: typed or bookmarked).

Session cookies are also ``SameSite=Strict`` (see ``web.editor_auth``): a third layer.
"""

from __future__ import annotations

import hmac
import secrets
import string
from collections.abc import Mapping
from urllib.parse import urlsplit

from starlette.requests import Request

HEADER = "X-CSRF-Token"
FIELD = "csrf_token"
FETCH_SITES = ("same-origin", "none")
_URLSAFE = frozenset(string.ascii_letters + string.digits + "-_")


def new_token() -> str:
    return secrets.token_urlsafe(32)


def well_formed(value: str | None) -> bool:
    """Whether ``value`` could be one of ``new_token``'s: 43 URL-safe characters."""
    return bool(value) and len(value) == 43 and value.isascii() and _URLSAFE.issuperset(value)


def matches(expected: str | None, given: str | None) -> bool:
    """Whether ``given`` is the (non-empty) ``expected`` token, in constant time."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))


def sent_token(request: Request, form: Mapping[str, str]) -> str | None:
    """The token the request carries: the header when sent (htmx), else the field."""
    return request.headers.get(HEADER) or form.get(FIELD)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def own_origins(request: Request, base_url: str | None) -> set[str]:
    """The site's origin as this request reached it, and as configured."""
    origins = {_origin(str(request.url))}
    if base_url:
        origins.add(_origin(base_url))
    return origins


def from_elsewhere(request: Request, base_url: str | None) -> bool:
    """Whether the browser says the request came from another site."""
    origin = request.headers.get("origin")
    if origin is not None and origin.lower().rstrip("/") not in own_origins(request, base_url):
        return True
    fetch_site = request.headers.get("sec-fetch-site")
    return fetch_site is not None and fetch_site not in FETCH_SITES

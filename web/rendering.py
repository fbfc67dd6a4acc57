"""Everything the site renders with: the Jinja environment (its filters and globals),
whole pages and their htmx fragments, feed item bodies, and the error page.

Each page is one template. The part of a page that an htmx request replaces (the
filtered list of commitments, the as-of view of a commitment) is a named block of that
same template, rendered alone only when the request says ``HX-Request: true`` and is
not a history restore (which wants the whole page). Every response says
``Vary: HX-Request`` so that a cache never serves one for the other.

Every word the templates print comes from ``web.presenters``; templates autoescape,
since everything from data files is text, never markup.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from jinja2_fragments.fastapi import Jinja2Blocks

from tracker.domain.entries import REPORTED_STATUSES
from web import bidi, urls
from web.loghead import log_head
from web.presenters import meta, views, wording

WEB = Path(__file__).resolve().parent
HTMX = "htmx-2.0.11.min.js"  # vendored: see web/static/VENDORED.md
VARY = "HX-Request, HX-History-Restore-Request"


def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(WEB / "templates"),
        autoescape=True,  # everything from data files is text, never markup
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        day=wording.day_text,
        moment=wording.moment_text,
        number=wording.number_text,
        bdi=bidi.bdi,
        isolated=bidi.isolated,
        feed_span=bidi.feed_span,
        days=wording.days_text,
        status=wording.status_text,
        type_label=wording.type_label,
    )
    env.globals.update(
        urls=urls,
        site=wording.SITE,
        htmx_src=urls.static(HTMX),
        htmx_integrity=_integrity(WEB / "static" / HTMX),
        css_src=urls.static("site.css"),
        status_labels=wording.STATUS_LABELS,
        source_kind_labels=wording.SOURCE_KIND_LABELS,
        reported_statuses=REPORTED_STATUSES,
        group_labels=wording.GROUP_LABELS,
        headline_labels=wording.HEADLINE_LABELS,
        precision=wording.PRECISION,
    )
    # Macros as a global, so that a block rendered alone (an htmx fragment) has them too.
    env.globals["ui"] = env.get_template("_macros.html").module
    return env


def _integrity(path: Path) -> str:
    """The subresource-integrity value of a static file, worked out from the file."""
    return "sha384-" + base64.b64encode(hashlib.sha384(path.read_bytes()).digest()).decode()


templates = Jinja2Blocks(env=_env())


def fragment(name: str, **context: Any) -> str:
    """A template rendered to text on its own: a feed item's body."""
    return templates.env.get_template(name).render(context)


# Pages


class PageError(Exception):
    """A request the site cannot answer: shown as an HTML page with this status."""

    def __init__(
        self,
        status_code: int,
        title: str,
        message: str,
        links: tuple[tuple[str, str], ...] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.title = title
        self.message = message
        self.links = links  # (href, text): where to go instead
        self.headers = headers or {}  # such as Retry-After


def wants_fragment(request: Request) -> bool:
    headers = request.headers
    return (
        headers.get("hx-request") == "true" and headers.get("hx-history-restore-request") != "true"
    )


def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    fragment: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The whole page, or only its ``fragment`` block for an htmx request."""
    block = fragment if fragment and wants_fragment(request) else None
    context["htmx_fragment"] = block is not None
    if block is None:
        context.setdefault("log_head", log_head(request.app.state.services.tracker))
        public = status_code == 200 and not request.url.path.startswith(urls.editor_home())
        context.setdefault("meta", meta.page_meta(request) if public else None)
    response = templates.TemplateResponse(
        request, name, context, status_code=status_code, block_name=block
    )
    response.headers["Vary"] = VARY
    return response


def error_page(request: Request, error: PageError) -> HTMLResponse:
    context = {
        "title": error.title,
        "message": error.message,
        "status_code": error.status_code,
        "links": error.links,
        "feeds": views.feed_links(("Every event", "all")),
        "apis": [],
    }
    response = render(request, "error.html", context, status_code=error.status_code)
    response.headers.update(error.headers)
    if request.headers.get("hx-request") == "true":
        # htmx does not swap error responses: have the browser load the page itself,
        # so that the message is shown, as it would be without JavaScript.
        query = request.url.query
        response.headers["HX-Redirect"] = request.url.path + (f"?{query}" if query else "")
    return response

"""What a public page says about itself to search engines and link previews: its
canonical address and its Open Graph tags (contract section 6).

The canonical address is absolute (``settings.base_url``, else the request's base)
and keeps only what names a different page: a later page of a paged list. Filters,
past dates and windows are views of the same page, infinitely many, and all point
back to it.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from web import urls
from web.presenters.wording import SITE

KEPT = ("page",)  # the only query a canonical address keeps


@dataclass(frozen=True)
class PageMeta:
    canonical: str
    site_name: str = SITE
    type: str = "website"


def base_of(request: Request) -> str:
    """Where the site is served from: the configured base URL, else the request's."""
    configured = request.app.state.services.settings.base_url
    return (configured or str(request.base_url)).rstrip("/")


def page_meta(request: Request) -> PageMeta:
    kept = {k: v for k, v in request.query_params.items() if k in KEPT and _later_page(v)}
    path = request.url.path + (f"?page={kept['page']}" if kept else "")
    return PageMeta(canonical=urls.absolute(base_of(request), path))


def _later_page(value: str) -> bool:
    return value.isascii() and value.isdigit() and not value.startswith("0") and value != "1"

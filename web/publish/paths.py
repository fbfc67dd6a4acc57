"""Where each public address of the site lands in the static edition, and how one
published file links to another.

A static host serves files, not routes: ``/plans/x`` becomes ``plans/x/index.html`` (a
page is a folder's index, so that its address stays short on a web host), a JSON document
``/api/v1/plans/x`` becomes ``api/v1/plans/x.json`` (a file whose name says what it
holds, beside the folder of its sub-documents), and an address that already names a
file (``feed.atom``, ``commitments.csv``, ``openapi.json``, ``static/site.css``) keeps
its name. Links point at the files themselves (``…/index.html``), since ``file://``
opens no folder's index.

Only addresses without a query string are published, and the pages of a paged list
(``?page=2`` lands in ``page-2/``): a query that filters or dates the record asks a
live site a question no set of files can answer.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

# Routes that are not part of the public record: editors, health checks, and the
# browsable docs (not served; /openapi.json is).
UNPUBLISHED = ("/editor", "/healthz", "/readyz", "/docs", "/redoc")
HTML = "text/html"
JSON = "application/json"


@dataclass(frozen=True)
class Link:
    """A link to this site, as the site wrote it: the address a file is published
    for (``address``), or None when no file can stand for it, and its fragment."""

    address: str | None
    fragment: str


def site_link(link: str, base_url: str, defaults: dict[str, dict[str, str]]) -> Link | None:
    """The link's place on this site, or None for a link elsewhere (another host, a
    fragment of the same document, a relative link, ``mailto:``). An absolute link to
    the base URL counts as the site's own. ``defaults``: each path's query parameters
    at their default values, which change nothing and so are dropped."""
    if link == base_url or link.startswith(base_url + "/"):
        link = link[len(base_url) :] or "/"
    if not link.startswith("/") or link.startswith("//"):
        return None
    parts = urlsplit(link)
    return Link(address(parts.path, parts.query, defaults), parts.fragment)


def address(path: str, query: str, defaults: dict[str, dict[str, str]]) -> str | None:
    """``path``, or ``path?page=N`` for a later page of a paged list; None for any
    other query and for the routes that are not published."""
    if any(path == p or path.startswith(p + "/") for p in UNPUBLISHED):
        return None
    given = dict(parse_qsl(query, keep_blank_values=True))
    unset = defaults.get(path, {})
    given = {k: v for k, v in given.items() if unset.get(k) != v and (k, v) != ("page", "1")}
    if not given:
        return path
    page = given.pop("page", None)
    if given or page is None or not (page.isascii() and page.isdigit()) or page.startswith("0"):
        return None
    return f"{path}?page={page}"


def file_for(address: str, content_type: str) -> str | None:
    """The file an address's answer is published as, relative to the edition's root;
    None for an answer no file name can be given (neither a page, JSON, nor a name
    with an extension)."""
    path, _, query = address.partition("?")
    page = f"page-{query.removeprefix('page=')}" if query else None
    folder, _, name = path.strip("/").rpartition("/")
    if "." in name:
        return None if page else path.lstrip("/")
    stem = "/".join(part for part in (folder, name, page) if part)
    if media_type(content_type) == HTML:
        return f"{stem}/index.html" if stem else "index.html"
    if media_type(content_type) == JSON:
        return f"{stem}.json"
    return None


def media_type(content_type: str) -> str:
    """``text/html`` of ``text/html; charset=utf-8``."""
    return content_type.partition(";")[0].strip().lower()


def relative(source: str, target: str, fragment: str = "") -> str:
    """A link from the published file ``source`` to ``target``, both relative to the
    root: it works wherever the root is (a folder, a host, a sub-path of one)."""
    link = posixpath.relpath(target, posixpath.dirname(source) or ".")
    return f"{link}#{fragment}" if fragment else link

"""How the site is found and read by machines (contract section 6): ``/sitemap.xml``,
``/robots.txt`` and the browsable API documentation at ``/docs``.

The sitemap lists every public page once, at its canonical address (the same base as
``web.presenters.meta``), dated by when the record behind it last changed. robots.txt
keeps crawlers off the editors' pages and off the query strings that would never end
(every past date, window and filter of a page is another address for the same page).

The docs are Swagger UI, vendored in ``web/static`` (``VENDORED.md``) and started by
our own script file, so that the site's Content-Security-Policy holds on ``/docs``
unchanged: no CDN, no inline script.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from web import urls
from web.deps import ServicesDep
from web.presenters.meta import base_of
from web.presenters.views import feed_links
from web.rendering import WEB, _integrity, render

SWAGGER_JS = "swagger-ui-5.35.0-bundle.js"  # vendored: see web/static/VENDORED.md
SWAGGER_CSS = "swagger-ui-5.35.0.css"
DOCS_JS = "docs.js"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
# Query parameters whose values never run out: a crawler following them would not stop.
ENDLESS_QUERIES = ("as_of", "as_recorded", "since", "until", "q", "status", "theme", "owner")

router = APIRouter(include_in_schema=False)


@router.get("/sitemap.xml")
def sitemap(request: Request, services: ServicesDep) -> Response:
    """Every public page at its canonical address, with when it last changed."""
    base = base_of(request)
    lines = [f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAP_NS}">']
    for path, modified in _pages(services):
        lastmod = f"<lastmod>{escape(modified[:10])}</lastmod>" if modified else ""
        lines.append(f"<url><loc>{escape(urls.absolute(base, path))}</loc>{lastmod}</url>")
    lines.append("</urlset>\n")
    return Response("\n".join(lines), media_type="application/xml")


def _pages(services: ServicesDep) -> list[tuple[str, str | None]]:
    """(path, when the record behind it was last recorded), every public page."""
    read = services.read
    _, latest = read.head()
    pages = [
        (urls.home(), latest),
        (urls.timeline(), latest),
        (urls.delays(), latest),
        (urls.changes(), latest),
        (urls.log(), latest),
        (urls.how_we_know(), None),  # its words change with the code, not the record
    ]
    by_plan = read.last_recorded()
    for info in read.plan_infos():
        pages.append((urls.plan(info.slug), by_plan.get(info.slug)))
        for row in read.commitments(info.slug, services.today()):
            pages.append((urls.commitment(row.plan, row.slug), row.recorded_at))
    return pages


@router.get("/robots.txt", response_class=PlainTextResponse)
def robots(request: Request) -> str:
    """The public site open to all; the editors' pages and endless queries not."""
    lines = ["User-agent: *", "Allow: /", f"Disallow: {urls.editor_home()}"]
    lines += [f"Disallow: /*?*{name}=" for name in ENDLESS_QUERIES]
    lines += ["", f"Sitemap: {urls.absolute(base_of(request), urls.sitemap())}", ""]
    return "\n".join(lines)


@router.get("/docs", response_class=HTMLResponse)
def docs(request: Request) -> HTMLResponse:
    """The OpenAPI document, browsable, drawn by the vendored Swagger UI."""
    context = {
        "openapi": urls.openapi(),
        "swagger_js": urls.static(SWAGGER_JS),
        "swagger_js_integrity": _integrity(WEB / "static" / SWAGGER_JS),
        "swagger_css": urls.static(SWAGGER_CSS),
        "docs_js": urls.static(DOCS_JS),
        "feeds": feed_links(("Every event", "all")),
        "apis": [("The OpenAPI document", urls.openapi())],
    }
    return render(request, "docs.html", context)

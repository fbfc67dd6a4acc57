"""Search across every plan: the page (``/search``) and the API (``/api/v1/search``).

Both read ``ReadModel.search`` (``tracker/readmodels/search.py``). The reader's text is
read as words only (``parse_query``), so no input makes a query the database cannot
run: an empty or overlong one is a 422 on the API and a message on the page. The
page's list of hits is a named block, which htmx asks for alone as the reader types;
the form works the same without JavaScript.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from tracker.domain.errors import InvalidInputError
from tracker.readmodels.search import Found, Hit
from tracker.readmodels.searchtext import MAX_QUERY, parse_query
from web import urls
from web.deps import ReadDep, ServicesDep
from web.presenters.search import hit_view, permalink
from web.presenters.views import feed_links
from web.presenters.wording import SEARCH_HINT
from web.rendering import render, wants_fragment
from web.schemas import Error
from web.searchschemas import SearchPage

PER_PAGE = 20
MAX_PER_PAGE = 50
MAX_PAGE = 10_000

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["api"])


def page_count(found: Found, per_page: int) -> int:
    return max(1, -(-found.total // per_page))


@pages.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request, services: ServicesDep, q: str | None = None, page: str | None = None
) -> HTMLResponse:
    number = _page(page)
    context: dict[str, Any] = {
        "q": (q or "").strip(),
        "max_query": MAX_QUERY,
        "hint": SEARCH_HINT,
        "problem": None,
        "found": None,
        "feeds": feed_links(("Every event", "all")),
        "apis": [],
    }
    status = 200
    if context["q"]:
        try:
            query = parse_query(q)
        except InvalidInputError as error:
            context["problem"] = str(error).removeprefix("q: ")
            status = 200 if wants_fragment(request) else 422  # htmx swaps only a 2xx
        else:
            found = services.read.search(query, PER_PAGE, (number - 1) * PER_PAGE)
            context.update(_results(found, query.text, number))
            context["apis"] = [("These results", urls.api_search(q=query.text, page=number))]
    return render(request, "search.html", context, fragment="results", status_code=status)


def _results(found: Found, q: str, number: int) -> dict[str, Any]:
    pages_ = page_count(found, PER_PAGE)
    return {
        "found": found,
        "hits": [hit_view(h) for h in found.hits],
        "page": number,
        "pages": pages_,
        "first": (number - 1) * PER_PAGE + 1,
        "last": (number - 1) * PER_PAGE + len(found.hits),
        "page_href": partial(urls.search, q),
    }


def _page(text: str | None) -> int:
    """``?page=``: a page number; anything else is the first page."""
    text = (text or "").strip()
    if text.isascii() and text.isdigit() and 0 < len(text) < 6 and int(text) > 0:
        return int(text)
    return 1


@api.get(
    "/search",
    response_model=SearchPage,
    responses={422: {"model": Error, "description": "A bad parameter (q), named in the message"}},
)
def search_api(
    read: ReadDep,
    q: Annotated[
        str | None,
        Query(description=f"words to look for, up to {MAX_QUERY} characters; {SEARCH_HINT}"),
    ] = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = PER_PAGE,
) -> Any:
    """Titles, summaries, quotes, notes and sources across every plan, best match first,
    each with an excerpt and where in it the words matched."""
    query = parse_query(q)
    found = read.search(query, per_page, (page - 1) * per_page)
    pages_ = page_count(found, per_page)

    def at(number: int) -> str:
        return urls.api_search(q=query.text, page=number, per_page=per_page)

    return {
        "q": query.text,
        "page": page,
        "per_page": per_page,
        "pages": pages_,
        "total": found.total,
        "items": [_hit(h) for h in found.hits],
        "links": {
            "html": urls.search(query.text, page),
            "self": at(page),
            "next": at(page + 1) if page < pages_ else None,
            "prev": at(min(page - 1, pages_)) if page > 1 else None,
        },
    }


def _hit(hit: Hit) -> dict[str, Any]:
    api_link = (
        urls.api_commitment(hit.plan, hit.commitment) if hit.commitment else urls.api_plan(hit.plan)
    )
    return {
        "matched": hit.field,
        "text": hit.snippet.text,
        "marks": [list(m) for m in hit.snippet.marks],
        "plan": hit.plan,
        "plan_title": hit.plan_title,
        "commitment": hit.commitment,
        "commitment_title": hit.commitment_title,
        "event": hit.number,
        "type": hit.type,
        "date": hit.date,
        "corrected_by": hit.corrected_by,
        "corrects": hit.corrects,
        "links": {"html": permalink(hit), "api": api_link},
    }

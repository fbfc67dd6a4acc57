"""The public pages: server-rendered HTML that works without JavaScript, enhanced by htmx.

Each route reads the read models (never an aggregate), asks ``web.presenters`` what to
show and ``web.rendering`` to lay it out: a whole page, or for an htmx request only the
block it replaces. Links and forms work without JavaScript; htmx only saves reloading
the rest of the page. An unknown slug or bad input raises, and the app's shared
handlers (``web.errors``) answer with an error page.
"""

from __future__ import annotations

import math
from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from tracker.application.recorded import Recorded
from tracker.application.specs import date_of
from tracker.domain.entries import STATUSES, TRANSFERRED
from tracker.domain.errors import InvalidInputError
from tracker.domain.figures import only_official_says
from tracker.readmodels.views import HEADLINES, headline_counts
from web import etags, urls
from web.citing import cite_context
from web.deps import ServicesDep, slug_of
from web.presenters.chart import chart
from web.presenters.embeds import snippet
from web.presenters.views import (
    by_theme,
    calendar_link,
    counted_measures,
    delay_reasons,
    feed_links,
    measurement_table,
    story,
    transferred_to,
)
from web.presenters.wording import (
    DATE_FORMATS,
    DATE_NOT_READ,
    GROUP_LABELS,
    NOT_FOUND,
    ONLY_OFFICIAL,
    as_recorded_text,
    how_we_know,
)
from web.recorded import page_position, page_read
from web.rendering import PageError, render
from web.sourcelists import commitment_sources, plan_sources

router = APIRouter(include_in_schema=False)

PER_PAGE = 25
DELAYS_PER_PAGE = 50
STATUS_FILTERS = (*GROUP_LABELS, *STATUSES)


# Reading the request


def reference_day(
    text: str | None, today: date, instead: tuple[str, str] | None = None
) -> tuple[date, bool]:
    """``?as_of=`` at any precision (a month or year means its last day), else today;
    and whether it was given. ``instead``: a link to offer if the date is bad."""
    if text is None or not text.strip():
        return today, False
    try:
        return date_of(text, "as_of").end, True
    except InvalidInputError as error:
        message = f"as_of: {error}."
        if "YYYY" not in message:
            message += " " + DATE_FORMATS
        links = (instead,) if instead else ()
        raise PageError(422, DATE_NOT_READ, message, links) from None


def plan_filters(**given: str | None) -> dict[str, str | None]:
    """The plan page's filters, each checked; a status must be one the page offers."""
    filters = {name: filter_text(value, name) for name, value in given.items()}
    if filters["status"] and filters["status"] not in STATUS_FILTERS:
        raise InvalidInputError(
            f"status: unknown filter '{filters['status']}'"
            f" (expected one of: {', '.join(STATUS_FILTERS)})",
            "status",
        )
    return filters


def filter_text(value: str | None, name: str) -> str | None:
    value = (value or "").strip()
    if len(value) > 200:
        raise InvalidInputError(f"{name}: the text is longer than 200 characters", name)
    if any(not ch.isprintable() for ch in value):
        raise InvalidInputError(f"{name}: the text contains a control character", name)
    return value or None


def recorded_view(position: Recorded | None) -> str | None:
    """Which past view of the record a page shows, if not today's."""
    if position is None:
        return None
    return as_recorded_text(position.events, position.moment or position.at)


def absolute(request: Request, path: str, base_url: str | None) -> str:
    base = base_url or str(request.base_url)
    return base.rstrip("/") + path


# Pages


@router.get("/", response_class=HTMLResponse)
def home(request: Request, services: ServicesDep) -> HTMLResponse:
    today = services.today()
    summaries = services.read.plans(today)
    context = {
        "today": today,
        "summaries": summaries,
        "headlines": HEADLINES,
        "feeds": [
            *feed_links(("Every event", "all"), ("Delays", "delays")),
            calendar_link("Every deadline"),
        ],
        "apis": [("The plans, with their headline counts", urls.api_plans())],
    }
    return render(request, "home.html", context)


@router.get("/plans/{plan}", response_class=HTMLResponse)
def plan_page(
    request: Request,
    services: ServicesDep,
    plan: str,
    status: str | None = None,
    theme: str | None = None,
    owner: str | None = None,
    q: str | None = None,
    as_of: str | None = None,
    as_recorded: str | None = None,
) -> HTMLResponse:
    plan = slug_of(plan, "unknown plan '{}'")
    services.read.plan(plan)  # an unknown plan is a 404 whatever else is asked
    today = services.today()
    here = (urls.plan(plan), "See the plan as it stands today")
    day, dated = reference_day(as_of, today, here)
    position = page_position(services, as_recorded, here)
    read = page_read(services, position)
    info = read.plan(plan)
    filters = plan_filters(status=status, theme=theme, owner=owner, q=q)
    everything = read.commitments(plan, day)
    rows = read.commitments(plan, day, **filters) if any(filters.values()) else everything
    items = read.plan_items(plan)
    published = info.published_on.end
    context_items = [i for i in items if i.entry.type != "measurement_recorded"]
    context = {
        "info": info,
        "today": today,
        "day": day,
        "dated": dated,
        "as_of": day.isoformat() if dated else "",
        "filters": filters,
        "filtered": any(filters.values()),
        "status_filters": STATUS_FILTERS,
        "themes": sorted({r.theme for r in everything if r.theme}),
        "owners": sorted({r.owner for r in everything if r.owner}),
        "total": len(everything),
        "rows": rows,
        "groups": by_theme(rows),
        "counts": headline_counts(everything),
        "headlines": HEADLINES,
        "before": [i for i in context_items if i.entry.date.start <= published],
        "after": [i for i in context_items if i.entry.date.start > published],
        "measurements": measurement_table(items, published),
        "corrections": {i.entry.number: i for i in items},
        "sources": plan_sources(info.sources, read.cited_sources(plan)),
        "feeds": [
            *feed_links(("This plan", "plan", plan), ("Every event", "all")),
            calendar_link("This plan's deadlines", plan),
        ],
        "apis": [
            ("The commitments, with their figures", urls.api_commitments(plan)),
            ("The plan, its sources and plan-wide events", urls.api_plan(plan)),
        ],
        "link_as_of": day.isoformat() if dated else None,
        "recorded_view": recorded_view(position),
        "as_recorded": str(position.events) if position else "",
    }
    return render(request, "plan.html", context, fragment="results")


@router.get("/plans/{plan}/commitments/{slug}", response_class=HTMLResponse)
def commitment_page(
    request: Request,
    services: ServicesDep,
    plan: str,
    slug: str,
    as_of: str | None = None,
    as_recorded: str | None = None,
) -> HTMLResponse:
    plan = slug_of(plan, "unknown plan '{}'")
    slug = slug_of(slug, f"unknown commitment '{{}}' in plan '{plan}'")
    today = services.today()
    here = (urls.commitment(plan, slug), "See this commitment as it stands today")
    try:
        day, dated = reference_day(as_of, today, here)
        position = page_position(services, as_recorded, here)
    except PageError:
        services.read.commitment(plan, slug, today)  # an unknown slug is a 404 whatever
        raise
    read = page_read(services, position)
    detail = read.commitment(plan, slug, day)
    info = read.plan(plan)
    row = detail.row
    stories = story(detail.items, day)
    entries = [i.entry for i in detail.items]
    context = {
        "info": info,
        "row": row,
        "f": row.figures,
        "today": today,
        "day": day,
        "dated": dated,
        "before_announcement": day < row.announced_on.start,
        "only_official": ONLY_OFFICIAL if only_official_says(entries, day) else None,
        "moved_to": transferred_to(entries, day) if row.figures.status == TRANSFERRED else None,
        "stories": stories,
        "pending": sum(1 for s in stories if s.later),
        "numbers": counted_measures(detail.items, day),
        "chart": chart(row, detail.items, day, today),
        **cite_context(request, services, row, day, position),
        "sources": commitment_sources(detail.items),
        "feeds": [
            *feed_links(("This commitment", "commitment", plan, slug), ("This plan", "plan", plan)),
            calendar_link("This commitment's deadline", plan, slug),
        ],
        "embed": snippet(row, absolute(request, "", services.settings.base_url)),
        "apis": [("This commitment and its events", urls.api_commitment(plan, slug))],
    }
    response = render(request, "commitment.html", context, fragment="as_of_view")
    response.headers["ETag"] = etags.page_etag(row.version, response.body)
    return response


@router.get("/timeline", response_class=HTMLResponse)
def timeline_page(request: Request, services: ServicesDep, page: str | None = None) -> HTMLResponse:
    number = page_number(page)
    read = services.read
    items, total = read.timeline(number, PER_PAGE)
    pages = max(1, math.ceil(total / PER_PAGE))
    if number > pages:
        raise PageError(404, NOT_FOUND, f"There is no page {number}: the timeline has {pages}.")
    context = {
        "items": items,
        "page": number,
        "pages": pages,
        "total": total,
        "first": (number - 1) * PER_PAGE + 1 if total else 0,
        "last": (number - 1) * PER_PAGE + len(items),
        "plans": {p.slug: p for p in read.plan_infos()},
        "feeds": feed_links(("Every event", "all"), ("Delays", "delays")),
        "apis": [("This page of events", urls.api_timeline(page=number if number > 1 else None))],
    }
    return render(request, "timeline.html", context)


@router.get("/delays", response_class=HTMLResponse)
def delays_page(request: Request, services: ServicesDep, page: str | None = None) -> HTMLResponse:
    """The delayed commitments, most overdue first, ``DELAYS_PER_PAGE`` at a time: a
    plan of a thousand commitments must not make one page of megabytes."""
    number = page_number(page)
    read = services.read
    today = services.today()
    everything = read.delays(today)
    pages = max(1, math.ceil(len(everything) / DELAYS_PER_PAGE))
    if number > pages:
        raise PageError(404, NOT_FOUND, f"There is no page {number}: the delays have {pages}.")
    start = (number - 1) * DELAYS_PER_PAGE
    rows = everything[start : start + DELAYS_PER_PAGE]
    plans = {p.slug: p for p in read.plan_infos()}
    context = {
        "today": today,
        "rows": rows,
        "total": len(everything),
        "page": number,
        "pages": pages,
        "first": start + 1,
        "last": start + len(rows),
        "reasons": {(r.plan, r.slug): delay_reasons(r.figures) for r in rows},
        "plans": plans,
        "feeds": feed_links(("Delays", "delays"), ("Every event", "all")),
        "apis": [
            (f"The commitments of ‘{p.title}’", urls.api_commitments(p.slug))
            for p in plans.values()
        ],
    }
    return render(request, "delays.html", context)


@router.get("/log", response_class=HTMLResponse)
def log_page(request: Request, services: ServicesDep) -> HTMLResponse:
    """The log's head in full, and how anyone can check a copy of the log against it."""
    context = {
        "export": absolute(request, urls.api_log_export(), services.settings.base_url),
        "feeds": feed_links(("Every event", "all")),
        "apis": [("The log's head", urls.api_log())],
    }
    return render(request, "log.html", context)


@router.get("/how-we-know", response_class=HTMLResponse)
def how_we_know_page(request: Request) -> HTMLResponse:
    """How the record is kept and its figures worked out, in plain words. The rules'
    own constants and labels fill it in, so that it cannot drift from what the tracker
    does."""
    context = {
        **how_we_know(),
        "feeds": feed_links(("Every event", "all")),
        "apis": [],
    }
    return render(request, "how_we_know.html", context)


def page_number(text: str | None) -> int:
    if text is None or not text.strip():
        return 1
    text = text.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        raise InvalidInputError(f"page: '{text}' is not a page number (1, 2, 3...)", "page")
    number = int(text)
    if number < 1:
        raise PageError(404, NOT_FOUND, "Pages are numbered from 1.")
    return number

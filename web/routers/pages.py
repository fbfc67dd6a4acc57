"""The public pages: server-rendered HTML that works without JavaScript, enhanced by htmx.

Each page is one template. The part of a page that an htmx request replaces (the
filtered list of commitments, the as-of view of a commitment) is a named block of that
same template, rendered alone only when the request says ``HX-Request: true`` and is
not a history restore (which wants the whole page). Every response says
``Vary: HX-Request`` so that a cache never serves one for the other. Links and forms
work without JavaScript; htmx only saves reloading the rest of the page.

Requests read the read models only; nothing here replays an aggregate.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from jinja2_fragments.fastapi import Jinja2Blocks

from tracker.application.specs import date_of
from tracker.domain import numbers
from tracker.domain.dates import MONTH_NAMES
from tracker.domain.entries import (
    CLOSED_STATUSES,
    REPORTED_STATUSES,
    STATUSES,
    TRANSFERRED,
    Entry,
    checked_slug,
)
from tracker.domain.errors import InvalidInputError, NotFoundError
from tracker.domain.figures import STALE_AFTER_DAYS, Figures, counted, only_official_says
from tracker.readmodels.queries import HEADLINES, CommitmentRow, Item, headline_counts
from web import bidi, urls
from web.deps import ServicesDep
from web.loghead import log_head
from web.sourcelists import commitment_sources, plan_sources
from web.wording import SOURCE_KINDS, STATUS_MEANINGS

router = APIRouter(include_in_schema=False)

WEB = Path(__file__).resolve().parent.parent
HTMX = "htmx-2.0.11.min.js"  # vendored: see web/static/VENDORED.md
PER_PAGE = 25
DELAYS_PER_PAGE = 50
VARY = "HX-Request, HX-History-Restore-Request"
SITE = "Action Plan Tracker"

STATUS_LABELS = {
    "announced": "Announced, no status reported",
    "not_started": "Not started",
    "in_progress": "In progress",
    "delayed": "Delayed",
    "paused": "Paused",
    "delivered": "Delivered",
    "partially_delivered": "Partially delivered",
    "dropped": "Dropped",
    "transferred": "Transferred",
}
# Who a source is (contract section 5), as the pages name it beside the source: the
# wording lives in web.wording.
SOURCE_KIND_LABELS = {kind: k.label for kind, k in SOURCE_KINDS.items()}
# Beside a status whose only sources are the body responsible for delivering it.
ONLY_OFFICIAL = "Only the responsible body says so"
GROUP_LABELS = {
    "overdue": "Overdue",
    "stale": "Stale (no news for 180 days)",
    "no_deadline": "No deadline",
}
HEADLINE_LABELS = {
    "delivered": "Delivered",
    "in_progress": "In progress",
    "announced": "No status reported",
    "overdue": "Overdue",
    "stale": "Stale",
    "no_deadline": "No deadline",
}
TYPE_LABELS = {
    "announced": "Announced",
    "deadline_set": "Deadline set",
    "status_changed": "Status changed",
    "progress_reported": "Progress reported",
    "budget_committed": "Budget committed",
    "target_set": "Target set",
    "measurement_recorded": "Measurement recorded",
    "correction": "Correction",
    "deadline_missed": "Deadline missed",
    "transferred": "Transferred",
}


# Presentation helpers, also the templates' filters


def day_text(value: date) -> str:
    """A whole day as people write it: "21 November 2026"."""
    return f"{value.day} {MONTH_NAMES[value.month]} {value.year}"


def moment_text(value: datetime) -> str:
    """When something was recorded, to the minute, with its time zone."""
    zone = value.tzname() or ""
    return f"{day_text(value.date())}, {value:%H:%M} {zone}".rstrip()


def number_text(value: Decimal | int | str) -> str:
    """A figure with thousands separators and no invented decimals: 1,700,000; 3.7
    (``numbers.shown``: a stored value no version should have let in shows as stored)."""
    return numbers.shown(value)


def days_text(days: int) -> str:
    return f"{days:,} day" if days == 1 else f"{days:,} days"


def status_text(status: str) -> str:
    return STATUS_LABELS.get(status, status.replace("_", " "))


def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(WEB / "templates"),
        autoescape=True,  # everything from data files is text, never markup
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        day=day_text,
        moment=moment_text,
        number=number_text,
        bdi=bidi.bdi,
        isolated=bidi.isolated,
        days=days_text,
        status=status_text,
        type_label=lambda kind: TYPE_LABELS.get(kind, kind.replace("_", " ")),
    )
    env.globals.update(
        urls=urls,
        site=SITE,
        htmx_src=urls.static(HTMX),
        htmx_integrity=_integrity(WEB / "static" / HTMX),
        css_src=urls.static("site.css"),
        status_labels=STATUS_LABELS,
        source_kind_labels=SOURCE_KIND_LABELS,
        reported_statuses=REPORTED_STATUSES,
        group_labels=GROUP_LABELS,
        headline_labels=HEADLINE_LABELS,
    )
    # Macros as a global, so that a block rendered alone (an htmx fragment) has them too.
    env.globals["ui"] = env.get_template("_macros.html").module
    return env


def _integrity(path: Path) -> str:
    """The subresource-integrity value of a static file, worked out from the file."""
    return "sha384-" + base64.b64encode(hashlib.sha384(path.read_bytes()).digest()).decode()


templates = Jinja2Blocks(env=_env())


# Responses


class PageError(Exception):
    """A request the site cannot answer: shown as an HTML page with this status."""

    def __init__(
        self,
        status_code: int,
        title: str,
        message: str,
        links: tuple[tuple[str, str], ...] = (),
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.title = title
        self.message = message
        self.links = links  # (href, text): where to go instead


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
        "feeds": feed_links(("Every event", "all")),
        "apis": [],
    }
    response = render(request, "error.html", context, status_code=error.status_code)
    if request.headers.get("hx-request") == "true":
        # htmx does not swap error responses: have the browser load the page itself,
        # so that the message is shown, as it would be without JavaScript.
        query = request.url.query
        response.headers["HX-Redirect"] = request.url.path + (f"?{query}" if query else "")
    return response


def html_errors(route: Callable[..., HTMLResponse]) -> Callable[..., HTMLResponse]:
    """Turn unknown slugs into a 404 page and bad input into a 422 page."""

    @functools.wraps(route)
    def wrapper(request: Request, **kwargs: Any) -> HTMLResponse:
        try:
            return route(request, **kwargs)
        except NotFoundError as error:
            problem = PageError(404, "Not found", _sentence(str(error)))
        except InvalidInputError as error:
            problem = PageError(422, "That request could not be understood", str(error) + ".")
        except PageError as error:
            problem = error
        return error_page(request, problem)

    return wrapper


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


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
            message += " Write a date as YYYY, YYYY-MM or YYYY-MM-DD."
        links = (instead,) if instead else ()
        raise PageError(422, "That date could not be read", message, links) from None


def slug_of(text: str, missing: str) -> str:
    """A slug from the path, or a 404: anything that is not one names nothing (and a
    NUL byte, say, must never reach PostgreSQL, which would refuse it with a 500)."""
    try:
        return checked_slug(text)
    except InvalidInputError:
        shown = text if text.isprintable() and len(text) <= 100 else "(not a slug)"
        raise NotFoundError(missing.format(shown)) from None


def filter_text(value: str | None, name: str) -> str | None:
    value = (value or "").strip()
    if len(value) > 200:
        raise InvalidInputError(f"{name}: the text is longer than 200 characters", name)
    if any(not ch.isprintable() for ch in value):
        raise InvalidInputError(f"{name}: the text contains a control character", name)
    return value or None


@dataclass(frozen=True)
class FeedLink:
    title: str
    kind: str  # rss or atom
    href: str

    @property
    def media_type(self) -> str:
        return f"application/{self.kind}+xml"


def feed_links(*feeds: tuple[str, ...]) -> list[FeedLink]:
    """Both formats of each feed: ``(title, scope[, plan[, slug]])``."""
    links = []
    for title, scope, *where in feeds:
        for kind, name in (("rss", "RSS"), ("atom", "Atom")):
            links.append(FeedLink(f"{title} ({name})", kind, urls.feed(scope, kind, *where)))
    return links


def absolute(request: Request, path: str, base_url: str | None) -> str:
    base = base_url or str(request.base_url)
    return base.rstrip("/") + path


# Pages


@router.get("/", response_class=HTMLResponse)
@html_errors
def home(request: Request, services: ServicesDep) -> HTMLResponse:
    today = services.today()
    summaries = services.read.plans(today)
    context = {
        "today": today,
        "summaries": summaries,
        "headlines": HEADLINES,
        "feeds": feed_links(("Every event", "all"), ("Delays", "delays")),
        "apis": [("The plans, with their headline counts", urls.api_plans())],
    }
    return render(request, "home.html", context)


STATUS_FILTERS = (*GROUP_LABELS, *STATUSES)


@router.get("/plans/{plan}", response_class=HTMLResponse)
@html_errors
def plan_page(
    request: Request,
    services: ServicesDep,
    plan: str,
    status: str | None = None,
    theme: str | None = None,
    owner: str | None = None,
    q: str | None = None,
    as_of: str | None = None,
) -> HTMLResponse:
    read = services.read
    plan = slug_of(plan, "unknown plan '{}'")
    info = read.plan(plan)
    today = services.today()
    here = (urls.plan(plan), "See the plan as it stands today")
    day, dated = reference_day(as_of, today, here)
    filters = {
        "status": filter_text(status, "status"),
        "theme": filter_text(theme, "theme"),
        "owner": filter_text(owner, "owner"),
        "q": filter_text(q, "q"),
    }
    if filters["status"] and filters["status"] not in STATUS_FILTERS:
        raise InvalidInputError(
            f"status: unknown filter '{filters['status']}'"
            f" (expected one of: {', '.join(STATUS_FILTERS)})",
            "status",
        )
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
        "feeds": feed_links(("This plan", "plan", plan), ("Every event", "all")),
        "apis": [
            ("The commitments, with their figures", urls.api_commitments(plan)),
            ("The plan, its sources and plan-wide events", urls.api_plan(plan)),
        ],
        "link_as_of": day.isoformat() if dated else None,
    }
    return render(request, "plan.html", context, fragment="results")


@router.get("/plans/{plan}/commitments/{slug}", response_class=HTMLResponse)
@html_errors
def commitment_page(
    request: Request,
    services: ServicesDep,
    plan: str,
    slug: str,
    as_of: str | None = None,
) -> HTMLResponse:
    read = services.read
    plan = slug_of(plan, "unknown plan '{}'")
    slug = slug_of(slug, f"unknown commitment '{{}}' in plan '{plan}'")
    today = services.today()
    here = (urls.commitment(plan, slug), "See this commitment as it stands today")
    try:
        day, dated = reference_day(as_of, today, here)
    except PageError:
        read.commitment(plan, slug, today)  # an unknown slug is a 404 whatever the date
        raise
    detail = read.commitment(plan, slug, day)
    info = read.plan(plan)
    row = detail.row
    permalink = absolute(
        request, urls.commitment(plan, slug, day.isoformat()), services.settings.base_url
    )
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
        "permalink": permalink,
        "citation": citation(row, day, permalink, today),
        "sources": commitment_sources(detail.items),
        "feeds": feed_links(
            ("This commitment", "commitment", plan, slug), ("This plan", "plan", plan)
        ),
        "apis": [("This commitment and its events", urls.api_commitment(plan, slug))],
    }
    return render(request, "commitment.html", context, fragment="as_of_view")


@router.get("/timeline", response_class=HTMLResponse)
@html_errors
def timeline_page(request: Request, services: ServicesDep, page: str | None = None) -> HTMLResponse:
    number = page_number(page)
    read = services.read
    items, total = read.timeline(number, PER_PAGE)
    pages = max(1, math.ceil(total / PER_PAGE))
    if number > pages:
        raise PageError(404, "Not found", f"There is no page {number}: the timeline has {pages}.")
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
@html_errors
def delays_page(request: Request, services: ServicesDep, page: str | None = None) -> HTMLResponse:
    """The delayed commitments, most overdue first, ``DELAYS_PER_PAGE`` at a time: a
    plan of a thousand commitments must not make one page of megabytes."""
    number = page_number(page)
    read = services.read
    today = services.today()
    everything = read.delays(today)
    pages = max(1, math.ceil(len(everything) / DELAYS_PER_PAGE))
    if number > pages:
        raise PageError(404, "Not found", f"There is no page {number}: the delays have {pages}.")
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
@html_errors
def log_page(request: Request, services: ServicesDep) -> HTMLResponse:
    """The log's head in full, and how anyone can check a copy of the log against it."""
    context = {
        "export": absolute(request, urls.api_log_export(), services.settings.base_url),
        "feeds": feed_links(("Every event", "all")),
        "apis": [("The log's head", urls.api_log())],
    }
    return render(request, "log.html", context)


@router.get("/how-we-know", response_class=HTMLResponse)
@html_errors
def how_we_know_page(request: Request) -> HTMLResponse:
    """How the record is kept and its figures worked out, in plain words. The rules'
    own constants and labels fill it in, so that it cannot drift from what the tracker
    does."""
    context = {
        "statuses": status_meanings(),
        "closed": [label for name, label in STATUS_LABELS.items() if name in CLOSED_STATUSES],
        "kinds": SOURCE_KINDS,
        "stale_after": STALE_AFTER_DAYS,
        "feeds": feed_links(("Every event", "all")),
        "apis": [],
    }
    return render(request, "how_we_know.html", context)


def status_meanings() -> list[tuple[str, str, str | None]]:
    """Each status the site shows, as ``(name, label, meaning)``, in the labels' order."""
    return [(name, label, STATUS_MEANINGS.get(name)) for name, label in STATUS_LABELS.items()]


def page_number(text: str | None) -> int:
    if text is None or not text.strip():
        return 1
    text = text.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        raise InvalidInputError(f"page: '{text}' is not a page number (1, 2, 3...)", "page")
    number = int(text)
    if number < 1:
        raise PageError(404, "Not found", "Pages are numbered from 1.")
    return number


# What the templates show, worked out here so that they only lay it out


def transferred_to(entries: list[Entry], day: date) -> Entry | None:
    """The transfer that closed the commitment as of ``day``: where the page says it went."""
    moves = [e for e in counted(entries, day) if e.type == TRANSFERRED]
    return moves[-1] if moves else None


def by_theme(rows: Iterable[CommitmentRow]) -> list[tuple[str, list[CommitmentRow]]]:
    groups: dict[str, list[CommitmentRow]] = {}
    for row in sorted(rows, key=lambda r: (r.theme is None, r.theme or "", r.title.lower())):
        groups.setdefault(row.theme or "Other commitments", []).append(row)
    return list(groups.items())


def delay_reasons(f: Figures) -> list[str]:
    reasons = []
    if f.days_overdue:
        reasons.append("overdue")
    if f.slip_days:
        reasons.append("slipped")
    if f.stale:
        reasons.append("stale")
    if f.due is None:
        reasons.append("no_deadline")
    return reasons


@dataclass
class Measure:
    metric: str
    baseline: list[Item] = field(default_factory=list)
    later: list[Item] = field(default_factory=list)


def measurement_table(items: Iterable[Item], published: date) -> list[Measure]:
    """Plan-wide figures by metric: those from before the plan beside later ones."""
    table: dict[str, Measure] = {}
    for item in items:
        if item.entry.type != "measurement_recorded":
            continue
        metric = item.entry.details["metric"]
        measure = table.setdefault(metric, Measure(metric))
        (measure.baseline if item.entry.date.start <= published else measure.later).append(item)
    return list(table.values())


@dataclass(frozen=True)
class Story:
    """One event on a commitment's page, as it reads on the reference day."""

    item: Item
    later: bool  # dated after the reference day: it had not happened yet
    correction: Item | None  # the event that corrected this one, if any
    revision: int  # for a deadline: 0 for the first, 1 for the first revision...

    @property
    def entry(self) -> Entry:
        return self.item.entry

    @property
    def number(self) -> int:
        return self.item.entry.number


def story(items: list[Item], day: date) -> list[Story]:
    """Every event in the order things happened (ties in recording order)."""
    by_number = {i.entry.number: i for i in items}
    revisions: dict[int, int] = {}
    seen = 0
    for item in items:
        if item.entry.type == "deadline_set" and item.corrected_by is None:
            revisions[item.entry.number] = seen
            seen += 1
    ordered = sorted(items, key=lambda i: (i.entry.date.start, i.entry.number))
    return [
        Story(
            item=i,
            later=i.entry.date.start > day,
            correction=by_number.get(i.corrected_by) if i.corrected_by else None,
            revision=revisions.get(i.entry.number, 0),
        )
        for i in ordered
    ]


def counted_measures(items: Iterable[Item], day: date) -> list[Item]:
    """Targets and measurements that count on ``day``, in date order."""
    chosen = [
        i
        for i in items
        if i.entry.type in ("target_set", "measurement_recorded", "budget_committed")
        and i.corrected_by is None
        and i.entry.date.start <= day
    ]
    return sorted(chosen, key=lambda i: (i.entry.date.start, i.entry.number))


def citation(row: CommitmentRow, day: date, permalink: str, today: date) -> str:
    f = row.figures
    state = status_text(f.status).lower()
    if f.days_overdue:
        state += f", {days_text(f.days_overdue)} overdue (due {f.due.human()})"
    elif f.due and f.status not in CLOSED_STATUSES:
        state += f", due {f.due.human()}"
    return (
        f"{SITE}, ‘{bidi.isolated(row.title)}’, status as of {day_text(day)}: {state}."
        f" {permalink} (accessed {day_text(today)})"
    )


# The timeline chart: an inline SVG, laid out here


@dataclass(frozen=True)
class Mark:
    kind: str  # announced, event, deadline, missed
    x: float
    width: float  # > 0 for an event dated by month or year: the span it covers
    label: str
    when: str
    start: date
    number: int
    corrected: bool
    later: bool


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    right: int
    ticks: list[tuple[float, str]]
    marks: list[Mark]
    today_x: float
    day_x: float | None
    summary: str

    @property
    def events(self) -> list[Mark]:
        return [m for m in self.marks if m.kind in ("announced", "event")]

    @property
    def deadlines(self) -> list[Mark]:
        return [m for m in self.marks if m.kind in ("deadline", "missed")]


def chart(row: CommitmentRow, items: list[Item], day: date, today: date) -> Chart:
    width, left, right = 800, 100, 780
    entries = [i.entry for i in items]
    dues = [e.details["due"] for e in entries if e.type == "deadline_set"]
    first = min([e.date.start for e in entries] + [d.start for d in dues] + [min(day, today)])
    last = max([e.date.end for e in entries] + [d.end for d in dues] + [max(day, today)])
    low, high = first.toordinal(), last.toordinal()
    pad = max(15, (high - low) // 30)
    low, high = low - pad, high + pad

    def x(value: date) -> float:
        return round(left + (value.toordinal() - low) / (high - low) * (right - left), 1)

    marks = []
    for item in items:
        e = item.entry
        later = e.date.start > day
        corrected = item.corrected_by is not None
        if e.type == "deadline_set":
            due = e.details["due"]
            label = f"Deadline: due {due.human()} (set {e.date.human()})"
            mark = Mark(
                "deadline", x(due.end), 0, label, due.human(), due.end, e.number, corrected, later
            )
            marks.append(mark)
            continue
        kind = {"announced": "announced", "deadline_missed": "missed"}.get(e.type, "event")
        label = TYPE_LABELS.get(e.type, e.type)
        if e.type == "status_changed":
            label += f" to {status_text(e.details['status']).lower()}"
        span = (
            0.0
            if e.date.precision == "day"
            else max(2.0, round(x(e.date.end) - x(e.date.start), 1))
        )
        mark = Mark(
            kind,
            x(e.date.start),
            span,
            label,
            e.date.human(),
            e.date.start,
            e.number,
            corrected,
            later,
        )
        marks.append(mark)
    marks.sort(key=lambda m: (m.start, m.number))

    years = last.year - first.year
    step = next(s for s in (1, 2, 5, 10, 20, 50, 100, 250, 500, 1000, 2500) if years / s <= 10)
    ticks = [
        (x(date(year, 1, 1)), str(year))
        for year in range(first.year - first.year % step, last.year + 1, step)
        if year >= 1 and low <= date(year, 1, 1).toordinal() <= high
    ]
    f = row.figures
    summary = (
        f"Announced {row.announced_on.human()}. "
        + (f"Due {f.due.human()}. " if f.due else "No deadline set. ")
        + f"{len(entries)} events recorded, from {first.year} to {last.year}."
    )
    return Chart(
        width=width,
        height=170,
        left=left,
        right=right,
        ticks=ticks,
        marks=marks,
        today_x=x(today),
        day_x=x(day) if day != today else None,
        summary=summary,
    )

"""Feeds: every development as RSS 2.0 and Atom, one item per event, cheap to poll.

Each item is one recorded event, with an id built from its plan, commitment and number
(so it never changes when the read models are rebuilt), dated on the day the event
happened (the first day of its month or year when the source gives no more), and a
title that says what happened and, for a delay, by how many days. The delays feed
adds one item for each commitment gone stale, identified by the commitment and the
date of its last news, and dated on the day it went stale.

A feed is read from the read models only. Its ``ETag`` comes from the log's head
position (and, for the delays feed, the day, since staleness moves with it), so a
reader polling an unchanged feed gets a bodiless 304.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from email.utils import format_datetime
from urllib.parse import urlsplit

from fastapi import APIRouter, HTTPException, Request, Response
from feedgen.feed import FeedGenerator

from tracker.domain import numbers
from tracker.domain.dates import PartialDate
from tracker.domain.entries import Entry
from tracker.domain.errors import NotFoundError
from tracker.domain.figures import STALE_AFTER_DAYS
from tracker.domain.sources import Source
from tracker.readmodels.queries import CommitmentRow, Item
from web import bidi, urls
from web.conditional import etag_listed, not_modified
from web.deps import ServicesDep
from web.services import Services

router = APIRouter(tags=["feeds"])

MEDIA_TYPES = {"rss": "application/rss+xml", "atom": "application/atom+xml"}
CACHE_CONTROL = "public, max-age=300"
TAG_DATE = "2026"  # the date part of every ``tag:`` id: never change it
FORMAT = "1"  # bump when the rendering changes, so that caches let go of old bodies
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SITE = "Action Plan Tracker"
# Characters XML 1.0 cannot carry, even escaped: lxml refuses them, so they go.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_PRECISION = {
    "day": "",
    "month": " (the source gives the month only)",
    "year": " (the source gives the year only)",
}


@dataclass(frozen=True)
class FeedItem:
    id: str
    title: str
    link: str
    date: datetime  # when it happened: what readers show
    modified: datetime  # when the tracker learnt of it: what Last-Modified reports
    html: str
    categories: tuple[str, ...] = ()


@dataclass
class Feed:
    scope: str
    title: str
    subtitle: str
    page: str  # the site page the feed follows
    plan: str | None = None
    slug: str | None = None
    items: list[FeedItem] = field(default_factory=list)


@dataclass(frozen=True)
class _Context:
    """What every item of one response is built with."""

    base: str
    tag: str
    plan_titles: dict[str, str]
    deadlines_before: dict[int, PartialDate | None]


# The routes: four feeds, each as RSS and Atom.


def _route(scope: str, summary: str, make: Callable[[str], Callable[..., Response]]) -> None:
    responses: dict[int | str, dict] = {
        304: {"description": "Not modified since the ETag or date the reader sent"}
    }
    if scope in ("plan", "commitment"):
        responses[404] = {"description": "Unknown plan or commitment"}
    for kind, media_type in MEDIA_TYPES.items():
        endpoint = make(kind)
        path = urls.feed(scope, kind, "{plan}", "{slug}")
        router.add_api_route(
            path,
            endpoint,
            methods=["GET"],
            name=f"{endpoint.__name__}_{kind}",
            summary=f"{summary} ({'RSS 2.0' if kind == 'rss' else 'Atom'})",
            response_class=Response,
            responses={200: {"description": "The feed", "content": {media_type: {}}}, **responses},
        )
        router.add_api_route(path, endpoint, methods=["HEAD"], include_in_schema=False)


def _all(kind: str):
    def all_feed(request: Request, services: ServicesDep) -> Response:
        return _respond(request, services, kind, "all")

    return all_feed


def _delays(kind: str):
    def delays_feed(request: Request, services: ServicesDep) -> Response:
        return _respond(request, services, kind, "delays")

    return delays_feed


def _plan(kind: str):
    def plan_feed(request: Request, services: ServicesDep, plan: str) -> Response:
        return _respond(request, services, kind, "plan", plan)

    return plan_feed


def _commitment(kind: str):
    def commitment_feed(request: Request, services: ServicesDep, plan: str, slug: str) -> Response:
        return _respond(request, services, kind, "commitment", plan, slug)

    return commitment_feed


_route("all", "Every development in every plan, newest first", _all)
_route(
    "delays",
    "Missed deadlines, slips, delays, pauses, drops and commitments gone quiet",
    _delays,
)
_route("plan", "Every development in one plan", _plan)
_route("commitment", "Every development in one commitment", _commitment)


# One response.


def _respond(
    request: Request,
    services: Services,
    kind: str,
    scope: str,
    plan: str | None = None,
    slug: str | None = None,
) -> Response:
    read = services.read
    # The head first: if an event lands while the items are read, the ETag is older
    # than the body, and the next poll fetches again (never the other way round).
    position, _ = read.head()
    today = services.today()
    base = (services.settings.base_url or str(request.base_url)).rstrip("/")
    path = urls.feed(scope, kind, plan, slug)
    day = today.isoformat() if scope == "delays" else ""
    digest = hashlib.sha256(f"{FORMAT}|{position}|{day}|{base}{path}".encode()).hexdigest()
    etag = f'"{digest[:32]}"'
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    sent = request.headers.get("if-none-match")
    # Known before the feed is built; ``*`` only once it is known to exist (RFC 9110).
    if etag_listed(sent, etag, any_tag=False):
        return Response(status_code=304, headers=headers)
    try:
        feed = _feed(services, scope, plan, slug, today, base)
    except NotFoundError as error:
        raise HTTPException(status_code=404, detail=str(error)) from None
    modified = max((i.modified for i in feed.items), default=EPOCH).replace(microsecond=0)
    headers["Last-Modified"] = format_datetime(modified, usegmt=True)
    if not_modified(sent, request.headers.get("if-modified-since"), etag, modified):
        return Response(status_code=304, headers=headers)
    body = _render(feed, kind, base, modified)
    return Response(body, media_type=f"{MEDIA_TYPES[kind]}; charset=utf-8", headers=headers)


# What each feed carries.


def _feed(
    services: Services,
    scope: str,
    plan: str | None,
    slug: str | None,
    today: date,
    base: str,
) -> Feed:
    read = services.read
    limit = services.settings.feed_items
    plan_titles = {p.slug: p.title for p in read.plan_infos()}
    stale: list[tuple[CommitmentRow, date]] = []
    if scope == "all":
        feed = Feed(
            scope,
            f"{SITE}: every development",
            "Every development in the government action plans the tracker follows, "
            "newest first, each with its source.",
            urls.home(),
        )
        items = read.recent(limit)
    elif scope == "delays":
        feed = Feed(
            scope,
            f"{SITE}: delays",
            "Deadlines passed undelivered, deadlines moved back, commitments delayed, "
            "paused or dropped, and commitments with no news for "
            f"{STALE_AFTER_DAYS} days, each with the delay in days.",
            urls.delays(),
        )
        items = read.recent(limit, delays_only=True)
        stale = read.stale_since(today, limit=limit, beside=items)  # those that can show
    elif scope == "plan":
        info = read.plan(plan)
        feed = Feed(
            scope,
            f"{bidi.isolated(info.title)}: every development",
            f"Every development in {bidi.isolated(info.title)} ({bidi.isolated(info.publisher)}),"
            " newest first.",
            urls.plan(plan),
            plan,
        )
        items = read.recent(limit, plan=plan)
    else:
        row = read.commitment(plan, slug, today).row
        feed = Feed(
            scope,
            f"{bidi.isolated(row.title)}: every development",
            f"Every development in this commitment of {bidi.isolated(plan_titles[plan])},"
            " newest first.",
            urls.commitment(plan, slug),
            plan,
            slug,
        )
        items = read.recent(limit, plan=plan, commitment=slug)
    context = _Context(base, _tag_prefix(base), plan_titles, read.deadlines_before(items))
    feed.items = [_event_item(item, context) for item in items]
    if stale:
        stale_items = sorted(
            (_stale_item(row, day, context) for row, day in stale),
            key=lambda i: (i.date, i.id),
            reverse=True,
        )
        # Python's sort is stable, reversed too: events keep their recorded order.
        feed.items = sorted(feed.items + stale_items, key=lambda i: i.modified, reverse=True)
    feed.items = feed.items[:limit]
    return feed


def _tag_prefix(base: str) -> str:
    """``tag:HOST,DATE:``: the host of the configured base URL, else of the request."""
    host = (urlsplit(base).hostname or "localhost").lower()
    return f"tag:{re.sub(r'[^a-z0-9.-]', '-', host)},{TAG_DATE}:"


def _event_item(item: Item, context: _Context) -> FeedItem:
    entry = item.entry
    subject = item.commitment_title or context.plan_titles.get(item.plan, item.plan)
    title = f"{bidi.isolated(subject)}: {_what(entry, context.deadlines_before.get(item.position))}"
    title += f" ({entry.date.human()}){_delay(item)}"
    if item.corrected_by:
        title += " [corrected]"
    link = context.base + urls.event(item.plan, item.commitment, entry.number)
    parts = []
    if entry.type == "announced" and entry.get("summary"):
        parts.append(f'<p dir="auto">{bidi.feed_text(entry.get("summary"))}</p>')
    if entry.fact.note:
        parts.append(f'<p dir="auto">{bidi.feed_text(entry.fact.note)}</p>')
    if entry.fact.quote:
        quote = bidi.feed_text(entry.fact.quote)
        parts.append(f'<blockquote dir="auto"><p>“{quote}”</p></blockquote>')
    parts.append(f"<p>When: {_h(entry.date.human())}{_PRECISION[entry.date.precision]}.</p>")
    parts.append(f"<p>Source: {_citation(entry.source)}.</p>")
    if item.corrected_by:
        parts.append(
            f"<p><strong>Corrected:</strong> event {item.corrected_by} says this was wrong; "
            "it no longer counts in any figure.</p>"
        )
    where = item.commitment or "_plan"  # never a slug: slugs have no underscore
    categories = (entry.type, f"delay:{item.delay}") if item.delay else (entry.type,)
    return FeedItem(
        id=f"{context.tag}{item.plan}/{where}/{entry.number}",
        title=title,
        link=link,
        date=_midnight(entry.date.start),
        modified=_utc(entry.recorded_at),
        html="\n".join(parts),
        categories=categories,
    )


def _stale_item(row: CommitmentRow, day: date, context: _Context) -> FeedItem:
    f = row.figures
    last = f.last_event_on
    since = PartialDate.of(day).human()
    status = f.status.replace("_", " ")
    text = (
        f"<p>The latest news about this commitment is dated {_h(last.human())}; nothing has been "
        f"recorded since, and after {STALE_AFTER_DAYS} days without news it went stale on "
        f"{_h(since)}. Its status is still {_h(status)}."
    )
    if f.due:
        text += f" It was due by {_h(f.due.human())}."
    return FeedItem(
        id=f"{context.tag}{row.plan}/{row.slug}/stale/{last}",
        title=f"{bidi.isolated(row.title)}: no news for {STALE_AFTER_DAYS} days"
        f" (stale since {since})",
        link=context.base + urls.commitment(row.plan, row.slug),
        date=_midnight(day),
        # A commitment can go stale because of a record (a correction): never report
        # it as older than that record, or If-Modified-Since would hide it.
        modified=max(_midnight(day), _utc(datetime.fromisoformat(row.recorded_at))),
        html=text + "</p>",
        categories=("stale", "delay:stale"),
    )


def _what(entry: Entry, before: PartialDate | None) -> str:
    """What happened, in a few words."""
    match entry.type:
        case "announced":
            return "announced"
        case "deadline_set":
            due = entry.get("due")
            if before is None:
                return f"deadline set for {due.human()}"
            if due.end > before.end:
                return f"deadline moved from {before.human()} to {due.human()}"
            if due.end < before.end:
                return f"deadline brought forward from {before.human()} to {due.human()}"
            return f"deadline restated as {due.human()}"
        case "deadline_missed":
            return f"deadline of {entry.get('due').human()} passed undelivered"
        case "status_changed":
            return f"status changed to {entry.get('status').replace('_', ' ')}"
        case "budget_committed":
            return f"£{numbers.shown(entry.get('amount_gbp'))} committed"
        case "target_set":
            return f"target set: {_figure(entry, 'target')}"
        case "measurement_recorded":
            return f"measured: {_figure(entry, 'value')}"
        case "correction":
            return f"correction to event {entry.get('corrects')}"
        case "transferred":
            return f"transferred to {entry.get('to_title')}"
    return entry.type.replace("_", " ")


def _figure(entry: Entry, name: str) -> str:
    """A metric, its figure and its unit, in a title (plain text: isolated, not <bdi>)."""
    metric, unit = bidi.isolated(entry.get("metric")), bidi.isolated(entry.get("unit"))
    return f"{metric}, {numbers.shown(entry.get(name))} {unit}"


def _delay(item: Item) -> str:
    """The delay this event announces, in days ("" for none)."""
    if item.delay_days is None:
        return ""
    if item.delay == "slip":
        return f", a slip of {_days(item.delay_days)}"
    if item.delay_days < 0:
        return f", {_days(-item.delay_days)} before it was announced"
    if item.delay_days == 0:
        return ", the day it was announced"
    return f", {_days(item.delay_days)} after it was announced"


def _days(n: int) -> str:
    return f"{n:,} day" if n == 1 else f"{n:,} days"


def _citation(source: Source) -> str:
    title = f"“{bidi.feed_span(source.title)}”"
    if source.url:
        title = f'<a href="{html.escape(source.url, quote=True)}">{title}</a>'
    author = bidi.feed_span(source.author) if source.author else None
    parts = [author, bidi.feed_span(source.publisher), title]
    parts.append(_h(source.published_on.human()))
    return ", ".join(p for p in parts if p)


def _h(text: str) -> str:
    return html.escape(text, quote=False)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _x(text: str) -> str:
    return _NOT_XML.sub("", text)


# Rendering.


def _render(feed: Feed, kind: str, base: str, modified: datetime) -> bytes:
    path = urls.feed(feed.scope, kind, feed.plan, feed.slug)
    fg = FeedGenerator()
    fg.id(_tag_prefix(base) + path.strip("/").rsplit(".", 1)[0])  # one id for both formats
    fg.title(_x(feed.title))
    fg.subtitle(_x(feed.subtitle))
    fg.link(href=base + path, rel="self", type=MEDIA_TYPES[kind])
    fg.link(href=base + feed.page, rel="alternate", type="text/html")
    fg.author({"name": SITE})
    fg.generator(SITE)
    fg.language("en-GB")
    fg.updated(modified)
    fg.lastBuildDate(modified)
    for item in feed.items:
        fe = fg.add_entry(order="append")
        fe.id(item.id)
        fe.guid(item.id, permalink=False)
        fe.title(_x(item.title))
        fe.link(href=item.link)
        fe.published(item.date)
        fe.updated(item.date)
        fe.content(_x(item.html), type="html")
        for term in item.categories:
            fe.category(term=term)
    return fg.rss_str(pretty=True) if kind == "rss" else fg.atom_str(pretty=True)

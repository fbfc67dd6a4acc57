"""Feeds: every development as RSS 2.0, Atom and JSON Feed 1.1, one item per event,
cheap to poll. Each feed's items are built once and laid out in the format asked for.

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
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from email.utils import format_datetime
from urllib.parse import urlsplit

from fastapi import APIRouter, HTTPException, Request, Response
from feedgen.feed import FeedGenerator

from tracker.domain.dates import PartialDate
from tracker.domain.errors import NotFoundError
from tracker.domain.figures import STALE_AFTER_DAYS
from tracker.readmodels.views import CommitmentRow, Item
from web import cachecontrol, jsonfeed, urls
from web.conditional import etag_listed, not_modified
from web.deps import ServicesDep
from web.presenters import feeds as words
from web.presenters.wording import SITE, status_words
from web.rendering import fragment
from web.services import Services

router = APIRouter(tags=["feeds"])

MEDIA_TYPES = {
    "rss": "application/rss+xml",
    "atom": "application/atom+xml",
    "json": jsonfeed.MEDIA_TYPE,
}
FORMAT_NAMES = {"rss": "RSS 2.0", "atom": "Atom", "json": "JSON Feed 1.1"}
CACHE_CONTROL = cachecontrol.FEED  # the site's policy: web/cachecontrol.py
TAG_DATE = "2026"  # the date part of every ``tag:`` id: never change it
FORMAT = "1"  # bump when the rendering changes, so that caches let go of old bodies
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Characters XML 1.0 cannot carry, even escaped: lxml refuses them, so they go.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


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


# The routes: four feeds, each as RSS, Atom and JSON Feed.


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
            summary=f"{summary} ({FORMAT_NAMES[kind]})",
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
        feed = Feed(scope, *words.headings(scope), urls.home())
        items = read.recent(limit)
    elif scope == "delays":
        feed = Feed(scope, *words.headings(scope), urls.delays())
        items = read.recent(limit, delays_only=True)
        stale = read.stale_since(today, limit=limit, beside=items)  # those that can show
    elif scope == "plan":
        info = read.plan(plan)
        headings = words.headings(scope, info.title, info.publisher)
        feed = Feed(scope, *headings, urls.plan(plan), plan)
        items = read.recent(limit, plan=plan)
    else:
        row = read.commitment(plan, slug, today).row
        headings = words.headings(scope, plan_titles[plan], commitment_title=row.title)
        feed = Feed(scope, *headings, urls.commitment(plan, slug), plan, slug)
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
    where = item.commitment or "_plan"  # never a slug: slugs have no underscore
    categories = (entry.type, f"delay:{item.delay}") if item.delay else (entry.type,)
    return FeedItem(
        id=f"{context.tag}{item.plan}/{where}/{entry.number}",
        title=words.event_title(item, subject, context.deadlines_before.get(item.position)),
        link=context.base + urls.event(item.plan, item.commitment, entry.number),
        date=_midnight(entry.date.start),
        modified=_utc(entry.recorded_at),
        html=fragment("feeds/event.html", item=item),
        categories=categories,
    )


def _stale_item(row: CommitmentRow, day: date, context: _Context) -> FeedItem:
    last = row.figures.last_event_on
    since = PartialDate.of(day).human()
    body = fragment(
        "feeds/stale.html",
        row=row,
        since=since,
        stale_after=STALE_AFTER_DAYS,
        status=status_words(row.figures.status),
    )
    return FeedItem(
        id=f"{context.tag}{row.plan}/{row.slug}/stale/{last}",
        title=words.stale_title(row, since),
        link=context.base + urls.commitment(row.plan, row.slug),
        date=_midnight(day),
        # A commitment can go stale because of a record (a correction): never report
        # it as older than that record, or If-Modified-Since would hide it.
        modified=max(_midnight(day), _utc(datetime.fromisoformat(row.recorded_at))),
        html=body,
        categories=("stale", "delay:stale"),
    )


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _x(text: str) -> str:
    return _NOT_XML.sub("", text)


# Rendering.


def _render(feed: Feed, kind: str, base: str, modified: datetime) -> bytes:
    path = urls.feed(feed.scope, kind, feed.plan, feed.slug)
    if kind == "json":
        heading = (feed.title, feed.subtitle)
        about = base + urls.how_we_know()
        return jsonfeed.render(heading, base + feed.page, base + path, SITE, about, feed.items)
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

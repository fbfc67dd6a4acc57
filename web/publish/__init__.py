"""``tracker publish``: the static edition of the site, for any static host or CDN.

The site itself makes it: ``create_app`` is started on the store (the read models
caught up, nothing run in the background, nothing loaded) and asked, in-process, for
every public page, feed and API document. What to ask for comes from the record (each
plan and commitment) and from following every link the answers hold, so that paged
lists and whatever a page links to come too; editors' pages, health checks and
addresses with a query (a filter, a past date) are left out (``paths``). The answers
become files that link to each other relatively (``rewrite``), and only files whose
bytes changed are written (``files``).

Feeds need absolute addresses (their ids and links), so a base URL, the address the
edition will be served from, is required. Given the same base URL, a feed's ids are
the live site's, so that a reader moving from one to the other sees no duplicates.
Every answer is made as of one day, fixed at the start: the same record on the same
day publishes the same bytes.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tracker.domain.errors import TrackerError
from web import urls
from web.app import STATIC, create_app
from web.publish.asgi import Answer, get
from web.publish.files import Outcome, write_edition
from web.publish.paths import HTML, JSON, file_for, media_type, relative, site_link
from web.publish.rewrite import (
    Resolve,
    json_links,
    page_links,
    static_feed,
    static_html,
    static_json,
)
from web.services import Services
from web.settings import Settings

FEED_KINDS = ("rss", "atom", "json")
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json")
SCHEMA = "/openapi.json"


class PublishError(TrackerError):
    """The edition cannot be made: said in one line."""


@dataclass(frozen=True)
class Published:
    """What a run did: the files it made, and which of them it wrote."""

    files: int
    outcome: Outcome


def publish(
    folder: Path, base_url: str | None, database_url: str | None = None, today: date | None = None
) -> Published:
    """Make ``folder`` hold the static edition of the record in the store, as of
    ``today`` (default: the day it starts), served from ``base_url``."""
    base = checked_base_url(base_url)
    if folder.exists() and not folder.is_dir():
        raise PublishError(f"{folder} is not a folder")
    settings = Settings(
        database_url=database_url,
        base_url=base,
        project=False,
        tick=False,
        load_bundled=False,
        cache_entries=0,
    )
    answers, defaults = _run(_crawl(create_app(settings), base, today))
    files = _edition(answers, base, defaults)
    return Published(len(files), write_edition(folder, files))


def _run(crawl: Any) -> Any:
    """Run the crawl on an event loop of its own, in a thread of its own: the caller's
    thread may already run a loop (a program, or a test, that drives a browser), where
    ``asyncio.run`` cannot start another."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="publish") as pool:
        return pool.submit(asyncio.run, crawl).result()


def checked_base_url(text: str | None) -> str:
    if not text:
        raise PublishError(
            "a base URL is needed for the feeds' ids and links:"
            " give --base-url URL or set TRACKER_BASE_URL"
        )
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise PublishError(
            f"'{text}' is not a base URL (an http or https address, such as"
            " https://news.example/tracker)"
        )
    return text.rstrip("/")


# Asking the site.


async def _crawl(
    app: Any, base: str, today: date | None
) -> tuple[dict[str, Answer], dict[str, dict[str, str]]]:
    """Every public answer the site gives, by address: the record's pages first, then
    whatever they link to."""
    async with app.router.lifespan_context(app):
        services: Services = app.state.services
        day = today or services.today()
        services.today = lambda: day  # type: ignore[method-assign]  # one day throughout
        schema = await get(app, base, SCHEMA)
        defaults = _defaults(json.loads(schema.body))
        todo = deque(dict.fromkeys(_seeds(services, day)))
        seen = set(todo)
        answers: dict[str, Answer] = {}
        while todo:
            address = todo.popleft()
            answer = await get(app, base, address)
            if answer.status >= 500:
                raise PublishError(f"the site failed to answer {address} ({answer.status})")
            if answer.status != 200:
                continue  # not there (a log without a hash chain): nothing to publish
            answers[address] = answer
            for link in _links(answer):
                target = site_link(link, base, defaults)
                if target and target.address and target.address not in seen:
                    seen.add(target.address)
                    todo.append(target.address)
    return answers, defaults


def _seeds(services: Services, day: date) -> Iterator[str]:
    """Every public address the record has, whether or not a page links to it."""
    yield from (urls.home(), urls.timeline(), urls.delays(), urls.log(), urls.how_we_know())
    yield from (urls.feed(scope, kind) for scope in ("all", "delays") for kind in FEED_KINDS)
    yield from (SCHEMA, urls.api_plans(), urls.api_timeline(), urls.api_delays())
    yield from (urls.api_log(), urls.api_log_export())
    for plan in services.read.plan_infos():
        slug = plan.slug
        yield from (urls.plan(slug), urls.api_plan(slug), urls.api_commitments(slug))
        yield urls.api_commitments_csv(slug)
        yield from (urls.feed("plan", kind, plan=slug) for kind in FEED_KINDS)
        for row in services.read.commitments(slug, day):
            yield from (urls.commitment(slug, row.slug), urls.api_commitment(slug, row.slug))
            yield from (urls.feed("commitment", kind, slug, row.slug) for kind in FEED_KINDS)
    for path in sorted(STATIC.rglob("*")):
        if path.is_file():
            yield urls.static(path.relative_to(STATIC).as_posix())


def _defaults(schema: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Each path's query parameters that have a default, at that default, as the
    OpenAPI schema says (``per_page=50``): a link that spells one out asks for the same
    answer as one that leaves it out."""
    found: dict[str, dict[str, str]] = {}
    for path, operations in schema.get("paths", {}).items():
        for parameter in operations.get("get", {}).get("parameters", []):
            default = parameter.get("schema", {}).get("default")
            if parameter.get("in") == "query" and default is not None:
                found.setdefault(path, {})[parameter["name"]] = json.dumps(default).strip('"')
    return found


def _links(answer: Answer) -> Iterator[str]:
    kind = media_type(answer.content_type)
    if kind == HTML:
        yield from page_links(answer.body.decode())
    elif kind == JSON:
        yield from sorted(json_links(answer.body.decode()))


# Making the files.


@dataclass(frozen=True)
class _Names:
    """The file each published address became, and links between them."""

    base: str
    defaults: dict[str, dict[str, str]]
    files: dict[str, str]  # address: file name

    def resolver(self, source: str, absolute: bool = False) -> Resolve:
        """How links read in the file ``source``: relative to it, or (``absolute``, for
        feeds) at the base URL."""

        def resolve(link: str) -> str | None:
            target = site_link(link, self.base, self.defaults)
            if target is None:
                return link
            name = self.files.get(target.address or "")
            if name is None:
                return None
            if absolute:
                return f"{self.base}/{name}" + (f"#{target.fragment}" if target.fragment else "")
            return relative(source, name, target.fragment)

        return resolve


def _edition(
    answers: dict[str, Answer], base: str, defaults: dict[str, dict[str, str]]
) -> dict[str, bytes]:
    """Each answer as a file, by file name, its links pointing at the others."""
    names = _Names(base, defaults, _file_names(answers))
    files = {}
    for address, name in names.files.items():
        answer = answers[address]
        kind = media_type(answer.content_type)
        if kind == HTML:
            resolve = names.resolver(name)
            text = static_html(answer.body.decode(), resolve, resolve(urls.log()))
        elif kind == JSON:
            text = static_json(answer.body.decode(), names.resolver(name))
        elif kind in FEED_TYPES:
            text = static_feed(answer.body.decode(), base, names.resolver(name, absolute=True))
        else:
            files[name] = answer.body
            continue
        files[name] = text.encode()
    return files


def _file_names(answers: dict[str, Answer]) -> dict[str, str]:
    """Each address's file name; an answer no file can stand for is left out."""
    names: dict[str, str] = {}
    owners: dict[str, str] = {}
    for address, answer in answers.items():
        name = file_for(address, answer.content_type)
        if name is None:
            continue
        if name in owners:
            raise PublishError(f"{owners[name]} and {address} would both be {name}")
        names[address], owners[name] = name, address
    return names

"""Debian's newsboat, a real feed reader, reads every feed the site serves.

The site runs on a live uvicorn server on a free loopback port, its bundled plan
ticked on 21 November 2026. newsboat runs non-interactively (``-x reload``) with a
temporary urls file, config, cache and home, logging errors to a file; its sqlite
cache is then read back. What newsboat holds for each feed must be what the feed
says (feedparser's reading of the same response): every item, with our ids, titles
and links, fetched without an error.

Two things newsboat does that a reader of these tests should know: it keeps an item
once, by its GUID, however many subscribed feeds carry it (our RSS and Atom
versions, and the all, plan and commitment feeds, share item ids, so each feed is
also read alone into a cache of its own); and newsboat 2.21 stores a feed's ETag
from the second fetch on (on the first, it updates a feed row it has not inserted
yet), so its third poll is the first conditional one.

Without newsboat these tests skip, saying why; under CI (``CI=true``) that is a
failure instead.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.request import ProxyHandler, build_opener

import feedparser
import pytest

from tests.livesite import serving
from web import urls

NEWSBOAT = Path("/usr/bin/newsboat")
PLAN = "london-policing-action-plan-2020"
SLUG = "body-worn-video-research"
TICK_DAY = date(2026, 11, 21)
SCOPES = (
    ("all", None, None),
    ("delays", None, None),
    ("plan", PLAN, None),
    ("commitment", PLAN, SLUG),
)
FEEDS = [
    urls.feed(scope, kind, plan, slug) for scope, plan, slug in SCOPES for kind in ("rss", "atom")
]
REVIEWS = "Regular community meetings to review the plan's progress"
MISSED = f"{REVIEWS}: deadline of February 2021 passed undelivered"
BODY_WORN = "Academic research into stop and search using body worn video footage"
CONFIG = "reload-threads 1\ndownload-timeout 10\n"
LOGGED_ERROR = re.compile(r"^\[[^]]*\] (USERERROR|CRITICAL|ERROR):", re.M)

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(scope="module")
def newsboat() -> Path:
    if not NEWSBOAT.exists():
        reason = f"these tests need Debian's newsboat at {NEWSBOAT} (apt-get install newsboat)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI must not skip them")
        pytest.skip(reason)
    return NEWSBOAT


# The site, live


@dataclass(frozen=True)
class Seen:
    path: str
    status: int
    if_none_match: str | None


@dataclass
class Recording:
    """The ASGI app, noting each HTTP request's path, answer and ``If-None-Match``."""

    app: object
    seen: list[Seen] = field(default_factory=list)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = dict(scope["headers"]).get(b"if-none-match")

        async def noting(message) -> None:
            if message["type"] == "http.response.start":
                tag = sent.decode() if sent else None
                self.seen.append(Seen(scope["path"], message["status"], tag))
            await send(message)

        await self.app(scope, receive, noting)


@dataclass(frozen=True)
class LiveSite:
    base: str
    requests: Recording


@pytest.fixture(scope="module")
def live_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    """The site on a SQLite file, served by uvicorn in a thread, ticked on TICK_DAY."""
    from web.app import create_app
    from web.settings import Settings

    url = f"sqlite:///{tmp_path_factory.mktemp('newsboat-site') / 'site.sqlite'}"
    app = create_app(Settings(database_url=url, tick=False))
    recording = Recording(app)
    with serving(recording) as base:
        services = app.state.services
        assert services.tracker.tick(TICK_DAY), "the tick recorded no missed deadline"
        services.projector.catch_up()
        yield LiveSite(base, recording)


# newsboat, non-interactive


@dataclass(frozen=True)
class Item:
    feed: str
    guid: str
    title: str
    link: str


@dataclass(frozen=True)
class Cache:
    """What newsboat stored: each feed's title, and its items."""

    feeds: dict[str, str]
    items: list[Item]

    def of(self, feed: str) -> list[Item]:
        return [i for i in self.items if i.feed == feed]


def run_newsboat(newsboat: Path, workdir: Path, feeds: list[str], polls: int = 1) -> Cache:
    """``polls`` runs of ``newsboat -x reload`` on one cache; fails on any logged error."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "urls").write_text("".join(f"{url}\n" for url in feeds))
    (workdir / "config").write_text(CONFIG)
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env |= {"HOME": str(workdir), "LC_ALL": "C.UTF-8", "NO_PROXY": "*", "no_proxy": "*"}
    for key in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        env[key] = str(workdir / key.lower())
    for poll in range(1, polls + 1):
        log = workdir / f"newsboat-{poll}.log"
        command = [str(newsboat), "-u", "urls", "-c", "cache.db", "-C", "config"]
        command += ["-x", "reload", "-l", "3", "-d", log.name]  # 3: errors and worse
        done = subprocess.run(
            command, cwd=workdir, env=env, capture_output=True, text=True, timeout=20
        )
        assert done.returncode == 0, done.stdout + done.stderr
        errors = LOGGED_ERROR.findall(log.read_text()) if log.exists() else []
        assert not errors, log.read_text()
    with sqlite3.connect(workdir / "cache.db") as db:
        fetched = dict(db.execute("SELECT rssurl, title FROM rss_feed"))
        rows = db.execute("SELECT feedurl, guid, title, url FROM rss_item WHERE deleted = 0")
        items = [Item(*row) for row in rows]
    return Cache(fetched, items)


def parsed(url: str):
    """The feed as feedparser reads it: the reference newsboat is compared with."""
    with build_opener(ProxyHandler({})).open(url, timeout=10) as response:  # no proxy
        result = feedparser.parse(response.read())
    assert not result.bozo, result.get("bozo_exception")
    return result


# The tests


@pytest.mark.parametrize("path", FEEDS)
def test_newsboat_holds_every_item_of_a_feed_with_our_ids_titles_and_links(
    newsboat, live_site, tmp_path, path
):
    url = live_site.base + path
    expected = parsed(url)
    cache = run_newsboat(newsboat, tmp_path, [url])
    assert cache.feeds == {url: expected.feed.title}
    held = sorted((i.guid, i.title, i.link) for i in cache.of(url))
    assert held == sorted((e.id, e.title, e.link) for e in expected.entries)
    assert len(cache.items) == len(expected.entries) > 0
    if path in (urls.feed("delays", "rss"), urls.feed("delays", "atom")):
        assert sum(i.title.startswith(MISSED) for i in cache.items) == 1
    if SLUG in path:
        assert all(i.title.startswith(f"{BODY_WORN}: ") for i in cache.items)


def test_newsboat_fetches_every_feed_at_once_and_keeps_each_development_once(
    newsboat, live_site, tmp_path
):
    feeds = [live_site.base + path for path in FEEDS]
    expected = {url: parsed(url) for url in feeds}
    cache = run_newsboat(newsboat, tmp_path, feeds)
    assert cache.feeds == {url: p.feed.title for url, p in expected.items()}
    ids = {e.id for p in expected.values() for e in p.entries}
    guids = [i.guid for i in cache.items]
    assert sorted(guids) == sorted(ids)  # every item of every feed, each once
    titles = {e.id: e.title for p in expected.values() for e in p.entries}
    assert {i.guid: i.title for i in cache.items} == titles
    assert sum(i.title.startswith(MISSED) for i in cache.items) == 1


def test_newsboat_polling_unchanged_feeds_gets_bodiless_304s(newsboat, live_site, tmp_path):
    feeds = [live_site.base + path for path in FEEDS]
    live_site.requests.seen.clear()
    cache = run_newsboat(newsboat, tmp_path, feeds, polls=3)
    seen = live_site.requests.seen
    assert [s.path for s in seen] == FEEDS * 3, seen
    first, second, third = seen[:8], seen[8:16], seen[16:]
    assert {s.status for s in first + second} == {200}
    assert [s.status for s in third] == [304] * len(FEEDS), third
    assert all(s.if_none_match for s in third)
    assert len(cache.feeds) == len(FEEDS)
    assert len(cache.items) == len({i.guid for i in cache.items}) > 0

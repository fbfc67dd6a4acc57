"""``tracker publish``: the static edition of the site, on the fixed test record.

The edition is written from a SQLite file of the test's own (the in-memory store lives
in one process's objects, and publishing opens the store afresh), as of a fixed day,
so that two runs can be compared byte for byte.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import feedparser
import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from tests.conftest import BUNDLED_PLAN
from tracker.application import RecordEvent, open_tracker, parse_event
from tracker.cli import main
from tracker.datafiles import load
from web.app import create_app
from web.presenters.wording import STATIC_CITE
from web.publish import publish
from web.publish.files import MANIFEST
from web.publish.paths import file_for, relative, site_link
from web.settings import Settings

PLAN = "london-policing-action-plan-2020"
BASE = "https://news.example/tracker"
TODAY = date(2026, 1, 15)
TOUCHED, UNTOUCHED = "body-worn-video-research", "vehicle-stop-pilot"


def _store(folder: Path, *paths: Path) -> str:
    url = f"sqlite:///{folder / 'tracker.sqlite'}"
    tracker = open_tracker(url)
    load(tracker, list(paths) or [BUNDLED_PLAN], recorded_by="data files")
    tracker.close()
    return url


def _page(name: str) -> str:
    return f"plans/{PLAN}/commitments/{name}/index.html"


def _json(name: str) -> str:
    return f"api/v1/plans/{PLAN}/commitments/{name}.json"


@pytest.fixture(scope="module")
def edition(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """The record published once, for the tests that only read it: (store, folder)."""
    root = tmp_path_factory.mktemp("publish")
    url = _store(root)
    publish(root / "site", BASE, url, TODAY)
    return url, root / "site"


@pytest.fixture
def fresh(tmp_path: Path) -> tuple[str, Path]:
    """The record published into a folder of this test's own, to publish again."""
    url = _store(tmp_path)
    publish(tmp_path / "site", BASE, url, TODAY)
    return url, tmp_path / "site"


def _files(site: Path, suffix: str = "") -> list[Path]:
    return sorted(p for p in site.rglob(f"*{suffix}") if p.is_file() and p.name != MANIFEST)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.tags: set[str] = set()
        self.attributes: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.update(name for name, _ in attrs)
        wanted = ("href", "src", "action", "hx-get", "hx-post", "poster")
        self.links.extend(value for name, value in attrs if name in wanted and value)


def _parsed(page: Path) -> _Links:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def _lands(site: Path, document: Path, link: str) -> bool:
    """Whether a relative link in ``document`` names a file of the edition."""
    target = (document.parent / unquote(urlsplit(link).path)).resolve()
    return target.is_file() and target.is_relative_to(site.resolve())


def _json_links(value: object, key: str = "") -> Iterator[str]:
    """The links a JSON document holds: its ``links``, ``permalink`` and ``export``
    (null where there is none, such as the first page's previous page)."""
    if isinstance(value, dict):
        for name, item in value.items():
            if isinstance(item, str) and (key == "links" or name in ("permalink", "export")):
                yield item
            yield from _json_links(item, name)
    elif isinstance(value, list):
        for item in value:
            yield from _json_links(item, key)


# What is published, and where.


def test_every_public_page_feed_and_api_document_is_published(edition) -> None:
    _, site = edition
    for name in (
        "index.html",
        f"plans/{PLAN}/index.html",
        "timeline/index.html",
        "timeline/page-2/index.html",
        "delays/index.html",
        "how-we-know/index.html",
        "log/index.html",
        "feeds/all.rss",
        "feeds/all.atom",
        "feeds/delays.rss",
        "feeds/delays.atom",
        f"plans/{PLAN}/feed.rss",
        f"plans/{PLAN}/feed.atom",
        "api/v1/plans.json",
        f"api/v1/plans/{PLAN}.json",
        f"api/v1/plans/{PLAN}/commitments.json",
        f"api/v1/plans/{PLAN}/commitments.csv",
        "api/v1/timeline.json",
        "api/v1/delays.json",
        "api/v1/log.json",
        "api/v1/log.jsonl",
        "openapi.json",
        "static/site.css",
        "static/favicon.svg",
    ):
        assert (site / name).is_file(), name


def test_each_commitment_in_the_record_has_its_page_its_feeds_and_its_json_document(
    edition,
) -> None:
    url, site = edition
    tracker = open_tracker(url)
    rows = tracker.status(as_of=TODAY)
    tracker.close()
    assert len(rows) == 14
    for row in rows:
        page = (site / _page(row.slug)).read_text(encoding="utf-8")
        assert f'<h1 dir="auto">{escape(row.title)}</h1>' in page
        assert json.loads((site / _json(row.slug)).read_text())["slug"] == row.slug
        for kind in ("rss", "atom"):
            assert (site / f"plans/{PLAN}/commitments/{row.slug}/feed.{kind}").is_file()


def test_editors_health_checks_and_addresses_with_a_query_are_not_published(edition) -> None:
    _, site = edition
    names = [p.relative_to(site).as_posix() for p in _files(site)]
    assert not [n for n in names if n.split("/")[0] in ("editor", "healthz", "readyz", "docs")]
    assert not [n for n in names if "?" in n or "as_of" in n]


# Links.


def test_every_link_in_every_published_page_leads_to_a_file_of_the_edition(edition) -> None:
    _, site = edition
    pages = _files(site, ".html")
    assert len(pages) == 23  # home, plan, 14 commitments, 2 timeline pages, delays, log, how,
    # what changed, search
    broken = []
    for page in pages:
        for link in _parsed(page).links:
            parts = urlsplit(link)
            if parts.scheme or link.startswith("#"):
                continue  # another site, or a place in the same page
            if link.startswith("/") or parts.query or not _lands(site, page, link):
                broken.append(f"{page.relative_to(site)}: {link}")
    assert broken == []


def test_pages_link_to_the_published_files_themselves_so_that_they_open_from_disk(
    edition,
) -> None:
    _, site = edition
    links = _parsed(site / _page(TOUCHED)).links
    assert "../../index.html" in links  # the plan
    assert "../../../../index.html" in links  # home
    assert "feed.atom" in links
    assert f"../../../../api/v1/plans/{PLAN}/commitments/{TOUCHED}.json" in links
    assert "../../../../static/site.css" in links


def test_pages_hold_no_form_script_or_htmx_and_say_what_needs_the_live_site(edition) -> None:
    _, site = edition
    for page in _files(site, ".html"):
        parsed = _parsed(page)
        assert not parsed.tags & {"form", "script", "input"}, page
        assert not [a for a in parsed.attributes if a.startswith("hx-")], page
    commitment = (site / _page(TOUCHED)).read_text(encoding="utf-8")
    assert "choosing another date or filtering the list needs the live site" in commitment
    assert "The log holds" not in commitment  # a page not rewritten would show an old count
    assert "Check a copy of the log" in commitment


def test_a_link_to_a_filtered_list_keeps_its_words_and_loses_its_address(edition) -> None:
    _, site = edition
    plan = (site / f"plans/{PLAN}/index.html").read_text(encoding="utf-8")
    assert "?status=" not in plan
    assert "<dd>12</dd>" in plan  # the count of commitments with no status reported


def test_every_link_in_every_json_document_leads_to_a_file_of_the_edition(edition) -> None:
    _, site = edition
    documents = [p for p in _files(site, ".json") if p.name != "openapi.json"]
    broken, seen = [], 0
    for document in documents:
        for link in _json_links(json.loads(document.read_text(encoding="utf-8"))):
            seen += 1
            if link.startswith("/") or not _lands(site, document, link):
                broken.append(f"{document.relative_to(site)}: {link}")
    assert seen > 100
    assert broken == []
    plans = json.loads((site / "api/v1/plans.json").read_text())
    assert plans[0]["links"]["api"] == f"plans/{PLAN}.json"


# Feeds.


def test_the_feeds_parse_and_their_ids_are_the_live_sites_for_the_same_base_url(
    edition,
) -> None:
    url, site = edition
    settings = Settings(database_url=url, base_url=BASE, project=False, tick=False)
    with TestClient(create_app(settings)) as live:
        live.app.state.services.today = lambda: TODAY
        for feed in _files(site, ".rss") + _files(site, ".atom"):
            name = feed.relative_to(site).as_posix()
            published = feedparser.parse(feed.read_bytes())
            answered = feedparser.parse(live.get(f"/{name}").content)
            assert not published.bozo, name
            ids = [entry.id for entry in published.entries]
            assert ids == [entry.id for entry in answered.entries], name
            assert all(i.startswith("tag:news.example,2026:") for i in ids), name


def test_the_feeds_link_to_the_published_pages_at_the_base_url(edition) -> None:
    _, site = edition
    feed = feedparser.parse((site / "feeds/all.atom").read_bytes())
    assert feed.entries
    for entry in feed.entries:
        assert entry.link.startswith(BASE + "/")
        name = urlsplit(entry.link.removeprefix(BASE + "/")).path
        assert (site / name).is_file(), entry.link


# Publishing again.


def test_publishing_the_same_record_again_on_the_same_day_writes_nothing(fresh) -> None:
    url, site = fresh
    before = {p: p.stat().st_mtime_ns for p in _files(site)}
    again = publish(site, BASE, url, TODAY)
    assert again.outcome.written == []
    assert again.outcome.removed == []
    assert len(again.outcome.unchanged) == again.files == len(before)
    assert {p: p.stat().st_mtime_ns for p in _files(site)} == before


def test_a_new_event_rewrites_only_the_files_that_show_it(fresh) -> None:
    url, site = fresh
    untouched = site / _page(UNTOUCHED)
    untouched_at = untouched.stat().st_mtime_ns
    tracker = open_tracker(url)
    fields = {
        "type": "progress_reported",
        "date": "2025-12-01",
        "source": "ldrs-haringey-community-press-2023-11-18",
        "note": "Research resumes.",
    }
    spec = parse_event(fields, tracker.plan(PLAN).sources)
    tracker.execute([RecordEvent(PLAN, TOUCHED, spec)], "editor (test)")
    tracker.close()

    again = publish(site, BASE, url, TODAY)

    written = set(again.outcome.written)
    assert {_page(TOUCHED), _json(TOUCHED), f"plans/{PLAN}/commitments/{TOUCHED}/feed.atom"} <= (
        written
    )
    assert "Research resumes." in (site / _page(TOUCHED)).read_text(encoding="utf-8")
    # The plan, its lists, the site's feeds, the timeline and the log show it too; the
    # other thirteen commitments and the pages about the site do not.
    assert len(written) < again.files / 3
    assert _page(UNTOUCHED) not in written
    assert untouched.stat().st_mtime_ns == untouched_at
    assert again.outcome.removed == []


def test_files_an_earlier_run_wrote_and_this_one_does_not_are_removed(fresh, tmp_path) -> None:
    _, site = fresh
    (site / "CNAME").write_text("news.example\n")  # the host's own file: never ours
    smaller = tmp_path / "smaller"
    smaller.mkdir()
    url = _store(smaller, BUNDLED_PLAN / "plan.yaml", BUNDLED_PLAN / f"{UNTOUCHED}.yaml")

    again = publish(site, BASE, url, TODAY)

    assert _page(TOUCHED) in again.outcome.removed
    assert _json(TOUCHED) in again.outcome.removed
    assert not (site / _page(TOUCHED)).exists()
    assert not (site / _page(TOUCHED)).parent.exists()  # the emptied folder goes too
    assert (site / _page(UNTOUCHED)).is_file()
    assert (site / "CNAME").read_text() == "news.example\n"
    gone = [name for name in again.outcome.removed if "/commitments/" in name]
    # Each gone commitment's page, JSON document, three feeds (RSS, Atom, JSON) and calendar.
    assert len(gone) == 13 * 6
    assert "timeline/page-2/index.html" in again.outcome.removed  # fewer events: one page


# The command.


def test_the_command_publishes_and_sums_up_what_it_wrote(tmp_path, capsys) -> None:
    url = _store(tmp_path)
    folder = tmp_path / "site"
    assert main(["publish", str(folder), "--base-url", BASE, "--database-url", url]) == 0
    first = capsys.readouterr().out.strip()
    assert main(["publish", str(folder), "--base-url", BASE, "--database-url", url]) == 0
    second = capsys.readouterr().out.strip()
    files = len(_files(folder))
    assert first == f"published {files} files to {folder}: {files} written, 0 unchanged, 0 removed"
    assert second == f"published {files} files to {folder}: 0 written, {files} unchanged, 0 removed"


def test_the_base_url_may_come_from_the_environment(tmp_path, capsys, monkeypatch) -> None:
    url = _store(tmp_path)
    monkeypatch.setenv("TRACKER_BASE_URL", BASE)
    assert main(["publish", str(tmp_path / "site"), "--database-url", url]) == 0
    assert "tag:news.example,2026:" in (tmp_path / "site/feeds/all.atom").read_text()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--base-url", BASE], "tracker publish: {folder} is not a folder"),
        (["--base-url", "ftp://news.example"], "tracker publish: 'ftp://news.example' is not a"),
        ([], "tracker publish: a base URL is needed for the feeds' ids and links"),
    ],
)
def test_bad_input_is_one_line_on_standard_error_and_exit_status_1(
    tmp_path, capsys, monkeypatch, arguments, message
) -> None:
    monkeypatch.delenv("TRACKER_BASE_URL", raising=False)
    folder = tmp_path / "a-file"
    folder.write_text("not a folder")
    url = f"sqlite:///{tmp_path / 'tracker.sqlite'}"
    assert main(["publish", str(folder), *arguments, "--database-url", url]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(message.format(folder=folder))
    assert captured.err.count("\n") == 1


# Where each address lands.


@pytest.mark.parametrize(
    ("address", "content_type", "name"),
    [
        ("/", "text/html; charset=utf-8", "index.html"),
        ("/plans/p", "text/html; charset=utf-8", "plans/p/index.html"),
        ("/timeline?page=2", "text/html; charset=utf-8", "timeline/page-2/index.html"),
        ("/api/v1/plans", "application/json", "api/v1/plans.json"),
        ("/api/v1/plans/p/commitments/c", "application/json", "api/v1/plans/p/commitments/c.json"),
        ("/api/v1/timeline?page=2", "application/json", "api/v1/timeline/page-2.json"),
        ("/api/v1/plans/p/commitments.csv", "text/csv", "api/v1/plans/p/commitments.csv"),
        ("/plans/p/feed.atom", "application/atom+xml", "plans/p/feed.atom"),
        ("/openapi.json", "application/json", "openapi.json"),
        ("/api/v1/log.jsonl", "application/jsonl", "api/v1/log.jsonl"),
        ("/api/v1/plans/p/events", "text/plain", None),
    ],
)
def test_an_address_lands_in_a_file_named_for_what_it_holds(address, content_type, name) -> None:
    assert file_for(address, content_type) == name


@pytest.mark.parametrize(
    ("link", "address"),
    [
        ("/plans/p#event-3", "/plans/p"),
        (f"{BASE}/plans/p", "/plans/p"),
        ("/api/v1/timeline?page=1&per_page=50", "/api/v1/timeline"),  # both at their default
        ("/api/v1/timeline?page=2&per_page=50", "/api/v1/timeline?page=2"),
        ("/plans/p?status=overdue", None),
        ("/plans/p/commitments/c?as_of=2024-01-01", None),
        ("/editor", None),
        ("/healthz", None),
    ],
)
def test_a_link_to_the_site_names_the_address_published_for_it(link, address) -> None:
    defaults = {"/api/v1/timeline": {"page": "1", "per_page": "50"}}
    found = site_link(link, BASE, defaults)
    assert found is not None and found.address == address


@pytest.mark.parametrize("link", ["#main", "https://elsewhere.example/x", "mailto:a@b", "//x/y"])
def test_a_link_elsewhere_is_not_the_sites(link) -> None:
    assert site_link(link, BASE, {}) is None


def test_a_relative_link_climbs_out_of_the_linking_files_folder() -> None:
    assert relative("plans/p/commitments/c/index.html", "plans/p/index.html") == "../../index.html"
    assert relative("index.html", "feeds/all.atom") == "feeds/all.atom"
    assert relative("plans/p/index.html", "plans/p/index.html", "e-1") == "index.html#e-1"


def test_a_published_commitment_page_sends_citers_to_the_live_site(edition) -> None:
    """A citation pins the whole log's current record and links to the live site's
    pinned view; in a copy it would change with every event anywhere, so it goes."""
    _, site = edition
    page = next(site.glob("plans/*/commitments/*/index.html")).read_text(encoding="utf-8")

    assert 'id="cite"' not in page
    assert 'name="citation_' not in page
    assert html.escape(STATIC_CITE) in page


def test_publish_works_from_a_thread_that_already_runs_an_event_loop(tmp_path) -> None:
    """As from a program (or a test) that drives a browser with a loop of its own."""
    import asyncio
    import threading

    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    tracker = open_tracker(url)
    load(tracker, [BUNDLED_PLAN], recorded_by="test")
    tracker.close()

    async def inside_a_loop():
        return publish(tmp_path / "site", "https://tracker.example.org", url)

    done: list = []  # in a thread of its own: this one may run a loop already (a browser's)
    runner = threading.Thread(target=lambda: done.append(asyncio.run(inside_a_loop())))
    runner.start()
    runner.join(timeout=120)

    published = done[0]
    assert published.files > 0
    assert (tmp_path / "site" / "index.html").is_file()

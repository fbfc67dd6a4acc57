"""The feeds: one item per development, never a duplicate, delays stated in days,
every feed valid RSS 2.0 and Atom, and cheap for a reader to poll."""

from __future__ import annotations

import time
from datetime import date

import feedparser
import pytest
from fastapi.testclient import TestClient

from tracker.application import AnnounceCommitment, RecordEvent, parse_event
from web import urls
from web.app import create_app
from web.settings import Settings

PLAN = "london-policing-action-plan-2020"
TICK_DAY = date(2026, 11, 21)
HOSTILE = 'Watch out ]]> <script>alert("x")</script> <img src=x onerror=alert(1)> & \ufffe done'
SCOPES = (
    ("all", None, None),
    ("delays", None, None),
    ("plan", PLAN, None),
    ("commitment", PLAN, "body-worn-video-research"),
)
FEEDS = [
    urls.feed(scope, kind, plan, slug) for scope, plan, slug in SCOPES for kind in ("rss", "atom")
]
REVIEWS = "Regular community meetings to review the plan's progress"
RECRUITS = "Up to 40 per cent of new Met recruits from Black, Asian and Minority Ethnic backgrounds"
BODY_WORN = "Academic research into stop and search using body worn video footage"


def services(client):
    return client.app.state.services


def ticked(client):
    """The bundled plan as the daily tick leaves it on 21 November 2026."""
    services(client).tracker.tick(TICK_DAY)
    services(client).projector.catch_up()
    return client


def record(client, commitment, **fields):
    tracker = services(client).tracker
    fields.setdefault("source", "ldrs-haringey-community-press-2023-11-18")
    spec = parse_event(fields, tracker.plan(PLAN).sources)
    tracker.execute([RecordEvent(PLAN, commitment, spec)], "test")


def feed(client, url, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def titles(parsed) -> list[str]:
    return [e.title for e in parsed.entries]


def ids(parsed) -> list[str]:
    return [e.id for e in parsed.entries]


def by_title(parsed, start: str):
    found = [e for e in parsed.entries if e.title.startswith(start)]
    assert len(found) == 1, titles(parsed)
    return found[0]


def test_every_feed_is_valid_rss_or_atom_with_unique_ids_absolute_links_and_dates(memory_site):
    ticked(memory_site)
    for url in FEEDS:
        response = memory_site.get(url)
        kind = url.rsplit(".", 1)[1]
        assert response.headers["content-type"] == f"application/{kind}+xml; charset=utf-8"
        parsed = feed(memory_site, url)
        assert parsed.version == ("rss20" if kind == "rss" else "atom10"), url
        assert parsed.entries, url
        assert len(set(ids(parsed))) == len(parsed.entries), url
        assert all(i.startswith("tag:testserver,") for i in ids(parsed)), url
        assert all(e.link.startswith("http://testserver/plans/") for e in parsed.entries), url
        assert all(e.published_parsed for e in parsed.entries), url
        assert {"rel": "self", "href": f"http://testserver{url}"}.items() <= next(
            link for link in parsed.feed.links if link.rel == "self"
        ).items()


def test_an_item_links_to_its_event_and_is_dated_on_the_first_day_of_a_month(memory_site):
    parsed = feed(memory_site, urls.feed("commitment", "atom", PLAN, "body-worn-video-research"))
    paused = by_title(parsed, f"{BODY_WORN}: status changed to paused (November 2022)")
    assert paused.link == "http://testserver" + urls.event(PLAN, "body-worn-video-research", 6)
    assert paused.published_parsed[:3] == (2022, 11, 1)
    assert "MOPAC paused the study indefinitely." in paused.content[0].value
    assert "the source gives the month only" in paused.content[0].value
    assert "Haringey Community Press" in paused.content[0].value
    assert 'href="https://haringeycommunitypress.co.uk/' in paused.content[0].value


def test_the_delays_feed_states_missed_deadlines_pauses_and_staleness_in_days(memory_site):
    parsed = feed(ticked(memory_site), urls.feed("delays", "rss"))
    missed = by_title(parsed, f"{REVIEWS}: deadline of February 2021 passed undelivered")
    assert missed.title.endswith("(1 March 2021), 108 days after it was announced")
    assert missed.published_parsed[:3] == (2021, 3, 1)
    recruits = by_title(parsed, f"{RECRUITS}: deadline of 2022 passed undelivered")
    assert recruits.title.endswith("(1 January 2023), 779 days after it was announced")
    assert (
        f"{BODY_WORN}: status changed to paused (November 2022), 718 days after it was announced"
        in titles(parsed)
    )
    stale = by_title(parsed, f"{BODY_WORN}: no news for 180 days")
    assert stale.title.endswith("(stale since 17 May 2024)")
    assert stale.published_parsed[:3] == (2024, 5, 17)
    assert stale.link == "http://testserver" + urls.commitment(PLAN, "body-worn-video-research")
    # Nothing but delays: no announcements, no progress, no delivered commitment.
    assert not [t for t in titles(parsed) if "announced (" in t or "progress reported" in t]
    assert not [t for t in titles(parsed) if t.startswith("Year-long pilot")]


def test_staleness_keeps_its_id_for_as_long_as_the_last_news_stays_the_same(memory_site):
    before = by_title(feed(memory_site, urls.feed("delays", "atom")), f"{BODY_WORN}: no news")
    again = by_title(feed(memory_site, urls.feed("delays", "atom")), f"{BODY_WORN}: no news")
    assert again.id == before.id
    record(
        memory_site,
        "body-worn-video-research",
        type="progress_reported",
        date=services(memory_site).today().isoformat(),
        note="The study resumed.",
    )
    services(memory_site).projector.catch_up()
    after = feed(memory_site, urls.feed("delays", "atom"))
    assert before.id not in ids(after)
    assert not [t for t in titles(after) if t.startswith(f"{BODY_WORN}: no news")]


def test_a_new_event_appears_once_in_every_feed_it_belongs_to_and_never_again(memory_site):
    ticked(memory_site)
    record(
        memory_site,
        "community-progress-reviews",
        type="deadline_set",
        date="2023-05",
        due="2024-02",
        note="The first meeting was put back three years.",
    )
    slip = f"{REVIEWS}: deadline moved from February 2021 to February 2024 (May 2023)"
    scoped = [
        urls.feed("all", "atom"),
        urls.feed("delays", "rss"),
        urls.feed("plan", "rss", PLAN),
        urls.feed("commitment", "atom", PLAN, "community-progress-reviews"),
    ]
    assert all(slip not in " ".join(titles(feed(memory_site, url))) for url in scoped)
    services(memory_site).projector.catch_up()
    first = {url: feed(memory_site, url) for url in scoped}
    for url, parsed in first.items():
        item = by_title(parsed, slip)
        assert item.title == f"{slip}, a slip of 1,096 days", url
        assert parsed.entries[0].id == item.id, f"{url}: the newest event comes first"
    assert services(memory_site).projector.catch_up() == 0
    for url, parsed in first.items():
        assert ids(feed(memory_site, url)) == ids(parsed), url


def test_items_keep_their_ids_and_titles_when_the_read_models_are_rebuilt(site):
    ticked(site)
    scoped = [urls.feed("all", "atom"), urls.feed("delays", "rss")]
    before = {url: [(e.id, e.title) for e in feed(site, url).entries] for url in scoped}
    services(site).projector.rebuild()
    for url in scoped:
        assert [(e.id, e.title) for e in feed(site, url).entries] == before[url], url


def test_a_reader_polling_an_unchanged_feed_gets_a_bodiless_304(site):
    url = urls.feed("plan", "atom", PLAN)
    first = site.get(url)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert first.headers["cache-control"] == "public, max-age=300"
    assert modified.endswith(" GMT")
    for headers in ({"If-None-Match": etag}, {"If-Modified-Since": modified}):
        again = site.get(url, headers=headers)
        assert (again.status_code, again.content) == (304, b""), headers
        assert again.headers["etag"] == etag
    assert site.get(url, headers={"If-None-Match": '"something else"'}).status_code == 200
    old = "Mon, 01 Jan 2024 00:00:00 GMT"
    assert site.get(url, headers={"If-Modified-Since": old}).status_code == 200
    # A different feed, or the other format, never shares the ETag.
    others = [urls.feed("plan", "rss", PLAN), urls.feed("all", "atom")]
    assert etag not in {site.get(other).headers["etag"] for other in others}

    time.sleep(1.1)  # Last-Modified counts whole seconds
    record(
        site,
        "body-worn-video-research",
        type="progress_reported",
        date="2026-11",
        note="Still paused.",
    )
    services(site).projector.catch_up()
    changed = site.get(url, headers={"If-None-Match": etag, "If-Modified-Since": modified})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert changed.headers["last-modified"] != modified
    assert site.get(url, headers={"If-Modified-Since": modified}).status_code == 200


def test_hostile_text_in_a_note_comes_back_inert(memory_site):
    record(
        memory_site,
        "body-worn-video-research",
        type="progress_reported",
        date="2026-10",
        note=HOSTILE,
        quote=HOSTILE,
    )
    services(memory_site).projector.catch_up()
    for kind in ("rss", "atom"):
        parsed = feed(memory_site, urls.feed("all", kind))
        item = parsed.entries[0]
        assert item.title == f"{BODY_WORN}: progress reported (October 2026)"
        text = item.summary
        assert "<script" not in text and "<img" not in text and "onerror=alert(1)>" not in text
        assert "&lt;script&gt;alert(" in text, text
        assert "]]&gt;" in text and "&amp; " in text


def test_a_hostile_commitment_title_stays_plain_text(memory_site):
    tracker = services(memory_site).tracker
    spec = parse_event(
        {
            "type": "announced",
            "date": "2026-01",
            "source": "mayor-press-release-2020-11-13",
            "summary": HOSTILE,
        },
        tracker.plan(PLAN).sources,
    )
    tracker.execute([AnnounceCommitment(PLAN, "hostile", f"Title {HOSTILE}", spec)], "test")
    services(memory_site).projector.catch_up()
    for kind in ("rss", "atom"):
        item = feed(memory_site, urls.feed("commitment", kind, PLAN, "hostile")).entries[0]
        assert item.title_detail.type == "text/plain"
        assert item.title.startswith('Title Watch out ]]> <script>alert("x")</script>')
        assert "<script" not in item.summary and "<img" not in item.summary


@pytest.mark.parametrize(
    "url",
    [
        urls.feed("plan", "rss", "no-such-plan"),
        urls.feed("plan", "atom", "no-such-plan"),
        urls.feed("commitment", "rss", PLAN, "no-such-commitment"),
        urls.feed("commitment", "atom", "no-such-plan", "body-worn-video-research"),
    ],
)
def test_an_unknown_plan_or_commitment_is_a_404_saying_so(memory_site, url):
    response = memory_site.get(url)
    assert response.status_code == 404
    assert "unknown" in response.json()["detail"]


def test_a_configured_base_url_and_item_limit_shape_every_feed():
    settings = Settings(
        database_url="memory://",
        project=False,
        tick=False,
        base_url="https://tracker.example.org/",
        feed_items=5,
    )
    with TestClient(create_app(settings)) as client:
        parsed = feed(client, urls.feed("all", "rss"))
        total = services(client).read.timeline(1, 1)[1]
    assert total > 5 and len(parsed.entries) == 5
    assert all(e.link.startswith("https://tracker.example.org/plans/") for e in parsed.entries)
    assert all(e.id.startswith("tag:tracker.example.org,") for e in parsed.entries)
    assert parsed.feed.link == "https://tracker.example.org/"


def test_a_short_delays_feed_is_the_start_of_a_long_one(tmp_path):
    """Events and stale commitments are each read newest first, only as many as the
    feed carries: what it shows must not depend on how many it carries."""

    def delays(items: int):
        url = f"sqlite:///{tmp_path / 'tracker.sqlite'}"
        settings = Settings(database_url=url, project=False, tick=False, feed_items=items)
        with TestClient(create_app(settings)) as client:
            if items == 1000:
                ticked(client)
            parsed = feed(client, urls.feed("delays", "atom"))
        return [(e.id, e.title) for e in parsed.entries]

    everything = delays(1000)
    assert sum("no news for" in title for _, title in everything) > 3
    assert sum("no news for" not in title for _, title in everything) >= 3
    for items in (1, 2, 3, 5, 8, 13):
        assert delays(items) == everything[:items], items


def test_the_openapi_description_gives_each_feed_its_media_type(memory_site):
    paths = memory_site.get("/openapi.json").json()["paths"]
    for url in FEEDS:
        template = url.replace(PLAN, "{plan}").replace("body-worn-video-research", "{slug}")
        media = "application/rss+xml" if url.endswith(".rss") else "application/atom+xml"
        assert list(paths[template]["get"]["responses"]["200"]["content"]) == [media], url


def test_commitments_gone_stale_on_the_same_day_each_appear_once(monkeypatch):
    """Stale commitments tied on their last news, more than a short feed can carry:
    each is one item, never two."""
    settings = Settings(database_url="memory://", project=False, tick=False, feed_items=4)
    with TestClient(create_app(settings)) as client:
        read = services(client).read
        slugs = [row.slug for row in read.commitments(PLAN, TICK_DAY)][:5]
        for slug in slugs:
            record(client, slug, type="progress_reported", date="2024-01-10", note="Quiet.")
        services(client).projector.catch_up()
        later = date(2025, 6, 1)
        monkeypatch.setattr(services(client), "today", lambda: later)
        for limit in (2, 3, 4):
            stale = [row.slug for row, _ in read.stale_since(later, limit=limit)]
            assert len(stale) == len(set(stale)) >= limit, limit
        ids = [e.id for e in feed(client, urls.feed("delays", "atom")).entries]
        assert len(ids) == len(set(ids)) == 4


def test_a_transfer_is_an_item_saying_where_the_commitment_went(memory_site):
    client = ticked(memory_site)
    record(
        client,
        "body-worn-video-research",
        type="transferred",
        date="2025-01",
        to_title="Police and Crime Plan 2025",
    )
    services(client).projector.catch_up()

    item = by_title(feed(client, "/feeds/all.atom"), BODY_WORN + ": transferred to")
    assert item.title == f"{BODY_WORN}: transferred to Police and Crime Plan 2025 (January 2025)"

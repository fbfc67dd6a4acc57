"""The public pages: what a journalist, an Assembly member or a feed reader sees, with
JavaScript off (whole pages) and on (htmx fragments of the same templates)."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tracker.application import AnnounceCommitment, RecordEvent, parse_event
from tracker.domain.dates import PartialDate
from web import urls

PLAN = "london-policing-action-plan-2020"
BWV = "body-worn-video-research"
PRESS_RELEASE = (
    "https://www.london.gov.uk/press-releases/mayoral/stop-and-search-to-be-better-scrutinised"
)
STATIC = Path(__file__).resolve().parent.parent / "web" / "static"
SOURCE = {
    "publisher": "Test Gazette",
    "title": "A report written for the tests",
    "published_on": "2024-01-05",
    "url": "https://example.org/report",
}
HOSTILE_TITLE = "<script>alert(1)</script>"
HOSTILE_NOTE = "<img src=x onerror=alert(1)>"
HTMX = {"HX-Request": "true"}
PAGES = (
    urls.home(),
    urls.plan(PLAN),
    urls.commitment(PLAN, BWV),
    urls.timeline(),
    urls.delays(),
    urls.how_we_know(),
)


class Tags(HTMLParser):
    """Every start tag of a page, with its attributes, in document order."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def all(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [
            a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())
        ]


def between(html: str, start: str, end: str) -> str:
    """The part of ``html`` from the first ``start`` to the next ``end``."""
    head = html.index(start)
    return html[head : html.index(end, head)]


def record(site, commitment: str | None, **event) -> None:
    """Record one event as an editor would, then let the read models catch up."""
    services = site.app.state.services
    spec = parse_event({"source": SOURCE, **event}, {})
    services.tracker.execute([RecordEvent(PLAN, commitment, spec)], "editor (test)")
    services.projector.catch_up()


def commitment_slugs(html: str) -> set[str]:
    prefix = urls.commitment(PLAN, "")
    return {
        a["href"].removeprefix(prefix).split("?")[0]
        for a in Tags(html).all("a")
        if (a.get("href") or "").startswith(prefix)
    }


# Every page


@pytest.mark.parametrize("path", PAGES)
def test_every_page_is_whole_accessible_html_with_one_h1_and_landmarks(memory_site, path):
    response = memory_site.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "HX-Request" in response.headers["vary"]
    tags = Tags(response.text)
    assert len(tags.all("h1")) == 1
    assert tags.all("html", lang="en-GB")
    assert tags.all("a", href="#main", **{"class": "skip-link"})
    assert tags.all("main", id="main")
    for landmark in ("header", "nav", "footer"):
        assert tags.all(landmark), landmark


@pytest.mark.parametrize(
    ("path", "feeds", "api"),
    [
        (urls.home(), [("all",), ("delays",)], urls.api_plans()),
        (urls.plan(PLAN), [("plan", PLAN), ("all",)], urls.api_commitments(PLAN)),
        (
            urls.commitment(PLAN, BWV),
            [("commitment", PLAN, BWV), ("plan", PLAN)],
            urls.api_commitment(PLAN, BWV),
        ),
        (urls.timeline(), [("all",)], urls.api_timeline()),
        (urls.delays(), [("delays",)], urls.api_commitments(PLAN)),
    ],
)
def test_every_page_announces_its_feeds_and_links_its_json_twin(memory_site, path, feeds, api):
    tags = Tags(memory_site.get(path).text)
    for scope, *where in feeds:
        for kind in ("rss", "atom"):
            href = urls.feed(scope, kind, *where)
            assert tags.all("link", rel="alternate", type=f"application/{kind}+xml", href=href)
    assert tags.all("a", href=api, type="application/json")


def test_htmx_is_vendored_unchanged_and_loaded_from_our_own_server_with_its_hash(memory_site):
    vendored = (STATIC / "VENDORED.md").read_text()
    name, digest = re.search(r"`(htmx-[\d.]+\.min\.js)`.*?`([0-9a-f]{64})`", vendored).groups()
    content = (STATIC / name).read_bytes()
    assert hashlib.sha256(content).hexdigest() == digest
    assert "0BSD" in vendored and "htmx.org" in vendored

    scripts = Tags(memory_site.get(urls.home()).text).all("script")
    sri = "sha384-" + base64.b64encode(hashlib.sha384(content).digest()).decode()
    assert scripts == [{"src": urls.static(name), "integrity": sri, "defer": None}]
    assert memory_site.get(urls.static(name)).content == content
    assert memory_site.get(urls.static("site.css")).status_code == 200


@pytest.mark.parametrize("path", [urls.plan(PLAN), urls.commitment(PLAN, BWV)])
def test_every_htmx_request_has_a_real_form_or_link_behind_it(memory_site, path):
    tags = Tags(memory_site.get(path).text)
    enhanced = [(t, a) for t, a in tags.tags if "hx-get" in a]
    assert enhanced
    for tag, attrs in enhanced:
        assert attrs["hx-get"] == (attrs.get("action") if tag == "form" else attrs.get("href"))
        assert attrs["hx-push-url"] == "true"
        if tag == "form":
            assert attrs["method"] == "get"


# Home and delays


def test_home_lists_each_plan_with_its_headline_counts(memory_site):
    html = memory_site.get(urls.home()).text
    assert "Action Plan – Transparency, Accountability and Trust in Policing" in html
    counts = between(html, '<dl class="counts">', "</dl>")
    for label in ("Delivered", "In progress", "Overdue", "Stale", "No deadline"):
        assert label in counts
    assert f'href="{urls.plan(PLAN, status="overdue")}"' in counts


@pytest.mark.parametrize(
    "group", ["delivered", "in_progress", "announced", "overdue", "stale", "no_deadline"]
)
def test_each_headline_count_links_to_a_list_of_exactly_that_many_commitments(memory_site, group):
    html = memory_site.get(urls.plan(PLAN)).text
    link = urls.plan(PLAN, status=group)
    count = int(re.search(rf'<a href="{re.escape(link)}"[^>]*>(\d+)</a>', html).group(1))
    listed = memory_site.get(link).text
    assert len(commitment_slugs(between(listed, 'id="results"', "</section>"))) == count


def test_delays_ranks_overdue_commitments_first_and_lists_those_without_a_deadline(memory_site):
    html = memory_site.get(urls.delays()).text
    order = [
        a["href"].split("/")[-1]
        for a in Tags(html).all("a")
        if (a.get("href") or "").startswith(urls.commitment(PLAN, ""))
    ]
    # Due February 2021 is overdue longer than due 2022; both come before the rest.
    assert order[:2] == ["community-progress-reviews", "black-officer-recruitment-target"]
    assert BWV in order  # paused, no deadline, stale
    assert "vehicle-stop-pilot" not in order  # delivered: not a delay
    assert "No deadline" in html and "Overdue" in html


# A plan


def test_plan_page_groups_commitments_by_theme_with_status_due_date_and_days_overdue(memory_site):
    html = memory_site.get(urls.plan(PLAN, as_of="2021-03-10")).text
    themes = [m for m in re.findall(r'class="theme-heading"[^>]*><bdi>([^<]+)<', html)]
    assert [t.strip() for t in themes] == [
        "Community scrutiny and oversight",
        "Stop and search",
        "Training, recruitment and funding",
    ]
    row = between(html, "Regular community meetings to review the plan", "</tr>")
    assert "February 2021" in row  # the deadline, at the precision it was given
    assert "10 days" in row  # 28 February 2021 to 10 March 2021
    assert "Announced, no status reported" in row
    assert "1 February 2021" not in html


def test_plan_page_shows_what_led_to_it_and_its_baseline_figures_beside_later_ones(memory_site):
    html = memory_site.get(urls.plan(PLAN)).text
    context = between(html, 'id="context-heading"', 'id="figures-heading"')
    assert "Dawn Butler" in context and 'id="plan-event-1"' in context
    figures = between(html, 'id="figures-heading"', "</table>")
    baseline_row = between(figures, "Met stop and searches per 1,000 Black people", "</tr>")
    assert "51" in baseline_row and "None recorded yet" in baseline_row
    later_row = between(figures, "Change in the use of handcuffs", "</tr>")
    assert "−20" in later_row and "None recorded</span>" in later_row
    assert '<time datetime="2018">2018</time>' in figures


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            {"status": "overdue"},
            {"community-progress-reviews", "black-officer-recruitment-target"},
        ),
        ({"status": "paused"}, {BWV}),
        (
            {"theme": "Stop and search"},
            {
                BWV,
                "mandatory-traffic-stop-data",
                "smell-of-cannabis-scrutiny",
                "vehicle-stop-pilot",
            },
        ),
        ({"q": "Cannabis"}, {"smell-of-cannabis-scrutiny"}),
        (
            {"owner": "City Hall", "q": "recruit"},
            {"city-hall-investment", "recruitment-investment"},
        ),
    ],
)
def test_filters_narrow_the_list_and_keep_their_state_in_the_url(memory_site, query, expected):
    everything = commitment_slugs(memory_site.get(urls.plan(PLAN)).text)
    response = memory_site.get(urls.plan(PLAN, **query))
    assert response.status_code == 200
    results = between(response.text, 'id="results"', "</section>")
    assert commitment_slugs(results) == expected < everything
    assert f"{len(expected)} of {len(everything)} commitments match" in response.text

    tags = Tags(response.text)
    (form,) = tags.all("form", **{"class": "filters"})
    assert form["action"] == urls.plan(PLAN) and form["method"] == "get"
    for name, value in query.items():
        if name == "q":
            assert tags.all("input", name="q", value=value)
        else:
            assert [a for a in tags.all("option", value=value) if "selected" in a]


def test_an_unknown_status_filter_is_a_422_page_naming_the_choices(memory_site):
    response = memory_site.get(urls.plan(PLAN, status="lost"))
    assert response.status_code == 422
    assert "unknown filter &#39;lost&#39;" in response.text and "no_deadline" in response.text


def test_an_htmx_filter_request_gets_only_the_list_and_a_normal_request_the_whole_page(
    memory_site,
):
    path = urls.plan(PLAN, status="overdue")
    fragment = memory_site.get(path, headers=HTMX)
    page = memory_site.get(path)
    for response in (fragment, page):
        assert response.status_code == 200
        assert "HX-Request" in response.headers["vary"]
    assert "<html" not in fragment.text and "<h1" not in fragment.text
    assert "<form" not in fragment.text
    assert commitment_slugs(fragment.text) == {
        "community-progress-reviews",
        "black-officer-recruitment-target",
    }
    # The count sits outside the list, in a live region that htmx updates in place.
    assert 'hx-swap-oob="innerHTML:#result-count"' in fragment.text
    assert "<html" in page.text and 'id="results"' in page.text
    assert "hx-swap-oob" not in page.text

    restore = memory_site.get(path, headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert "<html" in restore.text  # the back button restores a whole page


# A commitment


def test_commitment_page_tells_its_story_with_dates_at_their_precision_and_sources(memory_site):
    html = memory_site.get(urls.commitment(PLAN, BWV)).text
    assert '<time datetime="2022-11">November 2022</time>' in html
    assert '<time datetime="2018">2018</time>' in html
    assert "1 November 2022" not in html and "1 January 2018" not in html
    assert f'<a href="{PRESS_RELEASE}" rel="external">‘<bdi>Mayor&#39;s Action Plan focuses' in html
    assert "<bdi>Noah Vickers</bdi>, <bdi>Haringey Community Press" in html
    assert "MOPAC paused the project indefinitely in November 2022." in html  # the quote
    assert "by <bdi>data files</bdi>" in html  # who recorded it, as stored
    ids = {a["id"] for a in Tags(html).all("article") if a.get("id")}
    assert ids == {f"event-{n}" for n in range(1, 10)}
    story = between(html, 'id="story-heading"', "</section>")
    assert story.index('id="event-2"') < story.index('id="event-1"')  # 2018 before 2020


@pytest.mark.parametrize(
    ("as_of", "status"), [("2022-08-01", "In progress"), ("2023-01-01", "Paused")]
)
def test_the_as_of_view_shows_the_commitment_as_it_stood_that_day(memory_site, as_of, status):
    html = memory_site.get(urls.commitment(PLAN, BWV, as_of)).text
    figures = between(html, '<dl class="figures">', "</dl>")
    assert f'<span class="status__text">{status}</span>' in figures
    (field,) = Tags(html).all("input", name="as_of", type="date")
    assert field["type"] == "date" and field["value"] == as_of


def test_events_after_the_as_of_day_are_marked_not_yet_happened(memory_site):
    html = memory_site.get(urls.commitment(PLAN, BWV, "2022-08-01")).text
    later = Tags(html).all("article", **{"class": "event event--later"})
    assert [a["id"] for a in later] == [f"event-{n}" for n in (5, 6, 7, 8, 9)]
    assert "Not yet happened on 1 August 2022" in html
    assert "5 events are dated after 1 August 2022" in html


def test_cite_this_gives_an_absolute_permalink_and_a_ready_citation(memory_site):
    html = memory_site.get(urls.commitment(PLAN, BWV, "2023-01-01")).text
    events = memory_site.get("/api/v1/log").json()["events"]
    permalink = "http://testserver" + urls.commitment_pinned(PLAN, BWV, "2023-01-01", events)
    assert Tags(html).all("a", href=permalink + "#cite", **{"class": "permalink"})
    today = date.today()
    accessed = f"{today.day} {today:%B} {today.year}"
    shown = permalink.replace("&", "&amp;")
    assert (
        "Action Plan Tracker, ‘Academic research into stop and search using body worn video"
        f" footage’, status as of 1 January 2023: paused. {shown}#cite (record {events},"
    ) in html
    assert f"(accessed {accessed})" in html


def test_the_timeline_chart_is_an_image_with_a_text_equivalent(memory_site):
    html = memory_site.get(urls.commitment(PLAN, BWV)).text
    (svg,) = Tags(html).all("svg", role="img")
    assert svg["aria-labelledby"] == "chart-title chart-desc"
    assert '<title id="chart-title">' in html and '<desc id="chart-desc">' in html
    words = between(html, '<ol class="chart-list"', "</ol>")
    assert "November 2022</a>: Status changed to paused" in words
    assert "13 November 2020</a>: Announced" in words and ": today" in words


def test_an_htmx_as_of_request_gets_only_the_view_of_that_day(memory_site):
    path = urls.commitment(PLAN, BWV, "2022-08-01")
    fragment = memory_site.get(path, headers=HTMX)
    assert "HX-Request" in fragment.headers["vary"]
    assert "<html" not in fragment.text and "<h1" not in fragment.text
    assert 'id="standing-heading"' in fragment.text and "In progress" in fragment.text
    assert 'id="event-9"' in fragment.text and "Cite this" in fragment.text


def test_a_corrected_event_is_struck_through_with_the_correction_and_stops_counting(
    memory_site,
):
    record(
        memory_site,
        BWV,
        type="correction",
        date="2024-01-05",
        corrects=6,
        note="The study was never formally paused; it stalled.",
    )
    html = memory_site.get(urls.commitment(PLAN, BWV, "2023-01-01")).text
    paused = between(html, 'id="event-6"', "</article>")
    assert "<del" in paused and "MOPAC paused the study indefinitely." in paused
    assert "Corrected by" in paused and 'href="#event-10"' in paused
    assert "The study was never formally paused; it stalled." in paused
    figures = between(html, '<dl class="figures">', "</dl>")
    assert "In progress" in figures and "Paused" not in figures
    assert 'href="#event-6">event 6</a>' in between(html, 'id="event-10"', "</article>")


def test_a_deadline_that_passed_in_silence_shows_as_missed(memory_site):
    services = memory_site.app.state.services
    services.tracker.tick(services.today())
    services.projector.catch_up()
    html = memory_site.get(urls.commitment(PLAN, "community-progress-reviews")).text
    missed = between(html, 'id="event-3"', "</article>")
    assert "Deadline missed" in missed and "The deadline of February 2021 passed" in missed
    assert "by <bdi>tracker tick</bdi>" in missed and "Action Plan Tracker" in missed
    assert 'class="mark mark--missed"' in html
    assert "1 March 2021</a>: Deadline missed" in html


# Hostile text from data files comes back as text


def test_hostile_text_in_a_title_or_note_is_escaped_everywhere(memory_site):
    services = memory_site.app.state.services
    announcement = parse_event(
        {"type": "announced", "date": "2024-01-05", "summary": HOSTILE_NOTE, "source": SOURCE}, {}
    )
    services.tracker.execute(
        [AnnounceCommitment(PLAN, "hostile", HOSTILE_TITLE, announcement, theme=HOSTILE_NOTE)],
        "editor (test)",
    )
    record(memory_site, "hostile", type="progress_reported", date="2024-02", note=HOSTILE_NOTE)
    record(memory_site, None, type="progress_reported", date="2024-03", note=HOSTILE_TITLE)
    for path in (
        urls.plan(PLAN),
        urls.plan(PLAN, q="alert"),
        urls.commitment(PLAN, "hostile"),
        urls.timeline(),
        urls.delays(),
    ):
        html = memory_site.get(path).text
        assert "<script>alert" not in html and "<img src=x" not in html, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, path
    html = memory_site.get(urls.commitment(PLAN, "hostile"), headers=HTMX).text
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


# Timeline


def test_the_timeline_is_paged_newest_first_with_previous_and_next_links(memory_site):
    first = memory_site.get(urls.timeline()).text
    second = memory_site.get(urls.timeline(2)).text
    assert len(Tags(first).all("article")) == 25
    assert Tags(first).all("a", href=urls.timeline(2), rel="next")
    assert not Tags(first).all("a", rel="prev")
    assert Tags(second).all("a", href=urls.timeline(1), rel="prev")
    dates = [
        PartialDate.parse(d).start
        for d in re.findall(r'class="event__title"><time datetime="([^"]+)"', first + second)
    ]
    assert len(dates) == 50 and dates == sorted(dates, reverse=True)
    assert "Events 26 to" in second


@pytest.mark.parametrize(("page", "status"), [("abc", 422), ("0", 404), ("999", 404), ("-1", 422)])
def test_a_bad_timeline_page_is_an_error_page_not_a_crash(memory_site, page, status):
    response = memory_site.get(f"{urls.timeline()}?page={page}")
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert "HX-Request" in response.headers["vary"]


# Errors


@pytest.mark.parametrize(
    "path",
    [
        urls.plan("no-such-plan"),
        urls.commitment(PLAN, "no-such-commitment"),
        urls.commitment("no-such-plan", BWV),
        urls.commitment(PLAN, "no-such-commitment", "not-a-date"),
        urls.plan("No Such Plan"),
        urls.commitment(PLAN, "no-such-%00"),  # never sent to the database
    ],
)
def test_an_unknown_plan_or_commitment_is_a_404_page(memory_site, path):
    response = memory_site.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>Not found</h1>" in response.text
    assert re.search("unknown (plan|commitment)", response.text, re.IGNORECASE)
    assert "\x00" not in response.text


@pytest.mark.parametrize("query", [{"q": "a\x00b"}, {"theme": "x" * 201}, {"owner": "a\nb"}])
def test_filter_text_that_no_commitment_could_match_is_a_422_page(memory_site, query):
    response = memory_site.get(urls.plan(PLAN, **query))
    assert response.status_code == 422
    (name,) = query
    assert f"{name}:" in response.text


@pytest.mark.parametrize(
    "path",
    [urls.commitment(PLAN, BWV, "2022-13-01"), urls.plan(PLAN, as_of="yesterday")],
)
def test_a_bad_as_of_date_is_a_422_page_with_the_message(memory_site, path):
    response = memory_site.get(path)
    assert response.status_code == 422
    assert "That date could not be read" in response.text
    assert "as_of:" in response.text and "YYYY-MM-DD" in response.text
    assert "HX-Request" in response.headers["vary"]


def test_an_htmx_request_that_fails_sends_the_browser_to_the_error_page(memory_site):
    path = urls.commitment(PLAN, BWV, "2022-02-30")
    response = memory_site.get(path, headers=HTMX)
    assert response.status_code == 422
    assert response.headers["hx-redirect"] == path


def test_a_long_delays_list_is_paged_with_ranks_running_on(memory_site):
    """Sixty more commitments with no deadline: all delayed, more than a page holds."""
    services = memory_site.app.state.services
    commands = []
    for n in range(60):
        announced = parse_event(
            {"type": "announced", "date": "2024-01-05", "summary": "Do it.", "source": SOURCE}, {}
        )
        commands.append(AnnounceCommitment(PLAN, f"extra-{n:02d}", f"Extra {n:02d}", announced))
    services.tracker.execute(commands, "editor (test)")
    services.projector.catch_up()
    total = len(services.read.delays(services.today()))
    assert total == 13 + 60

    first, second = memory_site.get(urls.delays()), memory_site.get(urls.delays(2))
    ranks = [
        int(cell)
        for html in (first.text, second.text)
        for cell in re.findall(r'<td class="num">(\d+)</td>', html)
    ]
    assert ranks == list(range(1, total + 1))
    assert f"{total} commitments" in first.text and "Page 1 of 2" in first.text
    assert f'href="{urls.delays(2)}"' in first.text and 'rel="prev"' in second.text
    assert memory_site.get(urls.delays(3)).status_code == 404
    assert memory_site.get(urls.delays() + "?page=first").status_code == 422

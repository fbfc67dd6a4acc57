"""What the pages show, worked out here so that the templates only lay it out: a
commitment's story, its measures, the citation to copy, a plan's groups and figures,
and the feeds each page offers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from tracker.domain.entries import CLOSED_STATUSES, TRANSFERRED, Entry
from tracker.domain.figures import Figures, counted
from tracker.readmodels.views import CommitmentRow, Item
from web import bidi, urls
from web.presenters.wording import SITE, day_text, days_text, status_text

# What a page offers to follow it with, by kind: its media type and its name.
FOLLOW_KINDS = {
    "rss": ("application/rss+xml", "RSS"),
    "atom": ("application/atom+xml", "Atom"),
    "json": ("application/feed+json", "JSON Feed"),
    "ics": ("text/calendar", "iCalendar"),
}


@dataclass(frozen=True)
class FeedLink:
    title: str
    kind: str  # rss, atom, json (JSON Feed) or ics (a calendar of deadlines)
    href: str

    @property
    def media_type(self) -> str:
        return FOLLOW_KINDS[self.kind][0]


def feed_links(*feeds: tuple[str, ...]) -> list[FeedLink]:
    """Every format of each feed: ``(title, scope[, plan[, slug]])``."""
    links = []
    for title, scope, *where in feeds:
        for kind in ("rss", "atom", "json"):
            name = FOLLOW_KINDS[kind][1]
            links.append(FeedLink(f"{title} ({name})", kind, urls.feed(scope, kind, *where)))
    return links


def calendar_link(title: str, plan: str | None = None, slug: str | None = None) -> FeedLink:
    """The deadlines of the whole site, a plan or a commitment, to add to a calendar."""
    return FeedLink(f"{title} ({FOLLOW_KINDS['ics'][1]})", "ics", urls.calendar(plan, slug))


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

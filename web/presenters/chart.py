"""A commitment's timeline chart: an inline SVG, laid out here (the template only
draws what this works out)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tracker.readmodels.views import CommitmentRow, Item
from web.presenters.wording import status_text, type_label


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


WIDTH, LEFT, RIGHT, HEIGHT = 800, 100, 780, 170
STEPS = (1, 2, 5, 10, 20, 50, 100, 250, 500, 1000, 2500)  # years between ticks


@dataclass(frozen=True)
class Scale:
    """Days to x: ``low`` and ``high`` are the ordinals at the chart's two edges."""

    low: int
    high: int

    def __call__(self, value: date) -> float:
        return round(
            LEFT + (value.toordinal() - self.low) / (self.high - self.low) * (RIGHT - LEFT), 1
        )


def chart(row: CommitmentRow, items: list[Item], day: date, today: date) -> Chart:
    entries = [i.entry for i in items]
    dues = [e.details["due"] for e in entries if e.type == "deadline_set"]
    first = min([e.date.start for e in entries] + [d.start for d in dues] + [min(day, today)])
    last = max([e.date.end for e in entries] + [d.end for d in dues] + [max(day, today)])
    low, high = first.toordinal(), last.toordinal()
    pad = max(15, (high - low) // 30)
    x = Scale(low - pad, high + pad)
    marks = sorted((_mark(item, x, day) for item in items), key=lambda m: (m.start, m.number))
    f = row.figures
    summary = (
        f"Announced {row.announced_on.human()}. "
        + (f"Due {f.due.human()}. " if f.due else "No deadline set. ")
        + f"{len(entries)} events recorded, from {first.year} to {last.year}."
    )
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=RIGHT,
        ticks=_ticks(first, last, x),
        marks=marks,
        today_x=x(today),
        day_x=x(day) if day != today else None,
        summary=summary,
    )


def _mark(item: Item, x: Scale, day: date) -> Mark:
    e = item.entry
    later = e.date.start > day
    corrected = item.corrected_by is not None
    if e.type == "deadline_set":
        due = e.details["due"]
        label = f"Deadline: due {due.human()} (set {e.date.human()})"
        return Mark(
            "deadline", x(due.end), 0, label, due.human(), due.end, e.number, corrected, later
        )
    kind = {"announced": "announced", "deadline_missed": "missed"}.get(e.type, "event")
    label = type_label(e.type)
    if e.type == "status_changed":
        label += f" to {status_text(e.details['status']).lower()}"
    span = 0.0 if e.date.precision == "day" else max(2.0, round(x(e.date.end) - x(e.date.start), 1))
    start = e.date.start
    return Mark(kind, x(start), span, label, e.date.human(), start, e.number, corrected, later)


def _ticks(first: date, last: date, x: Scale) -> list[tuple[float, str]]:
    """A tick each January, every ``step`` years so that there are ten at most."""
    years = last.year - first.year
    step = next(s for s in STEPS if years / s <= 10)
    return [
        (x(date(year, 1, 1)), str(year))
        for year in range(first.year - first.year % step, last.year + 1, step)
        if year >= 1 and x.low <= date(year, 1, 1).toordinal() <= x.high
    ]

"""What other sites show of a commitment: a status badge (SVG) and a small card.

Both say where the commitment stands today, in the pages' words, and nothing that
needs script. The badge's colours are the dark inks of the site's status labels, with
white text: every pair has a contrast ratio above 7:1 (WCAG AAA). Its width is worked
out from the text, and each text is fitted to its estimate (``textLength``), so that
no font a viewer has can make it spill.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date

from tracker.domain.entries import Entry, status_set_by
from tracker.domain.figures import counted
from tracker.domain.sources import Source
from tracker.readmodels.views import CommitmentRow
from web import bidi, urls
from web.presenters.wording import EMBED_HINT, EMBED_THIS, SITE, badge_words, day_text

# Dark inks, each with white text at a contrast ratio above 7:1.
INKS = {
    "announced": "#333333",
    "not_started": "#333333",
    "in_progress": "#0c3561",
    "delayed": "#5c3b00",
    "paused": "#3e1f66",
    "delivered": "#0f4620",
    "partially_delivered": "#2b4a10",
    "dropped": "#6b1010",
    "transferred": "#123c45",
}
OVERDUE_INK = "#8a1538"
CHAR_WIDTH = 6.5  # pixels per character of 11 px DejaVu Sans / Verdana, on average
PADDING = 6


@dataclass(frozen=True)
class Segment:
    """One coloured part of the badge, and its text."""

    x: float
    width: float
    ink: str
    text: str

    @property
    def text_x(self) -> float:
        return self.x + PADDING

    @property
    def text_width(self) -> float:
        return self.width - 2 * PADDING


@dataclass(frozen=True)
class Badge:
    title: str
    width: float
    segments: tuple[Segment, ...]


def badge(row: CommitmentRow, today: date) -> Badge:
    """The badge: the status, then how long it is overdue, if it is."""
    f = row.figures
    status, overdue = badge_words(f)
    parts = [(INKS.get(f.status, INKS["announced"]), status)]
    if overdue:
        parts.append((OVERDUE_INK, overdue))
    segments, x = [], 0.0
    for ink, text in parts:
        width = round(len(text) * CHAR_WIDTH + 2 * PADDING, 1)
        segments.append(Segment(x, width, ink, text))
        x += width
    said = ", ".join(text for _, text in parts)
    title = f"“{bidi.isolated(row.title)}”: {said}, on {day_text(today)} ({SITE})"
    return Badge(title, round(x, 1), tuple(segments))


def status_source(entries: list[Entry], day: date) -> tuple[Entry | None, Source | None]:
    """The event that set the status as of ``day``, and its source (None: none yet)."""
    changes = [e for e in counted(entries, day) if status_set_by(e)]
    return (changes[-1], changes[-1].source) if changes else (None, None)


@dataclass(frozen=True)
class Snippet:
    """The markup another site copies to show a commitment: a card or a badge."""

    iframe: str
    image: str
    title: str = EMBED_THIS
    hint: str = EMBED_HINT


def snippet(row: CommitmentRow, base: str) -> Snippet:
    """Ready to paste: absolute addresses, no script, a title for the frame and alt
    text for the image (which stays true as the status changes)."""
    title = html.escape(bidi.isolated(row.title))
    page = base + urls.commitment(row.plan, row.slug)
    iframe = (
        f'<iframe src="{base}{urls.embed(row.plan, row.slug)}"'
        f' title="Where “{title}” stands ({SITE})"'
        ' width="480" height="340" style="border:0" loading="lazy"></iframe>'
    )
    image = (
        f'<a href="{page}"><img src="{base}{urls.badge(row.plan, row.slug)}"'
        f' alt="Where “{title}” stands today ({SITE})" height="20"></a>'
    )
    return Snippet(iframe, image)

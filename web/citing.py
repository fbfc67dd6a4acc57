"""What a commitment page says to those who cite it: the view shown (today's, or as
recorded at a past position), the citation pinned to a position of the log, its
downloads, its meta tags, and, on a pinned page, whether the record has moved on.

Today's page pins the position its read models show (``web.recorded.shown_today``):
the pinned page then shows exactly what the reader saw.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import Request

from tracker.application.recorded import Recorded
from tracker.domain.errors import TrackerError
from tracker.readmodels.views import CommitmentRow
from tracker.store import chain
from web import urls
from web.presenters import citations
from web.presenters.wording import as_recorded_text, moved_on_text
from web.recorded import shown_today


def pinned_citation(
    request: Request, services: Any, row: CommitmentRow, day: date, pin: Recorded | None
) -> citations.Citation:
    """The citation of ``row`` as of ``day``, pinned to ``pin`` (today's position if None)."""
    pin = pin or shown_today(services)
    today = services.today()
    events, head = (pin.events, pin.hash) if pin else (0, chain.GENESIS)
    path = urls.commitment_pinned(row.plan, row.slug, day.isoformat(), events or None) + "#cite"
    base = services.settings.base_url or str(request.base_url)
    issued = pin.at.date() if pin and pin.at else today
    return citations.citation_of(row, day, base.rstrip("/") + path, today, events, head, issued)


def cite_context(
    request: Request, services: Any, row: CommitmentRow, day: date, position: Recorded | None
) -> dict[str, Any]:
    """The template's words for citing, and for saying which view is shown."""
    cited = pinned_citation(request, services, row, day, position)
    query = {"as_of": day.isoformat(), "as_recorded": cited.events or None}
    return {
        "cited": cited,
        "citation": citations.text(cited),
        "permalink": cited.url,
        "citation_meta": citations.meta_tags(cited),
        "downloads": [
            (label, urls.commitment_citation(row.plan, row.slug, kind, **query))
            for kind, label in (("bib", "BibTeX"), ("ris", "RIS"), ("json", "CSL-JSON"))
        ],
        "recorded": position,
        "recorded_view": as_recorded_text(position.events, position.moment or position.at)
        if position
        else None,
        "moved_on": moved_on(services, row, position) if position else None,
        "as_recorded": "" if position is None else str(position.events),
    }


def moved_on(services: Any, row: CommitmentRow, position: Recorded) -> str | None:
    """The notice for a pinned page, if events were recorded after its position: how
    many, and how many of them about this commitment."""
    head = chain.head(services.tracker)
    since = head.events - position.events
    if since <= 0:
        return None
    try:
        now = services.tracker.commitment(row.plan, row.slug).version
    except TrackerError:
        now = row.version
    return moved_on_text(position.events, since, max(0, now - row.version))

"""What a search hit shows: what matched, where it is, and its excerpt with the
matches marked. The excerpt's markup is built here from plain text and offsets, each
piece escaped, so that text from the record can never become markup."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from tracker.domain.dates import PartialDate
from tracker.readmodels.search import Hit
from tracker.readmodels.searchtext import Snippet
from web import urls
from web.presenters.wording import MATCHED_LABELS, TYPE_LABELS


def snippet_html(snippet: Snippet) -> Markup:
    """The excerpt, each match in ``<mark>``, everything else escaped text."""
    parts, at = [], 0
    for start, end in snippet.marks:
        parts.append(escape(snippet.text[at:start]))
        parts.append(Markup("<mark>{}</mark>").format(snippet.text[start:end]))
        at = end
    parts.append(escape(snippet.text[at:]))
    return Markup("").join(parts)


def permalink(hit: Hit) -> str:
    """Where the hit is: a commitment's page for its title, else the event itself."""
    if hit.field == "title" and hit.commitment:
        return urls.commitment(hit.plan, hit.commitment)
    return urls.event(hit.plan, hit.commitment, hit.number)


@dataclass(frozen=True)
class HitView:
    hit: Hit
    matched: str  # what matched, in words
    event: str  # the event's type, in words
    href: str
    excerpt: Markup
    when: PartialDate  # the event's date, at its source's precision


def hit_view(hit: Hit) -> HitView:
    return HitView(
        hit,
        MATCHED_LABELS.get(hit.field, hit.field),
        TYPE_LABELS.get(hit.type, hit.type),
        permalink(hit),
        snippet_html(hit.snippet),
        PartialDate.parse(hit.date),
    )

"""Text that could reorder what a reader sees, kept to itself.

Unicode's bidirectional controls (U+202E RIGHT-TO-LEFT OVERRIDE, the U+2066-U+2069
isolates, the U+200E/U+200F marks...) are legitimate in right-to-left writing, so the
record keeps them; but unisolated, an override in a source's title runs on into the
date, the URL and the words after it, and a citation can be made to read as another.
So every piece of user-supplied text is isolated where it is shown: in a page by
``<bdi>`` (or ``dir="auto"`` on a block of its own); in a feed item's HTML by
``<span dir="auto">``, which feed readers keep; in plain text (a document's
``<title>``, a feed item's title) between U+2068 FIRST STRONG ISOLATE and U+2069 POP
DIRECTIONAL ISOLATE, which also closes any override left open inside.
"""

from __future__ import annotations

import unicodedata

from markupsafe import Markup, escape

FIRST_STRONG_ISOLATE = "\u2068"
POP_DIRECTIONAL_ISOLATE = "\u2069"
_REORDERING = frozenset({"R", "AL", "RLE", "LRE", "RLO", "LRO", "PDF", "RLI", "LRI", "FSI", "PDI"})
_MARKS = frozenset("\u200e\u200f\u061c")


def reorders(text: str) -> bool:
    """Whether ``text`` holds a right-to-left letter or a directional control or mark."""
    return any(ch in _MARKS or unicodedata.bidirectional(ch) in _REORDERING for ch in text)


def isolated(text: object) -> str:
    """Plain text, isolated where it could reorder its surroundings (and left as it is
    otherwise, so that everyday text is unchanged byte for byte)."""
    text = "" if text is None else str(text)
    return f"{FIRST_STRONG_ISOLATE}{text}{POP_DIRECTIONAL_ISOLATE}" if reorders(text) else text


def bdi(text: object) -> Markup:
    """User-supplied text for an HTML page: escaped, inside ``<bdi>``."""
    return Markup("<bdi>%s</bdi>") % escape("" if text is None else str(text))


def feed_span(text: object) -> Markup:
    """User-supplied text for a feed item's HTML: feed readers' sanitizers drop
    ``<bdi>`` but keep ``<span dir="auto">`` (which isolates too), and a reader that
    drops every tag still gets the isolating characters."""
    return Markup('<span dir="auto">%s</span>') % feed_text(text)


def feed_text(text: object) -> Markup:
    """Escaped text of a feed paragraph of its own, isolated where it could reorder."""
    return escape(isolated(text))

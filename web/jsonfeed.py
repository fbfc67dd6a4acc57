"""JSON Feed 1.1 (https://jsonfeed.org/version/1.1): the feeds' third format.

It renders the very items the RSS and Atom twins carry (``web.routers.feeds`` builds
them once, then picks a renderer), so an item has the same id, title, date and body in
all three and a reader switching formats sees no duplicates. Only the layout is here.

Each item also carries ``content_text``, the body without its markup, for readers that
show plain text, and a ``_tracker`` extension saying when the tracker recorded the
event (``date_published`` is when it happened, as in the other formats).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from html.parser import HTMLParser
from typing import Protocol

VERSION = "https://jsonfeed.org/version/1.1"
MEDIA_TYPE = "application/feed+json"
BLOCKS = frozenset({"p", "blockquote", "li", "br", "div"})


class Item(Protocol):
    """What a feed item has (``web.routers.feeds.FeedItem``)."""

    id: str
    title: str
    link: str
    date: datetime
    modified: datetime
    html: str
    categories: tuple[str, ...]


def render(
    heading: tuple[str, str],
    home: str,
    feed_url: str,
    author: str,
    about: str,
    items: Iterable[Item],
) -> bytes:
    """The feed as JSON: ``heading`` is its title and description; ``about`` the page
    that explains the ``_tracker`` extension."""
    title, description = heading
    feed = {
        "version": VERSION,
        "title": title,
        "home_page_url": home,
        "feed_url": feed_url,
        "description": description,
        "authors": [{"name": author}],
        "language": "en-GB",
        "items": [_item(item, about) for item in items],
    }
    return json.dumps(feed, ensure_ascii=False, indent=1).encode()


def _item(item: Item, about: str) -> dict:
    return {
        "id": item.id,
        "url": item.link,
        "title": item.title,
        "content_html": item.html,
        "content_text": plain_text(item.html),
        "date_published": item.date.isoformat(),
        "tags": list(item.categories),
        "_tracker": {"about": about, "recorded_at": item.modified.isoformat()},
    }


class _Text(HTMLParser):
    """The text of a fragment of HTML, a blank line between its blocks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(html: str) -> str:
    """``html`` as plain text: what a text-only reader shows."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    paragraphs = ("".join(parser.parts)).split("\n\n")
    return "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())

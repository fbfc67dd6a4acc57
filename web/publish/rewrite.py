"""The site's answers made into files that link to each other: every link to the site
points at the file published for it, relative to the file it is in.

A link to something no file stands for (a filtered list, a past date, the editors'
pages) is not left to break: a link (``<a>``) loses its ``href`` and keeps its words,
a ``<link>`` goes, and a form (which asks the live site a question) gives way to a
notice saying so. htmx attributes and the script go too: a static page has nothing to
swap. The footer's count of events in the log goes (a page not rewritten since would
show an old count); its link to the log stays. The editors' link goes. So do a
commitment's "Cite this" and its ``citation_*`` meta tags: they pin the whole log's
current record, which changes with every event anywhere, and the pinned view they link
to is the live site's; a notice says to cite from the live site.

``resolve(link)`` gives a link's replacement: the same text for a link elsewhere, None
for a link to the site that no file stands for.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from typing import Any

from web.presenters.wording import STATIC_CITE, STATIC_FORM, STATIC_LOG_LINK

Resolve = Callable[[str], "str | None"]
URL_ATTRIBUTES = {"href", "src", "action", "poster"}
VOID = {"meta", "link", "input", "img", "br", "hr"}
_END_TAG = re.compile(r"</[^>]*>")
_JSON_LINK = re.compile(r'"(/[^"\\]*)"')


def static_html(text: str, resolve: Resolve, log_link: str | None) -> str:
    """The page with its links resolved and what needs a live site taken out.
    ``log_link``: the link to the log's page, if it is published."""
    page = _StaticPage(text, resolve, log_link)
    page.feed(text)
    page.close()
    return page.edited()


class _StaticPage(HTMLParser):
    """Collects edits to the page's own text (its start tags, the elements that go),
    so that everything else stays byte for byte as the site rendered it."""

    def __init__(self, text: str, resolve: Resolve, log_link: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.text = text
        self.resolve = resolve
        self.log_link = log_link
        self.line_starts = [0, *(m.end() for m in re.finditer("\n", text))]
        self.edits: list[tuple[int, int, str]] = []
        self.dropping: tuple[str, int, str] | None = None  # tag, where it starts, instead
        self.unwrapping = False  # the next </a> closes a link that lost its href

    def edited(self) -> str:
        parts, done = [], 0
        for start, end, replacement in sorted(self.edits):
            parts += [self.text[done:start], replacement]
            done = end
        return "".join([*parts, self.text[done:]])

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.dropping:
            return
        start = self._here()
        raw = self.get_starttag_text() or ""
        instead = self._instead(tag, dict(attrs))
        if instead is not None and tag in VOID:  # no end tag: it goes on its own
            self.edits.append((start, start + len(raw), instead))
            return
        if instead is not None:
            self.dropping = (tag, start, instead)
            return
        new = self._tag(tag, attrs, raw)
        if new != raw:
            self.edits.append((start, start + len(raw), new))

    def handle_endtag(self, tag: str) -> None:
        if self.dropping:
            dropped, start, instead = self.dropping
            if tag == dropped:
                self.edits.append((start, self._end_tag_end(), instead))
                self.dropping = None
        elif tag == "a" and self.unwrapping:
            self.edits.append((self._here(), self._end_tag_end(), ""))
            self.unwrapping = False

    def _instead(self, tag: str, attrs: dict[str, str | None]) -> str | None:
        """What stands in for an element that goes, or None if it stays."""
        if tag == "form":
            return f'<p class="notice">{html.escape(STATIC_FORM)}</p>'
        if tag == "script":
            return ""
        if tag == "meta" and (attrs.get("name") or "").startswith("citation_"):
            return ""  # they cite a pinned record, which only the live site can show
        classes = (attrs.get("class") or "").split()
        if tag == "section" and "cite" in classes:
            return f'<p class="notice">{html.escape(STATIC_CITE)}</p>'
        if tag != "p":
            return None
        if "editors-link" in classes:  # editors sign in on the live site only
            return ""
        if "log-head" in classes:
            if self.log_link is None:
                return ""
            link = html.escape(self.log_link)
            return f'<p class="log-head"><a href="{link}">{html.escape(STATIC_LOG_LINK)}</a>.</p>'
        return None

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]], raw: str) -> str:
        """The start tag with its links resolved and its htmx attributes gone."""
        kept, changed, lost = [], False, False
        for name, value in attrs:
            if name.startswith(("hx-", "data-hx-")):
                changed = True
                continue
            if name in URL_ATTRIBUTES and value:
                new = self.resolve(value)
                if new is None:
                    changed = lost = True
                    continue
                changed = changed or new != value
                value = new
            kept.append((name, value))
        if lost and tag == "a":
            self.unwrapping = True
            return ""
        if lost and tag == "link":
            return ""
        if not changed:
            return raw
        written = "".join(
            f" {name}" if value is None else f' {name}="{html.escape(value)}"'
            for name, value in kept
        )
        return f"<{tag}{written}{'/>' if raw.endswith('/>') else '>'}"

    def _here(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def _end_tag_end(self) -> int:
        found = _END_TAG.match(self.text, self._here())
        if found is None:  # an end tag the parser made up: it ends where it is
            return self._here()
        return found.end()


def page_links(text: str) -> Iterator[str]:
    """Every link a page's tags carry, for the crawl to follow."""
    found: list[str] = []

    class Links(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.extend(v for k, v in attrs if k in URL_ATTRIBUTES and v)

    parser = Links()
    parser.feed(text)
    parser.close()
    return iter(found)


def json_links(text: str) -> set[str]:
    """Every string in a JSON document that is a path on the site (starts with one
    ``/``): the only links the API writes."""
    return {s for s in _strings(json.loads(text)) if s.startswith("/") and s[1:2] != "/"}


def static_json(text: str, resolve: Resolve) -> str:
    """The document with each link resolved, edited in its own text so that every other
    value (numbers above all) stays exactly as the API wrote it. A link that no file
    stands for becomes null: the static edition has no document there."""
    links = json_links(text)

    def swap(found: re.Match[str]) -> str:
        link = found.group(1)
        if link not in links or _escaped(text, found.start()):
            return found.group(0)
        new = resolve(link)
        return "null" if new is None else json.dumps(new, ensure_ascii=False)

    return _JSON_LINK.sub(swap, text)


def static_feed(text: str, base_url: str, resolve: Resolve) -> str:
    """A feed with each absolute link to the site resolved (to an absolute link): ids
    and everything else stay as the live site writes them."""
    pattern = re.compile(re.escape(base_url) + r"(?:/[^\s\"'<>&]*)?(?![^\s\"'<>&])")
    return pattern.sub(lambda found: resolve(found.group(0)) or found.group(0), text)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _escaped(text: str, at: int) -> bool:
    """Whether the quote at ``at`` is escaped (inside a string, not starting one)."""
    backslashes = 0
    while at - backslashes > 0 and text[at - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1

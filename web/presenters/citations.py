"""A commitment's citation, pinned to a position of the log, and its downloads:
BibTeX, RIS and CSL-JSON, which reference managers import, and the ``citation_*``
meta tags that Zotero reads from the page itself.

Each carries the pinned permalink (the page as recorded at that position, which never
changes) and, in its note, the record number and the head's hash, so that a reader
can check the tracker's log still holds what was cited.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from tracker.domain.entries import CLOSED_STATUSES
from tracker.readmodels.views import CommitmentRow
from web import bidi
from web.presenters.wording import (
    SITE,
    day_text,
    days_text,
    pin_text,
    record_text,
    status_text,
)

FORMATS = {
    "bib": "application/x-bibtex; charset=utf-8",
    "ris": "application/x-research-info-systems; charset=utf-8",
    "json": "application/vnd.citationstyles.csl+json; charset=utf-8",
}
BIBTEX_SPECIAL = {c: "\\" + c for c in "&%$#_{}"} | {
    "\\": "\\textbackslash{}",
    "~": "\\textasciitilde{}",
    "^": "\\textasciicircum{}",
}


@dataclass(frozen=True)
class Citation:
    """What every form of the citation says."""

    key: str
    title: str
    standing: str  # "status as of 1 January 2023: paused"
    issued: date  # when the record cited was recorded
    accessed: date
    url: str  # the pinned permalink
    events: int
    head: str  # the head's hash, hex

    @property
    def note(self) -> str:
        record = record_text(self.events).capitalize()
        return (
            f"{self.standing[:1].upper()}{self.standing[1:]}. {record} of the tracker's log,"
            f" head sha256:{self.head}."
        )


def standing(row: CommitmentRow, day: date) -> str:
    f = row.figures
    state = status_text(f.status).lower()
    if f.days_overdue:
        state += f", {days_text(f.days_overdue)} overdue (due {f.due.human()})"
    elif f.due and f.status not in CLOSED_STATUSES:
        state += f", due {f.due.human()}"
    return f"status as of {day_text(day)}: {state}"


def citation_of(
    row: CommitmentRow, day: date, url: str, today: date, events: int, head: str, issued: date
) -> Citation:
    key = f"{row.plan}-{row.slug}-{events}"
    return Citation(key, row.title, standing(row, day), issued, today, url, events, head)


def text(c: Citation) -> str:
    """The ready citation on the page."""
    return (
        f"{SITE}, ‘{bidi.isolated(c.title)}’, {c.standing}. {c.url} {pin_text(c.events, c.head)}"
        f" (accessed {day_text(c.accessed)})"
    )


def meta_tags(c: Citation) -> list[tuple[str, str]]:
    """``citation_*`` tags (Highwire Press names, as Zotero and Google Scholar read them)."""
    issued = c.issued.strftime("%Y/%m/%d")
    return [
        ("citation_title", c.title),
        ("citation_author", SITE),
        ("citation_publisher", SITE),
        ("citation_date", issued),
        ("citation_publication_date", issued),
        ("citation_public_url", c.url),
        ("citation_abstract_html_url", c.url),
    ]


def bibtex(c: Citation) -> str:
    fields = {
        "title": f"{{{_tex(c.title)}}}",  # double braces: keep its capitals as written
        "author": f"{{{_tex(SITE)}}}",
        "publisher": _tex(SITE),
        "year": str(c.issued.year),
        "date": c.issued.isoformat(),
        "urldate": c.accessed.isoformat(),
        "url": c.url,
        "note": _tex(c.note),
    }
    lines = [f"  {name} = {{{value}}}," for name, value in fields.items()]
    return "\n".join([f"@misc{{{c.key},", *lines, "}", ""])


def _tex(value: str) -> str:
    return "".join(BIBTEX_SPECIAL.get(ch, ch) for ch in value)


def ris(c: Citation) -> str:
    """RIS: one tag a line, ``TAG  - value``, ending with ``ER``."""
    lines = [
        ("TY", "ELEC"),
        ("TI", c.title),
        ("AU", SITE),
        ("PB", SITE),
        ("PY", str(c.issued.year)),
        ("DA", c.issued.strftime("%Y/%m/%d")),
        ("Y2", c.accessed.strftime("%Y/%m/%d")),
        ("UR", c.url),
        ("N1", c.note),
        ("ER", ""),
    ]
    return "".join(f"{tag}  - {_one_line(value)}\r\n" for tag, value in lines)


def _one_line(value: str) -> str:
    return " ".join(value.split())


def csl_json(c: Citation) -> str:
    """CSL-JSON: a list of one item (the CSL data schema's ``webpage``)."""
    item = {
        "id": c.key,
        "type": "webpage",
        "title": c.title,
        "author": [{"literal": SITE}],
        "publisher": SITE,
        "container-title": SITE,
        "issued": {"date-parts": [_parts(c.issued)]},
        "accessed": {"date-parts": [_parts(c.accessed)]},
        "URL": c.url,
        "note": c.note,
    }
    return json.dumps([item], ensure_ascii=False, indent=2) + "\n"


def _parts(day: date) -> list[int]:
    return [day.year, day.month, day.day]


RENDERERS = {"bib": bibtex, "ris": ris, "json": csl_json}

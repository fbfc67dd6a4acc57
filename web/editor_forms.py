"""The editors' event forms: what they post, and what is wrong with it, field by field.

A form's fields are flat (``date``, ``due``, ``source_key``, ``source_publisher``...)
and become one event mapping shaped like a data file's (``raw_event``), which the data
files' own parser (``specs.parse_event``) judges: the pages accept exactly what the
files and the JSON API accept, no more.

That parser stops at the first bad field, and a person filling in a form wants to hear
about every field at once. So each field is also tried alone (``check``): put into an
event whose other fields are known to be good, so that any error the parser raises
about that field is that field's own. The parser then has the last word on the whole
event (rules between fields, such as a progress report needing a note or a quote),
and the commitment itself the word after that (``tracker.application.drafts``).

Inline validation (htmx, on every change) checks only the fields that have something
in them: telling someone that a field they have not reached yet is required helps no
one. Whether every required field is there is checked when the form is previewed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import Depends, Request

from tracker.application.specs import TYPE_FIELDS, EventSpec, parse_event
from tracker.application.writes import EVENT_TYPES_BY_API
from tracker.domain.errors import InvalidInputError
from tracker.domain.sources import Source
from web.bodies import BodyTooLarge, capped_body
from web.presenters.forms import NOTE_REQUIRED, REQUIRED, SUBJECTS
from web.presenters.wording import FORM_NOT_READ
from web.rendering import PageError

MAX_FORM = 64 * 1024
MAX_FIELDS = 100
NEW_SOURCE = "_new"  # never a source key: keys are slugs, which have no underscore
RECORD_TYPES = tuple(t for t in EVENT_TYPES_BY_API if t != "correction")
SOURCE_PARTS = ("publisher", "title", "published_on", "url", "author", "kind", "note")
SOURCE_FIELDS = ("source_key", *(f"source_{part}" for part in SOURCE_PARTS))
MULTILINE = ("note", "quote")
OPTIONAL = (
    "note",
    "quote",
    "to_plan",
    "to_commitment",
    "source_url",
    "source_author",
    "source_kind",
    "source_note",
)

# Known-good values: a field tried alone goes into an event made of these.
GOOD = {
    "date": "2000",
    "due": "2000",
    "status": "in_progress",
    "amount_gbp": "1",
    "metric": "x",
    "target": "1",
    "value": "1",
    "unit": "x",
    "corrects": "1",
    "to_title": "x",
    "to_plan": "",
    "to_commitment": "",
    "note": "x",
}
GOOD_SOURCE = {"publisher": "x", "title": "x", "published_on": "2000"}


# Reading the body


class FormError(PageError):
    """A body that is not a form we can read: too big, not urlencoded, not UTF-8."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(status_code, FORM_NOT_READ, message)


async def read_form(request: Request) -> dict[str, str]:
    """The posted form, first value of each name; textarea newlines as ``\\n``.

    Read by hand rather than by Starlette's parser so that a body is refused past
    ``MAX_FORM`` before it is all in memory, and so that only the encoding our forms
    use (urlencoded: htmx's too) is accepted: a cross-site ``text/plain`` form is not."""
    if request.method != "POST":
        return {}
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        raise FormError(415, "This address only takes forms sent from the editors' pages.")
    try:
        body = await capped_body(request, MAX_FORM)
    except BodyTooLarge:
        raise FormError(413, f"The form is larger than {MAX_FORM // 1024} KiB.") from None
    try:
        pairs = parse_qsl(
            body.decode("utf-8"),
            keep_blank_values=True,
            encoding="utf-8",
            errors="strict",
            max_num_fields=MAX_FIELDS,
        )
    except (UnicodeDecodeError, ValueError):
        raise FormError(400, FORM_NOT_READ + ".") from None
    form: dict[str, str] = {}
    for name, value in pairs:
        form.setdefault(name, value.replace("\r\n", "\n").replace("\r", "\n"))
    return form


FormDep = Annotated[dict[str, str], Depends(read_form)]


# What a form holds


@dataclass(frozen=True)
class Draft:
    """An event as an editor has filled it in so far: text, exactly as typed."""

    type: str
    values: dict[str, str]
    version: int | None  # the commitment's version when the form was opened

    def value(self, name: str) -> str:
        return self.values.get(name, "")

    @property
    def new_source(self) -> bool:
        return self.value("source_key") == NEW_SOURCE

    @property
    def fields(self) -> tuple[str, ...]:
        """This type's fields, in the order the form shows them."""
        if self.type == "correction":  # which event and why come first
            return ("corrects", "note", "date", "quote", *SOURCE_FIELDS)
        return ("date", *TYPE_FIELDS[self.type], "note", "quote", *SOURCE_FIELDS)

    def carried(self) -> list[tuple[str, str]]:
        """What hidden fields carry from one step to the next."""
        version = "" if self.version is None else str(self.version)
        return [("type", self.type), ("version", version)] + [
            (name, self.value(name)) for name in self.fields
        ]


def draft_from(form: Mapping[str, str], event_type: str | None = None) -> Draft:
    """The draft a posted form holds; ``event_type`` fixes the type (corrections)."""
    kind = event_type or form.get("type", "")
    if kind not in TYPE_FIELDS:
        kind = ""
    values = {name: form.get(name, "") for name in _all_fields()}
    return Draft(kind, values, version_of(form.get("version")))


def version_of(text: str | None) -> int | None:
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        return None
    return int(text)


def _all_fields() -> tuple[str, ...]:
    names = {name for names in TYPE_FIELDS.values() for name in names}
    return (*sorted(names), "date", "note", "quote", *SOURCE_FIELDS)


def raw_event(draft: Draft) -> dict[str, Any]:
    """The draft as one event mapping, shaped like a data file's."""
    raw: dict[str, Any] = {
        "type": draft.type,
        "date": draft.value("date"),
        "note": draft.value("note"),
        "quote": draft.value("quote"),
        "source": _source(draft),
    }
    for name in TYPE_FIELDS[draft.type]:
        raw[name] = draft.value(name)
    return raw


def _source(draft: Draft) -> str | dict[str, str]:
    if draft.new_source:
        return {part: draft.value(f"source_{part}") for part in SOURCE_PARTS}
    return draft.value("source_key")


# Checking it


@dataclass
class Checked:
    """What is wrong with a draft, by form field (in the form's order), and the event
    it stands for when nothing is."""

    errors: dict[str, str] = field(default_factory=dict)
    spec: EventSpec | None = None


def check(draft: Draft, sources: Mapping[str, Source], complete: bool = True) -> Checked:
    """Every field's problem; with ``complete``, also missing fields and the event as a
    whole, and the ``EventSpec`` when all is well."""
    checked = Checked()
    for name in _checked_fields(draft):
        value = draft.value(name)
        if not complete and not value.strip():
            continue
        problem = _control_characters(name, value) or _alone(draft, name, sources)
        if problem:
            checked.errors[name] = problem
    if checked.errors or not complete:
        return checked
    try:
        checked.spec = parse_event(raw_event(draft), sources, (draft.type,))
    except InvalidInputError as error:
        checked.errors[form_field(error.field)] = message(error, draft)
    return checked


def _checked_fields(draft: Draft) -> list[str]:
    """The fields that count: a new source's parts only when a new source is chosen."""
    return [
        name
        for name in draft.fields
        if draft.new_source or name == "source_key" or not name.startswith("source_")
    ]


def _control_characters(name: str, value: str) -> str | None:
    """Control characters (a NUL, an escape) have no place in the record, and a NUL would
    stop PostgreSQL storing the text; pasted spaces of other kinds are welcome."""
    allowed = "\n\t" if name in MULTILINE else ""
    if any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in value):
        return f"{SUBJECTS.get(name.removeprefix('source_'), 'It')} contains a control character."
    return None


def _alone(draft: Draft, name: str, sources: Mapping[str, Source]) -> str | None:
    """The field's own problem, from the parser, with every other field made good."""
    if name in OPTIONAL and not draft.value(name).strip() and name not in MULTILINE:
        return None
    raw: dict[str, Any] = {
        "type": draft.type,
        **{key: GOOD[key] for key in ("date", *TYPE_FIELDS[draft.type])},
        "note": GOOD["note"],
        "source": dict(GOOD_SOURCE),
    }
    if name in MULTILINE:  # a note and a quote are judged together (a report needs one)
        raw["note"], raw["quote"] = draft.value("note"), draft.value("quote")
    elif name == "source_key":
        if draft.new_source:
            return None  # its parts are checked instead
        raw["source"] = draft.value(name)
    elif name.startswith("source_"):
        raw["source"][name.removeprefix("source_")] = draft.value(name)
    else:
        raw[name] = draft.value(name)
    try:
        parse_event(raw, sources, (draft.type,))
    except InvalidInputError as error:
        if form_field(error.field) == name:
            return message(error, draft)
    return None


def form_field(where: str | None) -> str:
    """The form field a parser or domain error names (``source.url``: ``source_url``);
    ``form`` when it names none."""
    if not where:
        return "form"
    if where == "source":
        return "source_key"
    if where.startswith("source."):
        return "source_" + where.split(".", 1)[1]
    return where


def message(error: InvalidInputError, draft: Draft) -> str:
    """The error as a sentence for the person who filled in the form."""
    name = form_field(error.field)
    if not draft.value(name).strip():
        if name == "note" and draft.type in NOTE_REQUIRED:
            return NOTE_REQUIRED[draft.type] + "."
        if name in REQUIRED:
            return REQUIRED[name] + "."
    text = str(error)
    key = name.removeprefix("source_")
    if text.startswith(key + " ") and key in SUBJECTS:
        text = SUBJECTS[key] + text[len(key) :]
    text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else text + "."

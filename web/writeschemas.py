"""The JSON Schemas of the write API's request bodies, for the OpenAPI document.

The bodies are parsed by the data files' own parser (``tracker.application.specs``),
not by pydantic, so that both entry points accept exactly the same input; these schemas
describe that input and are built from the same tables (``TYPE_FIELDS``,
``REPORTED_STATUSES``, ``SOURCE_KINDS``), so a new event type or field shows up here by itself.
"""

from __future__ import annotations

from typing import Any

from tracker.application.specs import OPTIONAL_FIELDS, TYPE_FIELDS
from tracker.application.writes import EVENT_TYPES_BY_API
from tracker.domain.entries import COMMITMENT_EVENT_TYPES, PLAN_EVENT_TYPES, REPORTED_STATUSES
from tracker.domain.sources import SOURCE_KINDS

SLUG = {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$", "maxLength": 100}
TEXT = {"type": "string", "minLength": 1}
OPTIONAL_TEXT = {"type": ["string", "null"]}
DATE = {
    "type": "string",
    "pattern": "^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$",
    "description": "YYYY, YYYY-MM or YYYY-MM-DD: the precision given is the precision kept",
}
NUMBER = {
    "oneOf": [{"type": "number"}, {"type": "string"}],
    "description": "a number, or text such as 1500000 or 1,500,000",
}
SOURCE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["publisher", "title", "published_on"],
    "properties": {
        "publisher": TEXT,
        "title": TEXT,
        "published_on": DATE,
        "url": {**OPTIONAL_TEXT, "description": "an http(s) URL; only if known"},
        "author": OPTIONAL_TEXT,
        "kind": {
            "enum": [*SOURCE_KINDS, None],
            "description": "who is speaking: official (the body responsible), oversight,"
            " parliament, press, independent, foi (a Freedom of Information answer)",
        },
        "note": {**OPTIONAL_TEXT, "description": "about the source, such as why no URL is known"},
    },
}
DETAILS: dict[str, dict[str, Any]] = {
    "summary": {**TEXT, "description": "what was promised"},
    "due": DATE,
    "status": {"enum": list(REPORTED_STATUSES)},
    "to_title": {**TEXT, "description": "the receiving plan or commitment, as its source names it"},
    "to_plan": {**SLUG, "type": ["string", "null"], "description": "its plan's slug, if tracked"},
    "to_commitment": {
        **SLUG,
        "type": ["string", "null"],
        "description": "its slug, if tracked (with to_plan)",
    },
    "amount_gbp": NUMBER,
    "metric": TEXT,
    "target": NUMBER,
    "value": NUMBER,
    "unit": TEXT,
    "corrects": {
        "type": "integer",
        "minimum": 1,
        "description": "the number of an earlier event of the same commitment or plan",
    },
}
NEEDS_NOTE = {
    "progress_reported": "needs a note (or a quote) saying what happened",
    "correction": "needs a note saying what was wrong",
}


def event(types: tuple[str, ...]) -> dict[str, Any]:
    """One event of a data file: one shape per type, told apart by ``type``."""
    return {"oneOf": [_event_of(kind) for kind in types]}


def _event_of(kind: str) -> dict[str, Any]:
    fields = TYPE_FIELDS[kind]
    return {
        "title": kind,
        "type": "object",
        "additionalProperties": False,
        "required": ["type", "date", "source", *(f for f in fields if f not in OPTIONAL_FIELDS)],
        "description": NEEDS_NOTE.get(kind, ""),
        "properties": {
            "type": {"const": kind},
            "date": {**DATE, "description": "when it happened: " + DATE["description"]},
            "source": {
                "description": "a key of the plan's sources, or a source written out",
                "oneOf": [SLUG, SOURCE],
            },
            **{name: DETAILS[name] for name in fields},
            "note": OPTIONAL_TEXT,
            "quote": {**OPTIONAL_TEXT, "description": "a short quotation from the source"},
        },
    }


def body(schema: dict[str, Any], description: str) -> dict[str, Any]:
    """``openapi_extra`` for a route whose JSON body follows ``schema``."""
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {"application/json": {"schema": schema}},
        }
    }


EVENT = event(EVENT_TYPES_BY_API)

PLAN = {
    "type": "object",
    "additionalProperties": False,
    "required": ["plan", "title", "publisher", "published_on"],
    "properties": {
        "plan": SLUG,
        "title": TEXT,
        "publisher": TEXT,
        "published_on": DATE,
        "url": OPTIONAL_TEXT,
        "sources": {
            "type": "object",
            "description": "every source the plan's events cite, by key",
            "additionalProperties": SOURCE,
        },
        "events": {
            "type": "array",
            "description": "plan-wide events, in recording order",
            "items": event(PLAN_EVENT_TYPES),
        },
    },
}

NEW_SOURCE = {
    **SOURCE,
    "required": ["key", *SOURCE["required"]],
    "properties": {"key": SLUG, **SOURCE["properties"]},
}

COMMITMENT = {
    "type": "object",
    "additionalProperties": False,
    "required": ["commitment", "title", "events"],
    "properties": {
        "commitment": SLUG,
        "title": TEXT,
        "theme": OPTIONAL_TEXT,
        "owner": OPTIONAL_TEXT,
        "events": {
            "type": "array",
            "minItems": 1,
            "description": "the announcement first (type announced), then any others",
            "items": event(COMMITMENT_EVENT_TYPES),
        },
    },
}

"""YAML read as written: every scalar stays text, every mapping knows its line.

A YAML 1.1 parser would turn ``2021`` into an int, ``2020-11-13`` into a date and a
bare ``no`` into False; the contract says the loader must read the text as written.
Duplicate keys, which YAML parsers silently overwrite, are refused, and so are
aliases (``*name``: a recursive one never ends, nested ones grow exponentially) and
nesting deeper than any data file needs (libyaml's composer recurses in C).
"""

from __future__ import annotations

from typing import Any

import yaml

try:  # libyaml's C composer is several times faster where it is available
    _Loader = yaml.CBaseLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.BaseLoader


class YamlError(ValueError):
    """Text that is not the YAML we expect; ``line`` is 1-based when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


class Located(dict):
    """A mapping that remembers the line it started on."""

    line: int = 0


MAX_DEPTH = 50
NULLS = frozenset({"~", "null", "Null", "NULL", ""})


def read_yaml(text: str) -> Any:
    """Parse one YAML document into dicts (``Located``), lists and strings.

    Built in one pass over the parser's flat event stream, which lets every check
    (aliases, depth, duplicate keys) happen before any structure is built.
    """
    try:
        return _build(yaml.parse(text, Loader=_Loader))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "invalid YAML"
        raise YamlError(f"malformed YAML: {problem}", mark.line + 1 if mark else None) from None
    except yaml.YAMLError as error:
        raise YamlError(f"malformed YAML: {error}") from None


_SCALAR, _MAPPING, _SEQUENCE, _END, _ALIAS, _DOCUMENT = range(6)
_KINDS = {
    yaml.ScalarEvent: _SCALAR,
    yaml.MappingStartEvent: _MAPPING,
    yaml.SequenceStartEvent: _SEQUENCE,
    yaml.MappingEndEvent: _END,
    yaml.SequenceEndEvent: _END,
    yaml.AliasEvent: _ALIAS,
    yaml.DocumentStartEvent: _DOCUMENT,
}


def _line(event: Any) -> int | None:
    return event.start_mark.line + 1 if event.start_mark else None


def _build(events: Any) -> Any:
    """One loop over the events; written for speed (a load reads ~1M events)."""
    root: Any = None
    documents = 0
    containers: list[Any] = []  # open mappings and sequences, innermost last
    keys: list[Any] = []  # for each open container: the key awaiting its value
    kinds = _KINDS
    for event in events:
        kind = kinds.get(type(event))
        if kind is None:
            continue
        if kind == _END:
            containers.pop()
            keys.pop()
            continue
        if kind == _SCALAR:
            value: Any = event.value
            if not event.style and value in NULLS:
                value = None
        elif kind == _MAPPING:
            value = Located()
            value.line = _line(event)
        elif kind == _SEQUENCE:
            value = []
        elif kind == _ALIAS:
            raise YamlError("aliases (*name) are not allowed: write the value out", _line(event))
        else:
            documents += 1
            if documents > 1:
                raise YamlError("one YAML document per file, please", _line(event))
            continue
        if containers:
            container = containers[-1]
            if container.__class__ is list:
                container.append(value)
            elif keys[-1] is None:
                if kind != _SCALAR or value is None:
                    raise YamlError("a mapping key must be plain text", _line(event))
                if value in container:
                    raise YamlError(f"duplicate key '{value}'", _line(event))
                keys[-1] = value
            else:
                container[keys[-1]] = value
                keys[-1] = None
        else:
            root = value
        if kind != _SCALAR:
            if len(containers) >= MAX_DEPTH:
                raise YamlError(f"nested too deeply (more than {MAX_DEPTH} levels)", _line(event))
            containers.append(value)
            keys.append(None)
    return root

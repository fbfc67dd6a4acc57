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


def _build(events: Any) -> Any:
    root: Any = None
    documents = 0
    stack: list[list[Any]] = []  # [container, the key awaiting its value (mappings)]
    for event in events:
        line = event.start_mark.line + 1 if event.start_mark else None
        if isinstance(event, yaml.AliasEvent):
            raise YamlError("aliases (*name) are not allowed: write the value out", line)
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise YamlError("one YAML document per file, please", line)
            continue
        if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            stack.pop()
            continue
        if isinstance(event, yaml.ScalarEvent):
            value: Any = None if not event.style and event.value in NULLS else event.value
        elif isinstance(event, yaml.MappingStartEvent):
            value = Located()
            value.line = line
        elif isinstance(event, yaml.SequenceStartEvent):
            value = []
        else:
            continue
        if not stack:
            root = value
        else:
            _attach(stack[-1], value, event, line)
        if isinstance(value, (dict, list)):
            if len(stack) >= MAX_DEPTH:
                raise YamlError(f"nested too deeply (more than {MAX_DEPTH} levels)", line)
            stack.append([value, None])
    return root


def _attach(frame: list[Any], value: Any, event: Any, line: int | None) -> None:
    container, key = frame
    if isinstance(container, list):
        container.append(value)
    elif key is None:
        if not isinstance(event, yaml.ScalarEvent) or value is None:
            raise YamlError("a mapping key must be plain text", line)
        if value in container:
            raise YamlError(f"duplicate key '{value}'", line)
        frame[1] = value
    else:
        container[key] = value
        frame[1] = None

"""YAML read as written: every scalar stays text, every mapping knows its line.

A YAML 1.1 parser would turn ``2021`` into an int, ``2020-11-13`` into a date and a
bare ``no`` into False; the contract says the loader must read the text as written.
Duplicate keys, which YAML parsers silently overwrite, are refused.
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


def read_yaml(text: str) -> Any:
    """Parse one YAML document into dicts (``Located``), lists and strings."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "invalid YAML"
        raise YamlError(f"malformed YAML: {problem}", mark.line + 1 if mark else None) from None
    except yaml.YAMLError as error:
        raise YamlError(f"malformed YAML: {error}") from None
    return None if node is None else _convert(node)


def _convert(node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        result = Located()
        result.line = node.start_mark.line + 1
        for key_node, value_node in node.value:
            key = _convert(key_node)
            if not isinstance(key, str):
                raise YamlError("a mapping key must be plain text", key_node.start_mark.line + 1)
            if key in result:
                raise YamlError(f"duplicate key '{key}'", key_node.start_mark.line + 1)
            result[key] = _convert(value_node)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item) for item in node.value]
    value = node.value
    plain = not node.style  # None from the Python composer, "" from libyaml's
    if plain and value in ("~", "null", "Null", "NULL", ""):
        return None
    return value

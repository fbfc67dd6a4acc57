"""The web layer reads in one direction: a request flows from ``web.app`` to a router,
which uses ``web.presenters``, ``web.rendering``, ``web.schemas`` and ``web.services``
(and the tracker below them), and nothing points back up. Checked on the source, with
``ast``: an import inside a function counts as much as one at the top."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "web"
ROUTERS = "web.routers"
BELOW_ROUTERS = ("web.services", "web.rendering", "web.presenters", "web.schemas")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(path): path for path in sorted(WEB.rglob("*.py"))}


def imported(name: str, path: Path) -> Iterator[str]:
    """Every module ``name`` names in an import (``from web import urls`` names both
    ``web`` and ``web.urls``), relative imports resolved."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def graph() -> dict[str, set[str]]:
    """Module to the web modules it imports (itself and its own package left out)."""
    return {
        name: {m for m in imported(name, path) if m in MODULES and m != name}
        - {name.rpartition(".")[0]}
        for name, path in MODULES.items()
    }


def reachable(start: str, edges: dict[str, set[str]]) -> set[str]:
    seen: set[str] = set()
    todo = list(edges[start])
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo.extend(edges.get(module, ()))
    return seen


def cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import cycle among the modules, as the path round it, or None."""
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> list[str] | None:
        if module in path:
            return [*path[path.index(module) :], module]
        if module in done:
            return None
        for target in sorted(edges.get(module, ())):
            found = visit(target, [*path, module])
            if found:
                return found
        done.add(module)
        return None

    for module in sorted(edges):
        found = visit(module, [])
        if found:
            return found
    return None


def routers() -> list[str]:
    return [name for name in MODULES if name.startswith(ROUTERS + ".")]


def test_the_graph_is_read_from_the_source() -> None:
    edges = graph()
    assert "web.routers.pages" in edges["web.app"]
    assert "web.rendering" in edges["web.routers.pages"]
    assert len(routers()) >= 5


def test_the_checker_finds_a_cycle() -> None:
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b"}, "b": set()}) is None


def test_no_web_module_imports_in_a_circle() -> None:
    assert cycle(graph()) is None


@pytest.mark.parametrize("router", routers())
def test_a_router_imports_no_other_router_nor_the_app(router: str) -> None:
    edges = graph()[router]
    assert "web.app" not in edges
    assert {m for m in edges if m.startswith(ROUTERS)} == set()


def test_only_the_app_imports_the_routers() -> None:
    importers = {
        name
        for name, edges in graph().items()
        if any(m == ROUTERS or m.startswith(ROUTERS + ".") for m in edges)
    }
    assert importers <= {"web.app"}


@pytest.mark.parametrize("module", [name for name in MODULES if name.startswith(BELOW_ROUTERS)])
def test_what_routers_use_reaches_no_router_nor_the_app(module: str) -> None:
    above = {m for m in reachable(module, graph()) if m == "web.app" or m.startswith(ROUTERS)}
    assert above == set(), module

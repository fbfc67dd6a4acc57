"""Imports point one way: web -> tracker, application -> store -> domain.

The graph is built from the source with ``ast`` (nothing is imported), so a rule broken
anywhere in ``tracker/`` or ``web/`` fails here naming the modules. A rule is one entry
in ``FORBIDDEN`` (importer prefix, imported prefix, why) or, when it needs more than
that, a test of its own.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("tracker", "web")

# (modules importing, modules imported, why): prefixes of dotted names.
FORBIDDEN: list[tuple[str, str, str]] = [
    ("tracker.store", "tracker.application", "the store sits below the application"),
    ("tracker.store", "web", "the store knows nothing of the site"),
    ("tracker", "web", "the tracker knows nothing of the site"),
]

# Known exceptions to FORBIDDEN, each with its reason: (importer, imported, why).
ALLOWED: list[tuple[str, str, str]] = [
    # Inside ``run_serve`` only (not at import time): the command line starts the site.
    ("tracker.cli", "web.app", "the serve command"),
    ("tracker.cli", "web.settings", "the serve command"),
    # Inside ``run_publish`` only: the command line writes the site's static edition.
    ("tracker.cli", "web.publish", "the publish command"),
]

# What the domain may import besides the standard library.
DOMAIN_MAY_IMPORT = ("eventsourcing.domain",)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imported(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    """The dotted names an import statement names, relative imports resolved."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        package = module.split(".") if is_package else module.split(".")[:-1]
        package = package[: len(package) - node.level + 1]
        base = ".".join([*package, base]) if base else ".".join(package)
    # "from package import module" names the module, "from module import name" the
    # module: ``_ours`` tells them apart. A package's __init__ runs for either, as it
    # does for every dotted import, and is not counted as imported.
    return [f"{base}.{alias.name}" for alias in node.names]


def _build_graph() -> dict[str, set[str]]:
    """Each module of ours to every dotted name it imports (ours or not)."""
    graph: dict[str, set[str]] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            module = _module_name(path)
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            names = graph.setdefault(module, set())
            for node in ast.walk(tree):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    names.update(_imported(node, module, path.name == "__init__.py"))
    return graph


GRAPH = _build_graph()


def _ours(name: str) -> str | None:
    """The module of ours that ``name`` refers to, if any (a name imported from a
    module is that module)."""
    while name:
        if name in GRAPH:
            return name
        name = name.rpartition(".")[0]
    return None


def _edges(prefix: str) -> dict[str, set[str]]:
    """Import edges between our modules under ``prefix``."""
    within = {m for m in GRAPH if _under(m, prefix)}
    edges: dict[str, set[str]] = {}
    for module in within:
        targets = {_ours(name) for name in GRAPH[module]}
        edges[module] = {t for t in targets if t in within and t != module}
    return edges


def _under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan's algorithm)."""
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_the_graph_sees_every_package() -> None:
    """A guard on the guard: the rules below mean nothing over an empty graph."""
    assert "tracker.domain.commitments" in GRAPH
    assert "tracker.store.chain" in GRAPH
    assert "web.app" in GRAPH
    assert "tracker.domain.errors" in _edges("tracker")["tracker.application.service"]


@pytest.mark.parametrize(("importer", "imported", "why"), FORBIDDEN)
def test_no_forbidden_imports(importer: str, imported: str, why: str) -> None:
    broken = sorted(
        f"{module} imports {name}"
        for module, names in GRAPH.items()
        if _under(module, importer)
        for name in names
        if _under(name, imported) and not _allowed(module, name)
    )
    assert not broken, f"{why}: " + "; ".join(broken)


def _allowed(module: str, name: str) -> bool:
    return any(module == importer and _under(name, imported) for importer, imported, _ in ALLOWED)


def test_the_domain_imports_only_the_standard_library_and_eventsourcing_domain() -> None:
    broken = sorted(
        f"{module} imports {name}"
        for module, names in GRAPH.items()
        if _under(module, "tracker.domain")
        for name in names
        if not _under(name, "tracker.domain")
        and not any(_under(name, allowed) for allowed in DOMAIN_MAY_IMPORT)
        and name.partition(".")[0] not in sys.stdlib_module_names
    )
    assert not broken, "; ".join(broken)


def test_tracker_has_no_import_cycles() -> None:
    cycles = _cycles(_edges("tracker"))
    assert not cycles, "import cycles: " + "; ".join(" <-> ".join(c) for c in cycles)


def test_web_has_no_import_cycles() -> None:
    cycles = _cycles(_edges("web"))
    assert not cycles, "import cycles: " + "; ".join(" <-> ".join(c) for c in cycles)


# The web layer reads in one direction: a request flows from ``web.app`` to a router, which
# uses what sits below the routers (and the tracker below that); nothing points back up.
ROUTERS = "web.routers"
BELOW_ROUTERS = ("web.services", "web.rendering", "web.presenters", "web.schemas")
WEB_ROUTERS = sorted(m for m in GRAPH if m.startswith(ROUTERS + "."))


def _reachable(start: str, edges: dict[str, set[str]]) -> set[str]:
    seen: set[str] = set()
    todo = list(edges.get(start, ()))
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo.extend(edges.get(module, ()))
    return seen


def _is_router_or_app(module: str) -> bool:
    return module == "web.app" or _under(module, ROUTERS)


def test_the_web_graph_sees_the_routers_and_what_they_use() -> None:
    assert len(WEB_ROUTERS) >= 5
    assert "web.rendering" in _edges("web")["web.routers.pages"]


@pytest.mark.parametrize("router", WEB_ROUTERS)
def test_a_router_imports_no_other_router_nor_the_app(router: str) -> None:
    above = {m for m in _edges("web")[router] if _is_router_or_app(m)}
    assert above == set(), f"{router} imports {sorted(above)}"


def test_only_the_app_imports_the_routers() -> None:
    importers = {
        module
        for module, targets in _edges("web").items()
        if not _under(module, ROUTERS) and any(_under(t, ROUTERS) for t in targets)
    }
    assert importers <= {"web.app"}


@pytest.mark.parametrize(
    "module", sorted(m for m in GRAPH if any(_under(m, b) for b in BELOW_ROUTERS))
)
def test_what_routers_use_reaches_no_router_nor_the_app(module: str) -> None:
    above = {m for m in _reachable(module, _edges("web")) if _is_router_or_app(m)}
    assert above == set(), f"{module} reaches {sorted(above)}"


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []

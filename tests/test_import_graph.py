"""The import graph keeps the layering (issue #14), read from the source without importing it.

Every module under ``kiosk/`` is parsed and each of its imports (module level, inside
functions, and those only for type checking) is an edge. Then:

- no cycle at all, counting every edge;
- nothing points upward: the domain imports only the domain; adapters (store, sync, PDF,
  crypto, printing, ZIP data, the wire schema, config) the domain and adapters; the
  application layer (``kiosk.services`` and the export, privacy and settings pieces it
  uses) no front end; front ends (the screens, the server) no entry point or composition root;
- the screens never reach the store, the composition root or the command line, and the server
  never the screens (nor the screens the server);
- the application layer is typed against ports: ``kiosk.services`` imports neither the SQL
  store nor any small adapter (``kiosk.adapters``: PIN hashing, printing and USB drives reach
  it as the domain's ports, handed in by the composition root);
- the domain imports no adapter; the small adapters (``kiosk.adapters``) import only the
  domain, the configuration and each other; no Qt below the front ends.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "kiosk"

#: The layers, lowest first; a module belongs to the first prefix it matches.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("domain", ("kiosk.domain",)),
    (
        "adapters",
        (
            "kiosk.store",
            "kiosk.sync",
            "kiosk.pdf",
            "kiosk.adapters",
            "kiosk.wire",
            "kiosk.config",
            "kiosk.cli_args",
        ),
    ),
    (
        "services",
        ("kiosk.services", "kiosk.exports", "kiosk.privacy", "kiosk.ui_state", "kiosk.demo"),
    ),
    ("front ends", ("kiosk.ui", "kiosk.server")),
    ("entry points", ("kiosk.app", "kiosk.cli", "kiosk.selfcheck", "kiosk.simulate")),
)

#: (importer prefix, imported prefix, why) pairs that are refused whatever the layers say.
FORBIDDEN: tuple[tuple[str, str, str], ...] = (
    ("kiosk.ui", "kiosk.store", "a screen reaches data only through the application layer"),
    ("kiosk.ui", "kiosk.server", "the kiosk's screens know nothing of the server"),
    ("kiosk.server", "kiosk.ui", "the server never imports the screens (nor Qt)"),
    ("kiosk.services", "kiosk.store", "the application layer is typed against ports"),
    ("kiosk.services", "kiosk.adapters", "the application layer is handed adapters as ports"),
    ("kiosk.domain", "kiosk.adapters", "the domain is pure: adapters reach it through its ports"),
    ("kiosk.ui", "kiosk.app", "a screen never reaches the composition root"),
)


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The module of ``kiosk`` that an imported name lives in (the longest known prefix)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _imports(module: str, path: Path) -> Iterator[str]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            names = [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        for name in names:
            if name == "kiosk" or name.startswith("kiosk."):
                target = _resolve(name)
                if target is not None and target != module:
                    yield target


GRAPH: dict[str, set[str]] = {m: set(_imports(m, p)) for m, p in MODULES.items()}


def _layer(module: str) -> int | None:
    for rank, (_name, prefixes) in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return rank
    return None


def _under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def test_every_module_has_a_layer() -> None:
    loose = [m for m in MODULES if m != "kiosk" and _layer(m) is None]
    assert not loose, f"modules in no layer (add them to LAYERS): {loose}"


def test_the_graph_is_read() -> None:
    """A sanity check of the parser: edges known to exist are found."""
    assert "kiosk.services.signing" in GRAPH["kiosk.ui.flow"]
    assert "kiosk.domain.ports" in GRAPH["kiosk.services.ports"]
    assert "kiosk.exports.make" in GRAPH["kiosk.exports"]


def test_nothing_points_upward() -> None:
    upward = []
    for module, targets in GRAPH.items():
        mine = _layer(module)
        for target in targets:
            theirs = _layer(target)
            if mine is not None and theirs is not None and theirs > mine:
                upward.append(f"{module} ({LAYERS[mine][0]}) -> {target} ({LAYERS[theirs][0]})")
    assert not upward, "imports pointing upward:\n" + "\n".join(sorted(upward))


@pytest.mark.parametrize(("importer", "imported", "why"), FORBIDDEN)
def test_forbidden_imports(importer: str, imported: str, why: str) -> None:
    found = sorted(
        f"{m} -> {t}"
        for m, targets in GRAPH.items()
        if _under(m, importer)
        for t in targets
        if _under(t, imported)
    )
    assert not found, f"{why}:\n" + "\n".join(found)


def test_no_screen_imports_the_composition_root() -> None:
    found = sorted(
        f"{m} -> {t}"
        for m, targets in GRAPH.items()
        if _under(m, "kiosk.ui")
        for t in targets
        if t in ("kiosk.app", "kiosk.cli", "kiosk.demo")
    )
    assert not found, "a screen imports the composition root:\n" + "\n".join(found)


def test_the_small_adapters_stand_on_the_domain_alone() -> None:
    """``kiosk.adapters`` imports nothing of the kiosk but the domain, the configuration and
    each other (no store, no sync, no services, no screens)."""
    allowed = ("kiosk.adapters", "kiosk.domain", "kiosk.config")
    found = sorted(
        f"{m} -> {t}"
        for m, targets in GRAPH.items()
        if _under(m, "kiosk.adapters")
        for t in targets
        if not any(_under(t, a) for a in allowed)
    )
    assert not found, "an adapter leans on more than the domain:\n" + "\n".join(found)


def _third_party(path: Path) -> set[str]:
    """The top-level names of every module ``path`` imports (absolute imports)."""
    tops: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            tops.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            tops.add(node.module.split(".")[0])
    return tops


@pytest.mark.parametrize("prefix", ["kiosk.domain", "kiosk.adapters", "kiosk.services"])
def test_no_qt_below_the_front_ends(prefix: str) -> None:
    """The domain, the small adapters and the application layer import no Qt (the server and
    the command line use them without it)."""
    found = sorted(
        m for m, p in MODULES.items() if _under(m, prefix) and "PySide6" in _third_party(p)
    )
    assert not found, f"Qt imported in: {found}"


def _cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in GRAPH:
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(GRAPH[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(GRAPH.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_cycle() -> None:
    cycles = _cycles()
    assert not cycles, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_the_cycle_check_finds_a_cycle() -> None:
    """The check itself: a made-up cycle is found."""
    GRAPH["kiosk.domain.ids"].add("kiosk.domain.errors")
    GRAPH["kiosk.domain.errors"].add("kiosk.domain.ids")
    try:
        assert ["kiosk.domain.errors", "kiosk.domain.ids"] in _cycles()
    finally:
        GRAPH["kiosk.domain.ids"].discard("kiosk.domain.errors")
        GRAPH["kiosk.domain.errors"].discard("kiosk.domain.ids")

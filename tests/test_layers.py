"""The architecture, checked: no import cycles between modules, and no package importing from a
layer above it. The graph is read from the source with ``ast`` (every import, also those inside
functions), so a lazy import cannot hide a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

# Bottom to top. A module may import from its own layer's package and from layers below it.
LAYERS = [
    ["agreement"],
    ["money"],
    ["decide", "settle", "simulate"],
    ["diff"],
    ["portfolio", "authoring"],
    ["api"],
    ["web"],
    ["cli"],
]
# Packages of one layer are independent of each other, except for these imports.
SIDEWAYS: set[tuple[str, str]] = set()
# Free-standing modules any layer may use: the package root's metadata and the shipped examples.
ANYWHERE = {"termsheet", "termsheet.__main__", "termsheet.examples"}
# Leaves of the money layer that every layer may use: which codes are currencies, their minor
# units, and how an amount reads (describe's terms, the narration's sentences). They import
# nothing from termsheet but each other, so using them from below makes no cycle.
LEAVES = {"termsheet.money.currency", "termsheet.money.format"}


def module_name(path: Path, src: Path = SRC) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, modules: set[str], src: Path = SRC) -> set[str]:
    """The termsheet modules one file imports (a package import counts as its ``__init__``)."""
    name = module_name(path, src)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            targets = [f"{stem}.{alias.name}" for alias in node.names]
            # ``from pkg import name``: the package itself too, unless every name is a submodule
            if not all(target in modules for target in targets):
                targets.append(stem)
        else:
            continue
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def graph(src: Path = SRC) -> dict[str, set[str]]:
    files = sorted((src / "termsheet").rglob("*.py"))
    modules = {module_name(f, src) for f in files}
    return {module_name(f, src): imports_of(f, modules, src) for f in files}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def layer_of(module: str) -> tuple[int, str] | None:
    top = module.split(".")[1] if "." in module else None
    for level, packages in enumerate(LAYERS):
        if top in packages:
            return level, top
    return None


def violations(edges: dict[str, set[str]]) -> list[str]:
    out = []
    for module, targets in sorted(edges.items()):
        mine = layer_of(module)
        if mine is None:
            continue
        for target in sorted(targets):
            if target in ANYWHERE or target in LEAVES or target.startswith("termsheet.examples"):
                continue
            theirs = layer_of(target)
            if theirs is None:
                out.append(f"{module} imports {target}, which belongs to no layer")
            elif theirs[0] > mine[0]:
                out.append(f"{module} (layer {mine[1]}) imports {target} (layer {theirs[1]}, above)")
            elif theirs[0] == mine[0] and theirs[1] != mine[1] \
                    and (mine[1], theirs[1]) not in SIDEWAYS:
                out.append(f"{module} ({mine[1]}) imports {target} ({theirs[1]}), a sibling layer")
    return out


def test_no_import_cycles():
    assert cycles(graph()) == []


def test_no_module_imports_from_a_layer_above_it():
    assert violations(graph()) == []


def test_the_leaves_import_nothing_but_leaves():
    edges = graph()
    assert {leaf: edges[leaf] - LEAVES for leaf in LEAVES} == {leaf: set() for leaf in LEAVES}


def test_every_package_has_a_layer():
    tops = {p.name for p in (SRC / "termsheet").iterdir()
            if (p.is_dir() and (p / "__init__.py").exists()) or p.suffix == ".py"}
    tops = {t.removesuffix(".py") for t in tops} - {"__init__", "__main__", "examples"}
    placed = {p for layer in LAYERS for p in layer}
    assert tops <= placed, f"packages with no layer: {sorted(tops - placed)}"


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = tmp_path / "termsheet" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def test_a_deliberate_cycle_is_found(tmp_path):
    src = _package(tmp_path, {
        "__init__.py": "",
        "agreement/__init__.py": "",
        "agreement/a.py": "from .b import x\n",
        "agreement/b.py": "def f():\n    from .a import y  # a lazy import is still an edge\n",
        "agreement/c.py": "from . import a\n",
    })
    assert cycles(graph(src)) == [["termsheet.agreement.a", "termsheet.agreement.b"]]


def test_an_import_from_above_is_found(tmp_path):
    src = _package(tmp_path, {
        "__init__.py": "",
        "agreement/__init__.py": "",
        "agreement/model.py": "from ..settle.run import settle\n",
        "settle/__init__.py": "",
        "settle/run.py": "from ..agreement.model import Version\n",
    })
    edges = graph(src)
    assert violations(edges) == [
        "termsheet.agreement.model (layer agreement) imports termsheet.settle.run "
        "(layer settle, above)"]
    assert cycles(edges) == [["termsheet.agreement.model", "termsheet.settle.run"]]


@pytest.mark.parametrize("module", ["termsheet.decide.actions", "termsheet.diff.phrases.en",
                                    "termsheet.simulate.scenario", "termsheet.cli.demo"])
def test_the_old_cycles_are_gone(module):
    edges = graph()
    assert module in edges
    assert all(module not in component for component in cycles(edges))


# The surfaces reach the engines only through the facade: cli/ may also start the server (web/).
FACADE_ONLY = {"cli": {"termsheet.api", "termsheet.web"}, "web": {"termsheet.api"}}


def facade_violations(edges: dict[str, set[str]]) -> list[str]:
    out = []
    for module, targets in sorted(edges.items()):
        parts = module.split(".")
        surface = parts[1] if len(parts) > 1 else None
        if surface not in FACADE_ONLY:
            continue
        for target in sorted(targets):
            inside = target == f"termsheet.{surface}" or target.startswith(f"termsheet.{surface}.")
            allowed = any(target == a or target.startswith(a + ".") for a in FACADE_ONLY[surface])
            if not (inside or allowed or target in ANYWHERE
                    or target.startswith("termsheet.examples")):
                out.append(f"{module} imports {target}, past the facade")
    return out


def test_cli_and_web_use_only_the_facade():
    assert facade_violations(graph()) == []


def test_an_import_past_the_facade_is_found(tmp_path):
    src = _package(tmp_path, {
        "__init__.py": "", "api.py": "", "web/__init__.py": "",
        "web/pages.py": "from .. import api\nfrom ..settle.run import settle\n",
        "settle/__init__.py": "", "settle/run.py": "",
    })
    assert facade_violations(graph(src)) == [
        "termsheet.web.pages imports termsheet.settle.run, past the facade"]


def test_test_modules_do_not_import_one_another():
    """Shared helpers live in tests/support/ (and web_helpers.py), not in another test module."""
    tests = Path(__file__).resolve().parent
    found = []
    for path in sorted(tests.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
                [a.name for a in node.names] if isinstance(node, ast.Import) else []
            found += [f"{path.name} imports {n}" for n in names if n.startswith("test_")]
    assert found == []


def test_the_facade_names_each_thing_once():
    """A name the facade loads on use never hides behind one of its own functions."""
    import termsheet.api as api
    own = {name for name in vars(api) if not name.startswith("_")}
    import importlib
    for name in sorted(own & set(api._EXPORTS)):
        module, attr = api._EXPORTS[name]
        assert getattr(api, name) is getattr(importlib.import_module(module), attr), name

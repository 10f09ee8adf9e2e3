"""The shape of the code: no import cycle between our modules, the ground floor imports nothing of ours, the write
side nothing of the read side, and no module of common/, index/ or assistant/ over ~300 lines."""

from __future__ import annotations

import ast
from pathlib import Path

from .conftest import REPO

PACKAGES = ("common", "index", "assistant", "prompts", "training")
MAX_LINES = 320


def modules() -> dict[str, Path]:
    out = {}
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            parts = path.relative_to(REPO).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            out[name] = path
    out["ui"] = REPO / "ui.py"
    return out


def typing_only(tree: ast.Module) -> set[ast.AST]:
    """The nodes under `if TYPE_CHECKING:`: imports for annotations only, never run (a Query names its Kind, whose
    methods take a Query)."""
    return {inner for node in ast.walk(tree) if isinstance(node, ast.If) and isinstance(node.test, ast.Name)
            and node.test.id == "TYPE_CHECKING" for stmt in node.body for inner in ast.walk(stmt)}


def imports(path: Path, known: set[str]) -> set[str]:
    """Our modules that `path` imports anywhere in it (top level or inside functions) at run time."""
    found = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = typing_only(tree)
    for node in ast.walk(tree):
        if node in skip:
            continue
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name:
                found.add(name)
    return found


def graph() -> dict[str, set[str]]:
    mods = modules()
    return {name: imports(path, set(mods)) - {name} for name, path in mods.items()}


def test_no_import_cycle():
    g = graph()
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(g.get(node, ())):
            if state.get(nxt) == 1:
                raise AssertionError("import cycle: " + " → ".join(path[path.index(nxt):] + [nxt]))
            if nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(g):
        if node not in state:
            visit(node)


def test_layers():
    """common/ stands on nothing of ours; index/ (write side) on common only; prompts on common only."""
    for name, deps in graph().items():
        top = {d.split(".")[0] for d in deps}
        if name.startswith("common"):
            assert top <= {"common"}, f"{name} imports {deps}"
        if name.startswith(("index", "prompts")):
            assert top <= {"common", name.split(".")[0]}, f"{name} imports {deps}"


def test_modules_are_small():
    big = {name: n for name, path in modules().items() if name != "ui"
           and (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not big, f"modules over {MAX_LINES} lines: {big}"

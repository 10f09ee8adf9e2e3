"""The shape of the code: no import cycle between our modules (nor one hidden from the import statements by
importlib), the ground floor imports nothing of ours, the write side nothing of the read side, no module of common/,
index/ or assistant/ over ~300 lines and no function over 80, assistant/ keeps at most 20 modules at its top level
(the rest in wings), a family of modules in common/ or index/ lives in its own folder (index/analysis/,
index/lexical/), not side by side, and only the composition roots name the concrete store (everything else holds it
through the protocols)."""

from __future__ import annotations

import ast
from pathlib import Path

from .conftest import REPO

PACKAGES = ("common", "index", "assistant", "prompts", "training")
MAX_LINES = 320
FOLDERED = ("common", "index")  # packages whose families of modules live in folders
MAX_TOP_LEVEL = 20  # modules directly in assistant/ (besides __init__): the stages and the faces' entry points
LOADERS = {"import_module", "__import__", "spec_from_file_location"}  # importlib's ways to load a module by name


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


def loaded_by_name(path: Path) -> list[str]:
    """What `path` loads through importlib or __import__: the module named (a string, or a module-level constant
    holding one), or "<computed>" when the name is not written out (which may be ours)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    constants = {target.id: node.value.value for node in tree.body if isinstance(node, ast.Assign)
                 and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
                 for target in node.targets if isinstance(target, ast.Name)}
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
        if func not in LOADERS:
            continue
        arg = node.args[0] if node.args else None
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            out.append(arg.value)
        elif isinstance(arg, ast.Name) and arg.id in constants:
            out.append(constants[arg.id])
        else:
            out.append("<computed>")
    return out


def test_no_module_of_ours_is_loaded_by_name():
    """A module that loads another of ours through importlib hides an import from the cycle check above (the server
    once loaded ui.py so while ui.py imported the server); the spaCy model package (a constant name) may be."""
    ours = {name.split(".")[0] for name in modules()}
    hidden = {name: found for name, path in modules().items()
              if (found := [m for m in loaded_by_name(path) if m == "<computed>" or m.split(".")[0] in ours])}
    assert not hidden, f"modules loading ours by name, not by an import statement: {hidden}"


def test_assistant_top_level_is_small():
    """assistant/ shows the stages and the entry points; the web face, the LLM path, evaluation, quotes, kinds and
    the trained reader live in its wings (README: the map of the code)."""
    top = sorted(p.name for p in (REPO / "assistant").glob("*.py") if p.name != "__init__.py")
    assert len(top) <= MAX_TOP_LEVEL, f"{len(top)} modules at the top of assistant/ (at most {MAX_TOP_LEVEL}): {top}"


COMPOSITION_ROOTS = {"assistant.cli", "assistant.web.server"}  # the only modules that open the concrete store
STORE_PROTOCOLS = {"StoreReader", "StoreWriter", "Store"}
MAX_FUNCTION_LINES = 80


def protocol_members() -> set[str]:
    """What index/store/protocols.py promises (read from its source: the layout tests import nothing of ours)."""
    tree = ast.parse((REPO / "index" / "store" / "protocols.py").read_text(encoding="utf-8"))
    return {item.name for node in tree.body if isinstance(node, ast.ClassDef) and node.name in STORE_PROTOCOLS
            for item in node.body if isinstance(item, ast.FunctionDef)}


def consumers() -> dict[str, Path]:
    """The store's users: the read side, the faces (ui.py, the CLI, the web face) and the Ingestor; the store's own
    package and the lexical modules it runs are its inside."""
    return {name: path for name, path in modules().items()
            if name.startswith(("assistant", "ui", "common")) or name == "index.pipeline"}


def test_only_the_composition_roots_name_the_concrete_store():
    """Everything else holds the store through index/store/protocols.py (issue 24): replacing the store means
    changing the roots, and a test can hand any object that keeps the protocol."""
    named = {}
    for name, path in modules().items():
        if name in COMPOSITION_ROOTS or name.startswith("index.store"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        hits = [node.lineno for node in ast.walk(tree)
                if (isinstance(node, ast.Name) and node.id == "ChromaStore")
                or (isinstance(node, ast.Attribute) and node.attr == "ChromaStore")
                or (isinstance(node, ast.alias) and node.name == "ChromaStore")]
        if hits:
            named[name] = hits
    assert not named, f"the concrete ChromaStore named outside the composition roots {COMPOSITION_ROOTS}: {named}"


def annotation_names(node: ast.AST | None) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} if node is not None else set()


def test_store_consumers_are_typed_with_the_protocols():
    """A parameter that takes a store (`store`, `open_store`) and a composition root's function that opens one
    (`*_store`) are annotated with StoreReader, StoreWriter or Store, and every member used on a store is one the
    protocols promise."""
    promised = protocol_members()
    untyped, unpromised = [], []
    for name, path in consumers().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                args = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
                for arg in args:
                    if arg.arg in ("store", "open_store") and not annotation_names(arg.annotation) & STORE_PROTOCOLS:
                        untyped.append(f"{name}:{node.lineno} {node.name}({arg.arg})")
                if name in COMPOSITION_ROOTS and node.name.endswith("_store") and not annotation_names(node.returns) & STORE_PROTOCOLS:
                    untyped.append(f"{name}:{node.lineno} {node.name}() returns")
            elif isinstance(node, ast.Attribute) and node.attr not in promised:
                held = node.value
                if (isinstance(held, ast.Name) and held.id == "store") or (
                        isinstance(held, ast.Attribute) and held.attr in ("store", "_store")):
                    unpromised.append(f"{name}:{node.lineno} store.{node.attr}")
    assert not untyped, f"store parameters not typed with a protocol of index/store/protocols.py: {untyped}"
    assert not unpromised, f"store members the protocols do not promise (add them there, or use one): {unpromised}"


def long_functions(path: Path) -> dict[str, int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {f"{node.name}:{node.lineno}": n for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and (n := node.end_lineno - node.lineno + 1) > MAX_FUNCTION_LINES}


def test_no_function_is_long():
    """No product function over 80 lines (its docstring included): ui.py's tabs are built one function
    each, the API's routes by concern."""
    long = {name: found for name, path in modules().items() if name.split(".")[0] in ("assistant", "index", "common", "ui")
            and (found := long_functions(path))}
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines: {long}"


def test_module_families_live_in_folders():
    """In common/ and index/ a family of modules is a folder: `attribution.py` beside `attribution_cues.py`, or
    `lexical_store.py` beside `lexical_sync.py`, is `analysis/attribution.py` + `analysis/cues.py` and
    `lexical/store.py` + `lexical/sync.py` (issue 24, item 5)."""
    flat = []
    for package in FOLDERED:
        for folder in [REPO / package, *(p for p in (REPO / package).rglob("*") if p.is_dir())]:
            stems = sorted(p.stem for p in folder.glob("*.py") if p.stem != "__init__")
            prefixes = [s.split("_")[0] for s in stems if "_" in s]
            flat += [f"{folder.relative_to(REPO)}/{s}.py" for s in stems
                     if "_" in s and (s.split("_")[0] in stems or prefixes.count(s.split("_")[0]) > 1)]
    assert not flat, f"families of modules side by side (give each family a folder): {flat}"

"""The file types and the embedders are each one table (common/file_types.py, common/embedder_kinds.py): every reader
and builder is keyed by it, and every message, help text and upload filter that names them is derived from it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from common import file_types
from common.config import Config
from common.embedder_kinds import EMBEDDERS, KINDS, embedder_choices, embedder_help
from common.errors import ConfigError
from common.file_types import FILE_TYPES, SUPPORTED_SUFFIXES, UPLOAD_SUFFIXES, FileType, help_list, listed, upload_hint
from index.embedders import BUILDERS
from index.loaders import load_paths
from index.loaders.files import READERS, STREAM_READERS

from .conftest import REPO

SUFFIX = re.compile(r"(?<![\w.])\.(?:" + "|".join(s[1:] for s in sorted(SUPPORTED_SUFFIXES)) + r")\b")
USAGE = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(e.usage) for e in EMBEDDERS) + r")(?![\w-])")
TABLES = {REPO / "common" / "file_types.py", REPO / "common" / "embedder_kinds.py"}


def test_every_row_has_its_reader_and_builder():
    assert {t.reader for t in FILE_TYPES} == set(READERS) | set(STREAM_READERS)
    assert not set(READERS) & set(STREAM_READERS)
    assert set(BUILDERS) == KINDS


@pytest.mark.parametrize("kind", FILE_TYPES, ids=lambda t: t.name)
def test_every_suffix_of_the_table_loads(kind: FileType, tmp_path):
    for suffix in kind.suffixes:
        path = tmp_path / f"article{suffix}"
        text = "The Velmora levee held on Sunday, the council said."
        if kind.reader == "jsonl":
            text = '{"id": "a", "title": "Levee", "text": "' + text + '"}'
        elif kind.reader == "html":
            text = f"<html><body><article><p>{text} It had rained for days.</p></article></body></html>"
        path.write_text(text, encoding="utf-8")
        loaded = load_paths([path])
        assert len(loaded.articles) == 1 and not loaded.failures, (suffix, loaded.failures)


def test_messages_follow_the_table(tmp_path, monkeypatch):
    """A row added to the table shows in the loaders' messages (they are derived when said, not written out)."""
    (tmp_path / "empty").mkdir()
    (tmp_path / "notes.rtf").write_text("x", encoding="utf-8")
    monkeypatch.setattr(file_types, "FILE_TYPES", (*FILE_TYPES, FileType("reStructuredText", (".rst",), "text")))
    assert listed() == ".txt, .md, .html, .jsonl or .rst"
    failures = load_paths([tmp_path / "empty", tmp_path / "notes.rtf"]).failures
    assert [f.reason for f in failures] == ["folder has no .txt, .md, .html, .jsonl or .rst files",
                                            "unsupported file type .rtf"]
    assert failures[1].fix == "convert it to .txt, .md, .html, .jsonl or .rst"


def test_help_texts_and_upload_filter_come_from_the_tables():
    from assistant.cli import build_parser

    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command")
    ingest = next(c.help for c in commands._choices_actions if c.dest == "ingest")
    assert ingest == f"add or update articles ({help_list()} or folders)" == "add or update articles (.txt .md .html .jsonl or folders)"
    embedder = next(a for a in commands.choices["ask"]._actions if a.dest == "embedder")
    assert embedder.help == embedder_help() == "minilm (default), st:MODEL_PATH, openai:MODEL or hash"
    assert UPLOAD_SUFFIXES == [".txt", ".md", ".markdown", ".html", ".htm", ".jsonl"]
    assert upload_hint().startswith("Upload `.txt`, `.md` (front matter: title, source, published_at, url, id), "
                                    "`.html` or `.jsonl` files.")
    ui = ast.parse((REPO / "ui.py").read_text(encoding="utf-8"))
    names = {n.id for n in ast.walk(ui) if isinstance(n, ast.Name)}
    assert {"UPLOAD_SUFFIXES", "upload_hint"} <= names
    with pytest.raises(ConfigError) as err:
        Config.from_env(env={"ASSISTANT_EMBEDDER": "word2vec"}, index_dir=Path("/tmp/x"))
    assert err.value.fix == f"use {embedder_choices(quoted=True)}"


def docstrings(tree: ast.Module) -> set[int]:
    return {id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}


def test_no_product_code_lists_the_types_itself():
    """A string of product code (docstrings aside), or a list of them, that names two file types or two embedder
    settings is a listing that belongs in the tables (one suffix alone may be meant otherwise: an export's .md)."""
    found = []
    paths = [*sorted(p for d in ("assistant", "index", "common") for p in (REPO / d).rglob("*.py")), REPO / "ui.py"]
    for path in paths:
        if path in TABLES:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.List | ast.Tuple | ast.Set):
                text = " ".join(e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str))
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
                text = node.value
            else:
                continue
            if len(set(SUFFIX.findall(text))) >= 2 or len(set(USAGE.findall(text))) >= 2:
                found.append(f"{path.relative_to(REPO)}:{node.lineno} {text[:60]!r}")
    assert not found, f"file types or embedders written out instead of taken from the tables: {found}"

"""`assistant ingest` of articles the index holds unchanged decides from the stored content hashes without opening
Chroma or loading a model; anything new, changed, or left to settle by a crash still goes through the whole ingest."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .conftest import EXAMPLES, REPO

HEAVY = ("chromadb", "onnxruntime", "tokenizers", "spacy", "torch", "index.analysis.core")


def ingest(corpus: Path, index: Path, *extra: str, analysis: bool = True) -> tuple[dict, list[str]]:
    """`assistant ingest --json` in a fresh process: its report, and which of HEAVY it imported."""
    code = ("import sys, json; from assistant.cli import main; "
            f"rc = main(['ingest', {str(corpus)!r}, '--index', {str(index)!r}, '--embedder', 'hash', '--no-progress', "
            f"'--json', *{list(extra)!r}]); "
            f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules))); sys.exit(rc)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env["ASSISTANT_ANALYSIS"] = "true" if analysis else "false"
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    out, _, loaded = done.stdout.strip().rpartition("\n")
    return json.loads(out), json.loads(loaded)


def copy_examples(tmp_path: Path) -> Path:
    corpus = tmp_path / "articles"
    shutil.copytree(EXAMPLES, corpus)
    return corpus


def test_a_reingest_of_unchanged_articles_opens_neither_chroma_nor_a_model(tmp_path):
    corpus, index = copy_examples(tmp_path), tmp_path / "index"
    first, loaded = ingest(corpus, index)
    assert first["added"] and not first["failed"] and {"chromadb", "spacy"} <= set(loaded)
    again, loaded = ingest(corpus, index)
    assert sorted(again["unchanged"]) == sorted(first["added"])
    assert (again["added"], again["updated"], again["recovered"], again["analysed"]) == ([], [], [], 0)
    assert loaded == []


def test_a_changed_article_still_goes_through_the_whole_ingest(tmp_path):
    corpus, index = copy_examples(tmp_path), tmp_path / "index"
    first, _ = ingest(corpus, index, analysis=False)
    flood = corpus / "velmora-flood-toll.md"
    flood.write_text(flood.read_text(encoding="utf-8") + "\nThe toll rose to twelve on Sunday.\n", encoding="utf-8")
    again, loaded = ingest(corpus, index, analysis=False)
    assert again["updated"] == ["velmora-flood-toll"] and len(again["unchanged"]) == len(first["added"]) - 1
    assert "chromadb" in loaded


def test_a_journal_left_by_a_killed_ingest_is_settled_before_anything_is_called_unchanged(tmp_path):
    """A changed version of one article is being written when its writer is SIGKILLed right after journalling it:
    its record still holds the old version, which is what the next ingest is given. That ingest must settle the
    journal entry first (the unfinished version's vectors removed) rather than skip it as unchanged."""
    corpus, index = copy_examples(tmp_path), tmp_path / "index"
    first, _ = ingest(corpus, index)
    changed = copy_examples(tmp_path / "changed")
    flood = changed / "velmora-flood-toll.md"
    flood.write_text(flood.read_text(encoding="utf-8") + "\nThe toll rose to twelve on Sunday.\n", encoding="utf-8")
    killed = subprocess.run([sys.executable, "-m", "tests.crash_writer", str(index), str(changed), "upsert", "-writes"],
                            cwd=REPO, capture_output=True, text=True, timeout=600)
    assert killed.returncode == -9, killed.stderr[-2000:]
    again, loaded = ingest(corpus, index)
    assert any("velmora-flood-toll: interrupted write" in line for line in again["recovered"]), again["recovered"]
    assert sorted(again["unchanged"]) == sorted(first["added"]) and "chromadb" in loaded
    settled, loaded = ingest(corpus, index)
    assert sorted(settled["unchanged"]) == sorted(first["added"]) and loaded == []


def test_a_lost_lexical_index_or_a_missing_analysis_is_made_by_the_whole_ingest(tmp_path):
    corpus, index = copy_examples(tmp_path), tmp_path / "index"
    first, _ = ingest(corpus, index, analysis=False)
    shutil.rmtree(index / "assistant-lexical")
    again, loaded = ingest(corpus, index, analysis=False)
    assert any(line.startswith(f"lexical index: {len(first['added'])} article(s) indexed") for line in again["recovered"])
    assert "chromadb" in loaded
    analysed, loaded = ingest(corpus, index)  # the analysis on now: every record gains it, nothing is embedded
    assert analysed["analysed"] == len(first["added"]) and "spacy" in loaded
    _, loaded = ingest(corpus, index)
    assert loaded == []

"""The lexical index under SIGKILL at each step of an article write (a real ingest process killed right after one
chosen Chroma operation): every article whose write is not journalled is in it exactly as its record says, and the
next ingest leaves it complete."""

from __future__ import annotations

import subprocess
import sys

import pytest

from benchmarks.kill_ingest import lexical_stale
from common.config import Config
from index.lexical.sync import problems
from index.pipeline import Ingestor
from index.store import ChromaStore

from .conftest import EXAMPLES, REPO

# (Chroma operation, collection) after which the ingest dies: the record switch, the old vectors' removal, the
# journal entries cleared (after the lexical commit), the new generation announced
STEPS = [("upsert", "-articles"), ("delete", "-sentences"), ("delete", "-writes"), ("modify", "-writes")]


@pytest.mark.parametrize(("method", "suffix"), STEPS)
def test_a_kill_at_any_step_leaves_the_lexical_index_consistent_with_the_records(tmp_path, method, suffix):
    config = Config.from_env(env={}, index_dir=tmp_path / "index", embedder="hash")
    first = Ingestor(config, store=ChromaStore(config)).ingest_paths([EXAMPLES / "velmora-flood-nine-dead.md", EXAMPLES / "northline-rail-strike.md"])
    assert first.ok
    died = subprocess.run([sys.executable, "-m", "tests.crash_writer", str(config.index_dir), str(EXAMPLES), method,
                           suffix], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert died.returncode == -9, died.stderr[-2000:]
    store = ChromaStore(config)
    journalled = set(store.pending_writes())
    assert lexical_stale(store, journalled) == []
    store.lexical.release()
    again = Ingestor(config, store=store).ingest_paths([EXAMPLES])
    assert again.ok
    assert problems(store, store.lexical) == [] and not store.pending_writes()
    assert store.lexical.view().n_articles == 8

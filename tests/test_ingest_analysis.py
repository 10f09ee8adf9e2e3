"""The language analysis at ingest: made in worker processes while the ingest embeds, it is the same analysis the
ingest process makes itself; a re-ingest of unchanged articles loads no model."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from common.config import Config
from index.loaders import load_paths
from index.pipeline import EMBED_GROUP_TEXTS, Ingestor, prepare
from index.store import ChromaStore

from .conftest import REPO


@pytest.mark.slow
def test_analysis_in_workers_equals_analysis_in_process(tmp_path, shared_dir):
    """30 MultiHop articles make several embedding groups, so the analysis runs in a worker process ahead of the
    embedding; every stored analysis (tokens, parse, entities, phrases, quotes) is byte for byte the one the ingest
    process makes itself (analysis_workers=-1), and each record holds its own article's analysis."""
    articles = list(load_paths([shared_dir / "data" / "multihop_rag" / "articles.jsonl"]).articles)[:30]
    base = Config.from_env(env={}, index_dir=tmp_path / "x", embedder="hash")
    assert sum(len(p.chunks) + len(p.sentences) for p in map(lambda a: prepare(a, base), articles)) > \
        2 * EMBED_GROUP_TEXTS  # more than one group: the workers are used
    stored = {}
    for workers in (1, -1):
        config = base.with_(index_dir=tmp_path / f"workers{workers}", analysis_workers=workers)
        ingestor = Ingestor(config, store=ChromaStore(config))
        report = ingestor.ingest_articles(articles)
        assert report.ok and len(report.added) == 30
        stored[workers] = {i: s.analysis_json for i, s in ingestor.store.get_articles([a.id for a in articles]).items()}
    assert stored[1] == stored[-1]
    assert all(stored[1].values())
    first = articles[0]
    tokens = json.loads(stored[1][first.id])["t"]
    assert tokens[1][-1] <= len(first.text) and first.text[tokens[0][0]:tokens[1][0]].strip()


def test_reingest_of_unchanged_articles_loads_no_model(tmp_path):
    """`assistant ingest` of articles the index holds unchanged: nothing to embed or analyse, so neither ONNX Runtime
    (the encoder) nor spaCy is imported, let alone loaded."""
    corpus = tmp_path / "a.txt"
    corpus.write_text("The quarry in Dunmarrow closed on Monday. It employed 40 people.", encoding="utf-8")
    index = tmp_path / "index"
    code = ("import sys, json; from assistant.cli import main; "
            f"rc = main(['ingest', {str(corpus)!r}, '--index', {str(index)!r}, '--no-progress', '--json']); "
            "print(json.dumps(sorted(m for m in ('onnxruntime', 'spacy', 'torch') if m in sys.modules)))")
    env_cmd = [sys.executable, "-c", code]
    first = subprocess.run(env_cmd, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stderr
    assert {"onnxruntime", "spacy"} <= set(json.loads(first.stdout.strip().splitlines()[-1]))  # (thinc imports torch)
    again = subprocess.run(env_cmd, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert '"unchanged": [\n    "a"' in again.stdout
    assert json.loads(again.stdout.strip().splitlines()[-1]) == []


def test_an_index_made_without_analysis_gains_it_once(tmp_path):
    """Two articles ingested with the analysis off hold none; the next ingest of the same (unchanged) articles with it
    on analyses both without embedding anything, and the one after finds nothing left to analyse."""
    from common.records import Article

    articles = [Article("quarry", "The quarry in Dunmarrow closed on Monday. It employed 40 people."),
                Article("ferry", "Ferries to Kessaly resumed on Friday, the harbour master said.")]
    off = Config.from_env(env={}, index_dir=tmp_path / "index", embedder="hash", analysis=False)
    Ingestor(off, store=ChromaStore(off)).ingest_articles(articles)
    on = off.with_(analysis=True)
    ingestor = Ingestor(on, store=ChromaStore(on))
    assert ingestor.store.analysis_versions() == {"quarry": 0, "ferry": 0}
    report = ingestor.ingest_articles(articles)
    assert (report.analysed, report.unchanged, report.added) == (2, ["quarry", "ferry"], [])
    stored = ingestor.store.get_articles(["ferry"])["ferry"]
    assert json.loads(stored.analysis_json)["e"]  # Kessaly, Friday: entities found
    assert ingestor.ingest_articles(articles).analysed == 0


def _alive(pid: int) -> bool:
    try:
        status = open(f"/proc/{pid}/status").read()
    except OSError:
        return False
    return "\nState:\tZ" not in status  # a zombie has exited (nobody reaped it yet)


@pytest.mark.slow
def test_a_sigkilled_ingest_leaves_no_analysis_worker_behind(tmp_path, shared_dir):
    """An ingest of 30 MultiHop articles starts an analysis worker; SIGKILL the ingest (as the kill tests do) and the
    worker, which would otherwise wait for work forever, exits too."""
    import os
    import signal
    import time
    from pathlib import Path

    if not Path("/proc/self/task").is_dir():
        pytest.skip("needs Linux /proc to find the worker processes")
    lines = (shared_dir / "data" / "multihop_rag" / "articles.jsonl").read_text(encoding="utf-8").splitlines()[:30]
    corpus = tmp_path / "articles.jsonl"
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env["ASSISTANT_ANALYSIS_WORKERS"] = "1"  # workers are off by default
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "ingest", str(corpus), "--index", str(tmp_path / "ix"),
                             "--embedder", "hash", "--no-progress"], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[int] = []
    deadline = time.monotonic() + 600
    while not workers and proc.poll() is None and time.monotonic() < deadline:
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        workers = [int(c) for c in children if "spawn_main" in _cmdline(int(c)) and "resource_tracker" not in
                   _cmdline(int(c))]
        time.sleep(0.2)
    assert workers, "the ingest ended or never started an analysis worker"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 120
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not any(_alive(w) for w in workers)


def _cmdline(pid: int) -> str:
    try:
        return open(f"/proc/{pid}/cmdline").read().replace("\0", " ")
    except OSError:
        return ""

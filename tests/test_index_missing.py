"""Reading commands refuse a missing or empty index, naming it and how to create it (issue #14, point 2): a mistyped
--index must not silently create an empty index and answer "the articles don't say". Only ingest creates one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import chromadb
import pytest
from chromadb.config import Settings

from common.config import Config
from common.errors import IndexMissing
from index.store import ChromaStore

from .conftest import EXAMPLES, REPO

CLI = [sys.executable, "-m", "assistant"]
READING = [
    ["ask", "How many people died in the Velmora flood?"],
    ["list"],
    ["check"],
    ["check", "--repair"],
    ["delete", "velmora-flood-toll"],
    ["eval", str(REPO / "tests" / "gold" / "seed_gold.jsonl"), "--out", "OUT"],
]


def run(args: list[str], env: dict[str, str] | None = None, stdin: str = "", timeout: float = 180):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    clean.update({"ASSISTANT_EMBEDDER": "hash", **(env or {})})
    return subprocess.run([*CLI, *args], cwd=REPO, env=clean, input=stdin, capture_output=True, text=True,
                          timeout=timeout)


def collections(index: Path) -> list[str]:
    client = chromadb.PersistentClient(path=str(index), settings=Settings(anonymized_telemetry=False))
    return sorted(c.name for c in client.list_collections())


@pytest.mark.parametrize("args", READING, ids=lambda a: " ".join(a[:2]) if a[0] == "check" else a[0])
def test_a_mistyped_index_is_refused_and_not_created(tmp_path, args):
    """`--index ~/indx` (meant: ~/index): exit status 2, the message names the path and the ingest that creates
    it, and nothing is created there (the next command would otherwise find an empty index)."""
    typo = tmp_path / "indx"
    got = run([*[str(tmp_path / "out") if a == "OUT" else a for a in args], "--index", str(typo)])
    assert got.returncode == 2, (got.stdout, got.stderr)
    assert f"there is no index in {typo}" in got.stderr
    assert f"assistant ingest PATH --index {typo}" in got.stderr
    assert not typo.exists()


def test_chat_and_serve_refuse_it_too(tmp_path):
    """The interactive prompt and the web server stop before asking anything or loading the model."""
    typo = tmp_path / "indx"
    chat = run(["chat", "--index", str(typo)], stdin="What happened?\n")
    serve = run(["serve", "--index", str(typo), "--port", "1"], timeout=120)
    for got in (chat, serve):
        assert got.returncode == 2 and f"there is no index in {typo}" in got.stderr, got.stderr[-2000:]
    assert not typo.exists()


def test_the_index_named_by_the_environment_is_checked_the_same_way(tmp_path):
    """ASSISTANT_INDEX_DIR mistyped in a service file: the same refusal, naming that directory."""
    typo = tmp_path / "srv" / "indx"
    got = run(["ask", "What happened?"], env={"ASSISTANT_INDEX_DIR": str(typo)})
    assert got.returncode == 2 and f"there is no index in {typo}" in got.stderr
    assert not typo.parent.exists()


def test_an_index_with_no_articles_is_refused_without_adding_collections(tmp_path):
    """A Chroma directory with no articles (e.g. what an earlier mistyped path left): refused as empty, and the
    reading command does not create the assistant's collections in it."""
    empty = tmp_path / "empty"
    collections(empty)  # a bare Chroma directory
    before = collections(empty)
    got = run(["list", "--index", str(empty)])
    assert got.returncode == 2 and f"the index {empty} holds no articles" in got.stderr
    assert f"assistant ingest PATH --index {empty}" in got.stderr
    assert collections(empty) == before == []

    ChromaStore(Config.from_env(env={}, index_dir=empty, embedder="hash"))  # a writer's open: empty collections
    with pytest.raises(IndexMissing, match="holds no articles"):
        ChromaStore(Config.from_env(env={}, index_dir=empty, embedder="hash"), create=False)


def test_ingest_creates_the_index_that_reading_commands_then_use(tmp_path):
    """The scripts/run.sh path: ingest into a new directory, then read from it."""
    index = tmp_path / "new-index"
    assert run(["ingest", str(EXAMPLES), "--index", str(index), "--no-progress"]).returncode == 0
    listed = run(["list", "--index", str(index)])
    assert listed.returncode == 0 and listed.stdout.startswith(f"8 articles in local index {index}")
    asked = run(["ask", "How many people died in the Velmora flood?", "--index", str(index)])
    assert asked.returncode == 0 and "[1]" in asked.stdout


def test_a_crash_in_the_very_first_ingest_is_still_checked_and_repaired(tmp_path):
    """The first article write was killed after its vectors, before its record: no article yet, but the journal
    names it. That index is not "empty": check reports the interrupted write and check --repair settles it."""
    index = tmp_path / "index"
    killed = subprocess.run([sys.executable, "-m", "tests.crash_writer", str(index), str(EXAMPLES), "upsert",
                             "-sentences"], cwd=REPO, capture_output=True, text=True, timeout=180)
    assert killed.returncode == -9, killed.stderr[-2000:]
    check = run(["check", "--index", str(index)])
    assert check.returncode == 1 and "write interrupted" in check.stdout, (check.stdout, check.stderr)
    repair = run(["check", "--repair", "--index", str(index)])
    assert repair.returncode == 0 and "repaired: " in repair.stdout, (repair.stdout, repair.stderr)
    assert run(["list", "--index", str(index)]).returncode == 2  # settled: nothing was stored, so nothing to read


def test_an_empty_chroma_server_is_refused(chroma_server, tmp_path):
    """Server mode: a server that holds no articles (wrong --chroma-port, or never ingested into) is refused the
    same way, naming the server, and no collection is created on it; after an ingest the same command works."""
    host, port, _ = chroma_server
    env = {"ASSISTANT_CHROMA_HOST": host, "ASSISTANT_CHROMA_PORT": str(port)}
    got = run(["ask", "What happened?"], env=env)
    assert got.returncode == 2, got.stderr
    assert f"Chroma server http://{host}:{port} holds no articles" in got.stderr
    assert f"assistant ingest PATH --chroma-host {host} --chroma-port {port}" in got.stderr
    assert chromadb.HttpClient(host=host, port=port).list_collections() == []
    assert run(["ingest", str(EXAMPLES), "--no-progress"], env=env).returncode == 0
    assert run(["list"], env=env).returncode == 0

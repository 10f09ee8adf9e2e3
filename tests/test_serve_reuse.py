"""`assistant ask` on an index that a running `assistant serve` serves: answered by that server (same JSON as when it
answers by itself), and by itself when the server announced for the index is gone or runs other settings."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from .conftest import EXAMPLES, REPO
from .serving import build_index, start_server

QUESTION = "How many people died in the Velmora flood?"


def ask(index, extra: dict[str, str]) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    done = subprocess.run([sys.executable, "-m", "assistant", "ask", QUESTION, "--index", str(index), "--json"],
                          capture_output=True, text=True, env={**env, **extra}, cwd=REPO, timeout=600)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture
def served(tmp_path):
    index = tmp_path / "index"
    build_index(index, [EXAMPLES])
    server = start_server(index, tmp_path / "server.log", {"ASSISTANT_EMBEDDER": "hash"}, timeout=300)
    yield index, server
    server.stop()


def asks_seen(server) -> int:
    return server.output().count('"POST /api/ask HTTP/1.1" 200')


def test_ask_is_answered_by_the_running_server_with_the_same_answer(served):
    index, server = served
    [announced] = list(index.glob("assistant-serve-*.json"))
    assert json.loads(announced.read_text())["pid"] == server.proc.pid
    before = asks_seen(server)
    reused = ask(index, {"ASSISTANT_EMBEDDER": "hash"})
    assert asks_seen(server) == before + 1
    alone = ask(index, {"ASSISTANT_EMBEDDER": "hash", "ASSISTANT_NO_SERVE_REUSE": "1"})
    assert asks_seen(server) == before + 1
    assert reused == alone and reused["citations"]
    other = ask(index, {"ASSISTANT_EMBEDDER": "hash", "ASSISTANT_TOP_K": "3"})  # other settings: not that server
    assert asks_seen(server) == before + 1 and other["citations"]
    server.stop()  # its announcement may stay behind (a signal ends it): the next ask finds it gone, answers alone
    assert ask(index, {"ASSISTANT_EMBEDDER": "hash"}) == alone


def test_a_server_that_is_gone_is_not_asked(tmp_path):
    index = tmp_path / "index"
    build_index(index, [EXAMPLES])
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (index / f"assistant-serve-{dead.stdout.strip()}.json").write_text(json.dumps(
        {"host": "127.0.0.1", "port": 9, "pid": int(dead.stdout), "llm": False, "llm_mode": "answer",
         "llm_model": None, "llm_base_url": None, "embedder": "hash", "top_k": 8, "abstain_below": 0.36}))
    answer = ask(index, {"ASSISTANT_EMBEDDER": "hash"})
    assert answer["citations"] and not answer["abstained"]

"""The same rules everywhere: the CLI refuses the questions the API refuses, and every /api request that no route
takes gets the documented {error, message, fix} JSON (405 with Allow for a wrong method), also with the chat
mounted at /."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest

from .conftest import EXAMPLES, REPO
from .serving import build_index, start_server


def cli_ask(question: str, index_dir, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    return subprocess.run([sys.executable, "-m", "assistant", "ask", question, "--index", str(index_dir)],
                          env={**clean, "ASSISTANT_EMBEDDER": "hash", **env}, capture_output=True, text=True,
                          cwd=REPO, timeout=120)


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    root = tmp_path_factory.mktemp("rules")
    build_index(root / "index", [EXAMPLES])
    server = start_server(root / "index", root / "server.log",
                          {"ASSISTANT_EMBEDDER": "hash", "ASSISTANT_MAX_QUESTION_CHARS": "120"})
    yield server, root / "index"
    server.stop()


def test_cli_refuses_a_10000_character_question_and_an_empty_one_before_opening_any_index(tmp_path):
    missing = tmp_path / "never-created"
    long = cli_ask("Why?" * 2500, missing)
    assert long.returncode == 2, long.stderr
    assert "10000 characters, more than the limit of 2000" in long.stderr and "ASSISTANT_MAX_QUESTION_CHARS" in long.stderr
    for blank in ("", "   \n"):
        empty = cli_ask(blank, missing)
        assert empty.returncode == 2 and "the question is empty" in empty.stderr, empty.stderr
    assert not missing.exists()


def test_cli_and_api_draw_the_line_at_the_same_length(web):
    server, index_dir = web
    limit = {"ASSISTANT_MAX_QUESTION_CHARS": "120"}
    at_limit, over = "How many people died in the Velmora flood? " + "x" * 77, "y" * 121
    assert len(at_limit) == 120
    api = httpx.post(f"{server.url}/api/ask", json={"question": over}, timeout=30)
    assert api.status_code == 413 and api.json()["error"] == "too_large"
    refused = cli_ask(over, index_dir, **limit)
    assert refused.returncode == 2 and "121 characters, more than the limit of 120" in refused.stderr
    assert api.json()["message"] in refused.stderr
    assert httpx.post(f"{server.url}/api/ask", json={"question": at_limit}, timeout=30).status_code == 200
    assert cli_ask(at_limit, index_dir, **limit).returncode == 0


@pytest.mark.parametrize("method, path, allow", [
    ("GET", "/api/ask", "POST"), ("PUT", "/api/ask", "POST"), ("GET", "/api/ask/stream", "POST"),
    ("POST", "/api/health", "GET"), ("DELETE", "/api/articles/velmora-flood-toll", "GET"),
])
def test_wrong_method_is_405_json_with_allow(web, method, path, allow):
    r = httpx.request(method, f"{web[0].url}{path}", timeout=30)
    assert r.status_code == 405, r.text
    assert r.headers["allow"] == allow
    body = r.json()
    assert set(body) == {"error", "message", "fix"} and body["error"] == "method_not_allowed"
    assert f"{allow} {path}" in body["fix"] and method in body["message"]


def test_unknown_api_path_is_404_json_and_the_chat_still_answers_at_root(web):
    r = httpx.get(f"{web[0].url}/api/nothing-here", timeout=30)
    assert r.status_code == 404 and r.json() == {"error": "not_found", "message": "there is no API route /api/nothing-here",
                                                 "fix": "see the routes at /docs"}
    assert httpx.get(f"{web[0].url}/api/health", timeout=30).status_code == 200
    assert "<html" in httpx.get(f"{web[0].url}/", timeout=30).text.lower()

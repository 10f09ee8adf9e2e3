"""`assistant ask` on an index that a running `assistant serve` serves: answered by that server (same JSON as when it
answers by itself), and by itself when the server announced for the index is gone, runs other settings, or is a
listener that cannot prove it wrote the announcement (issue 26: a stale file led `ask` to send its API key to
whatever took the port)."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import stat
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

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
    assert stat.S_IMODE(announced.stat().st_mode) == 0o600  # it holds the secret the server proves
    before = asks_seen(server)
    reused = ask(index, {"ASSISTANT_EMBEDDER": "hash"})
    assert asks_seen(server) == before + 1
    alone = ask(index, {"ASSISTANT_EMBEDDER": "hash", "ASSISTANT_NO_SERVE_REUSE": "1"})
    assert asks_seen(server) == before + 1
    assert reused == alone and reused["citations"]
    other = ask(index, {"ASSISTANT_EMBEDDER": "hash", "ASSISTANT_TOP_K": "3"})  # other settings: not that server
    assert asks_seen(server) == before + 1 and other["citations"]
    server.stop()  # SIGTERM, what `systemctl stop` sends: the announcement goes with the server
    assert not list(index.glob("assistant-serve-*.json"))
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


FORGED = "FORGED: the flood killed 9000 people"


class Impostor(BaseHTTPRequestHandler):
    """A local program on the port a stopped server left: answers any /api/ask with a forged answer, and proves an
    announcement only if it knows its secret (`server.secret`, as when it could write the file itself)."""

    def do_GET(self):  # noqa: N802 - http.server's naming
        self.server.seen.append(("GET", urlsplit(self.path).path, self.headers.get("Authorization")))
        challenge = parse_qs(urlsplit(self.path).query).get("challenge", [""])[0]
        key = self.server.secret or secrets.token_bytes(32)
        self.reply({"proof": hmac.new(key, b"assistant-serve-proof:" + challenge.encode(), hashlib.sha256).hexdigest()})

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.seen.append(("POST", self.path, self.headers.get("Authorization")))
        self.reply({"answer": FORGED, "short_answer": None, "abstained": False, "citations": []})

    def reply(self, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def impostor():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Impostor)
    httpd.seen, httpd.secret = [], None
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def announcement(index, port: int, secret: bytes, mode: int) -> None:
    """An announcement as `serve` writes it, naming a live pid (this test's: a reused pid) and `port`."""
    path = index / f"assistant-serve-{os.getpid()}.json"
    path.write_text(json.dumps({"host": "127.0.0.1", "port": port, "pid": os.getpid(), "secret": secret.hex(),
                                "llm": False, "llm_mode": "answer", "llm_model": None, "llm_base_url": None,
                                "embedder": "hash", "top_k": 8, "abstain_below": 0.36}))
    path.chmod(mode)


@pytest.mark.parametrize("knows_secret, mode", [(False, 0o600), (True, 0o644)])
def test_ask_sends_nothing_to_a_listener_that_cannot_prove_the_announcement(tmp_path, impostor, knows_secret, mode):
    """A stale announcement (pid reused, port taken by another program), or one anyone could have written or read
    (0644): `ask` sends neither its API key nor the question there, and prints its own answer, not the forged one."""
    index = tmp_path / "index"
    build_index(index, [EXAMPLES])
    secret = secrets.token_bytes(32)
    impostor.secret = secret if knows_secret else None
    announcement(index, impostor.server_address[1], secret, mode)
    answer = ask(index, {"ASSISTANT_EMBEDDER": "hash", "ASSISTANT_API_KEYS": "k-reuse-secret"})
    assert answer["answer"] != FORGED and answer["citations"]
    assert not any(method == "POST" or auth for method, _path, auth in impostor.seen), impostor.seen

"""`serve` listens before the chat is built: the API answers at once, / says the chat is starting, then is the chat."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import httpx
import pytest
import uvicorn

from assistant.core import Assistant
from assistant.startup import load_chat
from assistant.web.server import create_app
from common.config import Config
from common.errors import ConfigError
from index.pipeline import Ingestor
from index.store import ChromaStore

from .conftest import EXAMPLES, free_port
from .serving import build_index

VELMORA = "How many people died in the Velmora flood?"


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("late-chat")
    build_index(root / "index", [EXAMPLES])
    return root / "index"


def running(config: Config, chat) -> tuple[uvicorn.Server, threading.Thread, str]:
    """create_app over the index with `chat` as the chat's loader, served by uvicorn on 127.0.0.1 in a thread."""
    store = ChromaStore(config, create=False)
    assistant = Assistant(config, store=store)
    app = create_app(config, assistant, Ingestor(config, store=store, embedder=assistant.embedder), chat=chat)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive(), "uvicorn stopped before it listened"
        time.sleep(0.05)
    return server, thread, f"http://127.0.0.1:{server.config.port}"


def wait_for(url: str, status: int) -> httpx.Response:
    """GET `url` until it answers `status` (the chat is built in a thread; a slow machine only waits longer)."""
    deadline = time.monotonic() + 300
    while True:
        got = httpx.get(url, timeout=30)
        if got.status_code == status or time.monotonic() > deadline:
            return got
        time.sleep(0.1)


def queued_ask(url: str, question: str) -> str:
    """The transcript the chat's on_ask returns, called through Gradio's queue as the page calls it."""
    with httpx.Client(base_url=url, timeout=120) as client:
        sent = client.post("/gradio_api/call/on_ask", json={"data": [question, [], [], "", ""]})
        assert sent.status_code == 200, sent.text
        with client.stream("GET", f"/gradio_api/call/on_ask/{sent.json()['event_id']}") as stream:
            lines = list(stream.iter_lines())
    assert "event: complete" in lines, lines
    return json.loads(lines[lines.index("event: complete") + 1].removeprefix("data:"))[0]


def test_the_api_answers_before_the_chat_and_the_chat_follows(index_dir):
    """The chat's loader is held back (as importing Gradio holds it on a cold start): meanwhile health and a question
    are answered with the usual headers and / is the page that says the chat is starting (503, reloading itself);
    once let go, / is Gradio's chat and the API still answers."""
    config = Config.from_env(env={}, index_dir=index_dir, embedder="hash")
    gate = threading.Event()

    def held_chat():
        gate.wait(timeout=300)
        return load_chat()

    server, thread, url = running(config, held_chat)
    try:
        assert httpx.get(f"{url}/api/health").json()["articles"] > 0
        answer = httpx.post(f"{url}/api/ask", json={"question": VELMORA}, timeout=120)
        assert answer.status_code == 200 and answer.json()["citations"], answer.text
        starting = httpx.get(f"{url}/")
        assert starting.status_code == 503 and "The chat is starting" in starting.text
        assert 'http-equiv="refresh"' in starting.text and starting.headers["X-Content-Type-Options"] == "nosniff"
        assert starting.headers["Content-Security-Policy"] == "frame-ancestors 'self'"
        gate.set()
        chat = wait_for(f"{url}/", 200)
        assert chat.status_code == 200 and "gradio_config" in chat.text
        assert httpx.get(f"{url}/config").json()["components"]  # Gradio's own routes are mounted too
        transcript = queued_ask(url, VELMORA)  # Gradio's queue was started in the server's loop at the mount
        assert answer.json()["citations"][0]["text"][:40] in transcript.replace("&#x27;", "'"), transcript
        assert httpx.post(f"{url}/api/ask", json={"question": VELMORA}, timeout=120).json() == answer.json()
    finally:
        gate.set()
        server.should_exit = True
        thread.join(timeout=60)


def test_a_chat_that_cannot_start_leaves_the_api_serving(index_dir):
    """ui.py missing from an install: / says the chat could not start (500) while the API goes on answering."""
    config = Config.from_env(env={}, index_dir=index_dir, embedder="hash")

    def missing_chat():
        raise ConfigError("the chat UI module (ui.py) is missing", "reinstall the project from its repository")

    server, thread, url = running(config, missing_chat)
    try:
        failed = wait_for(f"{url}/", 500)
        assert failed.status_code == 500 and "could not start" in failed.text
        assert httpx.post(f"{url}/api/ask", json={"question": VELMORA}, timeout=120).json()["citations"]
    finally:
        server.should_exit = True
        thread.join(timeout=60)

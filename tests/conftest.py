"""Shared fixtures: the ../shared data (skipped when absent), configs on tmp_path, the real MiniLM embedder."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from common.config import Config
from common.offline import configure_environment

configure_environment()

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples" / "articles"


def shared_path() -> Path:
    return Path(os.environ.get("ASSISTANT_SHARED_DIR") or REPO.parent / "shared")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    path = shared_path()
    if not (path / "data").is_dir():
        pytest.skip(f"../shared data not present at {path} (set ASSISTANT_SHARED_DIR to run these tests)")
    return path


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.fixture
def hash_config(tmp_path) -> Config:
    """A real local Chroma index in tmp_path with the deterministic hash embedder (no model load)."""
    return Config.from_env(env={}, index_dir=tmp_path / "index", embedder="hash")


@pytest.fixture(scope="session")
def minilm():
    from index.embedders import make_embedder

    return make_embedder(Config.from_env(env={}, index_dir=Path("/nonexistent"), embedder="minilm"))


@pytest.fixture(scope="session")
def nlp():
    """The spaCy pipeline the language analysis runs (en_core_web_sm), loaded once."""
    from index.analysis.core import load_pipeline

    return load_pipeline()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path):
    """A real `chroma run` server on 127.0.0.1, stopped after the test; yields (host, port, data_dir)."""
    port = free_port()
    data = tmp_path / "chroma-server"
    chroma = Path(sys.executable).with_name("chroma")
    proc = subprocess.Popen(
        [str(chroma), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("chroma run did not start within 30 s")
    yield "127.0.0.1", port, data
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium through Playwright, one per browser-test module (skipped without them)."""
    from .browsing import chromium

    with chromium() as b:
        yield b


@pytest.fixture
def page(browser):
    """A fresh light-scheme page in Debian's chromium (modules that test both schemes define their own)."""
    from .browsing import scheme_page

    with scheme_page(browser) as pg:
        yield pg

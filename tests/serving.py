"""Runs the real `assistant serve` in a subprocess on a free port, for the API and browser tests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from common.config import Config
from index.pipeline import Ingestor
from index.store import ChromaStore

from .conftest import free_port


@dataclass
class Server:
    proc: subprocess.Popen
    url: str
    log: Path
    startup_seconds: float

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)


def build_index(index_dir: Path, paths: list[Path], embedder: str = "hash", model=None) -> None:
    """Ingest `paths` into a fresh local index (in this process, before any server opens it)."""
    config = Config.from_env(env={}, index_dir=index_dir, embedder=embedder)
    report = Ingestor(config, store=ChromaStore(config), embedder=model).ingest_paths(paths)
    assert report.added, report.summary()


def start_server(index_dir: Path, log: Path, env: dict[str, str] | None = None, timeout: float = 90.0,
                 chat: bool = True) -> Server:
    """`python -m assistant serve --index DIR --port P`; returns once /api/health answers 200 and (`chat`) the
    chat is mounted at / (the server listens first, and says the chat is starting (503) until then)."""
    port = free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    clean.update(env or {})
    cmd = [sys.executable, "-m", "assistant", "serve", "--index", str(index_dir), "--port", str(port)]
    started = time.perf_counter()
    fh = log.open("w", encoding="utf-8")
    proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, env=clean, cwd=Path(__file__).parents[1])
    fh.close()
    url = f"http://127.0.0.1:{port}"
    server = Server(proc, url, log, 0.0)
    deadline = started + timeout
    while time.perf_counter() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"assistant serve exited with {proc.returncode}:\n{server.output()}")
        try:
            if not server.startup_seconds and httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                server.startup_seconds = time.perf_counter() - started
            if server.startup_seconds and (not chat or httpx.get(f"{url}/", timeout=2).status_code != 503):
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"assistant serve did not answer /api/health within {timeout} s:\n{server.output()}")


# An article whose text, title, source and url try every way of running script in a page that renders it.
XSS_ARTICLE = """---
title: Keeper's logbook <img src=x onerror="window.__xss=1"> found
source: Harbour <b>Gazette</b>
published_at: 2026-03-12
url: javascript:window.__xss=5
---
The Zephyrine lighthouse keeper wrote <img src=x onerror="window.__xss=1"> in the logbook on the night of the storm.

A second page of the logbook held <script>window.__xss=2</script> and nothing else.

The harbour master said the logbook had a link [open the chart](javascript:window.__xss=3) drawn in pencil, and ${window.__xss=4} in the margin.
"""
XSS_QUESTION = "What did the Zephyrine lighthouse keeper write in the logbook?"
XSS_SENTENCE = 'The Zephyrine lighthouse keeper wrote <img src=x onerror="window.__xss=1"> in the logbook on the night of the storm.'
SLASH_ID = "desk/politics/2026-03-14"
SLASH_JSONL = ('{"id": "' + SLASH_ID + '", "title": "Slash id", "source": "Desk", "published_at": "2026-03-14", '
               '"text": "An article whose id has slashes in it. It exists for the API tests."}\n')


def write_extra_articles(folder: Path) -> list[Path]:
    """The XSS article (.md) and an article whose id contains '/' (.jsonl), written into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    xss, slash = folder / "lighthouse-logbook.md", folder / "desk.jsonl"
    xss.write_text(XSS_ARTICLE, encoding="utf-8")
    slash.write_text(SLASH_JSONL, encoding="utf-8")
    return [xss, slash]

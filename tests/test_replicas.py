"""Chroma server mode with two `assistant serve` replicas, each with its own local lexical index: an ingest and a
delete in a third process while both answer; 0 errors, both see each change within seconds, citations exact."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import httpx
import pytest

from benchmarks.concurrent_ask import ArticleVersions, Load, Probe, assistant_env, run_ingest, wait_until

from .chroma_run import ChromaServer
from .conftest import EXAMPLES, REPO
from .serving import start_server

QUESTIONS = ["How many people died in the Velmora flood?", "What did Mayor Ilsa Varenko say?",
             "How many hectares has the Harrowmere wildfire burned?", "When will the Northline rail strike start?"]
NEW_ID = "quillon-bridge"
NEW_ARTICLE = {"id": NEW_ID, "title": "Quillon bridge reopens", "source": "Ostrakand Wire",
               "published_at": "2026-03-20",
               "text": "The Quillon footbridge over the River Velm reopened on Friday after 41 days of repairs. "
                       "Engineers replaced 112 oak planks that the March flood had torn away."}
NEW = Probe("How many oak planks did engineers replace on the Quillon footbridge?", NEW_ID, "112 oak planks")
CHANGE_SECONDS = 30  # each replica must show a change within this (it looks for writes every second)


@pytest.fixture
def replicas(tmp_path):
    chroma = ChromaServer(tmp_path / "chroma", tmp_path / "chroma.log").start()
    env = {**chroma.env(), "ASSISTANT_EMBEDDER": "hash"}
    done = run_ingest([EXAMPLES], env)
    assert done.returncode == 0, done.stdout + done.stderr
    servers = []
    try:
        for n in (1, 2):
            cache = {"ASSISTANT_LEXICAL_CACHE": str(tmp_path / f"lexical-{n}")}
            log = tmp_path / f"replica-{n}.log"
            servers.append(start_server(tmp_path / "unused", log, {**env, **cache}, timeout=300))
        yield env, servers
    finally:
        for s in servers:
            s.stop()
        chroma.stop()


def cites(url: str, probe: Probe) -> bool:
    r = httpx.post(f"{url}/api/ask", json={"question": probe.question}, timeout=120)
    r.raise_for_status()
    return any(c["article_id"] == probe.article_id and (probe.expect is None or probe.expect in c["text"])
               for c in r.json()["citations"])


def seconds_until(check, seconds: float) -> float | None:
    started = time.monotonic()
    left = wait_until(lambda _p: check(), [NEW], seconds)
    return None if left else time.monotonic() - started


def test_two_replicas_see_an_ingest_and_a_delete_while_answering(replicas, tmp_path):
    env, servers = replicas
    for s in servers:  # each replica built its own lexical index from the server's records at start-up
        assert json.loads(httpx.get(f"{s.url}/api/health", timeout=30).text)["articles"] == 8
    versions = [ArticleVersions(s.url) for s in servers]
    loads = [Load(s.url, QUESTIONS + [NEW.question], 2, v).start() for s, v in zip(servers, versions)]
    try:
        assert not any(cites(s.url, NEW) for s in servers)
        path = tmp_path / "new.jsonl"
        path.write_text(json.dumps(NEW_ARTICLE) + "\n", encoding="utf-8")
        done = run_ingest([path], env)
        assert done.returncode == 0, done.stdout + done.stderr
        seen = [seconds_until(lambda s=s: cites(s.url, NEW), CHANGE_SECONDS) for s in servers]
        assert None not in seen, f"replicas that never cited the new article: {seen}"
        with httpx.Client(timeout=60) as client:  # its text, to check citations answered just before the delete
            for v in versions:
                v.fetch_all(client, [NEW_ID])
        gone = subprocess.run([sys.executable, "-m", "assistant", "delete", NEW_ID], capture_output=True, text=True,
                              env=assistant_env(env), cwd=REPO, timeout=300)
        assert gone.returncode == 0, gone.stdout + gone.stderr
        dropped = [seconds_until(lambda s=s: not cites(s.url, NEW), CHANGE_SECONDS) for s in servers]
        assert None not in dropped, f"replicas that still cite the deleted article: {dropped}"
    finally:
        samples = [load.stop() for load in loads]
    print(f"replicas saw the ingest after {seen} s and the delete after {dropped} s")
    for n, got in enumerate(samples, 1):
        errors = [x.problem for x in got if x.problem]
        wrong = [v for x in got for v in x.violations]
        assert len(got) >= 10, f"replica {n} answered only {len(got)} questions"
        assert errors == [], f"replica {n}: {errors[:5]}"
        assert wrong == [], f"replica {n}: inexact citations {wrong[:5]}"
        assert sum(x.citations for x in got) > 0
    for s in servers:
        health = httpx.get(f"{s.url}/api/health", timeout=30).json()
        assert health["articles"] == 8

"""Chroma server mode end to end: `chroma run` stopped, paused and restarted under a running `assistant serve`."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import httpx
import pytest

from benchmarks.concurrent_ask import ArticleVersions, Load, assistant_env, run_ingest

from .chroma_run import ChromaServer
from .conftest import EXAMPLES, REPO
from .serving import start_server, write_extra_articles

VELMORA = "How many people died in the Velmora flood?"
QUESTIONS = [VELMORA, "What did Mayor Ilsa Varenko say?", "How many hectares has the Harrowmere wildfire burned?",
             "When will the Northline rail strike start?"]
CHROMA_TIMEOUT = 4  # seconds the assistant waits for one Chroma request (ASSISTANT_CHROMA_TIMEOUT)


def cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "assistant", *args], capture_output=True, text=True,
                          env=assistant_env(env), cwd=REPO, timeout=300)


@pytest.fixture
def chroma(tmp_path):
    server = ChromaServer(tmp_path / "chroma", tmp_path / "chroma.log").start()
    yield server
    server.stop()


@pytest.fixture
def env(chroma) -> dict[str, str]:
    """Settings of every assistant process here: the Chroma server, the hash embedder, a short Chroma timeout."""
    settings = {**chroma.env(), "ASSISTANT_EMBEDDER": "hash", "ASSISTANT_CHROMA_TIMEOUT": str(CHROMA_TIMEOUT)}
    done = run_ingest([EXAMPLES], settings)
    assert done.returncode == 0, done.stdout + done.stderr
    return settings


@pytest.fixture
def served(env, tmp_path):
    server = start_server(tmp_path / "unused-index", tmp_path / "server.log", env)
    yield server
    server.stop()


@pytest.fixture
def versions(served, env) -> ArticleVersions:
    """Every stored article, read while the server is up: citations are checked against these."""
    listed = cli(["list", "--json"], env)
    assert listed.returncode == 0, listed.stderr
    found = ArticleVersions(served.url)
    with httpx.Client(timeout=60) as client:
        found.fetch_all(client, [row["id"] for row in json.loads(listed.stdout)])
    return found


def assert_exact(client: httpx.Client, versions: ArticleVersions, body: dict) -> None:
    assert body["citations"], body
    for c in body["citations"]:
        assert versions.problem(client, c) is None, c


def assert_unavailable(r: httpx.Response, chroma: ChromaServer) -> dict:
    assert r.status_code == 503, r.text
    body = r.json()
    assert body["error"] == "store_unavailable"
    assert body["message"].startswith("store unavailable") and chroma.url in body["message"]
    assert f"chroma run --path DIR --host 127.0.0.1 --port {chroma.port}" in body["fix"]
    return body


def test_stopped_chroma_server_is_reported_and_the_same_assistant_recovers(chroma, env, served, versions,
                                                                            tmp_path):
    from gradio_client import Client

    with httpx.Client(base_url=served.url, timeout=120) as client:
        first = client.post("/api/ask", json={"question": VELMORA})
        assert first.status_code == 200
        assert_exact(client, versions, first.json())
        counts = client.get("/api/health").json()
        assert counts["articles"] == len(versions.article_ids) > 0 and "Chroma server" in counts["store"]
        aid = first.json()["citations"][0]["article_id"]

        chroma.stop()
        body = assert_unavailable(client.post("/api/ask", json={"question": VELMORA}), chroma)
        assert "did not answer" in body["message"]
        assert_unavailable(client.get("/api/health"), chroma)
        assert_unavailable(client.get(f"/api/articles/{aid}"), chroma)
        chat = Client(served.url, verbose=False, download_files=False)
        transcript = chat.predict(VELMORA, [], [], "", "", api_name="/on_ask")[0]
        # a journalist reads what happened in plain words; the log keeps the server's address and the fix
        assert "Try again in a minute" in transcript and "chroma run" not in transcript
        assert "chroma run" in served.output() and chroma.url.split("//")[-1] in served.output()

        asked = cli(["ask", VELMORA], env)
        assert asked.returncode != 0
        assert "store unavailable" in asked.stderr and chroma.url in asked.stderr and "chroma run" in asked.stderr
        ingested = run_ingest(write_extra_articles(tmp_path / "extra"), env)
        assert ingested.returncode != 0
        assert "store unavailable" in ingested.stderr and "chroma run" in ingested.stderr

        chroma.start()  # same port, same --path
        again = client.post("/api/ask", json={"question": VELMORA})  # the first question after the restart
        assert again.status_code == 200, again.text
        assert again.json() == first.json()
        assert_exact(client, versions, again.json())
        assert client.get("/api/health").json() == counts  # no data lost, and the failed ingest wrote nothing
        assert client.get(f"/api/articles/{aid}").json()["text"] == versions.seen(aid)[0]["text"]
    assert served.proc.poll() is None  # the same `assistant serve` process throughout
    checked = cli(["check"], env)
    assert checked.returncode == 0 and "0 problem(s)" in checked.stdout, checked.stdout + checked.stderr


def test_paused_chroma_server_times_out_as_unavailable_then_recovers(chroma, served, versions):
    """SIGSTOP keeps the port accepting connections with nobody answering: the assistant must not hang."""
    with httpx.Client(base_url=served.url, timeout=120) as client:
        assert client.post("/api/ask", json={"question": VELMORA}).status_code == 200
        chroma.pause()
        try:
            body = assert_unavailable(client.post("/api/ask", json={"question": VELMORA}), chroma)
            assert "did not answer" in body["message"] and "Timeout" in body["message"]
            assert_unavailable(client.get("/api/health"), chroma)
        finally:
            chroma.resume()
        again = client.post("/api/ask", json={"question": VELMORA})
        assert again.status_code == 200, again.text
        assert_exact(client, versions, again.json())


def test_twenty_clients_asking_through_a_restart_get_answers_or_503_only(chroma, served, versions):
    """While 20 clients ask: every answer is 200 with exact citations or 503 store_unavailable (never another
    status, never a hang), and every question sent after the server is back is answered."""
    load = Load(served.url, QUESTIONS, 20, versions).start()
    time.sleep(3)
    stopping = time.perf_counter()
    chroma.stop()  # returns once the process has exited: requests it took in before are still served
    stopped = time.perf_counter()
    time.sleep(3)
    starting = time.perf_counter()
    chroma.start()
    restarted = time.perf_counter()
    time.sleep(5)
    samples = load.stop()
    up = [s for s in samples if s.ended < stopping]
    down = [s for s in samples if stopped < s.started and s.ended < starting]
    back = [s for s in samples if s.started > restarted]
    assert up and down and back, (len(up), len(down), len(back))
    assert [s.problem for s in up + back if s.problem] == []
    assert [s.problem for s in samples if s.problem and s.error != "store_unavailable"] == []
    # while it is down, a question that needs a search gets 503; one the archive answers from memory ("What did Mayor
    # Ilsa Varenko say?": quotes and articles already read) is answered, its citations checked like any other
    assert all(s.error == "store_unavailable" or (s.status == 200 and not s.problem) for s in down)
    assert any(s.error == "store_unavailable" for s in down)
    assert [v for s in samples for v in s.violations] == []
    assert served.proc.poll() is None


def test_collections_recreated_on_the_server_are_found_again_by_name(chroma, env, served, versions):
    """The server's data is rebuilt (a fresh --path, the articles ingested again): the collections get new ids,
    which the running assistant looks up again by name instead of failing until it is restarted."""
    with httpx.Client(base_url=served.url, timeout=120) as client:
        first = client.post("/api/ask", json={"question": VELMORA}).json()
        counts = client.get("/api/health").json()
        chroma.stop()
        chroma.path.rename(chroma.path.with_name("chroma-before-rebuild"))
        chroma.start()
        done = run_ingest([EXAMPLES], env)
        assert done.returncode == 0, done.stdout + done.stderr
        again = client.post("/api/ask", json={"question": VELMORA})
        assert again.status_code == 200, again.text
        assert again.json() == first
        assert_exact(client, versions, again.json())
        assert client.get("/api/health").json() == counts


def test_an_ingest_the_server_dies_under_stops_with_the_message_and_a_rerun_completes(chroma, env, shared_dir,
                                                                                        tmp_path):
    """The Chroma server stops while `assistant ingest` writes: the ingest exits with the clear message; after
    the restart what it stored is consistent or settled by the next ingest, which completes the rest."""
    from benchmarks.concurrent_ask import write_jsonl

    with (shared_dir / "data" / "multihop_rag" / "articles.jsonl").open(encoding="utf-8") as fh:
        articles = [json.loads(line) for line in fh][:40]
    path = write_jsonl(tmp_path / "news" / "news.jsonl", articles)
    before = len(json.loads(cli(["list", "--json"], env).stdout))
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "ingest", str(path), "--no-progress"],
                            env=assistant_env(env), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    with httpx.Client(base_url=chroma.url, timeout=30) as client:  # stop once a few articles are stored
        collections = {c["name"]: c["id"] for c in client.get(
            "/api/v2/tenants/default_tenant/databases/default_database/collections").json()}
        count = f"/api/v2/tenants/default_tenant/databases/default_database/collections/" \
                f"{collections['news-articles']}/count"
        deadline = time.monotonic() + 300
        while client.get(count).json() < before + 5 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
    chroma.stop()
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 2, out + err
    assert "store unavailable" in err and chroma.url in err and "chroma run" in err
    chroma.start()
    again = run_ingest([path], env)
    assert again.returncode == 0, again.stdout + again.stderr
    checked = cli(["check"], env)
    assert checked.returncode == 0 and "0 problem(s)" in checked.stdout, checked.stdout + checked.stderr
    assert len(json.loads(cli(["list", "--json"], env).stdout)) == before + len(articles)

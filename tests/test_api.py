"""The JSON API over HTTP against a real `assistant serve`: shapes, status codes, auth, CORS, docs, no keys in logs."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from assistant.core import Assistant
from common.config import Config
from common.records import Citation
from index.store import ChromaStore

from .conftest import EXAMPLES, free_port
from .serving import SLASH_ID, XSS_QUESTION, XSS_SENTENCE, build_index, start_server, write_extra_articles

KEYS = ("key-one-abc", "secret-key-two-xyz")
ALLOWED = "http://allowed.test:8123"
VELMORA = "How many people died in the Velmora flood?"


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("api")
    build_index(root / "index", [EXAMPLES, *write_extra_articles(root / "extra")])
    return root / "index"


@pytest.fixture(scope="module")
def server(index_dir):
    env = {"ASSISTANT_EMBEDDER": "hash", "ASSISTANT_API_KEYS": ",".join(KEYS), "ASSISTANT_ALLOWED_ORIGINS": ALLOWED}
    srv = start_server(index_dir, index_dir.parent / "server.log", env)
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=server.url, timeout=30, headers={"Authorization": f"Bearer {KEYS[1]}"}) as c:
        yield c


def test_health_answers_without_a_key(server):
    r = httpx.get(f"{server.url}/api/health")
    assert r.status_code == 200
    body = r.json()
    assert body["articles"] == 10 and body["chunks"] > 0 and body["sentences"] > 0
    assert "store" not in body and body["embedder"].startswith("hash")  # the index path: only with a key
    keyed = httpx.get(f"{server.url}/api/health", headers={"Authorization": f"Bearer {KEYS[0]}"}).json()
    assert "local index" in keyed["store"]


def test_ask_returns_exactly_answer_to_dict(client, index_dir):
    r = client.post("/api/ask", json={"question": VELMORA})
    assert r.status_code == 200
    body = r.json()
    config = Config.from_env(env={}, index_dir=index_dir, embedder="hash")
    expected = Assistant(config, store=ChromaStore(config)).ask(VELMORA).to_dict()
    assert body == expected
    assert set(body) == {"answer", "short_answer", "abstained", "citations", "timeline", "statements"}
    assert "14" in body["short_answer"] and "[1]" in body["answer"]
    assert all(set(c) == set(Citation.__dataclass_fields__) for c in body["citations"])


def test_citations_are_exact_slices_of_the_article(client):
    for c in client.post("/api/ask", json={"question": VELMORA}).json()["citations"]:
        article = client.get(f"/api/articles/{c['article_id']}").json()
        assert article["text"][c["char_start"] : c["char_end"]] == c["text"]
        s = article["sentences"][c["sentence_index"]]
        assert (s["char_start"], s["char_end"]) == (c["char_start"], c["char_end"])


def test_untrusted_text_comes_back_verbatim_as_json(client):
    body = client.post("/api/ask", json={"question": XSS_QUESTION}).json()
    assert body["citations"][0]["text"] == XSS_SENTENCE


def test_history_carries_the_conversation(client):
    first = client.post("/api/ask", json={"question": "What did Mayor Ilsa Varenko say?"}).json()
    follow = {"question": "Who said that?", "history": [{"question": "What did Mayor Ilsa Varenko say?", **first}]}
    with_history = client.post("/api/ask", json=follow).json()
    alone = client.post("/api/ask", json={"question": "Who said that?"}).json()
    assert not with_history["abstained"] and "Varenko" in with_history["answer"]
    assert with_history != alone


def test_filters_restrict_sources_and_dates(client):
    by_source = client.post("/api/ask", json={"question": VELMORA, "filters": {"sources": ["Kessaly Herald"]}}).json()
    assert all(c["source"] == "Kessaly Herald" for c in by_source["citations"])
    early = client.post("/api/ask", json={"question": VELMORA, "filters": {"date_to": "2026-03-07"}}).json()
    assert early["citations"] and all(c["published_at"][:10] <= "2026-03-07" for c in early["citations"])
    bad = client.post("/api/ask", json={"question": VELMORA, "filters": {"date_from": "last tuesday"}})
    assert bad.status_code == 400 and "date_from" in bad.json()["message"]


def test_article_ids_may_contain_slashes_and_unknown_ids_are_404(client):
    r = client.get(f"/api/articles/{SLASH_ID}")
    assert r.status_code == 200
    body = r.json()
    assert body["id"] == SLASH_ID and body["published_at"].startswith("2026-03-14")
    assert [s["index"] for s in body["sentences"]] == [0, 1]
    missing = client.get("/api/articles/no/such/article")
    assert missing.status_code == 404
    assert missing.json()["error"] == "not_found" and "no/such/article" in missing.json()["message"]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {KEYS[0]}"}])
def test_missing_or_wrong_key_is_401_json(server, headers):
    for method, path, body in (("POST", "/api/ask", {"question": VELMORA}), ("GET", "/api/articles/velmora-flood-toll", None)):
        r = httpx.request(method, server.url + path, json=body, headers=headers)
        assert r.status_code == 401
        assert r.json()["error"] == "unauthorized" and r.headers["www-authenticate"] == "Bearer"


def test_every_configured_key_works(server):
    for key in KEYS:
        r = httpx.get(f"{server.url}/api/articles/velmora-flood-toll", headers={"Authorization": f"Bearer {key}"})
        assert r.status_code == 200


@pytest.mark.parametrize(
    "content, needle",
    [
        ('{"question": "unfinished', "not valid JSON"),
        ('{"question": 42}', "question"),
        ('{"question": "q", "history": "not a list"}', "history"),
        ('{"question": "q", "history": [{"answer": "no question"}]}', "history.0.question"),
        ('{"question": "q", "filters": {"source": ["typo"]}}', "filters.source"),
        ('{"history": []}', "question"),
        ('["question"]', "dictionary"),
        ('{"question": "   "}', "empty"),
    ],
)
def test_malformed_requests_are_400_with_a_clear_message(client, content, needle):
    r = client.post("/api/ask", content=content, headers={"Content-Type": "application/json"})
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["error"] == "bad_request" and needle in body["message"] and body["fix"]


def test_limits_are_413(client):
    assert client.post("/api/ask", json={"question": "x" * 2001}).status_code == 413
    assert client.post("/api/ask", json={"question": "flood " * 333}).status_code == 200  # 1998 characters
    turn = {"question": "q", "answer": "a", "short_answer": None, "abstained": True, "citations": []}
    r = client.post("/api/ask", json={"question": VELMORA, "history": [turn] * 21})
    assert r.status_code == 413 and "20" in r.json()["message"]
    assert client.post("/api/ask", json={"question": VELMORA, "history": [turn] * 20}).status_code == 200


def test_cors_only_for_allowed_origins_and_only_on_the_api(server, client):
    ok = client.post("/api/ask", json={"question": VELMORA}, headers={"Origin": ALLOWED})
    assert ok.headers.get("access-control-allow-origin") == ALLOWED
    other = client.post("/api/ask", json={"question": VELMORA}, headers={"Origin": "http://evil.test"})
    assert "access-control-allow-origin" not in other.headers
    preflight = httpx.options(f"{server.url}/api/ask", headers={
        "Origin": ALLOWED, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type"})
    assert preflight.status_code == 200 and "authorization" in preflight.headers["access-control-allow-headers"].lower()
    denied = httpx.options(f"{server.url}/api/ask", headers={
        "Origin": "http://evil.test", "Access-Control-Request-Method": "POST"})
    assert denied.status_code == 400 and "access-control-allow-origin" not in denied.headers
    assert "access-control-allow-origin" not in httpx.get(f"{server.url}/", headers={"Origin": ALLOWED}).headers


def test_widget_assets_and_frame_ancestors(server):
    js = httpx.get(f"{server.url}/widget.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    assert "innerHTML" not in js.text and "insertAdjacentHTML" not in js.text and "textContent" in js.text
    page = httpx.get(f"{server.url}/widget")
    assert page.status_code == 200 and 'src="widget.js"' in page.text
    assert f"frame-ancestors 'self' {ALLOWED}" in page.headers["content-security-policy"]
    assert httpx.get(f"{server.url}/").headers["content-security-policy"] == "frame-ancestors 'self'"


def test_openapi_docs_are_served_offline(server):
    spec = httpx.get(f"{server.url}/openapi.json").json()
    assert {"/api/ask", "/api/articles/{article_id}", "/api/health"} <= set(spec["paths"])
    docs = httpx.get(f"{server.url}/docs")
    assert docs.status_code == 200 and "/docs-assets/swagger-ui-bundle.js" in docs.text
    assert httpx.get(f"{server.url}/docs-assets/swagger-ui-bundle.js").status_code == 200


def test_keys_are_never_logged(server, client):
    client.post("/api/ask", json={"question": VELMORA})
    httpx.post(f"{server.url}/api/ask", json={"question": "q"}, headers={"Authorization": "Bearer not-a-key-123"})
    time.sleep(0.3)
    log = server.output()
    assert "POST /api/ask" in log  # the access log is on, so the check below means something
    assert not any(secret in log for secret in (*KEYS, "not-a-key-123"))


def test_ui_password_guards_the_chat_but_not_health(index_dir, tmp_path):
    env = {"ASSISTANT_EMBEDDER": "hash", "ASSISTANT_UI_USER": "editor", "ASSISTANT_UI_PASSWORD": "pw-9f3k"}
    srv = start_server(index_dir, tmp_path / "ui-auth.log", env)
    try:
        with httpx.Client(base_url=srv.url, timeout=30) as c:
            assert c.get("/config").status_code == 401
            assert c.post("/login", data={"username": "editor", "password": "nope"}).status_code == 400
            assert c.post("/login", data={"username": "editor", "password": "pw-9f3k"}).status_code == 200
            assert c.get("/config").status_code == 200  # the session cookie from the log-in
            assert c.get("/api/health").status_code == 200
    finally:
        srv.stop()
    assert "pw-9f3k" not in srv.output()


def test_refuses_to_listen_publicly_without_auth(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    cmd = [sys.executable, "-m", "assistant", "serve", "--host", "0.0.0.0", "--port", str(free_port()),
           "--index", str(tmp_path / "index")]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 2
    assert "--allow-insecure" in done.stderr and "ASSISTANT_API_KEYS" in done.stderr


def test_store_unavailable_is_503(tmp_path):
    """A Chroma server that goes away: health and ask answer 503 with the fix, not a traceback."""
    from starlette.testclient import TestClient

    from assistant.web.server import create_app

    port = free_port()
    chroma = subprocess.Popen([str(Path(sys.executable).with_name("chroma")), "run", "--path", str(tmp_path / "c"),
                               "--host", "127.0.0.1", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        config = Config.from_env(env={}, index_dir=tmp_path / "unused", embedder="hash", chroma_host="127.0.0.1",
                                 chroma_port=port)
        deadline = time.time() + 30
        while True:
            try:
                assistant = Assistant(config, store=ChromaStore(config))
                break
            except Exception:  # noqa: BLE001 - the server is still starting
                if time.time() > deadline:
                    raise
                time.sleep(0.3)
        client = TestClient(create_app(config, assistant), base_url="http://localhost")  # a Host we answer
        assert client.get("/api/health").status_code == 200
    finally:
        chroma.terminate()
        chroma.wait(timeout=10)
    for r in (client.get("/api/health"), client.post("/api/ask", json={"question": VELMORA})):
        assert r.status_code == 503, r.text
        assert r.json()["error"] == "store_unavailable" and "chroma run" in r.json()["fix"]

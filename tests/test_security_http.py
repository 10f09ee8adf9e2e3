"""Issue 26 over HTTP against a real `assistant serve` on 127.0.0.1: other web pages cannot use the chat's routes
(CORS/CSRF), unknown Host names are refused (DNS rebinding), no delete or upload without the log-in, and the
smaller findings (health, lone surrogates, secrets in the access log, refused-origin log lines, slow clients,
log-in throttling)."""

from __future__ import annotations

import socket
import time
from contextlib import contextmanager
from urllib.parse import urlsplit

import httpx
import pytest

from .conftest import EXAMPLES
from .gradio_calls import call, file_data, handlers, upload
from .serving import build_index, start_server

KEY, USER, PASSWORD = "k-sec-4711", "editor", "pw-sec-0815"
PUBLIC = "assistant.newsroom.example"  # the name a TLS proxy serves the chat under
EVIL = "https://evil.example"
ARTICLE = "velmora-flood-toll"


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("security")
    build_index(root / "index", [EXAMPLES])
    return root / "index"


@pytest.fixture(scope="module")
def guarded(index_dir):
    """Every protection on: API keys, the chat's log-in, a partner origin, a public name behind a proxy."""
    env = {"ASSISTANT_EMBEDDER": "hash", "ASSISTANT_API_KEYS": KEY, "ASSISTANT_UI_USER": USER,
           "ASSISTANT_UI_PASSWORD": PASSWORD, "ASSISTANT_ALLOWED_ORIGINS": "https://partner.example",
           "ASSISTANT_PUBLIC_HOSTS": PUBLIC, "ASSISTANT_CLIENT_TIMEOUT": "2"}
    server = start_server(index_dir, index_dir.parent / "guarded.log", env, timeout=300)  # a busy shared machine
    yield server
    server.stop()


@pytest.fixture(scope="module")
def local(index_dir):
    """The scripts/run.sh set-up: loopback, no log-in, no keys."""
    server = start_server(index_dir, index_dir.parent / "local.log", {"ASSISTANT_EMBEDDER": "hash"}, timeout=300)
    yield server
    server.stop()


@contextmanager
def logged_in(server):
    """A client reaching the server under the proxy's name, logged in as the editor."""
    with httpx.Client(base_url=server.url, timeout=60, headers={"Host": PUBLIC}) as client:
        assert client.post("/login", data={"username": USER, "password": PASSWORD}).status_code == 200
        yield client


def test_chat_routes_refuse_other_web_pages_even_for_the_logged_in_editor(guarded):
    """The issue's probe: under the proxy's name, /config, queue/join and upload reflected any Origin with
    credentials. Now another page's request is refused before Gradio sees it; the chat's own pages still work."""
    with logged_in(guarded) as c:
        join = {"data": [], "event_data": None, "fn_index": 0, "session_hash": "probe"}
        attempts = [("GET", "/config", {}), ("POST", "/gradio_api/queue/join", {"json": join}),
                    ("POST", "/gradio_api/upload", {"files": {"files": ("a.txt", b"planted", "text/plain")}}),
                    ("GET", "/gradio_api/queue/data?session_hash=probe", {})]
        for method, path, body in attempts:
            for headers in ({"Origin": EVIL}, {"Origin": "null"},
                            {"Origin": "https://evil.newsroom.example", "Sec-Fetch-Site": "same-site"},
                            {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors"}):
                r = c.request(method, path, headers=headers, **body)
                assert r.status_code == 403, (method, path, headers, r.status_code)
                assert "access-control-allow-origin" not in r.headers and "access-control-allow-credentials" not in r.headers
        preflight = c.options("/gradio_api/queue/join", headers={"Origin": EVIL, "Access-Control-Request-Method": "POST"})
        assert preflight.status_code == 403 and "access-control-allow-origin" not in preflight.headers
        # a form posted by another site's page (no Origin in old browsers): its Referer gives it away
        assert c.post("/gradio_api/queue/join", json=join, headers={"Referer": f"{EVIL}/page"}).status_code == 403
        # the chat's own page, under the proxy's name or with the Host the proxy passes on; a plain navigation
        assert c.get("/config", headers={"Origin": f"https://{PUBLIC}"}).status_code == 200
        assert c.get("/config", headers={"Host": urlsplit(guarded.url).netloc,
                                         "Origin": f"https://{PUBLIC}"}).status_code == 200
        assert c.get("/config").status_code == 200
        nav = c.get("/", headers={"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"})
        assert nav.status_code == 200
    assert "refused GET /config to the chat's routes from the web page origin https://evil.example" in guarded.output()


def test_log_in_cookies_are_samesite_lax(guarded):
    r = httpx.post(f"{guarded.url}/login", data={"username": USER, "password": PASSWORD})
    cookies = r.headers.get_list("set-cookie")
    assert r.status_code == 200 and cookies
    assert all("samesite=lax" in c.lower() and "samesite=none" not in c.lower() for c in cookies), cookies


def test_unknown_host_names_are_refused(local, guarded):
    """DNS rebinding: the attacker's name resolves to 127.0.0.1, so its page reaches us with its own Host."""
    port = urlsplit(local.url).port
    for path in (f"/api/articles/{ARTICLE}", "/config", "/", "/api/health"):
        r = httpx.get(f"{local.url}{path}", headers={"Host": f"rebind.attacker.example:{port}"})
        assert r.status_code == 403, (path, r.status_code)
    for host in (f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}", "LOCALHOST"):
        assert httpx.get(f"{local.url}/api/articles/{ARTICLE}", headers={"Host": host}).status_code == 200
    assert httpx.get(f"{guarded.url}/config", headers={"Host": "other.newsroom.example"}).status_code == 403
    assert httpx.get(f"{guarded.url}/api/health", headers={"Host": PUBLIC.upper()}).status_code == 200
    assert local.output().count("refused requests for the host name rebind.attacker.example") == 1
    assert "ASSISTANT_PUBLIC_HOSTS" in local.output()


def test_no_delete_or_upload_without_a_log_in(local):
    """On loopback without a log-in nobody is an admin any more (behind a proxy everyone is 127.0.0.1): the
    chat's own delete and upload handlers, called as its page calls them, refuse."""
    with httpx.Client(base_url=local.url, timeout=60) as c:
        fns = handlers(c)
        status, opened = call(c, fns["on_open"], [], {"index": 0, "value": ARTICLE}, session="s-del")
        assert status == 200 and ARTICLE in opened["data"][0]
        status, deleted = call(c, fns["on_delete"], [None, [], None, None, ""], session="s-del")
        assert status == 200 and "administrator can delete articles" in deleted["data"][0]
        assert c.get(f"/api/articles/{ARTICLE}").status_code == 200
        status, paths = upload(c, "planted.txt", b"Planted article. The mayor resigned on Friday, it says.")
        assert status == 200 and paths
        status, added = call(c, fns["on_ingest"], [[file_data(paths[0], "planted.txt")]])
        assert status == 200 and "administrator can add articles" in added["data"][0]
        assert c.get("/api/articles/planted").status_code == 404
    log = local.output()
    assert "refused to delete article 'velmora-flood-toll' for a visitor without log-in" in log
    assert "refused to add 1 uploaded file(s)" in log


def test_health_shows_the_store_only_with_a_key(guarded):
    anonymous = httpx.get(f"{guarded.url}/api/health").json()
    assert anonymous["articles"] == 8 and "store" not in anonymous and str(guarded.url) not in str(anonymous)
    keyed = httpx.get(f"{guarded.url}/api/health", headers={"Authorization": f"Bearer {KEY}"}).json()
    assert "local index" in keyed["store"]


@pytest.mark.parametrize("body, where", [
    (b'{"question": "\\ud800"}', "question"),
    (b'{"question": "Velmora flood", "filters": {"sources": ["\\udfff"]}}', "filters.sources.0"),
    (b'{"question": "Velmora", "history": [{"question": "a\\ud800b", "answer": ""}]}', "history.0.question"),
])
def test_lone_surrogates_are_400_naming_the_field(guarded, body, where):
    r = httpx.post(f"{guarded.url}/api/ask", content=body, headers={
        "Authorization": f"Bearer {KEY}", "Content-Type": "application/json"})
    assert r.status_code == 400 and where in r.json()["message"] and "surrogate" in r.json()["message"]


def test_secrets_in_a_query_string_are_not_logged(guarded):
    for query in (f"key={KEY}", f"api_key={KEY}&x=1", f"access_token={KEY}"):
        httpx.get(f"{guarded.url}/api/examples?{query}")
    time.sleep(0.5)
    log = guarded.output()
    assert "GET /api/examples?key=[redacted]" in log and KEY not in log


def test_refused_origins_are_logged_once_each_boundedly_and_null_is_never_suggested(guarded):
    ask = {"question": "Velmora flood"}
    httpx.post(f"{guarded.url}/api/ask", json=ask, headers={"Origin": "null", "Authorization": f"Bearer {KEY}"})
    with httpx.Client(base_url=guarded.url, timeout=30) as c:
        for n in range(120):
            c.post("/api/ask", json={"question": ""}, headers={"Origin": f"https://site{n}.example"})
    time.sleep(0.5)
    log = guarded.output()
    assert "origin 'null': a sandboxed frame" in log and ",null" not in log
    assert 1 <= log.count("refused API requests from the web page origin") <= 100


def read_until_closed(sock: socket.socket) -> bytes:
    got = b""
    while chunk := sock.recv(4096):
        got += chunk
    return got


@pytest.mark.parametrize("sent", [
    b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n",  # a head that never ends
    b"POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
])
def test_a_client_that_stops_sending_is_cut_off(guarded, sent):
    """ASSISTANT_CLIENT_TIMEOUT=2 here: the server closes the connection; before, it waited forever (this
    socket's own 60 s timeout would fail the test)."""
    with socket.create_connection(("127.0.0.1", urlsplit(guarded.url).port), timeout=60) as sock:
        sock.sendall(sent)
        assert b"200 OK" not in read_until_closed(sock)
    assert httpx.get(f"{guarded.url}/api/health").status_code == 200  # other clients are served meanwhile


def test_a_client_dripping_its_request_head_is_cut_off(guarded):
    """Slowloris: one header line every half second keeps an idle timer happy; the head's deadline counts from
    its first byte, after a first request on the same connection too. 60 lines would take 30 s."""
    with socket.create_connection(("127.0.0.1", urlsplit(guarded.url).port), timeout=60) as sock:
        sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert b"200 OK" in sock.recv(4096)
        sock.sendall(b"GET /api/health HTTP/1.1\r\n")
        closed = False
        for _ in range(60):
            time.sleep(0.5)
            try:
                sock.sendall(b"X-Drip: 1\r\n")
            except OSError:
                closed = True
                break
            sock.setblocking(False)
            try:
                closed = sock.recv(4096) == b""
            except BlockingIOError:
                pass
            finally:
                sock.setblocking(True)
            if closed:
                break
        assert closed, "the server still waits for a head dripped for 30 s"


def test_failed_log_ins_are_throttled_per_user_name(guarded):
    """Five wrong passwords in a row, then even the right one is refused for a while (429, Retry-After).
    Last in the module: it locks the editor's name out of this server."""
    for _ in range(5):
        assert httpx.post(f"{guarded.url}/login", data={"username": USER, "password": "guess"}).status_code == 400
    locked = httpx.post(f"{guarded.url}/login", data={"username": USER, "password": PASSWORD})
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0
    assert locked.json()["error"] == "too_many_requests"
    assert "failed log-in for the user name 'editor' from 127.0.0.1 (5 in a row)" in guarded.output()

"""Hostile requests (hypothesis) to a real `assistant serve` on 127.0.0.1: always a JSON 2xx/4xx, never a 5xx or a
hang, 200 answers cite exact sentences, and the upload tab writes nothing outside its own temporary folders."""

from __future__ import annotations

import http.client
import json
import os
import re
import urllib.parse
import uuid
from pathlib import Path

import httpx
import pytest
from hypothesis import currently_in_test_context, event, example, given
from hypothesis import strategies as st

from common.config import Config

from .conftest import EXAMPLES
from .fuzzing import HOSTILE_TEXT, JSON_VALUE, fuzz
from .serving import build_index, start_server, write_extra_articles

LIMITS = Config.from_env(env={}, index_dir=Path("/nonexistent"))  # the defaults the server runs with
TIMEOUT = httpx.Timeout(60.0)  # a hang fails the test instead of blocking it
# Stored articles whose ids look like paths, query strings or Chroma keys (ids are only ever Chroma keys).
ODD_IDS = ["../../x", "a/../../b", "..", "%2e%2e%2fx", "x::s0", "?q=1#frag", "a b", "~/x", "/lead", "trail/", "é/ü"]
ERROR_KEYS = {"error", "message", "fix"}
ANSWER_KEYS = {"answer", "short_answer", "abstained", "citations", "timeline", "statements"}


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz-api")


@pytest.fixture(scope="module")
def server(root):
    odd = root / "extra" / "odd-ids.jsonl"
    odd.parent.mkdir(parents=True)
    odd.write_text("".join(json.dumps({"id": i, "title": f"Odd {i}", "source": "Odd Wire", "text":
                                       f"The article with the odd id {i} exists. It has a second sentence."}) + "\n"
                           for i in ODD_IDS), encoding="utf-8")
    build_index(root / "index", [EXAMPLES, *write_extra_articles(root / "extra"), odd])
    for name in ("gradio", "tmp", "outside"):
        (root / name).mkdir()
    env = {"ASSISTANT_EMBEDDER": "hash", "GRADIO_TEMP_DIR": str(root / "gradio"), "TMPDIR": str(root / "tmp")}
    srv = start_server(root / "index", root / "server.log", env)
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=server.url, timeout=TIMEOUT) as c:
        yield c


@pytest.fixture(scope="module")
def stored_ids(client) -> set[str]:
    health = client.get("/api/health").json()
    assert health["articles"] == 10 + len(ODD_IDS)
    return {*ODD_IDS, "velmora-flood-toll", "desk/politics/2026-03-14"}


def article_url(article_id: str) -> str:
    """Every character but letters, digits and `-_~` percent-encoded: dots too, or `..` would be normalised away."""
    quoted = urllib.parse.quote(article_id.encode("utf-8", "surrogatepass"), safe="")
    return "/api/articles/" + quoted.replace(".", "%2E")


def post_json(client: httpx.Client, body: object) -> httpx.Response:
    """POST `body` as JSON the way a careless client might: lone surrogates as \\ud800 escapes, NaN allowed."""
    return client.post("/api/ask", content=json.dumps(body).encode(), headers={"content-type": "application/json"})


def check_json_reply(client: httpx.Client, r: httpx.Response) -> dict:
    """A JSON object with status 2xx or 4xx; an error has {error, message, fix}; an answer cites exact text."""
    assert r.status_code < 500, r.text
    assert r.headers["content-type"].startswith("application/json"), r.headers
    body = r.json()
    if currently_in_test_context():
        event(f"HTTP {r.status_code}")  # the spread shows in --hypothesis-show-statistics
    if r.status_code >= 400:
        assert set(body) == ERROR_KEYS and body["message"] and body["fix"], body
        return body
    if set(body) == ANSWER_KEYS:
        check_citations(client, body)
    return body


def check_citations(client: httpx.Client, answer: dict) -> None:
    for c in answer["citations"]:
        article = client.get(article_url(c["article_id"]))
        assert article.status_code == 200, (c["article_id"], article.text)
        text = article.json()["text"]
        assert text[c["char_start"] : c["char_end"]] == c["text"]
        s = article.json()["sentences"][c["sentence_index"]]
        assert (s["char_start"], s["char_end"]) == (c["char_start"], c["char_end"])


# --- /api/ask --------------------------------------------------------------------------------------------------

TURN = st.fixed_dictionaries(
    {"question": HOSTILE_TEXT},
    optional={"answer": HOSTILE_TEXT, "short_answer": st.none() | HOSTILE_TEXT, "abstained": st.booleans(),
              "citations": st.lists(st.fixed_dictionaries({"article_id": HOSTILE_TEXT,
                                                            "sentence_index": st.integers(-(2**70), 2**70),
                                                            "text": HOSTILE_TEXT}), max_size=3)},
)
FILTERS = st.fixed_dictionaries(
    {},
    optional={"sources": st.lists(HOSTILE_TEXT, max_size=3),
              "date_from": st.none() | st.sampled_from(["2026-03-01", "0001-01-01T00:00:00+14:00", "x"]) | HOSTILE_TEXT,
              "date_to": st.none() | st.sampled_from(["9999-12-31", "2026-03-07", "2026-02-30"]) | HOSTILE_TEXT},
)
QUESTIONS = st.one_of(
    HOSTILE_TEXT,
    st.sampled_from(["How many people died in the Velmora flood?", "What did Mayor Ilsa Varenko say?", "",
                     "   ", "x" * LIMITS.max_question_chars, "x" * (LIMITS.max_question_chars + 1),
                     " " * 5000 + "flood?", "\x00" * 10, "What about ../../x?"]),
    st.text(min_size=1900, max_size=2100),
)
ANY_BODY = st.one_of(
    JSON_VALUE,
    st.fixed_dictionaries({"question": QUESTIONS}, optional={"history": st.none() | st.lists(TURN, max_size=25) |
                                                              JSON_VALUE, "filters": st.none() | FILTERS | JSON_VALUE,
                                                              "extra": JSON_VALUE}),
)


@fuzz(60)
@given(body=ANY_BODY)
@example(body={"question": "Velmora flood?", "filters": {"date_from": "0001-01-01T00:00:00+14:00"}})
@example(body={"question": "q", "history": [{"question": "y", "citations": [{"article_id": "a",
                                                                              "sentence_index": 2**70}]}]})
def test_any_json_body_gets_a_json_2xx_or_4xx(client, body):
    check_json_reply(client, post_json(client, body))


@fuzz(40)
@given(question=QUESTIONS, turns=st.integers(0, 25), turn=TURN)
@example(question="../../x", turns=1, turn={"question": "q", "citations": [  # half a UTF-16 pair: was a 500
    {"article_id": "\ud800", "sentence_index": 0, "text": "t"}]})
@example(question="Who said that?", turns=1, turn={"question": "q", "citations": [
    {"article_id": "velmora-flood-toll", "sentence_index": 2**70, "text": "t"}, {"article_id": "\ud800",
                                                                               "sentence_index": 0, "text": "t"}]})
def test_limits_decide_the_status(client, question, turns, turn):
    """Well-typed requests: 400 for text holding a lone UTF-16 surrogate (not text; anywhere in the body) or an
    empty question, 413 over a limit, else 200 with an answer."""
    request = {"question": question, "history": [turn] * turns}
    r = post_json(client, request)
    body = check_json_reply(client, r)
    q = question.strip()
    if any("\ud800" <= ch <= "\udfff" for ch in json.dumps(request, ensure_ascii=False)) or not q:
        assert r.status_code == 400, body
    elif len(q) > LIMITS.max_question_chars or turns > LIMITS.max_history_turns:
        assert r.status_code == 413, body
    else:
        assert r.status_code == 200 and set(body) == ANSWER_KEYS, body


CONTENT_TYPES = st.sampled_from([None, "application/json", "application/json; charset=latin-1", "text/plain",
                                 "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                                 "application/vnd.api+json", "*/*", "json", ";;;"])  # (a \\x7f is refused by h11)


@fuzz(40)
@given(content=st.one_of(st.binary(max_size=300), JSON_VALUE.map(lambda v: json.dumps(v).encode()),
                         st.sampled_from([b'{"question": "\xff\xfe"}', b"[" * 50_000, b'{"question": "\\ud800"}',
                                          b'{"question": "a\\u0000b"}', b"\xef\xbb\xbf{\"question\": \"q\"}"])),
       content_type=CONTENT_TYPES)
@example(content=b'{"question": "\xff"}', content_type="application/json")  # FastAPI's own 400, was {"detail"}
def test_raw_bytes_and_content_types(client, content, content_type):
    headers = {"content-type": content_type} if content_type else {}
    check_json_reply(client, client.post("/api/ask", content=content, headers=headers))


def test_a_body_over_the_limit_is_413_even_when_chunked(client):
    """Regression: without Content-Length (chunked) a 3 MB body used to be read whole and answered 200."""
    body = json.dumps({"question": "Velmora flood?", "history": [{"question": "q" * 3_000_000}]}).encode()
    declared = client.post("/api/ask", content=body, headers={"content-type": "application/json"})
    chunked = client.post("/api/ask", content=iter([body[i : i + 65536] for i in range(0, len(body), 65536)]),
                          headers={"content-type": "application/json"})
    for r in (declared, chunked):
        assert r.status_code == 413 and check_json_reply(client, r)["error"] == "too_large"
    assert "content-length" not in chunked.request.headers


# --- /api/articles/{id} --------------------------------------------------------------------------------------


@fuzz(60)
@given(article_id=st.one_of(st.sampled_from(ODD_IDS), HOSTILE_TEXT, st.text(max_size=300)))
@example(article_id="a\nb")  # the route cannot match a newline: still a JSON 404
def test_article_ids_are_keys_not_paths(client, stored_ids, article_id):
    r = client.get(article_url(article_id))
    body = check_json_reply(client, r)
    if article_id in stored_ids:
        assert r.status_code == 200 and body["id"] == article_id
        for s in body["sentences"]:
            assert 0 <= s["char_start"] < s["char_end"] <= len(body["text"])
    else:
        assert r.status_code == 404 and body["error"] == "not_found"


@pytest.mark.parametrize("raw_path, status, article_id", [
    ("/api/articles/../../x", 200, "../../x"),  # not normalised: the id "../../x", looked up as a key
    ("/api/articles/a/../../b", 200, "a/../../b"),
    ("/api/articles/../../../../etc/passwd", 404, None),
    ("/api/articles/%2e%2e%2f%2e%2e%2fx", 200, "../../x"),
    ("/api/articles/..%00", 404, None),
])  # fmt: skip
def test_raw_dot_segments_are_never_files(server, raw_path, status, article_id):
    """Sent byte for byte (httpx would normalise `..`): still a key lookup, answered with JSON."""
    host, port = server.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.request("GET", raw_path)
        r = conn.getresponse()
        body = json.loads(r.read())
    finally:
        conn.close()
    assert r.status == status, body
    assert body.get("id") == article_id if status == 200 else body["error"] == "not_found"


# --- the Gradio upload tab -----------------------------------------------------------------------------------


def gradio_call(client: httpx.Client, endpoint: str, data: list) -> tuple[str, object]:
    """(event, data) of the final event of one queued call to a Gradio endpoint, e.g. ("complete", [...])."""
    r = client.post(f"/gradio_api/call/{endpoint}", content=json.dumps({"data": data}).encode(),
                    headers={"content-type": "application/json"})
    assert r.status_code == 200, r.text
    event_id = r.json()["event_id"]
    last = ("", None)
    with client.stream("GET", f"/gradio_api/call/{endpoint}/{event_id}") as stream:
        event = ""
        for line in stream.iter_lines():
            if line.startswith("event:"):
                event = line.removeprefix("event:").strip()
            elif line.startswith("data:") and event in ("complete", "error"):
                last = (event, json.loads(line.removeprefix("data:")))
    return last


def upload(client: httpx.Client, name: str, content: bytes) -> httpx.Response:
    """POST one file to Gradio's upload route, the multipart body built by hand: the name goes out byte for byte
    (NUL, newline, a lone surrogate as invalid UTF-8; only `"` is escaped), as a hostile client would send it."""
    raw = name.encode("utf-8", "surrogatepass").replace(b'"', b"%22")
    body = (b'--fuzzboundary\r\nContent-Disposition: form-data; name="files"; filename="' + raw +
            b'"\r\nContent-Type: text/plain\r\n\r\n' + content + b"\r\n--fuzzboundary--\r\n")
    return client.post("/gradio_api/upload", content=body,
                       headers={"content-type": "multipart/form-data; boundary=fuzzboundary"})


def file_data(path: str, orig_name: str | None = None) -> dict:
    return {"path": path, "orig_name": orig_name, "meta": {"_type": "gradio.FileData"}}


def tree(folder: Path, skip: tuple[str, ...]) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.relative_to(folder).parts[0] not in skip}


def landing_spots(name: str, bases: list[Path]) -> list[Path]:
    """Where a file name used as a path would land, from each folder that handles uploads."""
    spots = []
    for base in bases:
        for part in (name, name.replace("\\", "/")):
            spots.append(Path(os.path.normpath(base / part)) if not os.path.isabs(part) else Path(part))
    return spots


HOSTILE_NAMES = ["../../{tag}.txt", "../../../../../../../tmp/{tag}.txt", "{outside}/{tag}.txt", "..\\..\\{tag}.txt",
                 "a\x00{tag}.txt", "%2e%2e%2f{tag}.txt", "./../{tag}.md", "{tag}.txt/../../x.txt", "..", "/", " ",
                 "{tag}\n.txt", "CON.txt", "{tag}.jsonl"]  # fmt: skip
# Not "": Gradio's own /gradio_api/upload answers a part with an empty file name with a 500 (it parses it as a
# form field: "File is not an instance of GradioUploadFile"); nothing is written, and that route is Gradio's.
NAMES = st.lists(st.sampled_from(HOSTILE_NAMES) | HOSTILE_TEXT.filter(bool), min_size=1, max_size=4)


@fuzz(8)
@given(names=NAMES)
@example(names=HOSTILE_NAMES)
def test_upload_names_never_become_paths(root, server, client, names):
    tag = f"canary-{uuid.uuid4().hex[:12]}"
    names = [n.replace("{tag}", tag).replace("{outside}", str(root / "outside")) for n in names]
    skip = ("gradio", "tmp", "index", "server.log")
    before = tree(root, skip)
    bases = [root / "gradio", root / "gradio" / "x", root / "tmp" / "x", root / "index", Path.cwd(),
             Path(__file__).parents[1]]
    sent = []
    for name in names:
        r = upload(client, name, f"The {tag} article was uploaded under a hostile name. Nothing else.".encode())
        assert r.status_code < 500, r.text
        if r.status_code == 200:
            sent += [file_data(p, name) for p in r.json()]
    if sent:
        event, data = gradio_call(client, "on_ingest", [sent])
        assert event in ("complete", "error"), (event, data)
        if event == "error":  # Gradio refuses some names itself (file type), in its own words
            assert "Invalid file type" in str(data), data
    assert tree(root, skip) == before, "the upload wrote outside the upload and staging folders"
    for name in names:
        for spot in landing_spots(name, bases):
            assert not (tag in str(spot) and spot.exists() and not spot.is_relative_to(root / "gradio")), spot
    assert not list((root / "tmp").glob("assistant-upload-*")), "the staging folder was left behind"
    check_json_reply(client, client.get("/api/health"))


def test_upload_tab_refuses_server_paths_it_did_not_receive(root, server, client):
    """Regression: a mounted Gradio app skipped its check that a file named in a request was uploaded, so a client
    could have any server file (here a secret outside every upload folder) read and indexed."""
    secret = root / "outside" / "secret-notes.txt"
    secret.write_text("The secret budget figure is 987654 crowns. Do not publish.", encoding="utf-8")
    count = client.get("/api/health").json()["articles"]
    for path in (str(secret), str(root / "gradio" / ".." / "outside" / "secret-notes.txt"), "/etc/hostname"):
        event, data = gradio_call(client, "on_ingest", [[file_data(path, "secret-notes.txt")]])
        assert event == "error" or "not uploaded through this page" in str(data), (path, event, data)
    assert client.get("/api/health").json()["articles"] == count
    assert client.get(article_url("secret-notes")).status_code == 404
    assert not list((root / "gradio").rglob("secret-notes.txt")), "the secret was copied into the upload cache"


def test_gradio_ask_with_hostile_input_completes(client):
    """The chat's on_ask (question, conversation, sources, published from, published until) finishes every hostile
    call: an answer or the abstention, or the refusal in plain words (no field or setting names, never "a bug")."""
    for question, date_from, refusal in (("\x00" * 50, "", None), ("x" * 5000, "2026-01-01", "5,000 characters long"),
                                         ("Velmora?", "0001-01-01T00:00+14:00", None),
                                         ("../../x", "not a date", "“Published from” has “not a date”"),
                                         ("", "", "Type a question first.")):
        event, data = gradio_call(client, "on_ask", [question, [], [], date_from, ""])
        assert event == "complete", (question, event, data)
        transcript = data[0]
        assert not re.search(r"ASSISTANT_|date_from|Traceback|a bug", transcript), transcript
        if refusal is None:
            assert "error-box" not in transcript and 'class="msg bot' in transcript, transcript
        else:
            assert '<div class="error-box" role="alert">' in transcript and refusal in transcript, transcript


def test_server_stays_healthy_and_logged_no_bug(server, client):
    """Runs last in this module: after all of the above the server answers and logged no unexpected error."""
    assert client.get("/api/health").status_code == 200
    assert client.post("/api/ask", json={"question": "How many people died in the Velmora flood?"}).status_code == 200
    log = server.output()
    assert "unexpected error" not in log and "Exception in ASGI application" not in log, log[-3000:]
    # Gradio logs a traceback for each request it refuses itself (file type, a path not uploaded): only those
    raised = re.findall(r"^([A-Za-z_][\w.]*(?:Error|Exception)):", log, flags=re.MULTILINE)
    assert all(name.startswith("gradio.exceptions.") for name in raised), raised

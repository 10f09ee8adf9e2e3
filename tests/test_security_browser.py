"""Issue 26 in Debian's chromium, two origins on 127.0.0.1: while the editor is logged in to the chat, a page of
another origin (a partner site allowed to use the API, or another site) tries to read, delete and upload through
the chat's own Gradio routes, exactly as the chat's page does, and fails; the same script run by the chat's page
succeeds (so the failure is the origin, not the script). Also: the framed /widget works with API keys
(/widget#key=KEY), and /read does not follow '..' in an article id to another route."""

from __future__ import annotations

import httpx
import pytest

from .browsing import playwright, scheme_page, serve_folder, shot
from .conftest import EXAMPLES
from .serving import build_index, start_server

sync_api = playwright()
USER, PASSWORD, KEY = "editor", "pw-browser-31", "k-browser-77"
READ, DELETE_OWN, DELETE_FOREIGN = "velmora-flood-nine-dead", "harrowmere-wildfire-evacuation", "velmora-flood-toll"

# What the chat's page does, from whichever page runs it: queue/join a handler (JSON: CORS applies), read the
# session's queue/data stream; upload a file (multipart: no preflight) and ingest it. Returns what it got.
ATTACK_JS = """async ([base, fns, readId, deleteId, fileName]) => {
  const out = {read: null, deleted: null, uploaded: null, added: null, errors: []};
  const session = "s" + Math.random().toString(36).slice(2);
  const call = async (fn, data, eventData) => {
    try {
      const joined = await fetch(base + "/gradio_api/queue/join", {method: "POST", credentials: "include",
        headers: {"Content-Type": "application/json"},
        body: JSON.stringify({data, event_data: eventData, fn_index: fn, trigger_id: null, session_hash: session})});
      if (!joined.ok) { out.errors.push("join " + joined.status); return null; }
      const stream = await fetch(base + "/gradio_api/queue/data?session_hash=" + session, {credentials: "include"});
      const reader = stream.body.getReader(), decoder = new TextDecoder();
      let text = "";
      for (;;) {
        const {value, done} = await reader.read();
        if (done) return null;
        text += decoder.decode(value, {stream: true});
        for (const line of text.split("\\n")) {
          if (!line.startsWith("data:")) continue;
          const msg = JSON.parse(line.slice(5));
          if (msg.msg === "process_completed") { reader.cancel(); return msg.output && msg.output.data; }
        }
      }
    } catch (e) { out.errors.push(String(e)); return null; }
  };
  const read = await call(fns.on_open, [], {index: 0, value: readId});
  out.read = read && read[0];
  await call(fns.on_open, [], {index: 0, value: deleteId});
  const deleted = await call(fns.on_delete, [null, [], null, null, ""], null);
  out.deleted = deleted && deleted[0];
  try {
    const form = new FormData();
    form.append("files", new Blob(["Planted. The mayor of Velmora resigned on Friday, the article claims."],
                                  {type: "text/plain"}), fileName);
    await fetch(base + "/gradio_api/upload", {method: "POST", mode: "no-cors", credentials: "include", body: form});
    const up = await fetch(base + "/gradio_api/upload", {method: "POST", credentials: "include", body: form});
    out.uploaded = await up.json();
    const added = await call(fns.on_ingest, [[{path: out.uploaded[0], orig_name: fileName,
                                               meta: {_type: "gradio.FileData"}}]], null);
    out.added = added && added[0];
  } catch (e) { out.errors.push("upload " + String(e)); }
  document.body.insertAdjacentText("beforeend", JSON.stringify(out, null, 1).slice(0, 1500));
  return out;
}"""


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    root = tmp_path_factory.mktemp("security-browser")
    build_index(root / "index", [EXAMPLES])
    (root / "site").mkdir()
    (root / "site" / "page.html").write_text("<!doctype html><title>Another site</title><h1>Another site</h1>"
                                             '<pre id="out" style="white-space:pre-wrap"></pre>', "utf-8")
    (root / "site" / "partner.html").write_text('<!doctype html><title>Partner</title><h1>Partner</h1>'
                                                '<iframe id="w" width="420" height="560"></iframe>', "utf-8")
    httpd, partner = serve_folder(root / "site")
    env = {"ASSISTANT_EMBEDDER": "hash", "ASSISTANT_UI_USER": USER, "ASSISTANT_UI_PASSWORD": PASSWORD,
           "ASSISTANT_API_KEYS": KEY, "ASSISTANT_ALLOWED_ORIGINS": partner, "GRADIO_TEMP_DIR": str(root / "gradio")}
    server = start_server(root / "index", root / "server.log", env, timeout=300)
    with httpx.Client(base_url=server.url, timeout=60) as c:
        assert c.post("/login", data={"username": USER, "password": PASSWORD}).status_code == 200
        fns = {d["api_name"]: d["id"] for d in c.get("/config").json()["dependencies"]}
    port = partner.rsplit(":", 1)[1]
    yield {"server": server, "fns": fns, "partner": partner, "other": f"http://localhost:{port}",
           "uploads": root / "gradio"}
    server.stop()
    httpd.shutdown()
    httpd.server_close()


def article_status(sites, article_id: str) -> int:
    return httpx.get(f"{sites['server'].url}/api/articles/{article_id}",
                     headers={"Authorization": f"Bearer {KEY}"}).status_code


def uploaded(sites, name: str) -> list:
    return list(sites["uploads"].rglob(name)) if sites["uploads"].exists() else []


def test_another_origin_cannot_read_delete_or_upload_through_the_chat(browser, sites):
    server, fns = sites["server"], sites["fns"]
    with scheme_page(browser) as chat:
        chat.context.request.post(f"{server.url}/login", form={"username": USER, "password": PASSWORD})
        chat.goto(server.url)
        chat.wait_for_selector("#question textarea")  # logged in: the chat, not the log-in form
        own = chat.evaluate(ATTACK_JS, [server.url, fns, READ, DELETE_OWN, "own-upload.txt"])
        assert "Nine dead as River Velm floods Velmora" in own["read"], own
        assert "Deleted" in own["deleted"] and article_status(sites, DELETE_OWN) == 404, own
        assert own["uploaded"] and "Added 1" in own["added"] and article_status(sites, "own-upload") == 200, own

        for origin in (sites["partner"], sites["other"]):  # same site as the chat (127.0.0.1), and another site
            foreign = chat.context.new_page()  # same browser profile: the editor's log-in cookie is there
            foreign.goto(f"{origin}/page.html")
            name = f"planted-{origin.split('//')[1].split(':')[0].replace('.', '-')}.txt"
            got = foreign.evaluate(ATTACK_JS, [server.url, fns, READ, DELETE_FOREIGN, name])
            assert got["read"] is None and got["deleted"] is None and got["added"] is None, got
            assert got["uploaded"] is None and got["errors"], got
            assert article_status(sites, DELETE_FOREIGN) == 200 and article_status(sites, READ) == 200
            assert not uploaded(sites, name), "the foreign page's upload reached the server"
            shot(foreign, f"security-foreign-page-{origin.split('//')[1].split(':')[0]}.png")
            foreign.close()
    log = server.output()
    assert f"deleted article '{DELETE_OWN}' from the index, for 'editor' from 127.0.0.1" in log
    assert "to the chat's routes from the web page origin" in log
    assert log.count("chat: deleted article") == 1


def test_the_framed_widget_works_with_api_keys(browser, sites):
    """/widget is what partners frame; with ASSISTANT_API_KEYS it takes the key from its fragment."""
    with scheme_page(browser) as page:
        page.goto(f"{sites['partner']}/partner.html")
        page.evaluate("([src]) => { document.getElementById('w').src = src; }", [f"{sites['server'].url}/widget#key={KEY}"])
        frame = page.frame_locator("#w")
        frame.locator("input[name=question]").fill("How many people died in the Velmora flood?")
        frame.locator("input[name=question]").press("Enter")
        frame.locator(".msg.bot.answered").wait_for()
        assert "14 people" in frame.locator(".msg.bot.answered").text_content()
        shot(page, "security-framed-widget-with-key.png")
    assert KEY not in sites["server"].output()


def test_read_page_does_not_climb_out_of_the_article_route(browser, sites):
    """An id with '..' segments must not make /read request another route with the key."""
    with scheme_page(browser) as page:
        requests = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(f"{sites['server'].url}/read#id=a/../../../config&s=0&key={KEY}")
        page.wait_for_selector(".problem")
        paths = [r.split("//", 1)[1].split("/", 1)[1] for r in requests if r.startswith(sites["server"].url)]
        assert paths and all(p.startswith(("read", "api/articles/")) for p in paths), paths
        assert "no longer in the index" in page.locator(".problem").text_content()

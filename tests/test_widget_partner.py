"""The widget on partner sites, in chromium: example questions while empty, citations that open the highlighted
sentence in a new tab, and a refused origin or an unreachable server explained (ASSISTANT_ALLOWED_ORIGINS) in the
widget and in the server log."""

from __future__ import annotations

import pytest

from .browsing import SCHEMES, VELMORA, assert_readable, playwright, scheme_page, serve_folder, shot
from .conftest import EXAMPLES, free_port
from .serving import build_index, start_server

sync_api = playwright()
HOST = "#newsroom-assistant-widget"
PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Partner site</title></head>
<body style="font-family:sans-serif;margin:24px"><h1>Partner news site</h1><p>Embeds the assistant widget.</p>
<script src="{server}/widget.js" data-assistant="{assistant}" data-title="Ask our newsroom" {extra}></script></body></html>
"""


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    root = tmp_path_factory.mktemp("partner")
    build_index(root / "index", [EXAMPLES])
    allowed, allowed_url = serve_folder(root)
    foreign, foreign_url = serve_folder(root)
    server = start_server(root / "index", root / "server.log",
                          {"ASSISTANT_EMBEDDER": "hash", "ASSISTANT_ALLOWED_ORIGINS": allowed_url})
    dead = f"http://127.0.0.1:{free_port()}"
    for name, assistant, extra in (("floating", server.url, ""), ("unreachable", dead, ""),
                                   ("inline", server.url, 'data-mode="inline" data-examples="Who said it? | When?"')):
        (root / f"{name}.html").write_text(PAGE.format(server=server.url, assistant=assistant, extra=extra), "utf-8")
    yield {"server": server, "allowed": allowed_url, "foreign": foreign_url}
    server.stop()
    for httpd in (allowed, foreign):
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(params=SCHEMES)
def page(request, browser):
    with scheme_page(browser, request.param) as pg:
        yield pg


def inside(selector: str) -> str:
    return f"{HOST} >> {selector}"


def test_empty_widget_offers_examples_that_ask_in_one_click(page, sites):
    page.goto(f"{sites['allowed']}/floating.html")
    page.click(inside(".launcher"))
    page.wait_for_selector(inside(".examples button"))
    offered = page.locator(inside(".examples button")).all_text_contents()
    # the examples are derived from the index (issue 25): questions about the sample corpus, each answered
    assert offered and len(offered) <= 4 and all(q.endswith("?") for q in offered), offered
    assert_readable(page, [".examples .hint", ".examples button"], host=HOST)
    shot(page, f"state-widget-examples-{page.scheme}.png")
    page.locator(inside(".examples button")).first.click()
    page.wait_for_selector(inside(".msg.bot.answered"))
    assert page.locator(inside(".msg.user")).text_content() == offered[0]
    assert page.locator(inside(".examples")).count() == 0


def test_page_can_name_its_own_examples(page, sites):
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{sites['allowed']}/inline.html")
    page.wait_for_selector(inside(".examples button"))
    assert page.locator(inside(".examples button")).all_text_contents() == ["Who said it?", "When?"]
    assert not any("/api/examples" in u for u in requests)


def test_citation_opens_the_article_with_the_sentence_highlighted_in_a_new_tab(page, sites):
    page.goto(f"{sites['allowed']}/floating.html")
    page.click(inside(".launcher"))
    page.fill(inside("input[name=question]"), VELMORA)
    page.press(inside("input[name=question]"), "Enter")
    page.wait_for_selector(inside(".msg.bot.answered"))
    # [1] "14 people had died", [2] its article's lead (it names the day of the 14), [3] Saturday's nine
    second = page.locator(inside("ol.citations li")).nth(2)
    sentence = second.locator(".sentence").text_content()
    assert second.locator("a.open").get_attribute("target") == "_blank"
    with page.context.expect_page() as opened:
        second.locator("a.open").click()
    article = opened.value
    article.wait_for_selector("mark#highlight")
    assert article.url.startswith(f"{sites['server'].url}/read#")
    assert article.locator("mark").text_content() == sentence
    assert article.locator("h1").text_content() == "Nine dead as River Velm floods Velmora"
    in_view = article.evaluate("""() => { const r = document.querySelector('mark').getBoundingClientRect();
                                          return r.top >= 0 && r.bottom <= innerHeight; }""")
    assert in_view
    assert_readable(article, ["h1", ".meta", ".text", "mark"])
    shot(article, f"state-widget-article-{page.scheme}.png", full_page=False)


def test_read_page_follows_a_moved_sentence_and_says_when_it_is_gone(page, sites):
    base = sites["server"].url
    page.goto(f"{base}/read#id=velmora-flood-toll&s=0&t=" + "The office said 14 people had died".replace(" ", "%20"))
    page.wait_for_selector(".problem")
    assert "no longer in it" in page.locator(".problem").text_content()
    page.goto("about:blank")  # a new fragment alone would not load the page again
    page.goto(f"{base}/read#id=no-such-article&s=0")
    page.wait_for_selector(".problem:has-text('no longer in the index')")


def test_a_refused_origin_is_explained_in_the_widget_and_the_log(page, sites):
    foreign = sites["foreign"]
    page.goto(f"{foreign}/floating.html")
    page.click(inside(".launcher"))
    page.wait_for_selector(inside(".msg.bot.error"))
    first = page.locator(inside(".msg.bot.error")).text_content()
    assert f"This site ({foreign}) is not allowed" in first and "ASSISTANT_ALLOWED_ORIGINS" in first, first
    assert "Failed to fetch" not in first
    page.fill(inside("input[name=question]"), VELMORA)
    page.press(inside("input[name=question]"), "Enter")
    page.wait_for_function(f"document.querySelector({HOST!r}).shadowRoot.querySelectorAll('.msg.bot.error').length == 1 "
                           f"&& document.querySelector({HOST!r}).shadowRoot.querySelector('.msg.user')")
    again = page.locator(inside(".msg.bot.error")).text_content()
    assert f"add {foreign} to ASSISTANT_ALLOWED_ORIGINS" in again
    assert any("ASSISTANT_ALLOWED_ORIGINS" in m for m in page.console_messages), page.console_messages
    assert_readable(page, [".msg.bot.error"], host=HOST)
    shot(page, f"state-widget-refused-{page.scheme}.png")
    log = sites["server"].output()
    assert f"refused API requests from the web page origin {foreign}" in log
    assert f"ASSISTANT_ALLOWED_ORIGINS={sites['allowed']},{foreign}" in log
    assert log.count(f"origin {foreign}:") == 1  # once per origin, not once per request


def test_an_unreachable_server_is_explained(page, sites):
    page.goto(f"{sites['allowed']}/unreachable.html")
    page.click(inside(".launcher"))
    page.wait_for_selector(inside(".msg.bot.error"))
    text = page.locator(inside(".msg.bot.error")).text_content()
    assert "cannot be reached" in text and "data-assistant" in text, text


def test_read_page_sends_the_widget_key_from_the_fragment_only(page, tmp_path):
    build_index(tmp_path / "index", [EXAMPLES])
    server = start_server(tmp_path / "index", tmp_path / "server.log",
                          {"ASSISTANT_EMBEDDER": "hash", "ASSISTANT_API_KEYS": "partner-key-123"})
    try:
        page.goto(f"{server.url}/read#id=velmora-flood-toll&s=1&key=partner-key-123")
        page.wait_for_selector("mark#highlight")
        assert "14 people had died" in page.locator("mark").text_content()
        page.goto("about:blank")
        page.goto(f"{server.url}/read#id=velmora-flood-toll&s=1")
        page.wait_for_selector(".problem:has-text('missing or wrong API key')")
        assert "partner-key-123" not in server.output()  # the key never reaches a log line (not even the URL)
    finally:
        server.stop()

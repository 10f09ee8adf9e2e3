"""Every state of the chat and the widget, in the light and the operating system's dark setting: readable text
(WCAG AA contrast measured in chromium) and a screenshot of each in tests/artifacts/."""

from __future__ import annotations

import pytest

from .browsing import (
    SCHEMES,
    VELMORA,
    ask,
    assert_readable,
    open_chat,
    playwright,
    scheme_page,
    serve_folder,
    shot,
    wait_settled,
)
from .conftest import EXAMPLES
from .serving import build_index, start_server

sync_api = playwright()
MARS = "What is the price of tea on Mars?"
PARTNER_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Partner site</title></head>
<body style="font-family:sans-serif;margin:24px"><h1>Partner news site</h1><p>Embeds the assistant widget.</p>
<script src="{server}/widget.js" data-assistant="{server}" data-title="Ask our newsroom"></script></body></html>
"""


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    root = tmp_path_factory.mktemp("dark")
    build_index(root / "index", [EXAMPLES])
    site, site_url = serve_folder(root)
    server = start_server(root / "index", root / "server.log",
                          {"ASSISTANT_EMBEDDER": "hash", "ASSISTANT_ALLOWED_ORIGINS": site_url,
                           "ASSISTANT_UI_EDIT_WITHOUT_LOGIN": "1"})
    (root / "partner.html").write_text(PARTNER_PAGE.format(server=server.url), encoding="utf-8")
    yield server, f"{site_url}/partner.html"
    server.stop()
    site.shutdown()
    site.server_close()


@pytest.fixture(params=SCHEMES)
def page(request, browser):
    with scheme_page(browser, request.param) as pg:
        yield pg


def test_the_scheme_reaches_the_page(page, web):
    open_chat(page, web[0].url)
    dark = page.evaluate("document.body.classList.contains('dark')")
    assert dark == (page.scheme == "dark")


def test_answer_sources_and_article_view(page, web):
    open_chat(page, web[0].url)
    answer = ask(page, VELMORA)
    answer.locator(".cite-marker").first.click()
    page.wait_for_selector("#article mark")
    wait_settled(page, "#article")
    assert_readable(page, ["#transcript .msg.user .body", "#transcript .msg.answered .body", ".msg .short",
                           "#sources .sources-title", "button.source .title", "button.source .meta",
                           "button.source .sentence", "#article h3", "#article .meta", "#article .article-text",
                           "#article mark"])
    head = page.evaluate("""() => { const h = document.querySelector('#article .article-head').getBoundingClientRect();
                                    const v = document.querySelector('#article .article-view').getBoundingClientRect();
                                    return [h.top, v.top]; }""")
    assert abs(head[0] - head[1]) < 2, head  # the sticky title sits at the top of the article box, no text above it
    shot(page, f"state-answer-{page.scheme}.png")


def test_not_in_the_articles(page, web):
    open_chat(page, web[0].url)
    answer = ask(page, MARS)
    assert "abstained" in answer.get_attribute("class")
    answer.locator("button.related-sentence").first.click()
    page.wait_for_selector("#article mark")
    wait_settled(page, "#article")
    found = assert_readable(page, [".msg.abstained .who", ".msg.abstained .badge", ".msg.abstained .body",
                                   ".msg.abstained .related-title", ".msg.abstained button.related-sentence",
                                   ".msg.abstained .meta", "#sources .sources-title", "button.source .sentence"])
    box = page.evaluate("getComputedStyle(document.querySelector('.msg.abstained')).backgroundColor")
    dark_box = sum(int(x) for x in box[box.index("(") + 1:box.index(")")].split(",")[:3]) < 3 * 128
    assert dark_box == (page.scheme == "dark"), box  # the box follows the scheme, not a fixed cream
    assert all(f["ratio"] >= 7 for f in found if ".body" in f["selector"]), found
    shot(page, f"state-abstain-{page.scheme}.png")


def test_error_message(page, web):
    open_chat(page, web[0].url)
    page.get_by_text("Filters", exact=True).click()
    page.fill("#date-from textarea, #date-from input", "someday")
    page.fill("#question textarea", VELMORA)
    page.click("#ask")
    page.wait_for_selector("#transcript .error-box")
    wait_settled(page, "#transcript")
    assert_readable(page, ["#transcript .error-box"])
    shot(page, f"state-error-{page.scheme}.png")


def test_upload_report(page, web, tmp_path):
    bad = tmp_path / "broken.jsonl"
    bad.write_text('{"id": "bad", "text": 7}\nnot json at all\n', encoding="utf-8")
    open_chat(page, web[0].url)
    page.get_by_role("tab", name="Add articles").click()
    page.set_input_files("#upload input[type=file]", [str(bad)])
    page.wait_for_function("document.querySelector('#upload').textContent.includes('broken')")
    page.click("#ingest")
    page.wait_for_selector("#ingest-report .summary")
    wait_settled(page, "#ingest-report")
    assert_readable(page, ["#ingest-report .summary", "#ingest-report th", "#ingest-report td"])
    shot(page, f"state-upload-report-{page.scheme}.png")


def test_widget(page, web):
    page.goto(web[1])
    page.click("#newsroom-assistant-widget >> .launcher")
    for question in (VELMORA, MARS):
        before = page.locator("#newsroom-assistant-widget >> .msg.bot").count()
        page.fill("#newsroom-assistant-widget >> input[name=question]", question)
        page.press("#newsroom-assistant-widget >> input[name=question]", "Enter")
        page.wait_for_function("(n) => document.querySelector('#newsroom-assistant-widget').shadowRoot"
                               ".querySelectorAll('.msg.bot.answered, .msg.bot.abstained').length > n", arg=before)
    host = "#newsroom-assistant-widget"
    assert_readable(page, ["header", ".msg.user", ".msg.answered .answer", ".msg.abstained .badge",
                           ".msg.abstained .answer", "li .meta", "li .sentence", "button.send"], host=host)
    panel = page.evaluate("getComputedStyle(document.querySelector('#newsroom-assistant-widget').shadowRoot"
                          ".querySelector('.panel')).backgroundColor")
    assert (panel == "rgb(255, 255, 255)") == (page.scheme == "light"), panel
    shot(page, f"state-widget-{page.scheme}.png")


def test_api_docs_follow_the_scheme(page, web):
    """/docs (Swagger UI, served offline) stayed white in the dark setting (issue 25): the drawn page is now dark in
    dark mode and light in light mode, measured on its pixels, and its operations are listed."""
    from io import BytesIO

    from PIL import Image, ImageStat

    page.goto(f"{web[0].url}/docs")
    page.wait_for_selector(".opblock-summary-path")
    assert page.locator(".opblock-summary-path").count() >= 3
    shot(page, f"state-docs-{page.scheme}.png")
    mean = ImageStat.Stat(Image.open(BytesIO(page.screenshot())).convert("L")).mean[0] / 255
    assert (mean < 0.35) if page.scheme == "dark" else (mean > 0.75), mean

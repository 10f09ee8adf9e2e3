"""The newsroom tools in chromium against a real server: a conversation kept across a page reload, copied with its
citations and exported as Markdown, earlier conversations reopened, the article browser (filters, date pickers,
title search, sentences, delete for an admin only) and the figure timeline, in light and dark."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from assistant.web.export import day
from assistant.web.format import transcript_html

from .browsing import (
    SCHEMES,
    VELMORA,
    ask,
    assert_readable,
    open_chat,
    playwright,
    scheme_page,
    shot,
    wait_settled,
)
from .conftest import EXAMPLES, REPO, free_port
from .serving import Server, build_index, start_server
from .test_newsroom_tools import figure_turn

sync_api = playwright()
CLIPBOARD = ["clipboard-read", "clipboard-write"]
DOOMED = """---
title: Lighthouse keeper retires after forty years
source: Harbour Gazette
published_at: 2026-02-01
---
Zephyrine lighthouse keeper Orla Brandt retired on Saturday after forty years of service.
She said the lamp would be automated by the spring.
"""


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    root = tmp_path_factory.mktemp("newsroom")
    (root / "extra").mkdir()
    (root / "extra" / "lighthouse-keeper.md").write_text(DOOMED, encoding="utf-8")
    build_index(root / "index", [EXAMPLES, root / "extra"])
    server = start_server(root / "index", root / "server.log",
                          {"ASSISTANT_EMBEDDER": "hash", "ASSISTANT_UI_EDIT_WITHOUT_LOGIN": "1"})
    yield server
    server.stop()


@pytest.fixture(params=SCHEMES)
def page(request, browser):
    with scheme_page(browser, request.param, permissions=CLIPBOARD) as pg:
        yield pg


@pytest.fixture
def light(browser):
    with scheme_page(browser, "light", permissions=CLIPBOARD) as pg:
        yield pg


def reload_chat(page) -> None:
    page.reload()
    page.wait_for_selector("#question textarea")
    page.wait_for_selector("#transcript .msg.bot")
    wait_settled(page, "#transcript")


def test_conversation_survives_a_reload_and_is_copied_and_exported(page, web):
    open_chat(page, web.url)
    ask(page, VELMORA)
    first = page.locator("#sources button.source").first
    title, meta, sentence = (first.locator(f".{x}").text_content() for x in ("title", "meta", "sentence"))
    outlet, published = meta.split(" · ")
    ask(page, "What did Mayor Ilsa Varenko say?")
    before = page.locator("#transcript .msg").all_text_contents(), page.locator("#sources").text_content()
    reload_chat(page)
    assert (page.locator("#transcript .msg").all_text_contents(), page.locator("#sources").text_content()) == before
    assert len(before[0]) == 4 and "Varenko" in before[1]
    copy = page.locator("#transcript .msg.answered button.copy").first
    copy.click()
    page.wait_for_function("document.querySelectorAll('#transcript button.copy.copied').length == 1")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(f"Question: {VELMORA}\n\n")
    assert f"Sources:\n[1] {title} — {outlet}, {day(published)}\n    https://example.org/" in copied
    assert f"\n    “{sentence}”\n" in copied
    shot(page, f"state-copied-{page.scheme}.png")
    with page.expect_download() as download:
        page.click("#export")
    md = Path(download.value.path()).read_text(encoding="utf-8")
    assert download.value.suggested_filename.startswith("conversation-") and md.startswith("# Conversation")
    assert f"## 1. {VELMORA}" in md and "## 2. What did Mayor Ilsa Varenko say?" in md
    assert f"1. *{title}* — {outlet}, {day(published)} <https://example.org/" in md
    follow = ask(page, "Who said that?")  # the kept conversation is still the context of a follow-up
    assert "abstained" not in follow.get_attribute("class")


def test_earlier_conversations_are_kept_and_reopened(light, web):
    page = light
    open_chat(page, web.url)
    ask(page, "When will the Northline rail strike start?")
    page.click("#new-conversation")
    page.wait_for_selector("#transcript .transcript.empty")
    ask(page, VELMORA)
    reload_chat(page)
    page.get_by_text("Earlier conversations (kept in this browser)").click()
    page.click("#earlier input")
    options = [o.replace("✓", "").strip() for o in page.locator("#earlier [role=option]").all_text_contents()]
    assert len(options) == 1 and options[0].startswith("When will the Northline rail strike start? (1 question, ")
    page.locator("#earlier [role=option]").first.click()
    page.click("#reopen")
    page.wait_for_function("document.querySelector('#transcript .msg.user')?.textContent.includes('Northline')")
    page.click("#earlier input")
    page.wait_for_selector("#earlier [role=option]")
    assert page.locator("#earlier [role=option]").first.text_content().replace("✓", "").strip().startswith(VELMORA)
    shot(page, "state-earlier-conversations.png")


def browse(page, url: str) -> None:
    open_chat(page, url)
    page.get_by_role("tab", name="Articles", exact=True).click()
    page.wait_for_selector("#article-list button.article-row")


def rows(page) -> list[tuple[str, str]]:
    return [(r.locator(".title").text_content(), r.locator(".meta").text_content())
            for r in page.locator("#article-list button.article-row").all()]


def as_day(text: str):
    try:
        return datetime.strptime(text, "%d %B %Y").date()
    except ValueError:
        return None


def wait_rows(page, count: int) -> None:
    page.wait_for_function(f"document.querySelectorAll('#article-list button.article-row').length == {count}")
    wait_settled(page, "#article-list")


def test_article_browser_filters_searches_and_opens_sentences(page, web):
    browse(page, web.url)
    listed = rows(page)
    assert len(listed) == 9 and listed[0][0] == "Harbour ferries return after storm repairs"
    dated = [d for _, meta in listed for d in map(as_day, meta.split(" · ")) if d]
    assert len(dated) == 7 and dated == sorted(dated, reverse=True)  # newest first, the undated ones after
    # "undated" is said once per list (issue 25: thirty untitled, undated feed stories said it thirty times): the
    # count line says how many, an undated row is "outlet · N sentences" (a file without a source names its file)
    assert page.locator("#article-list .count").text_content() == "9 of 9 articles · 2 undated"
    assert [len(meta.split(" · ")) for _, meta in listed[7:]] == [2, 2], listed
    assert not any("undated" in meta for _, meta in listed), listed
    page.fill("#browse-search textarea, #browse-search input", "velmora")
    wait_rows(page, 2)
    assert {t for t, _ in rows(page)} == {"Flood toll in Velmora rises to 14", "Nine dead as River Velm floods Velmora"}
    page.fill("#browse-search textarea, #browse-search input", "")
    wait_rows(page, 9)
    page.fill("#browse-from input", "2026-03-09")
    page.press("#browse-from input", "Enter")
    page.fill("#browse-to input", "2026-03-12")
    page.press("#browse-to input", "Enter")
    wait_rows(page, 3)
    assert [m.split(" · ")[1] for _, m in rows(page)] == ["12 March 2026", "11 March 2026", "9 March 2026"]
    page.click("#browse-sources input")
    page.locator("#browse-sources [role=option]", has_text="Kessaly Herald").click()
    page.keyboard.press("Escape")
    wait_rows(page, 1)
    assert rows(page)[0][0] == "Port Kessaly council passes budget after late-night vote"
    page.locator("#article-list button.article-row").first.click()
    page.wait_for_selector("#browse-article ol.sentences li")
    wait_settled(page, "#browse-article")
    assert page.locator("#browse-article h3").text_content() == "Port Kessaly council passes budget after late-night vote"
    assert page.locator("#browse-article ol.sentences li").count() == 17
    assert page.locator("#delete-article").is_visible()  # loopback, no log-in, ASSISTANT_UI_EDIT_WITHOUT_LOGIN=1
    assert_readable(page, ["button.article-row .title", "button.article-row .meta", "#browse-article h3",
                           "#browse-article .meta", "#browse-article ol.sentences li", ".article-list .count"])
    shot(page, f"state-article-browser-{page.scheme}.png")


def ask_to_delete(page, url: str, title: str) -> None:
    """Open the article titled `title` in the Articles tab and press "Delete this article…"."""
    browse(page, url)
    page.locator("#article-list button.article-row", has_text=title).click()
    page.wait_for_selector("#browse-article ol.sentences")
    page.click("#delete-article")
    page.wait_for_selector("#confirm-text")
    page.wait_for_selector("#confirm-delete")


def test_the_delete_question_is_scrolled_into_view_below_a_long_article(light, web):
    """The 17-sentence budget story puts "Delete this article…" at the foot of the window: the question and its
    buttons that appear below it were off screen (issue 25); they are now scrolled into view."""
    page = light
    ask_to_delete(page, web.url, "Port Kessaly council passes budget")
    page.wait_for_function("""() => { const r = document.getElementById('confirm-delete').getBoundingClientRect();
                                      return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight; }""",
                           timeout=5000)
    shot(page, "state-delete-confirm-long.png")
    page.click("#keep-article")


def test_an_admin_deletes_an_article_after_confirming(light, web):
    page = light
    ask_to_delete(page, web.url, "Lighthouse keeper retires")
    assert "Delete “Lighthouse keeper retires after forty years” from the index?" in page.locator("#confirm-text").text_content()
    page.click("#keep-article")
    page.wait_for_selector("#confirm-delete", state="hidden")
    assert httpx.get(f"{web.url}/api/health", timeout=30).json()["articles"] == 9
    page.click("#delete-article")
    page.wait_for_selector("#confirm-delete")
    shot(page, "state-delete-confirm.png")
    page.click("#confirm-delete")
    page.wait_for_selector("#browse-article .done")
    assert "Deleted “Lighthouse keeper retires after forty years”" in page.locator("#browse-article").text_content()
    wait_rows(page, 8)
    assert "Lighthouse" not in page.locator("#article-list").text_content()
    page.wait_for_function("document.querySelector('#status').textContent.includes('8 articles')")
    assert httpx.get(f"{web.url}/api/health", timeout=30).json()["articles"] == 8
    answer = httpx.post(f"{web.url}/api/ask", json={"question": "When did the lighthouse keeper Orla Brandt retire?"},
                        timeout=60).json()
    assert all("Lighthouse" not in (c["title"] or "") for c in answer["citations"])
    assert "deleted article 'lighthouse-keeper'" in web.output()


def test_the_figure_timeline_in_the_chat(page, web):
    open_chat(page, web.url)
    real = ask(page, VELMORA).locator(".timeline")  # the sample articles give 9, then 14 dead
    # Monday's article dates its 14 to Sunday ("the … office said on Sunday"), in every phrasing (issue 25)
    assert real.locator("time").all_text_contents() == ["7 March 2026", "8 March 2026"]
    first = real.locator("button.cite-marker").first
    n = int(first.get_attribute("data-cite"))
    first.click()
    page.wait_for_selector("#article mark")
    wait_settled(page, "#article")
    cited = page.locator("#sources button.source").nth(n - 1).locator(".sentence").text_content()
    assert page.locator("#article mark").text_content() == cited and "nine people" in cited
    shot(page, f"state-timeline-real-{page.scheme}.png")
    # the same view from a hand-made answer (every field the timeline may carry), drawn in the real page
    page.evaluate("(html) => { document.querySelector('#transcript .transcript').outerHTML = html; }",
                  transcript_html([figure_turn()]))
    box = page.locator("#transcript .timeline")
    assert box.locator("time").all_text_contents() == ["7 March 2026", "9 March 2026"]
    assert box.locator(".figure").all_text_contents() == ["nine people", "14 people"]
    assert_readable(page, [".timeline-title", ".timeline time", ".timeline .figure", ".timeline .src",
                           "#transcript button.copy"])
    dots = page.evaluate("""() => [...document.querySelectorAll('#transcript .timeline li')].map(
                              (li) => getComputedStyle(li, '::before').backgroundColor)""")
    assert len(dots) == 2 and all(d not in ("rgba(0, 0, 0, 0)", "") for d in dots)
    box.scroll_into_view_if_needed()
    shot(page, f"state-timeline-{page.scheme}.png")


def test_nobody_may_delete_on_an_open_public_server(light, tmp_path):
    build_index(tmp_path / "index", [EXAMPLES])
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")} | {"ASSISTANT_EMBEDDER": "hash"}
    with (tmp_path / "server.log").open("w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "assistant", "serve", "--index", str(tmp_path / "index"),
                                 "--host", "0.0.0.0", "--port", str(port), "--allow-insecure"],
                                stdout=log, stderr=subprocess.STDOUT, env=env, cwd=REPO)
    server = Server(proc, f"http://127.0.0.1:{port}", tmp_path / "server.log", 0.0)
    try:
        deadline = time.time() + 90
        while proc.poll() is None and time.time() < deadline:
            try:
                if httpx.get(f"{server.url}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        browse(light, server.url)
        light.locator("#article-list button.article-row").first.click()
        light.wait_for_selector("#browse-article ol.sentences")
        wait_settled(light, "#browse-article")
        assert not light.locator("#delete-article").is_visible()
    finally:
        server.stop()

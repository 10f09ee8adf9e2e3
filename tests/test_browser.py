"""The web chat, upload, widget and XSS defences in headless Debian chromium against a real `assistant serve`."""

from __future__ import annotations

import pytest

from .browsing import ANSWERS, ARTIFACTS, VELMORA, ask, open_chat, playwright, serve_folder, shot
from .conftest import EXAMPLES
from .serving import XSS_QUESTION, XSS_SENTENCE, build_index, start_server, write_extra_articles

sync_api = playwright()
WIDGET_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Partner site</title></head>
<body style="font-family:sans-serif;margin:24px"><h1>Partner news site</h1>
<p>An ordinary page on another origin that embeds the assistant twice: the floating widget script and an iframe.</p>
<iframe id="frame" src="{server}/widget" width="420" height="460" style="border:1px solid #ccc"></iframe>
<script src="{server}/widget.js" data-assistant="{server}" data-title="Ask our newsroom"></script>
</body></html>
"""


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """Two static sites on other ports: one whose origin the server allows, one it does not."""
    folder = tmp_path_factory.mktemp("sites")
    allowed, allowed_url = serve_folder(folder)
    foreign, foreign_url = serve_folder(folder)
    yield folder, allowed_url, foreign_url
    for httpd in (allowed, foreign):
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def web(tmp_path_factory, sites):
    root = tmp_path_factory.mktemp("web")
    build_index(root / "index", [EXAMPLES, *write_extra_articles(root / "extra")])
    env = {"ASSISTANT_EMBEDDER": "hash", "ASSISTANT_ALLOWED_ORIGINS": sites[1], "ASSISTANT_UI_EDIT_WITHOUT_LOGIN": "1"}
    server = start_server(root / "index", root / "server.log", env)
    (sites[0] / "page.html").write_text(WIDGET_PAGE.format(server=server.url), encoding="utf-8")
    yield server
    server.stop()


def mark_in_view(page) -> bool:
    return page.evaluate("""() => { const r = document.querySelector('#article mark').getBoundingClientRect();
                                    return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight; }""")


def test_answer_streams_and_citation_opens_the_highlighted_sentence(page, web):
    open_chat(page, web.url)
    page.evaluate("""() => { window.__partials = [];
        new MutationObserver(() => { const s = document.querySelector('#transcript .streaming .body');
                                     if (s) window.__partials.push(s.textContent); })
          .observe(document.querySelector('#transcript'), {subtree: true, childList: true, characterData: true}); }""")
    answer = ask(page, VELMORA)
    body = answer.locator(".body").text_content()
    assert "14" in body and "[1]" in body
    partials = [p for p in page.evaluate("window.__partials") if not p.startswith("Searching")]
    assert any(0 < len(p) < len(body) and body.startswith(p) for p in partials), partials
    sources = page.locator("#sources button.source")
    # [1] "14 people had died", [2] its article's lead (it names Sunday, the day of the 14), [3] Saturday's nine
    assert sources.count() >= 3
    first_sentence = sources.nth(0).locator(".sentence").text_content()
    page.locator("#transcript .cite-marker").first.click()
    page.wait_for_selector("#article mark")
    assert page.locator("#article mark").text_content() == first_sentence
    assert "14 people had died" in first_sentence
    assert "selected" in sources.nth(0).get_attribute("class")
    sources.nth(2).click()
    second_sentence = sources.nth(2).locator(".sentence").text_content()
    page.wait_for_function("(s) => document.querySelector('#article mark')?.textContent === s", arg=second_sentence)
    assert page.locator("#article h3").text_content() == "Nine dead as River Velm floods Velmora"
    page.wait_for_timeout(300)
    assert mark_in_view(page)
    shot(page, "chat-answer-highlight.png")


def test_follow_up_question_uses_the_conversation(page, web):
    open_chat(page, web.url)
    example = page.locator("button.example").first  # made from the index: "What did NAME say?"
    question = example.text_content().strip()
    speaker = question.removeprefix("What did ").removesuffix(" say?")
    example.click()
    page.wait_for_selector(ANSWERS)
    assert page.locator("#transcript .msg.user .body").first.text_content() == question
    follow = ask(page, "Who said that?")
    assert "abstained" not in follow.get_attribute("class")
    assert speaker.split()[-1] in follow.locator(".body").text_content()
    assert page.locator("#transcript .msg.user").count() == 2
    shot(page, "chat-follow-up.png")
    page.click("#new-conversation")
    page.wait_for_selector("#transcript .transcript.empty")
    fresh = ask(page, "Who said that?")
    assert "abstained" in fresh.get_attribute("class")  # without the earlier turn there is nothing to refer to


def test_not_in_the_articles_shows_related_sentences(page, web):
    open_chat(page, web.url)
    answer = ask(page, "What is the price of tea on Mars?")
    assert "abstained" in answer.get_attribute("class")
    assert answer.locator(".badge").text_content() == "Not in the articles"
    assert "Related sentences" in page.locator("#sources").text_content()
    related = answer.locator("button.related-sentence").first
    text = related.text_content()
    related.click()
    page.wait_for_function("(s) => document.querySelector('#article mark')?.textContent === s", arg=text)
    shot(page, "chat-not-in-articles.png")


def test_filters_limit_sources_and_dates(page, web):
    open_chat(page, web.url)
    page.get_by_text("Filters", exact=True).click()
    page.fill("#date-to textarea, #date-to input", "2026-03-07")
    ask(page, VELMORA)
    dates = page.locator("#sources button.source .meta").all_text_contents()
    assert dates and all(d[-10:] <= "2026-03-07" for d in dates), dates
    page.fill("#date-to textarea, #date-to input", "")
    page.click("#filter-sources input")
    options = page.locator("#filter-sources [role=option]").all_text_contents()
    names = {o.replace("✓", "").strip() for o in options}
    assert {"Ostrakand Wire", "Kessaly Herald", "Harbour <b>Gazette</b>"} <= names, options  # from the index, literal
    page.locator("#filter-sources [role=option]", has_text="Kessaly Herald").click()
    page.keyboard.press("Escape")
    ask(page, VELMORA)
    metas = page.locator("#sources button.source .meta").all_text_contents()
    assert metas and all(m.startswith("Kessaly Herald") for m in metas), metas
    page.fill("#date-from textarea, #date-from input", "someday")
    page.fill("#question textarea", VELMORA)
    page.click("#ask")
    page.wait_for_selector("#transcript .error-box")
    assert "is not a date" in page.locator("#transcript .error-box").text_content()
    shot(page, "chat-filters.png")


def test_hostile_article_text_shows_literally_and_never_runs(page, web):
    open_chat(page, web.url)
    answer = ask(page, XSS_QUESTION)
    assert XSS_SENTENCE in answer.text_content()
    assert '<img src=x onerror="window.__xss=1">' in page.locator("#sources").text_content()  # the title
    answer.locator(".cite-marker").first.click()
    page.wait_for_selector("#article mark")
    article = page.locator("#article").text_content()
    assert "<script>window.__xss=2</script>" in article and "javascript:window.__xss=5" in article
    assert "[open the chart](javascript:window.__xss=3)" in article and "${window.__xss=4}" in article
    second = ask(page, "What did the harbour master say about the logbook?")
    assert "${window.__xss=4}" in second.text_content()
    second.locator(".cite-marker").first.click()
    page.wait_for_function("document.querySelector('#article mark')?.textContent.includes('harbour master')")
    assert page.locator("#article .article-head h3").text_content() == 'Keeper\'s logbook <img src=x onerror="window.__xss=1"> found'
    page.wait_for_timeout(500)  # give any injected handler the chance to run
    assert page.evaluate("typeof window.__xss") == "undefined"
    for where in ("#transcript", "#sources", "#article"):
        assert page.locator(f"{where} img, {where} script").count() == 0
    assert page.locator("a[href^='javascript' i]").count() == 0
    shot(page, "xss-article-literal.png")


def test_upload_reports_progress_and_failures_then_answers_from_new_articles(page, web, tmp_path):
    (tmp_path / "quarry-bells.md").write_text(
        "---\ntitle: Quarry bells ring again\nsource: Upload Test Gazette\npublished_at: 2026-03-20\n---\n"
        "The Orlen quarry bells rang for the first time in forty years on Friday. Bell-ringer Tamsin Rook "
        "said the ropes had been replaced by volunteers.\n", encoding="utf-8")
    (tmp_path / "broken.jsonl").write_text(
        '{"id": "good-line", "title": "Good line", "text": "A valid article on the first line."}\n'
        '{"id": "bad", "text": 7}\nnot json at all\n', encoding="utf-8")
    open_chat(page, web.url)
    page.get_by_role("tab", name="Add articles").click()
    page.set_input_files("#upload input[type=file]", [str(tmp_path / "quarry-bells.md"), str(tmp_path / "broken.jsonl")])
    page.wait_for_function("['broken', 'quarry-bells'].every(n => document.querySelector('#upload').textContent.includes(n))")
    page.click("#ingest")
    page.wait_for_selector("#ingest-report .summary")
    summary = page.locator("#ingest-report .summary").text_content()
    assert summary.startswith("Added 2, updated 0, unchanged 0, failed 2")
    rows = [r.locator("td").all_text_contents() for r in page.locator("#ingest-report tbody tr").all()]
    assert [r[:2] for r in rows] == [["broken.jsonl", "2"], ["broken.jsonl", "3"]]
    assert "number" in rows[0][2] and "JSON" in rows[1][2] and all(r[3] for r in rows)
    page.wait_for_function("document.querySelector('#status').textContent.includes('12 articles')")
    shot(page, "upload-report.png")
    page.get_by_role("tab", name="Ask").click()
    answer = ask(page, "When did the Orlen quarry bells ring again?")  # only the uploaded article knows
    assert "abstained" not in answer.get_attribute("class")
    assert "Quarry bells ring again" in page.locator("#sources button.source").first.text_content()


def test_widget_on_an_allowed_origin(page, web, sites):
    page.goto(f"{sites[1]}/page.html")
    page.click(".launcher")
    page.fill("input[name=question]", XSS_QUESTION)
    page.press("input[name=question]", "Enter")
    page.wait_for_selector(".msg.bot.answered")
    cited = page.locator("ol.citations li .sentence").first.text_content()
    assert cited == XSS_SENTENCE
    assert page.locator(".msg.bot.answered .marker").first.text_content() == "[1]"
    frame = page.frame_locator("#frame")
    frame.locator("input[name=question]").fill(VELMORA)
    frame.locator("input[name=question]").press("Enter")
    frame.locator(".msg.bot.answered").wait_for()
    assert "14" in frame.locator(".msg.bot.answered .answer").text_content()
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.__xss") == "undefined" and page.locator("img").count() == 0
    shot(page, "widget-allowed-origin.png")


def test_widget_on_a_foreign_origin_is_refused(page, web, sites):
    page.goto(f"{sites[2]}/page.html")
    page.wait_for_load_state("load")
    page.click(".launcher")
    page.fill("input[name=question]", VELMORA)
    page.press("input[name=question]", "Enter")
    page.wait_for_selector(".msg.bot.error")  # the browser blocks the cross-origin answer (no CORS header)
    assert page.frame_locator("#frame").locator("input[name=question]").count() == 0
    assert any("frame-ancestors" in m for m in page.console_messages), page.console_messages
    shot(page, "widget-foreign-origin.png")


def test_api_docs_render_without_internet(page, web):
    page.goto(f"{web.url}/docs")
    page.wait_for_selector(".opblock-summary-path")
    paths = page.locator(".opblock-summary-path").all_text_contents()
    assert any("/api/ask" in p for p in paths)
    shot(page, "api-docs.png")


@pytest.mark.slow
def test_real_model_answers_the_velmora_toll(page, minilm, tmp_path):
    build_index(tmp_path / "index", [EXAMPLES], embedder="minilm", model=minilm)
    server = start_server(tmp_path / "index", tmp_path / "server.log", {})
    try:
        (ARTIFACTS / "startup-minilm.txt").parent.mkdir(exist_ok=True)
        (ARTIFACTS / "startup-minilm.txt").write_text(f"{server.startup_seconds:.2f} s until /api/health\n")
        open_chat(page, server.url)
        answer = ask(page, VELMORA)
        assert "abstained" not in answer.get_attribute("class")
        assert "14" in answer.locator(".body").text_content()
        answer.locator(".cite-marker").first.click()
        page.wait_for_selector("#article mark")
        assert "14" in page.locator("#article mark").text_content()
        shot(page, "real-model-velmora.png")
    finally:
        server.stop()

"""In chromium against a real server: the chat's errors speak to a journalist while the server log names the
setting, and the upload progress bar stays in the upload report (not over the header)."""

from __future__ import annotations

import json
import re

import pytest

from .browsing import VELMORA, open_chat, playwright, shot, wait_settled
from .conftest import EXAMPLES
from .serving import build_index, start_server

sync_api = playwright()
TECHNICAL = ("ASSISTANT_", "date_from", "date_to", "YYYY")


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    root = tmp_path_factory.mktemp("words")
    build_index(root / "index", [EXAMPLES])
    server = start_server(root / "index", root / "server.log",
                          {"ASSISTANT_EMBEDDER": "hash", "ASSISTANT_UI_EDIT_WITHOUT_LOGIN": "1"})
    yield server
    server.stop()


def chat_error(page, question: str) -> str:
    before = page.evaluate("document.querySelector('#transcript .error-box')?.textContent || ''")
    page.fill("#question textarea", question)
    page.click("#ask")
    page.wait_for_function("(t) => (document.querySelector('#transcript .error-box')?.textContent || t) !== t",
                           arg=before)
    wait_settled(page, "#transcript")
    return page.locator("#transcript .error-box").last.text_content()


def test_chat_errors_are_plain_and_the_log_keeps_the_setting(page, web):
    open_chat(page, web.url)
    long = chat_error(page, "Why " * 600)
    assert "2,399 characters" in long and "2,000" in long and "Shorten" in long, long
    page.get_by_text("Filters", exact=True).click()
    page.fill("#date-from textarea, #date-from input", "2026-03-10")
    page.fill("#date-to textarea, #date-to input", "2026-03-01")
    swapped = chat_error(page, VELMORA)
    assert "“Published from” (2026-03-10) is after “Published until” (2026-03-01)" in swapped, swapped
    page.fill("#date-to textarea, #date-to input", "next week")
    bad = chat_error(page, VELMORA)
    assert "“Published until” has “next week”, which is not a date" in bad, bad
    for text in (long, swapped, bad):
        assert not any(t in text for t in TECHNICAL), text
    shot(page, "chat-plain-error.png")
    log = web.output()
    assert "ASSISTANT_MAX_QUESTION_CHARS" in log and "date_to 'next week' is not a date" in log


def test_upload_progress_is_drawn_in_the_report_not_over_the_header(page, web, tmp_path):
    bulk = tmp_path / "council-minutes.jsonl"
    with bulk.open("w", encoding="utf-8") as fh:
        for i in range(40):
            text = " ".join(f"Item {j} of the minutes of meeting {i} records that the council met on Monday." for j in range(20))
            fh.write(json.dumps({"id": f"minutes-{i}", "title": f"Council minutes {i}", "source": "Town Hall",
                                 "published_at": "2026-01-05", "text": text}) + "\n")
    open_chat(page, web.url)
    page.get_by_role("tab", name="Add articles").click()
    page.set_input_files("#upload input[type=file]", [str(bulk)])
    page.wait_for_function("document.querySelector('#upload').textContent.includes('council-minutes')")
    page.evaluate("""() => { window.__progress = [];
      new MutationObserver(() => {
        for (const e of document.querySelectorAll('.progress-text, .progress-level, .eta-bar')) {
          const r = e.getBoundingClientRect();
          if (r.height > 0) window.__progress.push({where: e.closest('[id]')?.id || '', top: r.top, text: e.textContent,
                                                     cls: e.className});
        } }).observe(document.body, {subtree: true, childList: true, characterData: true}); }""")
    page.click("#ingest")
    page.wait_for_function("window.__progress.some(p => p.text.includes('articles'))")
    shot(page, "upload-progress.png")
    page.wait_for_selector("#ingest-report .summary", timeout=120_000)
    seen = page.evaluate("window.__progress")
    header_bottom = page.evaluate("document.querySelector('#status').getBoundingClientRect().bottom")
    report_top = page.evaluate("document.querySelector('#ingest-report').getBoundingClientRect().top")
    assert seen and {p["where"] for p in seen} == {"ingest-report"}, seen
    assert all(p["top"] >= report_top - 1 > header_bottom for p in seen), (seen, header_bottom, report_top)
    assert not any("minutes-" in p["text"] for p in seen), seen  # article ids are not shown to the journalist
    # the ingest's own count and time left; not Gradio's timer, whose "/300.0s" is the average of earlier uploads
    assert any(re.search(r"Adding articles: \d+ of 40", p["text"]) for p in seen), seen
    assert not any("progress-text" in p["cls"] or "eta-bar" in p["cls"] for p in seen), seen
    assert page.locator("#ingest-report .summary").text_content().startswith("Added 40")

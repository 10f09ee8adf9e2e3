"""Article text is untrusted wherever it is printed or exported (issue 26): `ask`, `chat` and `list` show terminal
control sequences as visible \\xNN instead of running them, and the Markdown export writes no raw HTML, no
javascript: link and no link syntax from an article."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime

from markdown_it import MarkdownIt

from assistant.web.export import conversation_markdown

from .conftest import REPO
from .serving import build_index

# ESC ] 0 ; … BEL retitles the terminal, ESC [ 31 m turns it red, \x9b is CSI as one byte (clear the screen).
CONTROLS = ("\x1b", "\x07", "\x9b")
ARTICLE = {"id": "ostrel-ferry", "title": "Ferry \x1b]0;pwned\x07sinks off Ostrel", "source": "Harbour \x1b[31mWire",
           "published_at": "2026-03-10",
           "text": "The Ostrel ferry \x1b]0;pwned\x07sank at dawn on Tuesday\x1b[31m, the harbour office said\x9b2J. "
                   "All forty passengers were rescued by fishing boats."}


def run(*args: str, index) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(ASSISTANT_EMBEDDER="hash", ASSISTANT_NO_SERVE_REUSE="1")
    done = subprocess.run([sys.executable, "-m", "assistant", *args, "--index", str(index)], capture_output=True,
                          text=True, env=env, cwd=REPO, timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_ask_and_list_show_terminal_controls_instead_of_running_them(tmp_path):
    """The cited sentence is printed with \\x1b, \\x07, \\x9b spelled out; --json keeps the exact text (escaped)."""
    source = tmp_path / "ferry.jsonl"
    source.write_text(json.dumps(ARTICLE) + "\n", encoding="utf-8")
    build_index(tmp_path / "index", [source])
    question = "When did the Ostrel ferry sink?"
    for out in (run("ask", question, index=tmp_path / "index"), run("list", index=tmp_path / "index")):
        assert not any(c in out for c in CONTROLS), repr(out)
    shown = run("ask", question, index=tmp_path / "index")
    assert "The Ostrel ferry \\x1b]0;pwned\\x07sank at dawn on Tuesday\\x1b[31m, the harbour office said\\x9b2J." in shown
    raw = run("ask", question, "--json", index=tmp_path / "index")
    assert not any(c in raw for c in CONTROLS)
    cited = json.loads(raw)["citations"][0]
    assert cited["text"] == ARTICLE["text"][cited["char_start"]:cited["char_end"]] and "\x9b" in cited["text"]


def test_markdown_export_writes_no_html_and_no_script_links():
    hostile = "<img src=x onerror=alert(1)> [open](javascript:alert(2)) [x]: javascript:alert(3)"
    turn = {"question": f"What about {hostile}?", "answer": f"It said {hostile} [1].", "short_answer": None,
            "abstained": False, "citations": [{
                "article_id": "a", "title": f"Title {hostile}", "source": "<b>Wire</b>", "published_at": None,
                "url": "javascript:alert(4)", "sentence_index": 0, "char_start": 0, "char_end": 9,
                "text": f"Sentence {hostile}", "score": 0.9}]}
    md = conversation_markdown([turn], datetime(2026, 3, 14, tzinfo=UTC))
    assert "<img" not in md and "<javascript:" not in md and "<b>" not in md
    assert not re.search(r"(?<!\\)\]\(javascript:", md)  # "[open](javascript:…)" is written as "[open\](…"
    html = MarkdownIt("commonmark").render(md)  # raw HTML on, as many Markdown viewers have it
    assert "<img" not in html and "<b>" not in html
    assert "href" not in html  # not one link: the article's were all text
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "[open](javascript:alert(2))" in html

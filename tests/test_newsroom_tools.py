"""The newsroom tools without a browser: the figure timeline from a hand-made answer, the copied answer and the
Markdown export, conversations kept and archived, the article browser's facade and HTML, who may delete."""

from __future__ import annotations

import dataclasses
import os
import time
from datetime import UTC, datetime
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from assistant.core import Assistant
from assistant.web.browse import article_list_html, article_sentences_html
from assistant.web.conversations import (
    KEEP_EARLIER,
    archive,
    earlier_choices,
    reopen,
    valid_earlier,
    valid_turns,
    write_export,
)
from assistant.web.export import answer_text, conversation_markdown, day
from assistant.web.format import exchange, history, transcript_html
from assistant.web.input import parse_filters
from common.config import Config
from common.records import Answer, Citation
from index.store import ChromaStore

from .conftest import EXAMPLES
from .serving import build_index
from .test_web_format import Tags, assert_inert

EVIL = '<img src=x onerror="window.__xss=1">'
NOW = datetime(2026, 3, 14, 10, 22, tzinfo=UTC)


def cite(n, text, title="Flood toll in Velmora rises to 14", date="2026-03-09T08:00:00+00:00", url=None) -> dict:
    return {"article_id": f"art-{n}", "title": title, "source": "Ostrakand Wire", "published_at": date,
            "sentence_index": n, "char_start": 0, "char_end": len(text), "text": text, "score": 0.9, "url": url}


def figure_turn(timeline=None) -> dict:
    """A hand-made answer with the `timeline` field the answer builders add (figure, date, source, citation)."""
    return {"question": "How many people died in the Velmora flood?",
            "answer": "The latest figure is 14 people [1]; earlier reports said nine [2].", "short_answer": "14 people",
            "abstained": False, "related": [],
            "citations": [cite(0, "The office said 14 people had died.", url="https://example.org/toll"),
                          cite(1, "Floodwater has killed nine people.", "Nine dead as River Velm floods Velmora",
                               "2026-03-07T08:00:00+00:00")],
            "timeline": timeline if timeline is not None else [
                {"figure": "14 people", "date": "2026-03-09", "source": "Ostrakand Wire", "citation": 1},
                {"figure": "nine people", "date": "2026-03-07", "source": "Ostrakand Wire", "citation": 2}]}


def test_a_figure_from_two_articles_becomes_a_dated_timeline_oldest_first():
    html = transcript_html([figure_turn()])
    box = html.split('<div class="timeline"', 1)[1]
    assert "How the figure changed" in box
    days = [unescape(x.split(">", 1)[1].split("<", 1)[0]) for x in box.split("<time")[1:]]
    assert days == ["7 March 2026", "9 March 2026"]
    assert box.index("nine people") < box.index("14 people")
    markers = [(a["data-cite"], a["data-kind"]) for t, a in Tags(box).tags if t == "button" and "cite-marker" in a["class"]]
    assert markers == [("2", "cite"), ("1", "cite")]  # each point opens its cited sentence


def test_no_timeline_for_one_figure_or_none_and_hostile_figures_are_text():
    assert "timeline" not in transcript_html([figure_turn(figure_turn()["timeline"][:1])])
    no_field = {k: v for k, v in figure_turn().items() if k != "timeline"}
    assert "timeline" not in transcript_html([no_field])  # answers from before the field existed
    hostile = figure_turn([{"figure": EVIL, "date": "2026-03-07", "source": EVIL, "citation": 9},
                           {"figure": "14", "date": None, "source": None, "citation": 1}])
    html = transcript_html([hostile])
    assert_inert(html)
    assert "undated" in html and EVIL in unescape(html)
    assert [a["data-cite"] for t, a in Tags(html.split("timeline", 1)[1]).tags if t == "button"
            and "cite-marker" in a["class"]] == ["1"]  # no marker for a citation the answer does not have


def test_copied_answer_is_plain_text_with_numbered_sources():
    text = answer_text(figure_turn())
    assert text.startswith("Question: How many people died in the Velmora flood?\n\nThe latest figure is 14 people [1]")
    assert "Short answer: 14 people" in text
    assert "How the figure changed:\n  7 March 2026: nine people (Ostrakand Wire) [2]\n  9 March 2026: 14 people" in text
    assert ("Sources:\n[1] Flood toll in Velmora rises to 14 — Ostrakand Wire, 9 March 2026\n"
            "    https://example.org/toll\n    “The office said 14 people had died.”\n"
            "[2] Nine dead as River Velm floods Velmora — Ostrakand Wire, 7 March 2026\n"
            "    “Floodwater has killed nine people.”\n") in text
    button = [a for t, a in Tags(transcript_html([figure_turn()])).tags if t == "button" and "copy" in a["class"]]
    assert len(button) == 1 and button[0]["data-copy"] == text  # the attribute round-trips the exact text


def test_export_is_markdown_of_the_whole_conversation():
    abstained = {"question": "What is the price of tea on Mars?", "answer": "The articles don't say.",
                 "short_answer": None, "abstained": True, "citations": [], "related": []}
    md = conversation_markdown([figure_turn(), abstained], NOW)
    assert md.startswith("# Conversation with the newsroom assistant\n\nExported 2026-03-14 10:22 UTC.")
    assert "## 1. How many people died in the Velmora flood?" in md and "## 2. What is the price of tea on Mars?" in md
    assert "1. *Flood toll in Velmora rises to 14* — Ostrakand Wire, 9 March 2026 <https://example.org/toll>\n" \
           "   > The office said 14 people had died." in md
    assert "- 7 March 2026: nine people (Ostrakand Wire) [2]" in md and "**Not in the articles.**" in md
    assert conversation_markdown([dict(abstained, answer="# not a heading")], NOW).count("\n# ") == 0


def test_turns_keep_urls_for_copying_but_not_in_the_history_sent_back():
    ans = Answer("Fourteen [1].", "14", False, (Citation("a1", "T", "S", None, 0, 0, 9, "Fourteen.", 0.9),))
    ex = exchange("Q?", ans, {"a1": "https://example.org/a1"})
    assert ex["citations"][0]["url"] == "https://example.org/a1"
    assert history([ex]) == [{"question": "Q?", **ans.to_dict()}]


def test_conversations_come_back_checked_archived_and_reopened(tmp_path):
    good = figure_turn()
    assert valid_turns([good, {"question": 3}, "x", {"question": "q", "answer": "a", "citations": [{"text": 1}]}]) == [good]
    assert valid_turns({"not": "a list"}) == [] and valid_earlier([{"turns": "bad"}, 5]) == []
    earlier = []
    for i in range(KEEP_EARLIER + 2):
        earlier = archive([dict(good, question=f"Q{i}?")], earlier, NOW)
    assert len(earlier) == KEEP_EARLIER and earlier[0]["title"] == f"Q{KEEP_EARLIER + 1}?"
    assert archive([], earlier) is earlier
    current, rest = reopen(2, [dict(good, question="Now?")], earlier)
    assert current[0]["question"] == earlier[2]["turns"][0]["question"]
    assert rest[0]["title"] == "Now?" and len(rest) == KEEP_EARLIER
    assert earlier_choices(rest)[1] == (f"{earlier[0]['title']} (1 question, 2026-03-14 10:22)", "1")
    assert earlier_choices(rest)[0][0].startswith("Now? (1 question, ")
    path = write_export([good], tmp_path, NOW)
    assert path.name == "conversation-2026-03-14-1022.md" and "14 people" in path.read_text(encoding="utf-8")
    os.utime(path.parent, (time.time() - 7200, time.time() - 7200))
    newer = write_export([good], tmp_path, NOW)
    assert not path.exists() and newer.exists() and write_export([], tmp_path) is None


def test_dates_in_words():
    assert day("2026-03-07T09:00:00+00:00") == "7 March 2026" and day(None) == "" and day("soon") == "soon"


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    root = tmp_path_factory.mktemp("library")
    build_index(root / "index", [EXAMPLES])
    config = Config.from_env(env={}, index_dir=root / "index", embedder="hash")
    return Assistant(config, store=ChromaStore(config)).library


def test_library_browses_by_source_dates_and_title_words(library):
    everything = library.browse()
    assert [r.id for r in everything] == [r.id for r in library.articles()]
    dates = [r.published_at for r in everything if r.published_at]
    assert dates == sorted(dates, reverse=True)  # newest first
    wire = library.browse(parse_filters(["Ostrakand Wire"], None, None))
    assert wire and all(r.source == "Ostrakand Wire" for r in wire) and len(wire) < len(everything)
    march = library.browse(parse_filters([], "2026-03-07", "2026-03-09"))
    assert {r.published_at[:10] for r in march} == {"2026-03-07", "2026-03-09"}  # whole days, undated left out
    assert [r.title for r in library.browse(title="velmora TOLL")] == ["Flood toll in Velmora rises to 14"]
    assert library.browse(title="no such words") == []


class Text(HTMLParser):
    """The text a reader sees (attributes left out)."""

    def __init__(self, html: str):
        super().__init__()
        self.parts: list[str] = []
        self.feed(html)

    def handle_data(self, data):
        self.parts.append(data)


def test_browser_html_escapes_and_never_shows_ids(library):
    """An article without a title reads "Untitled article"; a file without a source shows its file name
    (kessaly-ferries-resume.html), which holds the id it was given: apart from that, no id is ever shown."""
    rows = library.browse()
    rows = [*rows[:-1], dataclasses.replace(rows[-1], title=None)]
    html = article_list_html(rows, len(rows), selected=rows[0].id)
    assert_inert(html)
    visible = " ".join(Text(html).parts)
    assert "Untitled article" in visible
    for source in {r.source for r in rows if r.source}:
        visible = visible.replace(source, "")
    assert not any(r.id in visible for r in rows)
    assert sum("selected" in a.get("class", "") for t, a in Tags(html).tags if t == "button") == 1
    assert "No article matches" in article_list_html([], 8)
    stored = library.article(rows[0].id)
    view = article_sentences_html(stored)
    assert view.count("<li value=") == len(stored.sentence_spans)


def test_who_may_edit():
    """Delete and upload in the chat: the logged-in user; without a log-in nobody, not even on loopback (behind a
    proxy every visitor comes from 127.0.0.1), unless ASSISTANT_UI_EDIT_WITHOUT_LOGIN says so."""
    from ui import may_edit

    def cfg(**kw) -> Config:
        return Config.from_env(env={}, index_dir=Path("/nonexistent"), **kw)

    assert not may_edit(cfg(), None)  # loopback, no log-in: not by default
    assert may_edit(Config.from_env(env={"ASSISTANT_UI_EDIT_WITHOUT_LOGIN": "1"}, index_dir=Path("/x")), None)
    assert not may_edit(cfg(host="0.0.0.0"), None)  # an open public server (--allow-insecure): nobody
    with_login = cfg(host="0.0.0.0", ui_user="editor", ui_password="pw", ui_edit_without_login=True)
    assert may_edit(with_login, "editor") and not may_edit(with_login, None) and not may_edit(with_login, "x")

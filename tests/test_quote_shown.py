"""How a reported statement reads in a quote list when its sentence holds another speaker's statement too."""

from __future__ import annotations

import json

from assistant.core import Assistant
from common.config import Config
from index.pipeline import Ingestor
from index.store import ChromaStore

STORY = {"id": "bridge-1", "title": "Harlow bridge to reopen in May", "source": "Test Wire",
         "published_at": "2026-11-03",
         "text": "The Harlow footbridge will reopen in May after repairs, the council said on Monday.\n"
                 "Councillor Maren Oduya said the repairs would cost less than planned, while campaigner Tobias "
                 "Lindqvist said the bridge was still unsafe for cyclists.\n“We listened to residents,” Oduya said."}


def test_a_reported_statement_is_shown_without_the_other_speakers_clause(tmp_path):
    """Two speakers in one sentence: the councillor's list shows "Councillor Maren Oduya said the repairs would cost
    less than planned" (the reporter's words, exact, no quotation marks), never the campaigner's "the bridge was
    still unsafe" after "while"; the campaigner's list shows only his part. A sentence with one speaker's reported
    statement is still shown whole (tests/test_quote_answers.py)."""
    path = tmp_path / "story.jsonl"
    path.write_text(json.dumps(STORY) + "\n", encoding="utf-8")
    config = Config.from_env(env={}, index_dir=tmp_path / "index", embedder="hash")
    ingestor = Ingestor(config, store=ChromaStore(config))
    assert ingestor.ingest_paths([path]).ok
    assistant = Assistant(config, store=ingestor.store, embedder=ingestor.embedder)

    hers = [x for x in assistant.ask("What did Maren Oduya say?").text.splitlines() if x.startswith("- ")]
    assert hers[0].startswith("- Councillor Maren Oduya said the repairs would cost less than planned [1]")
    assert not any("unsafe" in x or "Lindqvist" in x for x in hers)
    assert hers[1].startswith("- “We listened to residents” [2]")
    his = [x for x in assistant.ask("What did Tobias Lindqvist say?").text.splitlines() if x.startswith("- ")]
    assert his == [his[0]] and his[0].startswith("- Tobias Lindqvist said the bridge was still unsafe for cyclists [1]")
    assert STORY["text"].find("Tobias Lindqvist said the bridge was still unsafe for cyclists") > 0

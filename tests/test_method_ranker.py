"""Worked example of the trained sentence ranker (assistant/qa/ranker.py) as a stage: a tiny wire story, a question,
the sentence order before and after it, and why. Real Chroma in tmp_path, the hash embedder, the shipped ranker."""

from __future__ import annotations

from assistant.core import Assistant
from assistant.understand import understand
from common.config import Config
from common.records import Filters
from index.pipeline import Ingestor
from index.store import ChromaStore

STORY = """Mine found under ferry pier in Port Kessaly

PORT KESSALY, Ostrakand (Wire) -- Divers found a wartime mine beneath the ferry pier on Tuesday, and police set off \
a controlled explosion at the old harbour. Ferry operators said their vessels would stay in port until the inner \
basin was declared safe. Harbour master Edvin Roth urged them to keep clear until Friday. The walkout by dock workers \
began on 2 March and entered its second week on Monday. The dock workers' strike is backed by the Northline \
Transport Union.
"""
BACKED = "The dock workers' strike is backed by the Northline Transport Union."
BEGAN = "The walkout by dock workers began on 2 March and entered its second week on Monday."


def test_the_ranker_puts_the_sentence_that_answers_before_the_one_that_repeats_the_question(tmp_path):
    """'When did the dock workers' strike begin?': the hand scores put the strike's backer first, since that sentence
    repeats the question's words ("dock workers' strike"); the ranker, reading each sentence in its context after the
    question, sees that the one about the walkout says when it began, and orders it first."""
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "pier.txt").write_text(STORY, encoding="utf-8")
    config = Config.from_env(env={}, index_dir=tmp_path / "index", embedder="hash")
    ingestor = Ingestor(config, store=ChromaStore(config))
    assert ingestor.ingest_paths([folder]).ok
    assistant = Assistant(config, store=ingestor.store, embedder=ingestor.embedder)
    query = understand("When did the dock workers' strike begin?", [])
    scored = assistant.candidates(query, Filters())
    assert [c.text for c in scored[:2]] == [BACKED, BEGAN]
    ranked = assistant.reader.ranker.order(query.text, scored)
    assert [c.text for c in ranked[:2]] == [BEGAN, BACKED]
    assert ranked[0].ranker > 0.5 > ranked[1].ranker
    answer = assistant.ask(query.text)
    assert answer.short_answer == "2 March" and answer.citations[0].text == BEGAN
    assert STORY[answer.citations[0].char_start : answer.citations[0].char_end] == BEGAN

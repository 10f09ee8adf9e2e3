"""Follow-ups that must not leak earlier turns (issue 25), as worked examples on the sample corpus in a real Chroma
index (hash embedder): a question that does not refer back is a new question, whatever came before it; "Who said
that?" after an abstention (or first) says there is no previous answer."""

from __future__ import annotations

import pytest

from assistant.conversation import NO_PREVIOUS_ANSWER
from assistant.core import Assistant
from assistant.query import Turn
from assistant.understand import refers_back, turn_from_dict, understand
from common.config import Config
from index.pipeline import Ingestor
from index.store import ChromaStore

from .conftest import EXAMPLES

QUOTE = "What did Mayor Ilsa Varenko say?"


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    config = Config.from_env(env={}, index_dir=tmp_path_factory.mktemp("leaks") / "index", embedder="hash")
    ingestor = Ingestor(config, store=ChromaStore(config))
    assert ingestor.ingest_paths([EXAMPLES]).ok
    return Assistant(config, store=ingestor.store, embedder=ingestor.embedder)


def turns(assistant, *questions):
    history = []
    for q in questions:
        history.append({"question": q, **assistant.ask(q, history=list(history)).to_dict()})
    return history


def test_after_a_quote_answer_the_capital_of_france_is_a_new_question(sample):
    """The leak: after the mayor's quote, "What is the capital of France?" answered "We [1]" (two content words
    made it "elliptical", so the mayor's question was searched with it). It does not refer back: no answer."""
    history = turns(sample, QUOTE)
    assert not history[0]["abstained"]
    answer = sample.ask("What is the capital of France?", history=history)
    assert answer.abstained and answer.short_answer is None and not answer.citations


def test_after_a_quote_answer_the_population_of_velmora_is_not_the_mayor(sample):
    """The leak: "What is the population of Velmora?" answered "Mayor Ilsa Varenko". The articles give no
    population, so the answer is that they don't say; without the history it is the same answer."""
    history = turns(sample, QUOTE)
    leaked = sample.ask("What is the population of Velmora?", history=history)
    fresh = sample.ask("What is the population of Velmora?")
    assert leaked.short_answer != "Mayor Ilsa Varenko" and "Varenko" not in (leaked.short_answer or "")
    assert (leaked.abstained, leaked.short_answer) == (fresh.abstained, fresh.short_answer)


def test_who_said_that_after_an_abstention_says_there_is_no_previous_answer(sample):
    """The leak: after "the articles don't say" (which lists closest sentences, never shown as an answer),
    "Who said that?" named a speaker of one of them. Now: there is no previous answer to refer to."""
    history = turns(sample, "What is the capital of France?")
    assert history[0]["abstained"]
    answer = sample.ask("Who said that?", history=history)
    assert answer.abstained and answer.text == NO_PREVIOUS_ANSWER and not answer.citations
    assert sample.ask("Who said that?").text == NO_PREVIOUS_ANSWER  # nothing before it at all


def test_real_follow_ups_still_follow(sample):
    """What does refer back still does: "and how many children?" after the toll, "Who said that?" after it, and
    "What did he say then?" after the mayor's quote (the speaker is carried over)."""
    history = turns(sample, "How many people died in the Velmora flood?")
    assert sample.ask("and how many children?", history=history).short_answer == "two"
    assert sample.ask("Who said that?", history=history).short_answer == "provincial emergency office"
    history = turns(sample, QUOTE)
    assert "Varenko" in sample.ask("What else did she say?", history=history).text


@pytest.mark.parametrize("question,back", [
    ("What is the capital of France?", False),
    ("What is the population of Velmora?", False),
    ("Which town did the river flood that week?", False),  # "that week": a time, not the previous answer
    ("Who is the mayor that resigned?", False),
    ("and how many children?", True),
    ("What else did she say?", True),
    ("What happened then?", True),
    ("Why did he say that?", True),
    ("When did it happen?", True),
    ("What about the levee?", True),
])
def test_refers_back(question, back):
    assert refers_back(question) is back


def test_a_new_question_borrows_nothing_from_the_previous_turn():
    """Two content words alone no longer make a follow-up: no search text, no preferred articles borrowed."""
    prev = Turn(QUOTE, speaker="Mayor Ilsa Varenko", article_ids=("flood",), cited=(("flood", 4),))
    q = understand("What is the capital of France?", [prev])
    assert q.search_text == "What is the capital of France?" and q.prefer_articles == () and not q.exclude


def test_an_abstention_sent_back_in_history_cites_nothing():
    turn = turn_from_dict({"question": "What is the capital of France?", "abstained": True, "citations": [
        {"article_id": "flood", "sentence_index": 3, "text": "“We are still pulling people out,” said Mayor Ilsa Varenko."}]})
    assert turn.cited == () and turn.speaker is None

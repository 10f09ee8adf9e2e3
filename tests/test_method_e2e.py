"""The four stages together on the sample corpus (examples/articles, in the repository) with a real Chroma index in
tmp_path and the deterministic hash embedder: every kind's exact short answer and cited sentence, on a fresh clone."""

from __future__ import annotations

import pytest

from assistant.core import Assistant
from common.config import Config
from index.pipeline import Ingestor
from index.store import ChromaStore

from .conftest import EXAMPLES


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    config = Config.from_env(env={}, index_dir=tmp_path_factory.mktemp("sample") / "index", embedder="hash")
    ingestor = Ingestor(config, store=ChromaStore(config))
    assert ingestor.ingest_paths([EXAMPLES]).ok
    texts = {s.article.id: s.article.text for s in ingestor.store.iter_articles()}
    return Assistant(config, store=ingestor.store, embedder=ingestor.embedder), texts


@pytest.mark.parametrize(("question", "short", "sentence_start"), [
    # two articles give the toll (9, then 14): the latest first
    ("How many people died in the Velmora flood?", "14", "The office said 14 people had died"),
    ("Who said “We are still pulling people out of attics and off rooftops”?", "Mayor Ilsa Varenko",
     "“We are still pulling people out"),
    # the event's time, with the calendar day it names counted from the article's date
    ("When did the River Velm burst its banks in Velmora?", "Thursday", "The river burst its banks"),
    # "in what year" asks for the year: the sentence's "in 1987" without its preposition
    ("In what year did the Velm last flood the town?", "1987", "The Velm last flooded the town in 1987"),
    ("Who is the manager of Kessaly Rovers?", "Jonas Pelk", "“At half-time I told them"),
    ("How many hectares has the Harrowmere wildfire burned?", "about 2,300",
     "HARROWMERE, Lastovia"),
])
def test_each_kind_end_to_end(sample, question, short, sentence_start):
    assistant, texts = sample
    answer = assistant.ask(question)
    assert not answer.abstained and answer.short_answer == short
    assert answer.citations[0].text.startswith(sentence_start)
    for c in (*answer.citations, *answer.ranked):
        assert texts[c.article_id][c.char_start : c.char_end] == c.text


def test_an_open_question_gets_the_story_lead_and_no_short_answer(sample):
    """"What happened in Velmora?" has no phrase for an answer: the reader is not asked for one, and the story's
    lead (its first sentence says what happened) comes first."""
    answer = sample[0].ask("What happened in Velmora?")
    assert not answer.abstained and answer.short_answer is None
    assert answer.citations[0].text.startswith("VELMORA, Ostrakand (Ostrakand Wire) — Floodwater from the River Velm")


def test_what_happened_to_someone_is_what_they_did_or_suffered(sample):
    """"What happened to the three rescue workers?" is about them, not the story's lead: the reader finds the action
    in the sentence that names them ('drowned …', a span opening with a verb), which becomes the short answer."""
    answer = sample[0].ask("What happened to the three rescue workers?")
    assert answer.short_answer == "drowned on Saturday when their boat capsized near the broken weir"
    assert answer.citations[0].text.startswith("The three rescue workers, all volunteers")


@pytest.mark.parametrize("question", ["Who won the Nobel prize in Velmora?",
                                      "How much will the inquiry into the levees cost?"])
def test_what_the_articles_do_not_say_is_declined(sample, question):
    """No article names a Nobel prize; the levee inquiry is mentioned but no sum for it: both are declined."""
    answer = sample[0].ask(question)
    assert answer.abstained and answer.citations == ()


def test_no_more_questions_run_at_once_than_ask_workers(sample):
    """Twelve threads ask at once through an Assistant with ask_workers=2: the embedder (the one step every
    question passes) never sees more than two questions inside it, and every thread still gets its answer. Without
    the gate a serving process's upload ingest got ~1/21 of the interpreter among 20 askers (20 articles: 1,177 s;
    with it, 33 s: benchmarks/concurrent_ask.py --mode local --embedder hash --initial 20 --incoming 16)."""
    import threading
    import time

    base, _ = sample
    inside, most, lock = 0, 0, threading.Lock()

    class Counting:
        def embed(self, texts):
            nonlocal inside, most
            with lock:
                inside += 1
                most = max(most, inside)
            time.sleep(0.05)  # long enough for the other threads to pile up at the gate
            try:
                return base.embedder.embed(texts)
            finally:
                with lock:
                    inside -= 1

    gated = Assistant(base.config.with_(ask_workers=2), store=base.store, embedder=Counting())
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(gated.ask("How many people died in the Velmora flood?")))
               for _ in range(12)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert most == 2 and [a.short_answer for a in answers] == ["14"] * 12

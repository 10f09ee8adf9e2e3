"""The reader's data preparation, without training: windows, exact offsets, labels and negatives."""

from __future__ import annotations

import random

import numpy as np
import pytest

from assistant.qa.decode import best_span
from assistant.qa.windows import (
    CLS,
    SEP,
    answer_positions,
    article_tokens,
    encode,
    question_ids,
    quotes_closed,
    widen_to_words,
    window_around,
)
from index.sentences import split_sentences
from training.reader_data import SHARED, Doc, Question, build_examples, examples_for, folds_by_article, load_docs
from training.reader_data import load_questions as load_qs

TEXT = ("The Velmora flood killed nine people, officials said on Sunday. Rescue teams searched the old town. "
        "Mayor Ilsa Varenko ordered an independent inquiry into the levee. Engineers had warned about the levee "
        "in 2019. The river crested at 6.2 metres on Saturday night.")


def doc_of(text: str) -> Doc:
    from common.text import terms

    spans = tuple(split_sentences(text))
    return Doc("d1", text, spans, article_tokens(text, spans), tuple(frozenset(terms(text[s:e])) for s, e in spans))


def test_pieces_keep_exact_offsets_and_their_sentence():
    """Every word piece points at the characters it came from, inside the sentence it is assigned to."""
    doc = doc_of(TEXT)
    toks = doc.tokens
    for k in range(len(toks.ids)):
        s, e = int(toks.starts[k]), int(toks.ends[k])
        a, b = doc.spans[int(toks.sentence[k])]
        assert a <= s < e <= b
    assert TEXT[toks.starts[toks.first[2]] : toks.ends[toks.stop[2] - 1]] == TEXT[slice(*doc.spans[2])]


def test_window_holds_its_sentence_and_fills_the_budget_from_both_sides():
    doc = doc_of(TEXT)
    w = window_around(doc.tokens, 2, 30)
    assert w.hi - w.lo == 30
    assert w.lo <= doc.tokens.first[2] and doc.tokens.stop[2] <= w.hi
    assert w.lo > 0 and w.hi < len(doc.tokens.ids)  # context taken on both sides
    whole = window_around(doc.tokens, 0, 1000)
    assert (whole.lo, whole.hi) == (0, len(doc.tokens.ids))


def test_the_answer_label_maps_back_to_the_exact_characters():
    """"Who ordered the inquiry?": the label's pieces are exactly "Mayor Ilsa Varenko" in the article."""
    doc = doc_of(TEXT)
    start = TEXT.index("Mayor Ilsa Varenko")
    end = start + len("Mayor Ilsa Varenko")
    q = question_ids("Who ordered the inquiry?")
    w = window_around(doc.tokens, 2, 40)
    ids, types = encode(q, doc.tokens, w)
    assert ids[0] == CLS and ids[len(q) + 1] == SEP and ids[-1] == SEP and len(ids) == len(types)
    s, e = answer_positions(q, doc.tokens, w, start, end)
    first = len(q) + 2
    assert TEXT[doc.tokens.starts[s - first + w.lo] : doc.tokens.ends[e - first + w.lo]] == "Mayor Ilsa Varenko"
    far = window_around(doc.tokens, 4, 12)  # the last sentence alone: the answer is not in it
    assert answer_positions(q, doc.tokens, far, start, end) == (0, 0)


def test_an_answer_cut_by_the_window_edge_is_no_answer():
    doc = doc_of(TEXT)
    q = question_ids("Who ordered the inquiry?")
    w = window_around(doc.tokens, 2, 40)
    cut = int(doc.tokens.starts[w.hi - 1])  # an answer running one piece past the window's end
    assert answer_positions(q, doc.tokens, w, cut, int(doc.tokens.ends[w.hi])) == (0, 0)


FILLER = " ".join(f"Volunteers filled {n} sandbags at the depot before the second wave of rain arrived in town."
                  for n in range(20, 32))
LONG = f"{TEXT} {FILLER} A new levee will be built next year, the council said."


def test_negatives_come_from_other_sentences_and_do_not_hold_the_answer():
    """One positive around the answer's sentence, then a window without the answer around the sentence that
    shares most of the question's words: the last one ("levee" again), far enough that its window does not reach
    the answer (sentence 2 shares "levee" too, but its window holds the answer, so it is no negative)."""
    doc = doc_of(LONG)
    start = LONG.index("in 2019") + 3
    q = Question("q1", "d1", "When did engineers warn about the levee?", ((start, start + 4, "2019"),))
    exs = examples_for(q, doc, random.Random(0))
    assert exs[0].positive and all(not x.positive for x in exs[1:]) and len(exs) == 2
    first = len(question_ids(q.text)) + 2
    p = exs[0]
    assert LONG[doc.tokens.starts[p.start - first + p.window.lo] : doc.tokens.ends[p.end - first + p.window.lo]] == "2019"
    assert exs[1].window.center == len(doc.spans) - 1


def test_folds_never_split_an_article():
    fold = folds_by_article(["c", "a", "b", "d", "e", "f"], 5)
    assert sorted(fold) == ["a", "b", "c", "d", "e", "f"] and fold["a"] == 0 and fold["f"] == 0
    assert set(fold.values()) == {0, 1, 2, 3, 4}


def test_widen_to_words_never_returns_a_fragment():
    text = "The lunar orbiter is taking pictures of the south pole."
    a = text.index("orbiter") + 2
    assert text[slice(*widen_to_words(text, a, a + 3))] == "orbiter"
    assert text[slice(*widen_to_words(text, text.index("south"), len(text)))] == "south pole"
    # a span that starts at a hyphen's piece ("-defendant Jodi Hildebrandt") takes in the whole compound
    text = "Franke believed that her co-defendant Jodi Hildebrandt had the insight."
    a, b = text.index("-defendant"), text.index(" had")
    assert text[slice(*widen_to_words(text, a, b))] == "co-defendant Jodi Hildebrandt"
    # but a span that ends where a compound adjective goes on stays the name ("Portland, Maine", not "…Maine-based")
    text = "The Portland, Maine-based startup buys homes."
    assert text[slice(*widen_to_words(text, text.index("Portland"), text.index("-based")))] == "Portland, Maine"


def test_a_short_answer_never_shows_half_a_quotation():
    """The reader's phrase widened to '“Scary Fast' (the name's opening mark, not its closing one after the comma)
    loses the lone mark; 'Michael Jackson’s "Thriller' gains the closing one right after it."""
    text = 'This one is dubbed “Scary Fast,” they said. It ends with Michael Jackson’s "Thriller" every time.'
    a = text.index("“Scary")
    assert text[slice(*quotes_closed(text, a, a + len("“Scary Fast")))] == "Scary Fast"
    a, b = text.index("Michael"), text.index('" every')
    assert text[slice(*quotes_closed(text, a, b))] == 'Michael Jackson’s "Thriller"'
    a = text.index("Michael")
    assert text[slice(*quotes_closed(text, a, a + len("Michael Jackson’s")))] == "Michael Jackson’s"
    text = 'Salafists call them " infidels " and shun them.'
    a = text.index('"')
    assert text[slice(*quotes_closed(text, a, text.index(" \" and")))] == "infidels"
    text = "The EU is investigating X under its new digital rulebook, the Digital Services Act (DSA), officials said."
    a = text.index("the Digital")
    assert text[slice(*quotes_closed(text, a, text.index(")")))] == "the Digital Services Act (DSA)"  # its bracket too


def test_best_span_stays_inside_one_sentence():
    """The logits favour a span from piece 1 to piece 4, but pieces 3-4 are another sentence: the best span that
    stays in one sentence wins."""
    start = np.array([0, 0, 5, 0, 0, 0, 0], dtype=float)  # [CLS] [SEP]? here: window pieces begin at position 1
    end = np.array([0, 0, 0, 1, 0, 6, 0], dtype=float)
    sentence = np.array([0, 0, 0, 1, 1, 1])
    sp = best_span(start, end, 1, 10, sentence)
    assert (sp.piece_start, sp.piece_end) == (11, 12) and sp.score == 6 and sp.null == 0


@pytest.mark.skipif(not (SHARED / "squad_train" / "qa_train.jsonl").exists(),
                    reason="../shared/data/squad_train not present (the project's shared data)")
def test_squad_train_examples_label_the_answers_exactly():
    """Over all 5,609 training questions: a positive per question (a handful lost where a crowd answer starts
    inside a word) whose label is exactly one of the crowd answers, and negatives that hold no answer."""
    docs = load_docs(SHARED / "squad_train" / "articles.jsonl")
    qs = load_qs(SHARED / "squad_train" / "qa_train.jsonl", docs)
    exs = build_examples(qs, docs, 13)
    by_id = {q.id: q for q in qs}
    positives = [x for x in exs if x.positive]
    assert len(qs) == 5609 and len(positives) >= 0.995 * len(qs)
    exact = 0
    for x in positives:
        d, q = docs[x.article_id], by_id[x.question_id]
        first = len(x.ids) - 1 - (x.window.hi - x.window.lo)
        s = int(d.tokens.starts[x.start - first + x.window.lo])
        e = int(d.tokens.ends[x.end - first + x.window.lo])
        exact += any((s, e) == (a, b) for a, b, _ in q.answers)
    assert exact >= 0.998 * len(positives)
    assert max(len(x.ids) for x in exs) <= 128


def test_more_negatives_take_the_next_best_sentences_without_the_answer():
    """Two hard negatives: the last sentence (shares "levee") first, then, of the sentences sharing none of the
    question's words, the first whose window no longer reaches the answer: sentence 7 (the windows around sentences
    0-6 still hold "2019", so they are no negatives)."""
    doc = doc_of(LONG)
    start = LONG.index("in 2019") + 3
    q = Question("q1", "d1", "When did engineers warn about the levee?", ((start, start + 4, "2019"),))
    exs = examples_for(q, doc, random.Random(0), negatives=2)
    assert len(exs) == 3 and exs[0].positive and not exs[1].positive and not exs[2].positive
    assert [x.window.center for x in exs] == [3, len(doc.spans) - 1, 7]


def test_dense_negatives_follow_the_encoders_order_and_skip_what_is_taken():
    """One lexical negative (the last sentence, sharing "levee"), then one dense negative from the encoder's order
    [3, last, 4, 10, 9]: 3 is the answer's own sentence, the last is taken, 4's window still holds "2019" (no
    negative), so sentence 10 is the dense negative."""
    doc = doc_of(LONG)
    start = LONG.index("in 2019") + 3
    q = Question("q1", "d1", "When did engineers warn about the levee?", ((start, start + 4, "2019"),))
    last = len(doc.spans) - 1
    exs = examples_for(q, doc, random.Random(0), negatives=1, near=[3, last, 4, 10, 9], dense=1)
    assert [x.window.center for x in exs] == [3, last, 10]
    assert exs[0].positive and not any(x.positive for x in exs[1:])


def test_listwise_batches_keep_a_questions_windows_together_and_reward_the_answering_one():
    """Batches for the listwise loss hold each question's windows whole; the loss is lower when the window that
    answers has the highest answers-here logit than when a negative does."""
    torch = pytest.importorskip("torch")
    from assistant.qa.windows import Window
    from training.reader_data import Example
    from training.train_reader import batches, listwise

    w = Window(0, 0, 1)
    exs = [Example(f"q{n // 3}", "d1", w, (1,), (0,), 5 if n % 3 == 0 else 0, 6 if n % 3 == 0 else 0)
           for n in range(30)]
    got = list(batches(exs, list(range(30)), 8, random.Random(0), whole_questions=True))
    assert sorted(k for b in got for k in b) == list(range(30))
    for b in got:  # question n's windows are examples 3n, 3n+1, 3n+2: all in the batch, or none
        assert all(k // 3 * 3 + i in b for k in b for i in range(3))
    batch = exs[:6]
    right = listwise(torch.tensor([3.0, 0.0, 0.0, 3.0, 0.0, 0.0]), batch)
    wrong = listwise(torch.tensor([0.0, 3.0, 0.0, 0.0, 0.0, 3.0]), batch)
    assert float(right) < 0.2 < 1.5 < float(wrong)

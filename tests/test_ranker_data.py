"""The sentence ranker's data preparation, without training: one sentence alone after the question, the positive
holding the answer at its exact pieces, negatives that never say it."""

from __future__ import annotations

import random

from assistant.qa.windows import CLS, MAX_RANK_TOKENS, SEP, budget_for, encode, question_ids, sentence_window
from tests.test_reader_data import TEXT, doc_of
from training.ranker_data import group_for, holds_answer
from training.reader_data import Question

LEVEE = TEXT + " The levee near the old town failed again; engineers said the levee had been warned about."


def test_the_ranker_reads_one_sentence_alone():
    """The window is the sentence's own pieces, no neighbour's: 'Rescue teams searched the old town.' decoded back
    from its offsets is exactly that sentence."""
    doc = doc_of(TEXT)
    q_ids = question_ids("Who searched the old town?")
    w = sentence_window(doc.tokens, 1, budget_for(q_ids, MAX_RANK_TOKENS))
    ids, types = encode(q_ids, doc.tokens, w)
    assert ids[0] == CLS and ids[len(q_ids) + 1] == SEP and ids[-1] == SEP and len(ids) <= MAX_RANK_TOKENS
    s, e = doc.spans[1]
    assert TEXT[int(doc.tokens.starts[w.lo]) : int(doc.tokens.ends[w.hi - 1])] == TEXT[s:e] == "Rescue teams searched the old town."
    assert types.count(1) == w.hi - w.lo + 1


def test_a_long_sentence_is_cut_to_the_budget():
    """A sentence longer than the budget keeps its start: the ranker's input never exceeds MAX_RANK_TOKENS."""
    text = "The inquiry " + "heard evidence from engineers and residents, " * 40 + "and closed."
    doc = doc_of(text)
    q_ids = question_ids("What did the inquiry hear?")
    w = sentence_window(doc.tokens, 0, budget_for(q_ids, MAX_RANK_TOKENS))
    assert w.lo == 0 and len(encode(q_ids, doc.tokens, w)[0]) == MAX_RANK_TOKENS


def test_a_group_is_the_answering_sentence_then_sentences_that_never_say_the_answer():
    """'Who ordered an inquiry into the levee?': the positive is Mayor Ilsa Varenko's sentence, with the span head's
    label on her name's pieces; the levee sentences sharing the question's words come as hard negatives, and no
    negative says 'Ilsa Varenko'."""
    doc = doc_of(LEVEE)
    a = LEVEE.index("Mayor Ilsa Varenko")
    q = Question("q1", "d1", "Who ordered an inquiry into the levee?", ((a, a + len("Mayor Ilsa Varenko"),
                                                                           "Mayor Ilsa Varenko"),))
    group = group_for(q, doc, random.Random(0), near=[4, 3, 0, 1])
    pos, negs = group[0], group[1:]
    assert pos.positive and pos.sentence == 2 and [n.positive for n in negs] == [False] * len(negs)
    pieces = question_ids(q.text)
    offset = len(pieces) + 2
    w = sentence_window(doc.tokens, 2, budget_for(pieces, MAX_RANK_TOKENS))
    got = LEVEE[int(doc.tokens.starts[pos.start - offset + w.lo]) : int(doc.tokens.ends[pos.end - offset + w.lo])]
    assert got == "Mayor Ilsa Varenko"
    assert {n.sentence for n in negs[:2]} == {3, 5}  # the levee sentences: most of the question's words
    assert len({n.sentence for n in negs}) == len(negs) and all(not holds_answer(doc, n.sentence, q) for n in negs)

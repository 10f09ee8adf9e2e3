"""The sentence ranker's data preparation, without training: the sentence right after the question, its neighbours'
nearest pieces after it, the positive holding the answer at its exact pieces, negatives that never say it."""

from __future__ import annotations

import random

from assistant.qa.windows import CLS, MAX_RANK_TOKENS, SEP, question_ids, ranker_input
from tests.test_reader_data import TEXT, doc_of
from training.ranker_data import group_for, holds_answer
from training.reader_data import Question

LEVEE = TEXT + " The levee near the old town failed again; engineers said the levee had been warned about."


def said(doc, text: str, lo: int, hi: int) -> str:
    return text[int(doc.tokens.starts[lo]) : int(doc.tokens.ends[hi - 1])]


def test_the_ranker_reads_the_sentence_first_then_its_neighbours():
    """'Rescue teams searched the old town.' comes right after the question, whole, between two [SEP]s; what is left
    of the 96 pieces holds the sentence before it and the sentences after it, so a sentence that answers through a
    pronoun or a neighbour's name is read with that neighbour."""
    doc = doc_of(TEXT)
    q_ids = question_ids("Who searched the old town?")
    ids, types, w = ranker_input(q_ids, doc.tokens, 1)
    first = len(q_ids) + 2
    seps = [k for k, i in enumerate(ids) if i == SEP]
    assert ids[0] == CLS and seps == [first - 1, first + w.hi - w.lo, len(ids) - 1] and len(ids) <= MAX_RANK_TOKENS
    s, e = doc.spans[1]
    assert said(doc, TEXT, w.lo, w.hi) == TEXT[s:e] == "Rescue teams searched the old town."
    assert ids[first : first + w.hi - w.lo] == doc.tokens.ids[w.lo : w.hi].tolist()
    context = ids[seps[1] + 1 : seps[2]]
    assert context == [*doc.tokens.ids[: w.lo].tolist(), *doc.tokens.ids[w.hi :].tolist()]  # the whole rest fits
    assert types == [0] * first + [1] * (len(ids) - first)


def test_a_tight_budget_shares_the_rest_between_the_neighbours():
    """With 30 pieces, 'Mayor Ilsa Varenko ordered an independent inquiry into the levee.' fills most; the few left
    go to the end of the sentence before it ('old town.') and the start of the one after ('engineers had warned')."""
    doc = doc_of(TEXT)
    q_ids = question_ids("Who searched the old town?")
    ids, _, w = ranker_input(q_ids, doc.tokens, 2, total=30)
    assert len(ids) == 30
    context = ids[len(q_ids) + 3 + w.hi - w.lo : -1]
    before = doc.tokens.ids[w.lo - 3 : w.lo].tolist()
    after = doc.tokens.ids[w.hi : w.hi + len(context) - 3].tolist()
    assert context == before + after
    assert said(doc, TEXT, w.lo - 3, w.lo) == "old town." and said(doc, TEXT, w.hi, w.hi + 3) == "Engineers had warned"


def test_a_long_sentence_is_cut_to_the_budget_and_leaves_no_context():
    """A sentence longer than the budget keeps its start: the ranker's input never exceeds MAX_RANK_TOKENS."""
    text = "The inquiry " + "heard evidence from engineers and residents, " * 40 + "and closed. It sat for a year."
    doc = doc_of(text)
    q_ids = question_ids("What did the inquiry hear?")
    ids, _, w = ranker_input(q_ids, doc.tokens, 0)
    assert w.lo == 0 and len(ids) == MAX_RANK_TOKENS and ids[-2:] == [SEP, SEP]


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
    w = ranker_input(pieces, doc.tokens, 2)[2]
    got = LEVEE[int(doc.tokens.starts[pos.start - offset + w.lo]) : int(doc.tokens.ends[pos.end - offset + w.lo])]
    assert got == "Mayor Ilsa Varenko"
    assert {n.sentence for n in negs[:2]} == {3, 5}  # the levee sentences: most of the question's words
    assert len({n.sentence for n in negs}) == len(negs) and all(not holds_answer(doc, n.sentence, q) for n in negs)

"""Worked examples of stages 2-4: reciprocal-rank fusion, one sentence's score computed by hand, the diverse
ranking, each answer kind building its answer from scored sentences, and abstention. No index, no model."""

from __future__ import annotations

import numpy as np
import pytest

from assistant import tuning as t
from assistant.candidates import Candidate
from assistant.compose import NOT_FOUND, compose
from assistant.kinds.registry import BY_NAME
from assistant.retrieve import rrf
from assistant.score import diverse, score_one
from assistant.understand import understand

from .method import candidates, stored

TOLL = ("The death toll from last week’s flood in Velmora has risen to 14, the emergency office said on Sunday. "
        "The office said 14 people had died, including nine residents, three rescue workers and two children. "
        "Mayor Ilsa Varenko said the town would rebuild. "
        "“We will not leave anyone behind,” she said.")


def test_rrf_rewards_agreement_between_the_two_lists():
    """With k = 60 a passage 2nd in both lists (2 × 1/62 = 0.03226) beats one 1st in one list and 10th in the
    other (1/61 + 1/70 = 0.03068): agreement outweighs one strong rank."""
    assert rrf(0) == pytest.approx(1 / 61)
    assert 2 * rrf(1) > rrf(0) + rrf(9)


def test_one_sentence_score_by_hand():
    """Question words 'flood' (idf 2) and 'velmora' (idf 1); the sentence has 'flood', its neighbours both;
    dense similarity 0.5, from the top passage (1.0), it holds a figure (type 1) and states something (1):
    score = (0.29×0.5 + 0.385×(2/3) + 0.19×1 + 0.06×1 + 0.075×1 + 0.1×1) / 1.1 = 0.74697 (the weights sum
    to 1.1); support = 0.40×0.5 + 0.30×(2/3) + 0.10×1 + 0.12×1 + 0.08×1 = 0.7 (its weights sum to 1)."""
    c = Candidate(stored(TOLL), 0, passage=1.0, type_fit=1.0, terms={"flood"})
    vec, qvec = np.array([1.0, 0.0]), np.array([0.5, 0.866])
    score_one(c, {"flood": 2.0, "velmora": 1.0}, qvec, vec, neighbours={"flood", "velmora"})
    assert (c.dense, c.lexical, c.context, c.statement) == pytest.approx((0.5, 2 / 3, 1.0, 1.0))
    assert c.score == pytest.approx((0.29 * 0.5 + 0.385 * 2 / 3 + 0.19 + 0.06 + 0.075 + 0.1) / 1.1)
    assert c.support == pytest.approx(0.40 * 0.5 + 0.30 * 2 / 3 + 0.10 + 0.12 + 0.08)



def test_a_weight_left_out_is_an_error():
    """A mix names every signal: one that leaves `statement` out cannot be made (a dict of weights let a missing key
    weigh 0 silently), and the ranking mix sums to the 1.1 the score above is divided by."""
    with pytest.raises(TypeError, match="statement"):
        t.Weights(dense=0.3, lexical=0.3, context=0.2, passage=0.1, type=0.1)
    assert t.WEIGHTS.total() == pytest.approx(1.1) and t.SUPPORT_WEIGHTS.total() == pytest.approx(1.0)

def test_a_heading_or_a_question_states_nothing():
    """'Is the new deal a game-changer?' asks; 'Quick Guide' has no finite verb: neither is a statement."""
    from assistant.score import statement

    a = stored("Is the new media rights deal a game-changer for NASCAR? Quick Guide. NASCAR signed a $7.7 billion "
               "deal on Monday.")
    assert [statement(Candidate(a, i)) for i in range(3)] == [0.0, 0.0, 1.0]


def test_without_a_sentence_vector_the_dense_share_is_left_out():
    """No vector: the other weights (0.81) are renormalised, so a perfect lexical match still scores 1."""
    c = Candidate(stored(TOLL), 0, passage=1.0, type_fit=1.0, terms={"flood"})
    score_one(c, {"flood": 1.0}, np.array([1.0]), None, neighbours={"flood"})
    assert c.score == pytest.approx(1.0) and c.support == pytest.approx(1.0)


def test_diverse_ranking_lets_another_article_in():
    """Article A has four sentences at 0.90, 0.89, 0.88, 0.87, B one at 0.85. After A's first two, A's third is
    worth 0.88 − 2×0.04 = 0.80 < 0.85: B comes third."""
    a, b = stored(TOLL, "A"), stored(TOLL, "B")
    cands = candidates(a, [0.90, 0.89, 0.88, 0.87]) + candidates(b, [0.85])
    order = [(c.article.id, c.index) for c in diverse(sorted(cands, key=lambda c: -c.score), 5)]
    assert order == [("A", 0), ("A", 1), ("B", 0), ("A", 2), ("A", 3)]


def answer(question: str, scores: list[float], text: str = TOLL):
    q = understand(question)
    return compose(q, candidates(stored(text), scores), abstain_below=0.36)


def test_figure_kind_picks_the_counted_noun():
    """'How many children died?': of the four figures in sentence 2 only 'two children' has the noun asked."""
    a = answer("How many children died?", [0.9, 0.8, 0.5, 0.4])
    assert a.short_answer == "two" and a.citations[0].sentence_index == 1


def test_figure_kind_abstains_when_no_figure_counts_what_was_asked():
    """'How many firefighters died?': figures are there but none of firefighters, so the answer is 'not in
    the articles' (with the closest sentences), not the best sentence about the flood."""
    a = answer("How many firefighters died?", [0.9, 0.8, 0.5, 0.4])
    assert a.abstained and a.text == NOT_FOUND and len(a.related) == t.RELATED_SHOWN


def test_who_said_kind_names_the_speaker():
    a = answer("Who said the town would rebuild?", [0.5, 0.6, 0.9, 0.4])
    assert a.short_answer == "Mayor Ilsa Varenko" and a.citations[0].sentence_index == 2


def test_what_said_kind_follows_a_pronoun_to_the_next_sentence():
    """The mayor's sentence, then 'she said' right after it is the mayor going on: both are listed, and the
    short answer is the quoted words."""
    a = answer("What did Mayor Ilsa Varenko say?", [0.5, 0.4, 0.9, 0.6])
    assert [c.sentence_index for c in a.citations] == [2, 3]
    assert a.short_answer == "We will not leave anyone behind"


def test_date_kind_resolves_the_day():
    """'On what day did the office update its count?': 'on Sunday' in an article of Monday 24 January 2022 is
    Sunday 23 January; the answer says both."""
    a = answer("On what day did the emergency office update its count?", [0.9, 0.5, 0.3, 0.2])
    assert a.short_answer == "Sunday" and "Sunday 23 January 2022" in a.text


def test_clause_kinds_answer_with_the_reason():
    text = "Militants attacked the prison on Thursday in a bid to free its members. The attack was repelled."
    a = answer("Why did the militants attack the prison?", [0.9, 0.5], text)
    assert a.short_answer == "in a bid to free its members"


def test_role_kind_only_answers_from_a_sentence_naming_the_role_and_whose():
    """The best sentence names the club but no manager: it is not admitted; the one naming both answers."""
    text = "Kessaly Rovers beat Dunmarrow 2-1 on Saturday. Kessaly Rovers manager Jonas Pelk praised the defence."
    a = answer("Who is the manager of Kessaly Rovers?", [0.9, 0.7], text)
    assert a.short_answer == "Jonas Pelk" and a.citations[0].sentence_index == 1
    assert BY_NAME["role"].admit(understand("Who is the manager of Dunmarrow?"), candidates(stored(text), [0.9, 0.7])) \
        == []


def test_abstains_below_the_support_threshold():
    """The best support is 0.30 < 0.36: whatever the sentences say, the answer is 'not in the articles'."""
    a = answer("How many people died?", [0.30, 0.20, 0.10, 0.05])
    assert a.abstained and a.short_answer is None and a.citations == ()


def test_a_short_answer_is_only_shown_if_a_cited_sentence_contains_it():
    """Every figure, date and name the answer gives must be clickable back to a sentence that says it."""
    for question in ("How many children died?", "Who said the town would rebuild?"):
        a = answer(question, [0.9, 0.8, 0.7, 0.6])
        assert any(a.short_answer in c.text for c in a.citations)
        for c in a.citations:
            assert TOLL[c.char_start : c.char_end] == c.text

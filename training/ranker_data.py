"""Training groups for the sentence ranker from SQuAD-format data: per question, the sentence holding its answer and
sentences of the same article that do not (those sharing most of its words, those nearest it by MiniLM, one at
random), each read after the question with its neighbours' nearest pieces."""

from __future__ import annotations

import random
from dataclasses import dataclass

from assistant.qa.windows import answer_positions, question_ids, ranker_input
from common.text import terms
from training.reader_data import Doc, Question, sentence_of

LEXICAL_NEGATIVES = 2  # sentences sharing most of the question's words (what lexical retrieval brings up)
DENSE_NEGATIVES = 2  # sentences nearest the question by MiniLM cosine (what dense retrieval brings up)
RANDOM_NEGATIVES = 1  # any other sentence of the article


@dataclass(frozen=True)
class Pair:
    question_id: str
    article_id: str
    sentence: int
    ids: tuple[int, ...]
    types: tuple[int, ...]
    start: int  # input positions of the answer in a positive (the span head learns it beside the ranking); else 0
    end: int
    positive: bool


def holds_answer(doc: Doc, i: int, q: Question) -> bool:
    """Whether sentence i says one of the answers (so it is no negative, wherever the gold offsets point)."""
    s, e = doc.spans[i]
    said = doc.text[s:e].lower()
    return any(t.lower() in said for _, _, t in q.answers)


def pair(q: Question, doc: Doc, i: int, positive: bool) -> Pair:
    q_ids = question_ids(q.text)
    ids, types, w = ranker_input(q_ids, doc.tokens, i)
    start, end = (0, 0)
    if positive:
        a, b, _ = q.answers[0]
        start, end = answer_positions(q_ids, doc.tokens, w, a, b)
    return Pair(q.id, q.article_id, i, tuple(ids), tuple(types), start, end, positive)


def group_for(q: Question, doc: Doc, rng: random.Random, near: list[int] | None = None,
              lexical: int = LEXICAL_NEGATIVES, dense: int = DENSE_NEGATIVES,
              random_n: int = RANDOM_NEGATIVES) -> list[Pair]:
    """The positive first, then up to lexical + dense + random_n negatives, none twice."""
    gold = sentence_of(doc, q.answers[0][0])
    qt = set(terms(q.text))
    others = [i for i in range(len(doc.spans)) if i != gold and not holds_answer(doc, i, q)]
    by_words = sorted(others, key=lambda i: (-len(qt & doc.terms[i]), i))
    chosen: list[int] = []
    for want, ranked in ((lexical, by_words), (lexical + dense, [i for i in near or [] if i in set(others)])):
        for i in ranked:
            if len(chosen) >= want:
                break
            if i not in chosen:
                chosen.append(i)
    rest = [i for i in others if i not in chosen]
    chosen += rng.sample(rest, min(random_n, len(rest)))
    return [pair(q, doc, gold, True), *(pair(q, doc, i, False) for i in chosen)]


def build_groups(questions: list[Question], docs: dict[str, Doc], seed: int,
                 near: dict[str, list[int]] | None = None) -> list[list[Pair]]:
    rng = random.Random(seed)
    return [group_for(q, docs[q.article_id], rng, (near or {}).get(q.id)) for q in questions]

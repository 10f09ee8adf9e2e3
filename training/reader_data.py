"""Training examples for the reader from SQuAD-format data: a positive window around the answer's sentence and
negative windows around other sentences of the same article (labelled with the answer wherever they hold it whole)."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

from assistant.qa.windows import (
    Tokens,
    Window,
    answer_positions,
    article_tokens,
    budget_for,
    encode,
    question_ids,
    window_around,
)
from common.text import terms
from index.sentences import split_sentences

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
HARD_NEGATIVES = 1  # (default) windows without the answer around the sentences sharing most of the question's words
DENSE_NEGATIVES = 0  # (default) more, around the sentences nearest the question by MiniLM cosine (what dense retrieval brings)
SHIFTED_SHARE = 0.25  # of positives centred on a neighbour of the answer's sentence (the answer in the context)


@dataclass(frozen=True)
class Doc:
    id: str
    text: str
    spans: tuple[tuple[int, int], ...]
    tokens: Tokens
    terms: tuple[frozenset[str], ...]


@dataclass(frozen=True)
class Question:
    id: str
    article_id: str
    text: str
    answers: tuple[tuple[int, int, str], ...]  # (char_start, char_end, text): the first is the one trained on


@dataclass(frozen=True)
class Example:
    question_id: str
    article_id: str
    window: Window
    ids: tuple[int, ...]
    types: tuple[int, ...]
    start: int  # input position of the answer's first piece; 0 ([CLS]) for a window without the answer
    end: int

    @property
    def positive(self) -> bool:
        return self.start > 0


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load_docs(path: Path) -> dict[str, Doc]:
    docs = {}
    for row in read_jsonl(path):
        spans = tuple(split_sentences(row["text"]))
        docs[row["id"]] = Doc(row["id"], row["text"], spans, article_tokens(row["text"], spans),
                              tuple(frozenset(terms(row["text"][s:e])) for s, e in spans))
    return docs


def load_questions(path: Path, docs: dict[str, Doc]) -> list[Question]:
    """Answerable span questions whose answer offsets hold in their article (every squad_train one does)."""
    out = []
    for row in read_jsonl(path):
        if not row.get("answerable", True) or not row.get("evidence"):
            continue
        aid = row["evidence"][0]["article_id"]
        text = docs[aid].text
        answers = tuple((a["char_start"], a["char_end"], a["text"]) for a in row.get("answers_all") or []
                        if text[a["char_start"] : a["char_end"]] == a["text"])
        if answers:
            out.append(Question(row["id"], aid, row["question"], answers))
    return out


def sentence_of(doc: Doc, pos: int) -> int:
    return next(i for i, (s, e) in enumerate(doc.spans) if s <= pos < e or (i + 1 == len(doc.spans)))


def label(q_ids: list[int], doc: Doc, window: Window, q: Question) -> tuple[int, int]:
    """The first of the question's answers the window holds whole, as input positions; (0, 0) for none."""
    for start, end, _ in q.answers:
        pos = answer_positions(q_ids, doc.tokens, window, start, end)
        if pos != (0, 0):
            return pos
    return 0, 0


def examples_for(q: Question, doc: Doc, rng: random.Random, negatives: int = HARD_NEGATIVES,
                 near: list[int] | None = None, dense: int = DENSE_NEGATIVES) -> list[Example]:
    """A positive window (around the answer's sentence, or now and then a neighbour's window that still holds the
    answer whole), then negatives: windows that do not hold it, around the sentences sharing most of the question's
    words (what lexical retrieval brings up too), then `dense` more around the sentences in `near` order (nearest the
    question by the encoder's cosine, what dense retrieval brings up), none centred twice."""
    q_ids = question_ids(q.text)
    budget = budget_for(q_ids)
    gold = sentence_of(doc, q.answers[0][0])

    def example(center: int) -> Example:
        w = window_around(doc.tokens, center, budget)
        ids, types = encode(q_ids, doc.tokens, w)
        s, e = label(q_ids, doc, w, q)
        return Example(q.id, q.article_id, w, tuple(ids), tuple(types), s, e)

    positive = example(gold)
    if rng.random() < SHIFTED_SHARE:
        shifted = [example(i) for i in (gold - 1, gold + 1) if 0 <= i < len(doc.spans)]
        shifted = [x for x in shifted if x.positive]
        if shifted:
            positive = rng.choice(shifted)
    qt = set(terms(q.text))
    order = sorted((i for i in range(len(doc.spans)) if i != gold), key=lambda i: (-len(qt & doc.terms[i]), i))
    hard, used = [], {gold}
    for want, ranked in ((negatives, order), (negatives + dense, near or [])):
        for i in ranked:
            if len(hard) >= want:
                break
            if i in used:
                continue
            x = example(i)
            if not x.positive:
                hard.append(x)
                used.add(i)
    return [positive, *hard]


def build_examples(questions: list[Question], docs: dict[str, Doc], seed: int, negatives: int = HARD_NEGATIVES,
                   near: dict[str, list[int]] | None = None, dense: int = DENSE_NEGATIVES) -> list[Example]:
    """Every question's examples, its positive first and its negatives after it (`near`: question id -> its
    article's sentences, nearest the question first; needed when `dense` > 0)."""
    rng = random.Random(seed)
    out = []
    for q in questions:
        out.extend(examples_for(q, docs[q.article_id], rng, negatives, (near or {}).get(q.id), dense))
    return out


def nearest_sentences(questions: list[Question], docs: dict[str, Doc], embed) -> dict[str, list[int]]:
    """Per question, its article's sentences by the encoder's cosine to the question, nearest first (`embed`:
    texts -> unit vectors)."""
    import numpy as np

    vecs = {aid: embed([d.text[s:e] for s, e in d.spans]) for aid, d in docs.items()
            if any(q.article_id == aid for q in questions)}
    qv = embed([q.text for q in questions])
    return {q.id: [int(i) for i in np.argsort(-(vecs[q.article_id] @ qv[k]), kind="stable")]
            for k, q in enumerate(questions)}


def folds_by_article(article_ids, k: int) -> dict[str, int]:
    """Articles dealt to k folds in sorted order (deterministic): no article's questions sit in two folds."""
    return {aid: n % k for n, aid in enumerate(sorted(article_ids))}

"""Scoring a reader on SQuAD-format questions: given the answer's own sentence window, and given the top-3 windows a
simple retrieval (MiniLM cosine + shared words) brings from a pool of articles."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from assistant.eval.metrics import exact_match, f1, max_over
from assistant.qa.decode import best_span
from assistant.qa.windows import budget_for, encode, question_ids, window_around
from common.text import terms
from training.reader_data import Doc, Question, sentence_of

Logits = Callable[[list[tuple[list[int], list[int]]]], tuple[np.ndarray, np.ndarray, np.ndarray]]


def read_windows(logits: Logits, q: Question, doc: Doc, centers: list[int]):
    """(span text, margin, here-logit, center, span's sentence) for each window around `centers`, best margin first."""
    q_ids = question_ids(q.text)
    wins = [window_around(doc.tokens, c, budget_for(q_ids)) for c in centers]
    start, end, here = logits([encode(q_ids, doc.tokens, w) for w in wins])
    out = []
    for k, w in enumerate(wins):
        sp = best_span(start[k], end[k], len(q_ids) + 2, w.lo, doc.tokens.sentence[w.lo : w.hi])
        if sp is None:
            continue
        a, b = int(doc.tokens.starts[sp.piece_start]), int(doc.tokens.ends[sp.piece_end])
        out.append((doc.text[a:b], sp.margin, float(here[k]), w.center, int(doc.tokens.sentence[sp.piece_start])))
    out.sort(key=lambda r: -r[1])
    return out


def score(pred: str | None, q: Question) -> tuple[float, float]:
    golds = [t for _, _, t in q.answers]
    return max_over(exact_match, pred, golds), max_over(f1, pred, golds)


def evaluate(logits: Logits, questions: list[Question], docs: dict[str, Doc], embed=None, top: int = 3) -> dict:
    """EM/F1 given the gold sentence's window; with `embed` (texts -> unit vectors) also given the top `top`
    retrieved windows over all the questions' articles, and how often the reader's chosen sentence is the gold."""
    gold_em, gold_f1, ret_em, ret_f1, ret_sent, ret_hit = [], [], [], [], [], []
    pool = None
    if embed is not None:
        ids = sorted({q.article_id for q in questions})
        keys = [(a, i) for a in ids for i in range(len(docs[a].spans))]
        texts = [docs[a].text[slice(*docs[a].spans[i])] for a, i in keys]
        pool = (keys, embed(texts), [docs[a].terms[i] for a, i in keys])
    for q in questions:
        doc = docs[q.article_id]
        gold = sentence_of(doc, q.answers[0][0])
        got = read_windows(logits, q, doc, [gold])
        em, f = score(got[0][0] if got else None, q)
        gold_em.append(em)
        gold_f1.append(f)
        if pool is None:
            continue
        keys, vecs, sent_terms = pool
        qt = set(terms(q.text))
        sims = vecs @ embed([q.text])[0] + np.array([len(qt & t) / (len(qt) or 1) for t in sent_terms])
        best = [keys[k] for k in np.argsort(-sims)[:top]]
        ret_hit.append(float((q.article_id, gold) in best))
        reads = []
        for aid in dict.fromkeys(a for a, _ in best):
            reads += [(r, aid) for r in read_windows(logits, q, docs[aid], [i for a, i in best if a == aid])]
        reads.sort(key=lambda x: -x[0][1])
        em, f = score(reads[0][0][0] if reads else None, q)
        ret_em.append(em)
        ret_f1.append(f)
        ret_sent.append(float(bool(reads) and reads[0][1] == q.article_id and reads[0][0][4] == gold))
    out = {"questions": len(questions), "gold_window_em": np.mean(gold_em), "gold_window_f1": np.mean(gold_f1)}
    if pool is not None:
        out.update(top3_em=np.mean(ret_em), top3_f1=np.mean(ret_f1), top3_gold_sentence_retrieved=np.mean(ret_hit),
                   top3_reader_sentence_right=np.mean(ret_sent))
    return {k: round(float(v), 4) for k, v in out.items()}


def embedder():
    from sentence_transformers import SentenceTransformer

    from index.embedders import minilm_path

    model = SentenceTransformer(str(minilm_path()), device="cpu")
    return lambda texts: model.encode(list(texts), batch_size=64, normalize_embeddings=True)

"""Stage 3, score: each candidate sentence against the question, in the context of its neighbours."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from assistant import tuning as t
from assistant.candidates import Candidate
from assistant.query import Query
from common.records import sentence_id
from common.text import terms

Side = tuple[dict[str, float], np.ndarray]  # a comparison side's clause: its word weights and vector


def word_weights(text: str, idf: Callable[[str], float]) -> dict[str, float]:
    """The question's stemmed content words, each weighted by its inverse document frequency."""
    return {w: idf(w) for w in set(terms(text))}


def score_candidates(cands: dict[tuple[str, int], Candidate], query: Query, qvec: np.ndarray,
                     vectors: dict[str, np.ndarray], idf: Callable[[str], float],
                     sides: dict[str, Side] | None = None) -> list[Candidate]:
    """Score every candidate (`vectors`: sentence vectors by their sentence_id; `sides`: per outlet a
    comparison names, its clause, against which that outlet's sentences are also scored, keeping the better);
    returns them best first, leaving out sentences an earlier answer already gave ("what else …")."""
    for c in cands.values():
        c.terms = set(terms(c.text))
    whole = word_weights(query.search_text, idf)
    for (aid, i), c in cands.items():
        neighbours = set(c.terms)
        for j in (i - 1, i + 1):
            other = cands.get((aid, j))
            neighbours |= other.terms if other else set(terms(c.sentence(j) or ""))
        vec = vectors.get(sentence_id(aid, i))
        c.type_fit = query.kind.fits(c, query)
        score_one(c, whole, qvec, vec, neighbours)
        side = (sides or {}).get(c.article.source)
        if side is not None:
            best = (c.score, c.support, c.dense, c.lexical, c.context)
            score_one(c, side[0], side[1], vec, neighbours)
            support = max(best[1], c.support)
            if best[0] > c.score:
                c.score, c.support, c.dense, c.lexical, c.context = best
            c.support = support
    ranked = [c for key, c in cands.items() if key not in query.exclude]
    ranked.sort(key=lambda c: -c.score)
    return ranked


def score_one(c: Candidate, weights: dict[str, float], qvec: np.ndarray, vec: np.ndarray | None,
              neighbours: set[str]) -> None:
    """The candidate's signals and its two mixes: `score` (ranking, WEIGHTS) and `support` (abstention,
    SUPPORT_WEIGHTS); without a sentence vector the dense share is left out of both."""
    total = sum(weights.values()) or 1.0
    c.lexical = sum(w for term, w in weights.items() if term in c.terms) / total
    c.context = sum(w for term, w in weights.items() if term in neighbours) / total
    c.statement = statement(c)
    c.dense = float(np.dot(qvec, vec)) if vec is not None else 0.0
    c.score, c.support = (
        ((w.dense if vec is not None else 0.0) * c.dense + w.lexical * c.lexical
         + w.context * c.context + w.passage * c.passage + w.type * c.type_fit + w.statement * c.statement)
        / (w.total() - (0.0 if vec is not None else w.dense))
        for w in (t.WEIGHTS, t.SUPPORT_WEIGHTS)
    )


def diverse(cands: list[Candidate], k: int) -> list[Candidate]:
    """Top sentences, letting a second article in before a fifth sentence of the first."""
    picked, per_article = [], {}
    pool = list(cands[: k * t.DIVERSITY_POOL])
    while pool and len(picked) < k:
        best = max(pool, key=lambda c: c.score - t.DIVERSITY_PENALTY * per_article.get(c.article.id, 0))
        pool.remove(best)
        picked.append(best)
        per_article[best.article.id] = per_article.get(best.article.id, 0) + 1
    return picked


_FINITE = {"VBD", "VBZ", "VBP", "MD"}


def statement(c: Candidate) -> float:
    """1 for a sentence that states something (a finite verb, not a question); 0 for a heading, a caption
    fragment or a question ("Is the new media rights deal a game-changer?"), which rarely hold an answer."""
    if c.text.rstrip().endswith("?"):
        return 0.0
    toks = c.stored.analysis.in_span("tokens", *c.span) if c.stored.analysis is not None else None
    if toks is None:
        return 1.0
    return 1.0 if any(t.tag in _FINITE for t in toks) else 0.0

"""Stage 3, score: each candidate sentence against the question, in the context of its neighbours."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from assistant import tuning as t
from assistant.candidates import Candidate
from assistant.query import Query
from common.text import terms

Side = tuple[dict[str, float], np.ndarray]  # a comparison side's clause: its word weights and vector


def word_weights(text: str, idf: Callable[[str], float]) -> dict[str, float]:
    """The question's stemmed content words, each weighted by its inverse document frequency."""
    return {w: idf(w) for w in set(terms(text))}


def score_candidates(cands: dict[tuple[str, int], Candidate], query: Query, qvec: np.ndarray,
                     vectors: dict[str, np.ndarray], idf: Callable[[str], float],
                     sides: dict[str, Side] | None = None) -> list[Candidate]:
    """Score every candidate (`vectors`: sentence vectors by "{article_id}::s{index}"; `sides`: per outlet a
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
        vec = vectors.get(f"{aid}::s{i}")
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
    c.within = within_article(c, weights)
    c.statement = statement(c)
    c.dense = float(np.dot(qvec, vec)) if vec is not None else 0.0
    c.score, c.support = (
        ((w["dense"] if vec is not None else 0.0) * c.dense + w["lexical"] * c.lexical
         + w["context"] * c.context + w["passage"] * c.passage + w["type"] * c.type_fit
         + w.get("within", 0.0) * c.within + w.get("statement", 0.0) * c.statement)
        / (sum(w.values()) - (0.0 if vec is not None else w["dense"]))
        for w in (t.WEIGHTS, t.SUPPORT_WEIGHTS)
    )


def within_article(c: Candidate, weights: dict[str, float]) -> float:
    """The share of the question's words the sentence has, each weighted by how few of its article's sentences
    have it too: the story's subject, in most of them, hardly tells them apart; the asked detail does."""
    spread, n = c.stored.term_spread, len(c.stored.sentence_spans)
    local = {term: w * np.log((n + 1) / (spread.get(term, 0) + 0.5)) for term, w in weights.items()}
    total = sum(local.values()) or 1.0
    return float(sum(v for term, v in local.items() if term in c.terms) / total)


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

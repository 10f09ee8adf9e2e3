"""Tiny in-test articles as the read side sees them: stored articles and scored candidate sentences, no index."""

from __future__ import annotations

from datetime import UTC, datetime

from assistant.candidates import Candidate
from common.records import Article, StoredArticle
from common.text import terms
from index.analysis.core import analyse
from index.sentences import split_sentences

MONDAY = datetime(2022, 1, 24, 12, tzinfo=UTC)  # the seed article's date: a Monday


def stored(text: str, aid: str = "a", published: datetime | None = MONDAY, source: str | None = "Wire",
           title: str | None = None, analysed: bool = True) -> StoredArticle:
    """The article as the store would return it: its sentences cut by the real splitter, its language analysis
    made by the real spaCy pipeline (as at ingest)."""
    spans = tuple(split_sentences(text))
    article = Article(aid, text, title, source, published)
    raw = analyse([article], [spans])[0].to_json(text) if analysed else None
    return StoredArticle(article, f"hash-{aid}", spans, 1, analysis_json=raw)


def candidates(article: StoredArticle, scores: list[float]) -> list[Candidate]:
    """Its first len(scores) sentences as candidates with these scores (support the same), best first."""
    out = []
    for i, score in enumerate(scores):
        c = Candidate(article, i, score=score, support=score)
        c.terms = set(terms(c.text))
        out.append(c)
    return sorted(out, key=lambda c: -c.score)

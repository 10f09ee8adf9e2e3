"""Hybrid passage retrieval: dense chunk vectors in Chroma + BM25 over the same chunks, fused by RRF."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from assistant.text import terms, words
from index.store import ChromaStore, where_filter

RRF_K = 60


@dataclass(frozen=True)
class Filters:
    sources: tuple[str, ...] = ()
    date_from: datetime | None = None
    date_to: datetime | None = None

    def where(self) -> dict | None:
        return where_filter(self.sources, self.date_from, self.date_to)

    def matches(self, meta: dict) -> bool:
        if self.sources and meta.get("source") not in self.sources:
            return False
        ts = meta.get("published_at")
        if self.date_from is not None and (ts is None or ts < self.date_from.timestamp()):
            return False
        if self.date_to is not None and (ts is None or ts > self.date_to.timestamp()):
            return False
        return True


@dataclass
class RetrievedChunk:
    chunk_id: str
    article_id: str
    sentence_start: int
    sentence_end: int
    meta: dict
    score: float = 0.0  # fused
    dense: float | None = None
    bm25: float | None = None
    ranks: dict = field(default_factory=dict)


class LexicalIndex:
    """BM25 (bm25s) over chunk text plus the article title, rebuilt when the store's chunks change."""

    def __init__(self, store: ChromaStore):
        self._store = store
        self._lock = threading.Lock()
        self._signature: tuple | None = None
        self.ids: list[str] = []
        self.metas: list[dict] = []
        self.doc_freq: dict[str, int] = {}
        self.n_docs = 0
        self._bm25 = None
        self.sources: set[str] = set()

    def refresh(self) -> None:
        signature = tuple(self._store.count().values())
        if signature == self._signature:
            return
        with self._lock:
            if signature == self._signature:
                return
            import bm25s

            ids, metas, corpus = [], [], []
            for cid, text, meta in self._store.iter_chunks():
                ids.append(cid)
                metas.append(meta)
                corpus.append(terms(f"{meta.get('title') or ''}\n{text}") or ["__empty__"])
            model = bm25s.BM25()
            if corpus:
                model.index(corpus, show_progress=False)
            doc_freq: dict[str, int] = {}
            for toks in corpus:
                for t in set(toks):
                    doc_freq[t] = doc_freq.get(t, 0) + 1
            self.ids, self.metas, self._bm25 = ids, metas, model
            self.doc_freq, self.n_docs = doc_freq, len(corpus)
            self.sources = {m["source"] for m in metas if m.get("source")}
            self._signature = signature

    def idf(self, term: str) -> float:
        df = self.doc_freq.get(term, 0)
        return float(np.log(1 + (self.n_docs - df + 0.5) / (df + 0.5)))

    def search(self, query_terms: list[str], k: int, filters: Filters) -> list[tuple[int, float]]:
        if not self.ids or not query_terms:
            return []
        known = [t for t in query_terms if t in self.doc_freq]
        if not known:
            return []
        scores = self._bm25.get_scores(known)
        if filters.sources or filters.date_from or filters.date_to:
            mask = np.array([filters.matches(m) for m in self.metas])
            scores = np.where(mask, scores, 0.0)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]


class HybridRetriever:
    def __init__(self, store: ChromaStore, lexical: LexicalIndex, depth: int = 30):
        self.store = store
        self.lexical = lexical
        self.depth = depth

    def retrieve(self, question: str, qvec: np.ndarray, filters: Filters, k: int) -> list[RetrievedChunk]:
        self.lexical.refresh()
        found: dict[str, RetrievedChunk] = {}
        for rank, hit in enumerate(self.store.query_chunks(qvec, self.depth, filters.where())):
            rc = found.setdefault(
                hit.chunk_id,
                RetrievedChunk(hit.chunk_id, hit.article_id, hit.sentence_start, hit.sentence_end, hit.metadata),
            )
            rc.dense = hit.score
            rc.ranks["dense"] = rank
            rc.score += 1.0 / (RRF_K + rank + 1)
        for rank, (i, score) in enumerate(self.lexical.search(terms(question), self.depth, filters)):
            meta = self.lexical.metas[i]
            rc = found.setdefault(
                self.lexical.ids[i],
                RetrievedChunk(self.lexical.ids[i], meta["article_id"], meta["sentence_start"],
                               meta["sentence_end"], meta),
            )
            rc.bm25 = score
            rc.ranks["bm25"] = rank
            rc.score += 1.0 / (RRF_K + rank + 1)
        mentioned = self.mentioned_sources(question)
        if mentioned:
            for rc in found.values():
                if rc.meta.get("source") in mentioned:
                    rc.score += 1.0 / RRF_K  # a named outlet counts like a top rank in one more list
        return sorted(found.values(), key=lambda r: -r.score)[:k]

    def mentioned_sources(self, question: str) -> set[str]:
        """Outlets named in the question ("the 'Sporting News' article"): their chunks get a boost."""
        q = f" {' '.join(words(question))} "
        return {s for s in self.lexical.sources if f" {' '.join(words(s))} " in q}

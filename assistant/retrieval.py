"""Hybrid passage retrieval: dense chunk vectors in Chroma + BM25 over the same chunks, fused by RRF."""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np

from assistant.extract import dates, resolve_date
from assistant.text import terms
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


@dataclass(frozen=True)
class Facet:
    """One side of a question that names several outlets: where to look, and the words about that side."""

    filters: Filters
    source: str
    clause: str


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
    """BM25 (bm25s) over chunk text plus the article title, and every chunk's metadata in memory; rebuilt
    when the store's counts change (checked at most once a second)."""

    RECHECK_SECONDS = 1.0

    def __init__(self, store: ChromaStore):
        self._store = store
        self._lock = threading.Lock()
        self._signature: tuple | None = None
        self._checked = 0.0
        self.ids: list[str] = []
        self.metas: list[dict] = []
        self.position: dict[str, int] = {}
        self.doc_freq: dict[str, int] = {}
        self.n_docs = 0
        self._bm25 = None
        self.sources: set[str] = set()
        self._source_code = np.zeros(0, dtype=np.int32)
        self._published = np.zeros(0, dtype=np.float64)
        self._codes: dict[str, int] = {}

    def refresh(self) -> None:
        """Writes through our own store show at once; another process's writes within RECHECK_SECONDS."""
        now = time.monotonic()
        fresh = self._signature is not None and self._signature[0] == self._store.version
        if fresh and now - self._checked < self.RECHECK_SECONDS:
            return
        signature = (self._store.version, *self._store.count().values())
        self._checked = now
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
            sources = sorted({m["source"] for m in metas if m.get("source")})
            codes = {src: n + 1 for n, src in enumerate(sources)}  # 0: no source
            self._source_code = np.array([codes.get(m.get("source"), 0) for m in metas], dtype=np.int32)
            self._published = np.array([m.get("published_at", np.nan) for m in metas], dtype=np.float64)
            self.ids, self.metas, self._bm25, self._codes = ids, metas, model, codes
            self.position = {cid: i for i, cid in enumerate(ids)}
            self.doc_freq, self.n_docs = doc_freq, len(corpus)
            self.sources = set(sources)
            self._signature = signature

    def idf(self, term: str) -> float:
        df = self.doc_freq.get(term, 0)
        return float(np.log(1 + (self.n_docs - df + 0.5) / (df + 0.5)))

    def mask(self, filters: Filters) -> np.ndarray | None:
        """Which chunks pass the filters (None: all do)."""
        if not (filters.sources or filters.date_from or filters.date_to):
            return None
        keep = np.ones(len(self.ids), dtype=bool)
        if filters.sources:
            keep &= np.isin(self._source_code, [self._codes.get(s, -1) for s in filters.sources])
        with np.errstate(invalid="ignore"):  # NaN (no date) compares False: undated chunks are filtered out
            if filters.date_from is not None:
                keep &= self._published >= filters.date_from.timestamp()
            if filters.date_to is not None:
                keep &= self._published <= filters.date_to.timestamp()
        return keep

    def search(self, query_terms: list[str], k: int, filters: Filters) -> list[tuple[int, float]]:
        if not self.ids or not query_terms:
            return []
        known = [t for t in query_terms if t in self.doc_freq]
        if not known:
            return []
        scores = self._bm25.get_scores(known)
        keep = self.mask(filters)
        if keep is not None:
            scores = np.where(keep, scores, 0.0)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]


class HybridRetriever:
    def __init__(self, store: ChromaStore, lexical: LexicalIndex, depth: int = 30):
        self.store = store
        self.lexical = lexical
        self.depth = depth

    def retrieve(self, question: str, qvec: np.ndarray, filters: Filters, k: int, per_facet: int = 3,
                 facets: list[Facet] | None = None) -> list[RetrievedChunk]:
        """Top passages for the question; when it names outlets ("the TechCrunch report on November 18,
        2023 … and the Fortune article …"), also the best passages of each named outlet (and day), so a
        comparison gets evidence from every side."""
        self.lexical.refresh()
        qterms = terms(question)
        found = self._fused(qvec, qterms, filters)
        top = sorted(found.values(), key=lambda r: -r.score)[:k]
        chosen = {r.chunk_id: r for r in top}
        for facet in self.facets(question, filters) if facets is None else facets:
            for r in sorted(self._fused(qvec, qterms, facet.filters).values(), key=lambda r: -r.score)[:per_facet]:
                if r.chunk_id not in chosen:
                    chosen[r.chunk_id] = r
                else:
                    chosen[r.chunk_id].score = max(chosen[r.chunk_id].score, r.score)
        return sorted(chosen.values(), key=lambda r: -r.score)

    def _fused(self, qvec: np.ndarray, qterms: list[str], filters: Filters) -> dict[str, RetrievedChunk]:
        found: dict[str, RetrievedChunk] = {}
        hits = self.store.query_chunk_ids(qvec, min(self.depth, self.lexical.n_docs), filters.where())
        for rank, (cid, score) in enumerate(hits):
            i = self.lexical.position.get(cid)
            if i is None:
                continue  # written after the last refresh: it joins within a second
            meta = self.lexical.metas[i]
            rc = found.setdefault(
                cid, RetrievedChunk(cid, meta["article_id"], meta["sentence_start"], meta["sentence_end"], meta)
            )
            rc.dense = score
            rc.ranks["dense"] = rank
            rc.score += 1.0 / (RRF_K + rank + 1)
        for rank, (i, score) in enumerate(self.lexical.search(qterms, self.depth, filters)):
            meta = self.lexical.metas[i]
            rc = found.setdefault(
                self.lexical.ids[i],
                RetrievedChunk(self.lexical.ids[i], meta["article_id"], meta["sentence_start"],
                               meta["sentence_end"], meta),
            )
            rc.bm25 = score
            rc.ranks["bm25"] = rank
            rc.score += 1.0 / (RRF_K + rank + 1)
        return found

    def facets(self, question: str, base: Filters) -> list[Facet]:
        """One facet per outlet named in the question, narrowed to the day named right after it; its clause
        is the question's text from that outlet's name to the next one's."""
        self.lexical.refresh()
        if base.sources:
            return []
        spots = []
        for source in self.lexical.sources:
            pattern = r"(?<!\w)" + r"\s+".join(re.escape(w) for w in source.split()) + r"(?!\w)"
            spots += [(m.start(), m.end(), source) for m in re.finditer(pattern, question, re.I)]
        spots.sort()
        out = []
        for n, (_, end, source) in enumerate(spots):
            stop = spots[n + 1][0] if n + 1 < len(spots) else len(question)
            day = None
            clause = question[end:stop]
            for d in dates(clause):
                day = resolve_date(d.text, None)
                if day:
                    break
            narrowed = Filters((source,), base.date_from, base.date_to)
            if day is not None:
                start = datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(days=1)
                dated = Filters((source,), start, start + timedelta(days=3))
                keep = self.lexical.mask(dated)
                if keep is not None and keep.any():  # only when that outlet has articles around that day
                    narrowed = dated
            out.append(Facet(narrowed, source, clause))
        return list(dict.fromkeys(out))

"""Hybrid passage retrieval: dense chunk vectors in Chroma + BM25 over the same chunks, fused by RRF."""

from __future__ import annotations

import re
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np

from assistant.extract import dates
from common.dates import resolve_date
from common.records import Filters
from common.text import terms
from index.store import ChromaStore, where_filter

RRF_K = 60


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


@dataclass(frozen=True)
class ArticleChunks:
    """One article's chunks as last read (ids, metadata, BM25 tokens), reused until its content hash changes."""

    content_hash: str
    ids: tuple[str, ...]
    metas: tuple[dict, ...]
    tokens: tuple[tuple[str, ...], ...]
    doc_freq: dict[str, int]  # term → how many of these chunks contain it

    @classmethod
    def of(cls, content_hash: str, rows: list[tuple[str, str, dict]]) -> ArticleChunks:
        rows = sorted(rows, key=lambda r: r[2].get("chunk_index", 0))
        tokens = tuple(tuple(sys.intern(t) for t in terms(f"{meta.get('title') or ''}\n{text}")) or ("__empty__",)
                       for _, text, meta in rows)
        doc_freq: dict[str, int] = {}
        for toks in tokens:
            for t in set(toks):
                doc_freq[t] = doc_freq.get(t, 0) + 1
        return cls(content_hash, tuple(r[0] for r in rows), tuple(r[2] for r in rows), tokens, doc_freq)


class LexicalSnapshot:
    """BM25 (bm25s) over chunk text plus the article title, and every chunk's metadata, as of one reading of the
    store. Never changed once built: a request keeps using the snapshot it started with while a newer one is
    built, so ids, metadata and BM25 rows always agree."""

    def __init__(self, hashes: dict[str, str], articles: list[ArticleChunks], doc_freq: dict[str, int],
                 unsearchable: int = 0):
        import bm25s

        self.hashes = hashes  # article id → content hash that this snapshot reflects
        self.unsearchable = unsearchable  # stored articles left out: their lost vectors are being embedded again
        self.ids: list[str] = [cid for a in articles for cid in a.ids]
        self.metas: list[dict] = [m for a in articles for m in a.metas]
        corpus = [list(toks) for a in articles for toks in a.tokens]
        self.position = {cid: i for i, cid in enumerate(self.ids)}
        self.n_docs = len(corpus)
        self._bm25 = bm25s.BM25()
        if corpus:
            self._bm25.index(corpus, show_progress=False)
        self.doc_freq = doc_freq
        sources = sorted({m["source"] for m in self.metas if m.get("source")})
        self.sources = set(sources)
        self._codes = {src: n + 1 for n, src in enumerate(sources)}  # 0: no source
        self._source_code = np.array([self._codes.get(m.get("source"), 0) for m in self.metas], dtype=np.int32)
        self._published = np.array([m.get("published_at", np.nan) for m in self.metas], dtype=np.float64)

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


class LexicalIndex:
    """The current LexicalSnapshot of the store, rebuilt when article records change: after a write through our
    own store at once, after another process's within RECHECK_SECONDS (the store's generation() tells cheaply
    whether any write finished; only then are the records read). One thread rebuilds (re-reading only the
    chunks of new or changed articles) while the others keep answering from the previous snapshot, so questions
    asked during an ingest neither wait for nor break on a rebuild. While writes stream in (our own arrived
    during the last rebuild, or another process's were found), rebuilds start at least GAP_FACTOR times the
    last BM25 build apart, so rebuilding takes about a third of one core at most."""

    RECHECK_SECONDS = 1.0
    GAP_FACTOR = 3.0
    FETCH_ARTICLES = 50  # more new or changed articles than this: read all chunks in pages, not by article id

    def __init__(self, store: ChromaStore):
        self._store = store
        self._build = threading.Lock()  # one rebuild at a time; held only by the thread that rebuilds
        self._current: LexicalSnapshot | None = None
        self._cache: dict[str, ArticleChunks] = {}  # the current snapshot's articles; replaced under _build
        self._version = -1  # store.version the current snapshot reflects
        self._generation: object = object()  # store.generation() the current snapshot reflects (None: no write yet)
        self._checked = 0.0  # when the store was last read
        self._gap = 0.0  # GAP_FACTOR × how long the last BM25 build took
        self._streaming = False  # whether our own store was written while the last rebuild read it

    def refresh(self, wait: bool = False) -> LexicalSnapshot:
        """The snapshot to answer from: rebuilt here when stale, unless another thread is rebuilding it already
        (then the previous snapshot; only the very first build is waited for). `wait`: wait for a rebuild in
        progress and ignore the gap, so every write made through our store before the call is in the result."""
        snap = self._current
        if snap is not None and not wait:
            if not self._due(time.monotonic()) or not self._build.acquire(blocking=False):
                return snap
        else:
            self._build.acquire()
        try:
            snap = self._current
            if snap is not None and not self._due(time.monotonic(), ignore_gap=wait):
                return snap  # built by another thread while we waited
            self._current = self._read(snap)
            return self._current
        finally:
            self._build.release()

    def _due(self, now: float, ignore_gap: bool = False) -> bool:
        since = now - self._checked
        gap = 0.0 if ignore_gap or not self._streaming else self._gap
        if self._version != self._store.version:  # our own write: at once, unless writes are streaming in
            return since >= gap
        return since >= max(self.RECHECK_SECONDS, gap)

    def _read(self, previous: LexicalSnapshot | None) -> LexicalSnapshot:
        version = self._store.version  # read first: a write that ends while we read triggers the next rebuild
        seen_before = self._version
        generation = self._store.generation()  # likewise
        if previous is not None and generation == self._generation:
            self._checked = time.monotonic()  # no process has finished a write since: skip reading the records
            self._version, self._streaming = version, self._store.version != version
            return previous
        hashes, pending = self._store.searchable_hashes()
        self._checked = time.monotonic()
        if previous is not None and hashes == previous.hashes and len(pending) == previous.unsearchable:
            self._version, self._streaming = version, self._store.version != version
            self._generation = generation
            return previous
        cache = dict(self._cache)  # committed with the snapshot: a failed read leaves both as they were
        doc_freq = dict(previous.doc_freq) if previous is not None else {}
        todo = [aid for aid, h in hashes.items() if aid not in cache or cache[aid].content_hash != h]
        for aid in [a for a in cache if a not in hashes] + todo:
            old = cache.pop(aid, None)
            for t, n in (old.doc_freq.items() if old is not None else ()):
                left = doc_freq[t] - n
                if left:
                    doc_freq[t] = left
                else:
                    del doc_freq[t]
        found: dict[str, list[tuple[str, str, dict]]] = {aid: [] for aid in todo}
        if len(todo) > self.FETCH_ARTICLES:  # reading every chunk in pages beats many filtered reads
            batches = [self._store.iter_chunks()]
        else:
            batches = [self._store.chunks_of(todo)] if todo else []
        for batch in batches:
            for row in batch:
                aid = row[2].get("article_id")
                if aid in found and row[2].get("content_hash") == hashes[aid]:  # not a half-replaced old version
                    found[aid].append(row)
        for aid, rows in found.items():
            cache[aid] = ArticleChunks.of(hashes[aid], rows)
            for t, n in cache[aid].doc_freq.items():
                doc_freq[t] = doc_freq.get(t, 0) + n
        started = time.monotonic()
        snap = LexicalSnapshot(hashes, [cache[aid] for aid in sorted(hashes)], doc_freq, len(pending))
        if previous is not None:  # the part every rebuild pays in full (the first one also imports and warms up)
            self._gap = self.GAP_FACTOR * (time.monotonic() - started)
        self._cache, self._version, self._generation = cache, version, generation
        # more is likely on its way: our store was written meanwhile, or another process's writes were found
        self._streaming = self._store.version != version or (previous is not None and version == seen_before)
        return snap

    # -- the current snapshot's view (callers that need several of these consistently take refresh()'s) -------
    @property
    def current(self) -> LexicalSnapshot:
        return self._current or self.refresh()

    @property
    def sources(self) -> set[str]:
        return self.current.sources

    @property
    def n_docs(self) -> int:
        return self.current.n_docs

    def idf(self, term: str) -> float:
        return self.current.idf(term)

    def mask(self, filters: Filters) -> np.ndarray | None:
        return self.current.mask(filters)


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
        lex = self.lexical.refresh()  # one snapshot for the whole question: ids, metadata and BM25 agree
        qterms = terms(question)
        wide: list[tuple[str, float]] = []  # the unfiltered dense neighbours, fetched at most once per question
        found = self._fused(lex, qvec, qterms, filters, wide)
        top = sorted(found.values(), key=lambda r: -r.score)[:k]
        chosen = {r.chunk_id: r for r in top}
        for facet in self.facets(question, filters) if facets is None else facets:
            fused = self._fused(lex, qvec, qterms, facet.filters, wide)
            for r in sorted(fused.values(), key=lambda r: -r.score)[:per_facet]:
                if r.chunk_id not in chosen:
                    chosen[r.chunk_id] = r
                else:
                    chosen[r.chunk_id].score = max(chosen[r.chunk_id].score, r.score)
        return sorted(chosen.values(), key=lambda r: -r.score)

    def _dense(self, lex: LexicalSnapshot, qvec: np.ndarray, filters: Filters,
               wide: list[tuple[str, float]]) -> list[tuple[str, float]]:
        """The `depth` nearest chunks that pass the filters. Chroma's filtered search slows down with the corpus
        (it scans metadata: 5-60 ms at 0.06-0.2 M sentences, against ~1 ms unfiltered), so a filter is first
        applied to WIDE_FACTOR x depth unfiltered neighbours (held in `wide` for the question's other filters);
        only when too few of those pass is Chroma asked with the filter."""
        depth = min(self.depth, lex.n_docs)
        if not wide:
            wide.extend(self.store.query_chunk_ids(qvec, min(self.WIDE_FACTOR * self.depth, lex.n_docs)))
        keep = lex.mask(filters)
        if keep is None:
            return wide[:depth]
        passed = [(cid, score) for cid, score in wide if (i := lex.position.get(cid)) is not None and keep[i]]
        if len(passed) >= depth or len(passed) >= int(keep.sum()) or len(passed) >= self.ENOUGH:
            return passed[:depth]
        return self.store.query_chunk_ids(qvec, depth, where_filter(filters))

    WIDE_FACTOR = 10
    ENOUGH = 10  # filtered neighbours found in the wide set that make a second, filtered search unnecessary

    def _fused(self, lex: LexicalSnapshot, qvec: np.ndarray, qterms: list[str], filters: Filters,
               wide: list[tuple[str, float]]) -> dict[str, RetrievedChunk]:
        found: dict[str, RetrievedChunk] = {}
        hits = self._dense(lex, qvec, filters, wide)
        for rank, (cid, score) in enumerate(hits):
            i = lex.position.get(cid)
            if i is None:
                continue  # written after this snapshot was read: it joins with the next one
            meta = lex.metas[i]
            rc = found.setdefault(
                cid, RetrievedChunk(cid, meta["article_id"], meta["sentence_start"], meta["sentence_end"], meta)
            )
            rc.dense = score
            rc.ranks["dense"] = rank
            rc.score += 1.0 / (RRF_K + rank + 1)
        for rank, (i, score) in enumerate(lex.search(qterms, self.depth, filters)):
            meta = lex.metas[i]
            rc = found.setdefault(
                lex.ids[i],
                RetrievedChunk(lex.ids[i], meta["article_id"], meta["sentence_start"], meta["sentence_end"], meta),
            )
            rc.bm25 = score
            rc.ranks["bm25"] = rank
            rc.score += 1.0 / (RRF_K + rank + 1)
        return found

    def facets(self, question: str, base: Filters) -> list[Facet]:
        """One facet per outlet named in the question, narrowed to the day named right after it; its clause
        is the question's text from that outlet's name to the next one's."""
        lex = self.lexical.refresh()
        if base.sources:
            return []
        spots = []
        for source in lex.sources:
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
                keep = lex.mask(dated)
                if keep is not None and keep.any():  # only when that outlet has articles around that day
                    narrowed = dated
            out.append(Facet(narrowed, source, clause))
        return list(dict.fromkeys(out))

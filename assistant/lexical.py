"""The lexical side of retrieval: BM25 over chunk text and titles, kept in step with the store as it changes."""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass

import numpy as np

from assistant import tuning as t
from common.records import Filters
from common.text import terms


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
            for term in set(toks):
                doc_freq[term] = doc_freq.get(term, 0) + 1
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

    RECHECK_SECONDS = t.RECHECK_SECONDS
    GAP_FACTOR = t.GAP_FACTOR
    FETCH_ARTICLES = t.FETCH_ARTICLES  # more new or changed articles: read all chunks in pages, not by article id

    def __init__(self, store):
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
            for term, n in (old.doc_freq.items() if old is not None else ()):
                left = doc_freq[term] - n
                if left:
                    doc_freq[term] = left
                else:
                    del doc_freq[term]
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
            for term, n in cache[aid].doc_freq.items():
                doc_freq[term] = doc_freq.get(term, 0) + n
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

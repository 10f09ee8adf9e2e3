"""The lexical side of retrieval: the persistent BM25 index (index/lexical/store.py), kept in step with the store."""

from __future__ import annotations

import threading
import time
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from assistant import tuning as t
from common.records import Filters
from index.lexical.store import Hit, LexicalView

if TYPE_CHECKING:
    from index.store.protocols import StoreReader


class LexicalSnapshot:
    """One committed state of the lexical index, as a question reads it: BM25 search (filtered inside the index),
    chunk metadata by id, document frequencies, outlets, and how many stored articles are left out."""

    def __init__(self, view: LexicalView):
        self.view = view
        self.n_docs = view.n_docs
        self.n_articles = view.n_articles
        self.sources = view.sources
        self.unsearchable = view.unsearchable  # stored articles left out: their lost vectors are being embedded again
        self._df: dict[str, int] = {}

    @cached_property
    def hashes(self) -> dict[str, str]:
        """{article id: content hash} of every searchable article (read on demand: one document per article)."""
        return self.view.article_hashes()

    def doc_freq(self, term: str) -> int:
        df = self._df.get(term)
        if df is None:
            df = self._df[term] = self.view.doc_freq(term)
        return df

    def idf(self, term: str) -> float:
        df = self.doc_freq(term)
        return float(np.log(1 + (self.n_docs - df + 0.5) / (df + 0.5)))

    def search(self, query_terms: list[str], k: int, filters: Filters) -> list[Hit]:
        return self.view.search(query_terms, k, filters)

    def metas(self, chunk_ids) -> dict[str, dict]:
        return self.view.metas(chunk_ids)

    def chunk_ids(self, filters: Filters) -> list[str]:
        """Every chunk that passes the filters."""
        return self.view.chunk_ids(filters)

    def count(self, filters: Filters) -> int:
        """How many chunks pass the filters."""
        return self.view.count(filters)


class LexicalIndex:
    """The current LexicalSnapshot of the store's lexical index. After a write through our own store it is read
    again at once; another process's writes are looked for at most every RECHECK_SECONDS (the store's generation
    tells cheaply whether any write finished). A local index's writer commits the lexical index itself; otherwise
    (a Chroma server, an index from before the lexical index, a crash) this process catches it up: only the
    articles whose content hash changed are read. One thread does that while the others keep answering from the
    previous snapshot."""

    RECHECK_SECONDS = t.RECHECK_SECONDS

    def __init__(self, store: StoreReader):
        self._store = store
        self._build = threading.Lock()
        self._current: LexicalSnapshot | None = None
        self._version = -1  # store.version the current snapshot reflects
        self._checked = 0.0  # when the store was last looked at
        self.last_catch_up = None  # index.lexical.sync.CatchUp of the last catch-up this process did

    def refresh(self, wait: bool = False) -> LexicalSnapshot:
        """The snapshot to answer from: read again when stale, unless another thread is at it already (then the
        previous snapshot; only the very first is waited for). `wait`: wait for that thread, and look now."""
        snap = self._current
        if snap is not None and not wait:
            if not self._due() or not self._build.acquire(blocking=False):
                return snap
        else:
            self._build.acquire()
        try:
            if self._current is not None and not wait and not self._due():
                return self._current
            self._current = self._read()
            return self._current
        finally:
            self._build.release()

    def _due(self) -> bool:
        if self._version != self._store.version:
            return True
        return time.monotonic() - self._checked >= self.RECHECK_SECONDS

    def _read(self) -> LexicalSnapshot:
        version = self._store.version  # read first: a write that ends while we read triggers the next look
        generation = self._store.generation()
        view = self._store.lexical_view()
        if not view.committed or view.generation != generation:
            done = self._store.lexical_catch_up()  # None: a writer is at work; its commits bring the index along
            if done is not None:
                self.last_catch_up = done
                view = self._store.lexical_view()
        self._checked = time.monotonic()
        self._version = version
        return LexicalSnapshot(view)

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

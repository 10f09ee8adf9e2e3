"""The stored articles a reader has read, kept until they are replaced (a small LRU shared by request threads)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from assistant import tuning as t
from common.records import StoredArticle

if TYPE_CHECKING:
    from index.store.protocols import StoreReader


class ArticleCache:
    def __init__(self, store: StoreReader, size: int = t.ARTICLE_CACHE):
        self._store = store
        self._size = size
        self._articles: OrderedDict[str, StoredArticle] = OrderedDict()
        self._lock = threading.Lock()

    def current(self, hashes: dict[str, str]) -> dict[str, StoredArticle]:
        """The articles {id: content hash} names, read again where the cached copy is another version or was read
        while its vectors were being embedded again (its record has changed since)."""
        stored = self.get(list(hashes))
        stale = [aid for aid, h in hashes.items()
                 if aid in stored and (stored[aid].content_hash != h or stored[aid].vectors_pending)]
        if stale:  # replaced since we cached it: read it again
            for aid in stale:
                self.forget(aid)
            stored.update(self.get(stale))
        return stored

    def get(self, ids: Sequence[str]) -> dict[str, StoredArticle]:
        with self._lock:
            missing = [i for i in dict.fromkeys(ids) if i not in self._articles]
        fetched = self._store.get_articles(missing) if missing else {}
        with self._lock:
            self._articles.update(fetched)
            out = {i: self._articles[i] for i in ids if i in self._articles}
            for i in out:
                self._articles.move_to_end(i)
            while len(self._articles) > self._size:
                self._articles.popitem(last=False)
        return out

    def forget(self, article_id: str | None = None) -> None:
        """Drop cached articles (all, or one) after the index changed."""
        with self._lock:
            if article_id is None:
                self._articles.clear()
            else:
                self._articles.pop(article_id, None)

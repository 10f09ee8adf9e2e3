"""The read-only view of the index that the chat, the API and the CLI show: sources, articles, status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from common.records import Filters, StoredArticle

if TYPE_CHECKING:
    from assistant.lexical import LexicalIndex
    from common.config import Config
    from index.store.protocols import StoreReader


@dataclass(frozen=True)
class ArticleRow:
    """One line of the article list: what a journalist sees before opening an article."""

    id: str
    title: str | None
    source: str | None
    published_at: str | None
    sentences: int
    chunks: int
    searchable: bool  # False: a crash lost its vectors and it is being embedded again

    def to_dict(self) -> dict:
        return dict(self.__dict__)


class Library:
    """Sources, articles by id, the article list and the index's status, over one store (never writes)."""

    def __init__(self, store: StoreReader, lexical: LexicalIndex, config: Config):
        self._store = store
        self._lexical = lexical
        self._config = config

    def sources(self, fresh: bool = False) -> list[str]:
        """Every outlet in the index (`fresh`: including what was written a moment ago)."""
        return sorted(self._lexical.refresh(wait=fresh).sources)

    def article(self, article_id: str) -> StoredArticle:
        """One stored article with its sentence offsets (ArticleNotFound when there is none)."""
        return self._store.get_article(article_id)

    def articles(self) -> list[ArticleRow]:
        """Every stored article, newest first."""
        rows = [ArticleRow(s.article.id, s.article.title, s.article.source, s.article.published_at_iso,
                           len(s.sentence_spans), s.n_chunks, not s.vectors_pending)
                for s in self._store.iter_articles()]
        rows.sort(key=lambda r: (r.published_at or "", r.id), reverse=True)
        return rows

    def browse(self, filters: Filters | None = None, title: str = "") -> list[ArticleRow]:
        """The article list narrowed to `filters` (outlets, publication dates; a date bound leaves out undated
        articles) and to titles containing `title` (any case), newest first."""
        filters, words = filters or Filters(), title.casefold().split()

        def keep(r: ArticleRow) -> bool:
            ts = datetime.fromisoformat(r.published_at).timestamp() if r.published_at else None
            return (filters.matches({"source": r.source, "published_at": ts})
                    and all(w in (r.title or "").casefold() for w in words))

        return [r for r in self.articles() if keep(r)]

    def counts(self) -> dict[str, int]:
        return self._store.count()

    def status(self) -> dict:
        """Counts, which store and which embedding model: what /api/health reports."""
        return {**self.counts(), "store": self._config.describe_store(),
                "embedder": self._store.embedder_name() or self._config.embedder}

"""Article records (Chroma metadata ⇄ common.records.StoredArticle): reading them, writing and deleting one."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from datetime import datetime

import numpy as np

import index.store.segments as segments
from common.analysis import VERSION as ANALYSIS
from common.errors import ArticleNotFound, ConfigError
from common.records import Article, Chunk, Sentence, StoredArticle

SCHEMA_VERSION = 1
VECTOR_IDS = 2  # record field "vector_ids": 2 = vector ids carry the content hash ({id}::{hash16}::c3)
PENDING = "vectors_pending"  # record key: the article's vectors were lost and are to be embedded again
ANALYSIS_VERSION = "analysis_version"  # record key: the version of the language analysis the record holds


def _epoch(dt: datetime | None) -> float | None:
    return dt.timestamp() if dt else None


def vector_prefix(article_id: str, content_hash: str) -> str:
    """Vector ids of one version of an article start with this, so a new version is written beside the old."""
    return f"{article_id}::{content_hash[:16]}"


def _clean(meta: dict) -> dict:
    """Chroma metadata takes no None values: leave unset fields out."""
    return {k: v for k, v in meta.items() if v is not None}



class Records:
    """The embedder binding, reading article records, and writing or deleting one article (journalled: Journal)."""

    # -- embedder identity ---------------------------------------------------------------------------
    def embedder_name(self) -> str | None:
        return (self._chunks.metadata or {}).get("embedder")

    def bind_embedder(self, name: str, dim: int) -> None:
        """Record the embedding model on first write; refuse to mix models in one index."""
        current = self.embedder_name()
        if current is None:
            self._call(self._chunks.modify, metadata={"embedder": name, "dim": dim, "schema": SCHEMA_VERSION})
        elif current != name:
            raise ConfigError(
                f"this index was built with embedder {current!r}, not {name!r}",
                "use ASSISTANT_EMBEDDER matching the index, or ingest into a new --index directory",
            )

    # -- articles --------------------------------------------------------------------------------------
    def article_hashes(self) -> dict[str, str]:
        ready, pending = self.searchable_hashes()
        return {**ready, **pending}

    def searchable_hashes(self) -> tuple[dict[str, str], dict[str, str]]:
        """({article id: content hash} of searchable articles, the same of articles whose lost vectors are
        being embedded again): readers search an article only once all its vectors are back."""
        ready: dict[str, str] = {}
        pending: dict[str, str] = {}
        for ids, metas, _ in self._page(self._articles, include=["metadatas"]):
            for i, m in zip(ids, metas):
                (pending if m.get(PENDING) else ready)[i] = m.get("content_hash", "")
        return ready, pending

    def count(self) -> dict[str, int]:
        # a local index's sentences are counted in SQLite: Chroma would load every sentence vector to count them,
        # and serving never needs them in memory (the lexical index holds a copy)
        local = None if self.config.chroma_host else segments.record_count(self.config.index_dir, self._sentences.name)
        return {
            "articles": self._call(self._articles.count),
            "chunks": self._call(self._chunks.count),
            "sentences": self._call(self._sentences.count) if local is None else local,
        }

    def get_article(self, article_id: str) -> StoredArticle:
        got = self._call(self._articles.get, ids=[article_id], include=["metadatas", "documents"])
        if not got["ids"]:
            raise ArticleNotFound(f"no article with id {article_id!r}", "run `assistant list` to see the ids")
        return self._stored(article_id, got["documents"][0], got["metadatas"][0])

    def get_articles(self, article_ids: Sequence[str]) -> dict[str, StoredArticle]:
        ids = list(dict.fromkeys(article_ids))
        if not ids:
            return {}
        got = self._call(self._articles.get, ids=ids, include=["metadatas", "documents"])
        return {i: self._stored(i, d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])}

    def iter_articles(self) -> Iterator[StoredArticle]:
        for ids, metas, docs in self._page(self._articles, include=["metadatas", "documents"]):
            for i, m, d in zip(ids, metas, docs):
                yield self._stored(i, d, m)

    @staticmethod
    def _stored(article_id: str, text: str, meta: dict) -> StoredArticle:
        from common.dates import parse_published_at

        spans = json.loads(meta.get("sentences", "[]"))
        article = Article(
            id=article_id,
            text=text,
            title=meta.get("title"),
            source=meta.get("source"),
            published_at=parse_published_at(meta.get("published_at_iso")),
            url=meta.get("url"),
            origin=meta.get("origin"),
        )
        return StoredArticle(article, meta.get("content_hash", ""), tuple(map(tuple, spans)), meta.get("n_chunks", 0),
                             bool(meta.get(PENDING)), meta.get("analysis"))

    def write_article(
        self,
        article: Article,
        sentences: Sequence[Sentence],
        chunks: Sequence[Chunk],
        chunk_vectors: np.ndarray,
        sentence_vectors: np.ndarray | None,
        analysis: str | None = None,
    ) -> None:
        """Replace everything stored for the article, crash-safely and without readers ever seeing a mix (its
        language analysis, `analysis` as common.analysis JSON, is part of its record):
        1. journal the article id; 2. write the new vectors under new ids (they carry the new content hash,
        which readers match against the record, so they stay invisible); 3. upsert the record: the switch;
        4. delete the vectors of any other hash; 5. clear the journal entry. A crash leaves the id in the
        journal and either the old version or the new one complete; recover() removes the rest."""
        content_hash = article.content_hash
        prefix = vector_prefix(article.id, content_hash)
        common = _clean(
            {
                "article_id": article.id,
                "title": article.title,
                "source": article.source,
                "published_at": _epoch(article.published_at),
                "content_hash": content_hash,
            }
        )
        chunk_metas = [{**common, "chunk_index": c.index, "sentence_start": c.sentence_start,
                        "sentence_end": c.sentence_end, "char_start": c.char_start, "char_end": c.char_end}
                       for c in chunks]
        self.version += 1
        self._journal_add(article.id, content_hash)
        try:
            for start in range(0, len(chunks), self._batch):
                part = chunks[start : start + self._batch]
                self._call(
                    self._chunks.upsert,  # upsert: a retry after a crash may meet some of these ids
                    ids=[f"{prefix}::c{c.index}" for c in part],
                    embeddings=chunk_vectors[start : start + len(part)],
                    documents=[c.text for c in part],
                    metadatas=chunk_metas[start : start + len(part)],
                )
            if sentence_vectors is not None:
                for start in range(0, len(sentences), self._batch):
                    part = sentences[start : start + self._batch]
                    self._call(
                        self._sentences.upsert,
                        ids=[f"{prefix}::s{s.index}" for s in part],
                        embeddings=sentence_vectors[start : start + len(part)],
                        documents=[s.text for s in part],
                        metadatas=[{**common, "sentence_index": s.index} for s in part],
                    )
            # Chroma's upsert merges metadata: a None value deletes a key an older version of the record had
            record = {
                "title": article.title,
                "source": article.source,
                "url": article.url,
                "published_at": _epoch(article.published_at),
                "published_at_iso": article.published_at_iso,
                "origin": article.origin,
                "content_hash": content_hash,
                "sentences": json.dumps([[s.char_start, s.char_end] for s in sentences], separators=(",", ":")),
                "n_sentences": len(sentences),
                "n_chunks": len(chunks),
                "sentence_vectors": sentence_vectors is not None,
                "vector_ids": VECTOR_IDS,
                "ingested_at": time.time(),
                "analysis": analysis,
                ANALYSIS_VERSION: ANALYSIS if analysis else None,
                PENDING: None,
            }
            self._call(self._articles.upsert, ids=[article.id], embeddings=[[1.0]], documents=[article.text],
                       metadatas=[record])
            self._delete_vectors(article.id, keep=content_hash)
        except Exception:
            self._settle_quietly(article.id)
            raise
        self._journal_done(article.id, [(f"{prefix}::c{c.index}", c.text, m) for c, m in zip(chunks, chunk_metas)],
                           sentence_vectors)
        self.version += 1

    def delete_article(self, article_id: str) -> None:
        with self.exclusive():
            if not self._call(self._articles.get, ids=[article_id], include=[])["ids"]:
                raise ArticleNotFound(f"no article with id {article_id!r}", "run `assistant list` to see the ids")
            self.version += 1
            self._journal_add(article_id, "")
            self._call(self._articles.delete, ids=[article_id])
            self._delete_vectors(article_id)
            self._journal_done(article_id)

    def _delete_vectors(self, article_id: str, keep: str | None = None) -> None:
        """All vectors of the article, or all but those of content hash `keep`."""
        where: dict = {"article_id": article_id}
        if keep is not None:
            where = {"$and": [where, {"content_hash": {"$ne": keep}}]}
        for col in (self._chunks, self._sentences):
            self._call(col.delete, where=where)

    def analysis_versions(self) -> dict[str, int]:
        """{article id: version of the language analysis its record holds (0: none)}."""
        out: dict[str, int] = {}
        for ids, metas, _ in self._page(self._articles, include=["metadatas"]):
            out.update({i: int(m.get(ANALYSIS_VERSION) or 0) for i, m in zip(ids, metas)})
        return out

    def set_analysis(self, article_id: str, content_hash: str, analysis: str) -> bool:
        """Store a language analysis made for the record's current version (an index analysed by an older
        version, or not at all): one metadata update, nothing else changes. False if the record moved on."""
        got = self._call(self._articles.get, ids=[article_id], include=["metadatas"])
        if not got["ids"] or got["metadatas"][0].get("content_hash") != content_hash:
            return False
        self.version += 1
        self._call(self._articles.update, ids=[article_id],
                   metadatas=[{"analysis": analysis, ANALYSIS_VERSION: ANALYSIS}])
        return True

"""Article records (Chroma metadata ⇄ common.records.StoredArticle): reading them, writing them, deleting one."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

import index.store.segments as segments
from common.analysis import VERSION as ANALYSIS
from common.errors import ArticleNotFound, ConfigError
from common.records import Article, Chunk, Sentence, StoredArticle, sentence_id

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


@dataclass(frozen=True)
class ArticleWrite:
    """One article's new version as the Ingestor hands it to the store: its sentences, chunks and vectors."""

    article: Article
    sentences: Sequence[Sentence]
    chunks: Sequence[Chunk]
    chunk_vectors: np.ndarray
    sentence_vectors: np.ndarray | None
    analysis: str | None = None


def _record(w: ArticleWrite) -> dict:
    """The article's record; Chroma's upsert merges metadata, so a None value deletes a key an older one had."""
    article = w.article
    return {
        "title": article.title,
        "source": article.source,
        "url": article.url,
        "published_at": _epoch(article.published_at),
        "published_at_iso": article.published_at_iso,
        "origin": article.origin,
        "content_hash": article.content_hash,
        "sentences": json.dumps([[s.char_start, s.char_end] for s in w.sentences], separators=(",", ":")),
        "n_sentences": len(w.sentences),
        "n_chunks": len(w.chunks),
        "sentence_vectors": w.sentence_vectors is not None,
        "vector_ids": VECTOR_IDS,
        "ingested_at": time.time(),
        "analysis": w.analysis,
        ANALYSIS_VERSION: ANALYSIS if w.analysis else None,
        PENDING: None,
    }



class Records:
    """The embedder binding, reading article records, writing articles and deleting one (journalled: Journal)."""

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
        # a local index's records are counted in SQLite: Chroma's count() first loads the collection's vectors and
        # replays its unsaved log (every sentence vector, which serving never needs in memory as the lexical index
        # holds a copy; ~1 s for the articles and chunks of 609 articles, which `serve` would wait for)
        out = {}
        for kind, col in (("articles", self._articles), ("chunks", self._chunks), ("sentences", self._sentences)):
            local = segments.local_count(self.config, col.name)
            out[kind] = self._call(col.count) if local is None else local
        return out

    def preload(self) -> None:
        """Have Chroma load the collections a question reads (article records, chunk vectors) now: its first call to
        each loads the vectors and replays the unsaved log (~1 s at 609 articles), else paid by the first question."""
        for col in (self._articles, self._chunks):
            self._call(col.count)

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

    def write_articles(self, writes: Sequence[ArticleWrite]) -> None:
        """Replace everything stored for each article, crash-safely and without readers ever seeing a mix (its
        language analysis, common.analysis JSON, is part of its record). Per group of distinct articles:
        1. journal their ids; 2. write the new vectors under new ids (they carry the new content hash, which
        readers match against the record, so they stay invisible); 3. upsert the records: the switch; 4. delete
        the vectors of any other hash; 5. clear the journal entries. A crash leaves the ids in the journal and
        each article's old version or its new one complete; recover() removes the rest. A group shares its Chroma
        calls: Chroma's cost per call dominates small writes (about 1.0 ms a vector in calls of 100, 0.5 in
        calls of 500). Sentence vectors are stored without their text (readers take it from the article)."""
        group: list[ArticleWrite] = []
        for w in writes:
            if w.article.id in {g.article.id for g in group}:
                self._write_group(group)
                group = []
            group.append(w)
        if group:
            self._write_group(group)

    def _write_group(self, writes: Sequence[ArticleWrite]) -> None:
        chunk_rows: list[tuple[str, str, dict]] = []
        sentence_ids: list[str] = []
        sentence_metas: list[dict] = []
        rows_of: dict[str, list[tuple[str, str, dict]]] = {}
        for w in writes:
            article, content_hash = w.article, w.article.content_hash
            prefix = vector_prefix(article.id, content_hash)
            common = _clean({"article_id": article.id, "title": article.title, "source": article.source,
                             "published_at": _epoch(article.published_at), "content_hash": content_hash})
            rows = [(f"{prefix}::c{c.index}", c.text,
                     {**common, "chunk_index": c.index, "sentence_start": c.sentence_start,
                      "sentence_end": c.sentence_end, "char_start": c.char_start, "char_end": c.char_end})
                    for c in w.chunks]
            rows_of[article.id] = rows
            chunk_rows += rows
            if w.sentence_vectors is not None:
                sentence_ids += [sentence_id(prefix, s.index) for s in w.sentences]
                sentence_metas += [{**common, "sentence_index": s.index} for s in w.sentences]
        chunk_vectors = np.concatenate([w.chunk_vectors for w in writes])
        with_sentences = [w.sentence_vectors for w in writes if w.sentence_vectors is not None]
        self.version += 1
        self._journal_add_many([(w.article.id, w.article.content_hash) for w in writes])
        try:
            # upsert: a retry after a crash may meet some of these ids
            self._upsert(self._chunks, [r[0] for r in chunk_rows], chunk_vectors, [r[2] for r in chunk_rows],
                         [r[1] for r in chunk_rows])
            if with_sentences:
                self._upsert(self._sentences, sentence_ids, np.concatenate(with_sentences), sentence_metas)
            self._upsert(self._articles, [w.article.id for w in writes], [[1.0]] * len(writes),
                         [_record(w) for w in writes], [w.article.text for w in writes])
            for w in writes:
                self._delete_vectors(w.article.id, keep=w.article.content_hash)
        except Exception:
            for w in writes:
                self._settle_quietly(w.article.id)
            raise
        for w in writes:
            self._journal_done(w.article.id, rows_of[w.article.id], w.sentence_vectors)
        self.version += 1

    def _upsert(self, col, ids: list[str], embeddings, metadatas: list[dict], documents: list[str] | None = None) -> None:
        for start in range(0, len(ids), self._batch):
            end = start + self._batch
            self._call(col.upsert, ids=ids[start:end], embeddings=embeddings[start:end], metadatas=metadatas[start:end],
                       **({"documents": documents[start:end]} if documents is not None else {}))

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
        """{article id: the current analysis version if its record holds that analysis, else 0 (none, or an older
        one)}: two queries for ids only, so no record (each holds its whole analysis) is read."""
        current = set(self._call(self._articles.get, where={ANALYSIS_VERSION: ANALYSIS}, include=[])["ids"])
        return {i: ANALYSIS if i in current else 0 for i in self._call(self._articles.get, include=[])["ids"]}

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

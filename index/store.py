"""Chroma-backed store: articles with sentence offsets, chunk vectors and sentence vectors (local or server)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from assistant.config import Config
from assistant.errors import ArticleNotFound, ConfigError, StoreUnavailable
from assistant.offline import configure_environment
from assistant.records import Article, Chunk, Sentence

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class StoredArticle:
    article: Article
    content_hash: str
    sentence_spans: tuple[tuple[int, int], ...]
    n_chunks: int

    @property
    def sentences(self) -> list[Sentence]:
        text, aid = self.article.text, self.article.id
        return [Sentence(aid, i, s, e, text[s:e]) for i, (s, e) in enumerate(self.sentence_spans)]


def _epoch(dt: datetime | None) -> float | None:
    return dt.timestamp() if dt else None


def _clean(meta: dict) -> dict:
    """Chroma metadata takes no None values: leave unset fields out."""
    return {k: v for k, v in meta.items() if v is not None}


def where_filter(sources: Sequence[str] | None = None, date_from=None, date_to=None) -> dict | None:
    """A Chroma `where` for source and publication-date filters (dates as tz-aware datetimes)."""
    clauses: list[dict] = []
    if sources:
        clauses.append({"source": {"$in": list(sources)}})
    if date_from is not None:
        clauses.append({"published_at": {"$gte": date_from.timestamp()}})
    if date_to is not None:
        clauses.append({"published_at": {"$lte": date_to.timestamp()}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


class ChromaStore:
    """One Chroma client per store; open one store per index path per process."""

    def __init__(self, config: Config):
        configure_environment()
        self.config = config
        try:
            import chromadb
            from chromadb.config import Settings

            settings = Settings(anonymized_telemetry=False)
            if config.chroma_host:
                self._client = chromadb.HttpClient(
                    host=config.chroma_host,
                    port=config.chroma_port,
                    ssl=config.chroma_ssl,
                    headers=config.chroma_headers,
                    settings=settings,
                )
            else:
                config.index_dir.mkdir(parents=True, exist_ok=True)
                self._client = chromadb.PersistentClient(path=str(config.index_dir), settings=settings)
            prefix = config.collection_prefix
            self._articles = self._collection(f"{prefix}-articles")
            self._chunks = self._collection(f"{prefix}-chunks")
            self._sentences = self._collection(f"{prefix}-sentences")
        except (ConfigError, StoreUnavailable):
            raise
        except Exception as exc:  # noqa: BLE001 - connection/open failures all mean the same to the user
            raise self._unavailable(exc) from exc
        self._batch = max(1, min(self._client.get_max_batch_size(), 2000))
        self.version = 0  # bumped by every write or delete through this store (readers' cheap change check)

    def _unavailable(self, exc: Exception) -> StoreUnavailable:
        fix = (
            "start the Chroma server (chroma run --path DIR --host H --port P) or fix ASSISTANT_CHROMA_HOST/PORT"
            if self.config.chroma_host
            else "check that the index directory is writable and not used by another program"
        )
        return StoreUnavailable(f"store unavailable ({self.config.describe_store()}): {exc}", fix)

    def _collection(self, name: str):
        return self._client.get_or_create_collection(
            name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
        )

    def _call(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001
            if isinstance(exc, (ValueError, TypeError)) and "connect" not in str(exc).lower():
                raise
            raise self._unavailable(exc) from exc

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
        out: dict[str, str] = {}
        for ids, metas, _ in self._page(self._articles, include=["metadatas"]):
            out.update({i: m.get("content_hash", "") for i, m in zip(ids, metas)})
        return out

    def count(self) -> dict[str, int]:
        return {
            "articles": self._call(self._articles.count),
            "chunks": self._call(self._chunks.count),
            "sentences": self._call(self._sentences.count),
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
        from index.dates import parse_published_at

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
        return StoredArticle(article, meta.get("content_hash", ""), tuple(map(tuple, spans)), meta.get("n_chunks", 0))

    def write_article(
        self,
        article: Article,
        sentences: Sequence[Sentence],
        chunks: Sequence[Chunk],
        chunk_vectors: np.ndarray,
        sentence_vectors: np.ndarray | None,
    ) -> None:
        """Replace everything stored for the article. Order matters for crash safety: old vectors go,
        new vectors come, and the article record (with its content hash) is written last, so a record
        only ever describes vectors that are complete."""
        content_hash = article.content_hash
        common = _clean(
            {
                "article_id": article.id,
                "title": article.title,
                "source": article.source,
                "published_at": _epoch(article.published_at),
                "content_hash": content_hash,
            }
        )
        self.version += 1
        self._delete_vectors(article.id)
        for start in range(0, len(chunks), self._batch):
            part = chunks[start : start + self._batch]
            self._call(
                self._chunks.add,
                ids=[c.id for c in part],
                embeddings=chunk_vectors[start : start + len(part)],
                documents=[c.text for c in part],
                metadatas=[
                    {
                        **common,
                        "chunk_index": c.index,
                        "sentence_start": c.sentence_start,
                        "sentence_end": c.sentence_end,
                        "char_start": c.char_start,
                        "char_end": c.char_end,
                    }
                    for c in part
                ],
            )
        if sentence_vectors is not None:
            for start in range(0, len(sentences), self._batch):
                part = sentences[start : start + self._batch]
                self._call(
                    self._sentences.add,
                    ids=[f"{article.id}::s{s.index}" for s in part],
                    embeddings=sentence_vectors[start : start + len(part)],
                    documents=[s.text for s in part],
                    metadatas=[{**common, "sentence_index": s.index} for s in part],
                )
        record = _clean(
            {
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
                "ingested_at": time.time(),
            }
        )
        self._call(self._articles.upsert, ids=[article.id], embeddings=[[1.0]], documents=[article.text],
                   metadatas=[record])
        self.version += 1

    def delete_article(self, article_id: str) -> None:
        if not self._call(self._articles.get, ids=[article_id], include=[])["ids"]:
            raise ArticleNotFound(f"no article with id {article_id!r}", "run `assistant list` to see the ids")
        # record first: without it, leftover vectors are orphans that check()/repair() removes
        self.version += 1
        self._call(self._articles.delete, ids=[article_id])
        self._delete_vectors(article_id)

    def _delete_vectors(self, article_id: str) -> None:
        for col in (self._chunks, self._sentences):
            self._call(col.delete, where={"article_id": article_id})

    # -- consistency -----------------------------------------------------------------------------------
    def check(self) -> list[str]:
        """Problems between article records and vectors (e.g. after a crash); empty when consistent."""
        return [problem for problem, _ in self._inconsistencies()]

    def repair(self) -> list[str]:
        """Remove orphan or stale vectors and records whose vectors are incomplete; returns what it did.
        Articles whose record is removed are re-added by the next ingest of their source."""
        done = []
        for problem, action in self._inconsistencies():
            action()
            done.append(problem)
        return done

    def _inconsistencies(self):
        records = {}
        for ids, metas, _ in self._page(self._articles, include=["metadatas"]):
            records.update(zip(ids, metas))
        seen: dict[str, dict[str, int]] = {"chunks": {}, "sentences": {}}
        stale: dict[str, set[str]] = {}
        for kind, col in (("chunks", self._chunks), ("sentences", self._sentences)):
            for _ids, metas, _ in self._page(col, include=["metadatas"]):
                for m in metas:
                    aid = m.get("article_id", "")
                    rec = records.get(aid)
                    if rec is None or rec.get("content_hash") != m.get("content_hash"):
                        stale.setdefault(aid, set()).add(kind)
                    else:
                        seen[kind][aid] = seen[kind].get(aid, 0) + 1
        for aid, kinds in sorted(stale.items()):
            yield (f"{aid}: stale or orphan {'/'.join(sorted(kinds))} vectors", lambda a=aid: self._drop_stale(a, records))
        for aid, rec in sorted(records.items()):
            want_sent = rec.get("n_sentences", 0) if rec.get("sentence_vectors") else 0
            if seen["chunks"].get(aid, 0) != rec.get("n_chunks", -1) or seen["sentences"].get(aid, 0) != want_sent:
                yield (f"{aid}: record does not match its vectors", lambda a=aid: self._drop(a))

    def _drop_stale(self, aid: str, records: dict) -> None:
        self.version += 1
        rec = records.get(aid)
        for col in (self._chunks, self._sentences):
            if rec is None:
                self._call(col.delete, where={"article_id": aid})
            else:
                self._call(col.delete, where={"$and": [{"article_id": aid},
                                                         {"content_hash": {"$ne": rec["content_hash"]}}]})

    def _drop(self, aid: str) -> None:
        self.version += 1
        self._call(self._articles.delete, ids=[aid])
        self._delete_vectors(aid)

    # -- reading vectors -----------------------------------------------------------------------------
    def query_chunk_ids(self, vector: np.ndarray, k: int, where: dict | None = None) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the k nearest chunks: ids and distances only, the fast path."""
        if k <= 0:
            return []
        res = self._call(self._chunks.query, query_embeddings=[np.asarray(vector, dtype=np.float32)],
                         n_results=k, where=where, include=["distances"])
        return [(cid, 1.0 - dist) for cid, dist in zip(res["ids"][0], res["distances"][0])]

    def sentence_vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        if not ids:
            return {}
        got = self._call(self._sentences.get, ids=list(ids), include=["embeddings"])
        return {i: np.asarray(e, dtype=np.float32) for i, e in zip(got["ids"], got["embeddings"])}

    def iter_chunks(self) -> Iterator[tuple[str, str, dict]]:
        """(chunk id, text, metadata) of every chunk, for building a lexical index."""
        for ids, metas, docs in self._page(self._chunks, include=["metadatas", "documents"]):
            yield from zip(ids, docs, metas)

    def _page(self, col, include: list[str], size: int = 1000):
        offset = 0
        while True:
            got = self._call(col.get, include=include, limit=size, offset=offset)
            if not got["ids"]:
                return
            yield got["ids"], got.get("metadatas") or [None] * len(got["ids"]), got.get("documents") or []
            offset += len(got["ids"])

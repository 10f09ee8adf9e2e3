"""Chroma-backed store: articles with sentence offsets, chunk vectors and sentence vectors (local or server)."""

from __future__ import annotations

import fcntl
import json
import os
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from common.config import Config
from common.errors import ArticleNotFound, ConfigError, StoreUnavailable
from common.offline import configure_environment
from common.records import Article, Chunk, Filters, Sentence, StoredArticle
from index import segments

SCHEMA_VERSION = 1
VECTOR_IDS = 2  # record field "vector_ids": 2 = vector ids carry the content hash ({id}::{hash16}::c3)
LOCK_FILE = "assistant-write.lock"  # in a local index directory: one writing process at a time
# On a Chroma server there is no lock across machines: a journalled write is only settled by another
# writer once it is this old (a live writer finishes an article in seconds).
STALE_WRITE_SECONDS = 600.0
PENDING = "vectors_pending"  # record key: the article's vectors were lost and are to be embedded again
PROBE_VECTORS = 100  # vectors read back from the end of each collection when a writer opens the index
# Opening a local index while its files look torn and another process holds the write lock: that writer may be
# saving them right now, so look again this many times, this many seconds apart, before giving up.
GUARD_ATTEMPTS = 20
GUARD_WAIT_SECONDS = 0.25
PLACEHOLDER_KINDS = ("articles", "writes")  # collections whose vectors are placeholders: moving torn files aside mends them


@dataclass(frozen=True)
class Fix:
    """One thing a recovery or repair did (`line`, empty when an earlier line already says it); `reembed`: a
    stored article whose vectors are gone or incomplete, to be embedded again from its stored text (the store
    has no embedder; the Ingestor does it)."""

    line: str
    reembed: Article | None = None


@dataclass(frozen=True)
class Opened:
    """What a writer learns when it opens the index: content hashes, and what it had to settle first."""

    hashes: dict[str, str]
    fixes: tuple[Fix, ...]  # interrupted writes settled, damage repaired (local) or only reported (server)

    @property
    def reembed(self) -> list[Article]:
        return [f.reembed for f in self.fixes if f.reembed is not None]


def _epoch(dt: datetime | None) -> float | None:
    return dt.timestamp() if dt else None


def vector_prefix(article_id: str, content_hash: str) -> str:
    """Vector ids of one version of an article start with this, so a new version is written beside the old."""
    return f"{article_id}::{content_hash[:16]}"


def _clean(meta: dict) -> dict:
    """Chroma metadata takes no None values: leave unset fields out."""
    return {k: v for k, v in meta.items() if v is not None}


def where_filter(filters: Filters) -> dict | None:
    """A Chroma `where` for source and publication-date filters."""
    clauses: list[dict] = []
    if filters.sources:
        clauses.append({"source": {"$in": list(filters.sources)}})
    if filters.date_from is not None:
        clauses.append({"published_at": {"$gte": filters.date_from.timestamp()}})
    if filters.date_to is not None:
        clauses.append({"published_at": {"$lte": filters.date_to.timestamp()}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


class ChromaStore:
    """One Chroma client per store; open one store per index path per process."""

    def __init__(self, config: Config):
        configure_environment()
        self.config = config
        # kind ("chunks" or "sentences") → its vector files, found torn and moved aside unread: not searched
        # until a writer rebuilds the collection (open_for_writes); `opened_fixes`: what opening repaired itself
        self.torn: dict[str, segments.Damage] = {}
        self.opened_fixes: list[str] = []
        try:
            import chromadb
            from chromadb.config import Settings

            settings = Settings(anonymized_telemetry=False)
            if config.chroma_host:
                _probe(config)  # a server that accepts but never answers fails here, not in a hung constructor
                self._client = chromadb.HttpClient(
                    host=config.chroma_host,
                    port=config.chroma_port,
                    ssl=config.chroma_ssl,
                    headers=config.chroma_headers,
                    settings=settings,
                )
                _bound_waits(self._client, config.chroma_timeout)
            else:
                config.index_dir.mkdir(parents=True, exist_ok=True)
                self.torn = self._guard_segments()  # before Chroma may load a torn file (it would crash us)
                self._client = chromadb.PersistentClient(path=str(config.index_dir), settings=settings)
            prefix = config.collection_prefix
            self._articles = self._collection(f"{prefix}-articles")
            self._chunks = self._collection(f"{prefix}-chunks")
            self._sentences = self._collection(f"{prefix}-sentences")
            # the write journal: ids of articles whose vectors are changing; left behind only by a crash
            self._journal = self._collection(f"{prefix}-writes")
            self._batch = max(1, min(self._client.get_max_batch_size(), 2000))
        except (ConfigError, StoreUnavailable):
            raise
        except Exception as exc:  # noqa: BLE001 - connection/open failures all mean the same to the user
            raise self._unavailable(exc) from exc
        self._reopening = threading.Lock()
        self.version = 0  # bumped by every write or delete through this store (readers' cheap change check)
        self._writer = threading.RLock()
        self._lock_file = None
        self._lock_depth = 0

    def _guard_segments(self) -> dict[str, segments.Damage]:
        """Check every collection's vector files before Chroma may load them (hnswlib trusts them: a torn header or
        neighbour list crashes the process, no exception). Torn files are moved aside under the write lock, so that
        no process of ours ever loads them: for article records and the journal that is the whole repair (their
        vectors are placeholders, the records live in SQLite); torn chunk or sentence vectors stay lost until a
        writer rebuilds the collection and embeds the articles again (open_for_writes). Returns those."""
        index_dir, prefix = self.config.index_dir, f"{self.config.collection_prefix}-"
        for attempt in range(GUARD_ATTEMPTS):
            found = self._inspect_segments(prefix, use_stamps=True)
            if all(d.quarantined for d in found):
                break
            try:
                lock = self._take_lock()
            except StoreUnavailable as busy:  # a live writer may be saving them right now: look again
                if attempt + 1 < GUARD_ATTEMPTS:
                    time.sleep(GUARD_WAIT_SECONDS)
                    continue
                torn = next(d for d in found if not d.quarantined)
                raise StoreUnavailable(f"the files of {torn.collection} in {index_dir} look torn ({torn.problem}) "
                                       f"while {busy.message}", "wait for that to finish, then run this again; "
                                       "if this persists, stop it and run `assistant check --repair`") from None
            try:
                found = self._inspect_segments(prefix, use_stamps=False)
                for damage in found:
                    if not damage.quarantined:
                        damage = segments.quarantine(index_dir, damage)
                    if damage.collection.removeprefix(prefix) in PLACEHOLDER_KINDS:
                        segments.discard(index_dir, damage.segment)
                        self.opened_fixes.append(f"{damage.collection}: Chroma's vector files were torn "
                                                 f"({damage.problem}): moved aside; its records are intact")
            finally:
                lock.close()
            break
        found = self._inspect_segments(prefix, use_stamps=True)
        return {d.collection.removeprefix(prefix): d for d in found
                if d.quarantined and d.collection.removeprefix(prefix) not in PLACEHOLDER_KINDS}

    def _inspect_segments(self, prefix: str, use_stamps: bool) -> list[segments.Damage]:
        try:
            found = segments.inspect(self.config.index_dir, use_stamps=use_stamps)
        except segments.RecordsUnreadable as exc:
            raise StoreUnavailable(
                f"the record database of the index {self.config.index_dir} cannot be read ({exc})",
                "restore the index from a backup (README, Operations: Restore), or ingest your source articles "
                "into a new --index directory") from None
        return [d for d in found if d.collection.startswith(prefix)]

    def _torn_error(self, kind: str) -> StoreUnavailable:
        damage = self.torn[kind]
        return StoreUnavailable(
            f"the index {self.config.describe_store()} is damaged: the files of {damage.collection} were torn "
            f"({damage.problem}); they were moved aside unread",
            "run `assistant check --repair` (or restart `assistant serve`, which repairs at start-up): it embeds "
            "the stored articles again")

    def _unavailable(self, exc: Exception) -> StoreUnavailable:
        reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        if _damage(exc):  # Chroma's files for a collection were torn by a crash (see damaged_collections)
            return StoreUnavailable(f"the index {self.config.describe_store()} is damaged ({reason})",
                                    "stop the server if one runs on it, run `assistant check --repair` (it rebuilds "
                                    "what Chroma cannot read from the stored articles), then start it again")
        if not self.config.chroma_host and any(w in reason.lower() for w in ("malformed", "not a database")):
            return StoreUnavailable(
                f"the record database of the index {self.config.index_dir} (chroma.sqlite3) is damaged ({reason})",
                "restore the index from a backup (README, Operations: Restore), or ingest your source articles "
                "into a new --index directory")
        if not self.config.chroma_host:
            return StoreUnavailable(f"store unavailable ({self.config.describe_store()}): {reason}",
                                    "check that the index directory is writable and not used by another program")
        import httpx

        what = "did not answer" if isinstance(exc, httpx.TransportError) else "failed"
        host, port = self.config.chroma_host, self.config.chroma_port
        return StoreUnavailable(
            f"store unavailable: the {self.config.describe_store()} {what} ({reason})",
            f"start the Chroma server (chroma run --path DIR --host {host} --port {port}) or fix "
            "ASSISTANT_CHROMA_HOST/ASSISTANT_CHROMA_PORT; the assistant reconnects by itself once it answers",
        )

    def _collection(self, name: str):
        sync = self.config.hnsw_sync_threshold
        hnsw = {"space": "cosine", "sync_threshold": sync, "batch_size": min(100, sync)}
        return self._client.get_or_create_collection(name, embedding_function=None, configuration={"hnsw": hnsw})

    def _call(self, fn, *args, **kwargs):
        """fn(...) with every failure to reach the store as StoreUnavailable. A collection that the server no
        longer knows by its id (recreated, e.g. after a reset) is looked up again by name, once."""
        try:
            return fn(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - Chroma's Rust panics arrive as PanicException(BaseException)
            if not isinstance(exc, Exception) and type(exc).__name__ != "PanicException":
                raise
            again = self._reopened(fn, exc)
            if again is not None:
                try:
                    return again(*args, **kwargs)
                except Exception as exc2:  # noqa: BLE001
                    exc = exc2
            if isinstance(exc, (ValueError, TypeError)) and "connect" not in str(exc).lower():
                raise exc from None
            raise self._unavailable(exc) from exc

    def _reopened(self, fn, exc: Exception):
        """The same method on a freshly fetched handle when `exc` says fn's collection is gone, else None."""
        from chromadb.errors import NotFoundError

        handle = getattr(fn, "__self__", None)
        if not isinstance(exc, NotFoundError) or handle is None:
            return None
        with self._reopening:
            attr = next((a for a, v in vars(self).items() if v is handle), None)
            if attr is None:  # another thread reopened it already
                attr = next((a for a, v in vars(self).items()
                             if getattr(v, "name", None) == getattr(handle, "name", None) and a.startswith("_")), None)
                if attr is None:
                    return None
            else:
                setattr(self, attr, self._collection(handle.name))
            return getattr(getattr(self, attr), fn.__name__)

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
                             bool(meta.get(PENDING)))

    def write_article(
        self,
        article: Article,
        sentences: Sequence[Sentence],
        chunks: Sequence[Chunk],
        chunk_vectors: np.ndarray,
        sentence_vectors: np.ndarray | None,
    ) -> None:
        """Replace everything stored for the article, crash-safely and without readers ever seeing a mix:
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
                PENDING: None,
            }
            self._call(self._articles.upsert, ids=[article.id], embeddings=[[1.0]], documents=[article.text],
                       metadatas=[record])
            self._delete_vectors(article.id, keep=content_hash)
        except Exception:
            self._settle_quietly(article.id)
            raise
        self._journal_done(article.id)
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

    # -- one writer, a journal, recovery ---------------------------------------------------------------
    @contextmanager
    def exclusive(self):
        """Hold while writing: one writer per index. Within the process a lock (other threads wait); across
        processes an flock on a file in the local index directory, which the OS releases when the process
        ends, even by SIGKILL (a second writer is refused with a message). A Chroma server has no such lock."""
        with self._writer:
            if self._lock_depth == 0 and not self.config.chroma_host:
                self._lock_file = self._take_lock()
            self._lock_depth += 1
            try:
                yield
            finally:
                self._lock_depth -= 1
                if self._lock_depth == 0 and self._lock_file is not None:
                    self._lock_file.close()  # closing the file releases the flock
                    self._lock_file = None

    def _take_lock(self):
        path = self.config.index_dir / LOCK_FILE
        fh = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held open for as long as the lock is held
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            fh.close()
            raise StoreUnavailable(
                f"{holder} is writing {self.config.index_dir} (ingest, delete or repair)",
                "wait for it to finish, then run this again",
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()} on {socket.gethostname()}\n")
        fh.flush()
        return fh

    def _journal_add(self, article_id: str, content_hash: str) -> None:
        meta = {"content_hash": content_hash, "started_at": time.time(),
                "writer": f"{socket.gethostname()}:{os.getpid()}"}
        self._call(self._journal.upsert, ids=[article_id], embeddings=[[1.0]], metadatas=[meta])

    def _journal_done(self, article_id: str) -> None:
        """An article write, delete or settlement is complete: clear its journal entry and announce a new
        generation of the records to every reader, in this process or another."""
        self._call(self._journal.delete, ids=[article_id])
        token = f"{time.time_ns()}-{os.getpid()}-{article_id}"[:200]
        self._call(self._journal.modify, metadata={"generation": token})

    def generation(self) -> str | None:
        """Changes whenever any process has written or deleted an article: a sub-millisecond check (one
        collection lookup) that tells readers when to re-read the article records. None until the first write."""
        from chromadb.errors import NotFoundError

        name = self._journal.name
        try:
            col = self._call(lambda: self._client.get_collection(name, embedding_function=None))
        except NotFoundError:  # recreated on the server (a reset): no generation to compare, so re-read
            return f"missing-{time.time_ns()}"
        return (col.metadata or {}).get("generation")

    def pending_writes(self) -> dict[str, dict]:
        """Journal entries: article writes in progress, or interrupted by a crash ({id: metadata})."""
        got = self._call(self._journal.get, include=["metadatas"])
        return {i: m or {} for i, m in zip(got["ids"], got["metadatas"])}

    def recover(self, min_age: float = 0.0) -> list[Fix]:
        """Settle the journalled article writes at least `min_age` seconds old."""
        now = time.time()
        return [self._settle(aid) for aid, meta in sorted(self.pending_writes().items())
                if now - float(meta.get("started_at", 0.0)) >= min_age]

    def open_for_writes(self, full: bool = False) -> Opened:
        """Call inside exclusive() before writing. Rebuilds vector collections Chroma can no longer read, settles
        interrupted writes from the journal, then compares the vector counts the records promise with what the
        collections hold (one pass over the records, two counts); if they differ (an older version crashed,
        files were lost), or `full`, runs the full repair(). On a Chroma server another writer may be
        mid-article: there young journal entries are left alone and a count difference is only reported."""
        local = self._lock_depth > 0 and not self.config.chroma_host
        fixes = [Fix(line) for line in self.opened_fixes]
        self.opened_fixes = []
        fixes += [*self._rebuild_damaged(), *self.recover(0.0 if local else STALE_WRITE_SECONDS)]
        hashes, promised, pending = self._records_summary()  # no fix below changes a content hash
        counts = self._vector_counts()
        if full or promised != counts:
            if local or full:
                again = {f.reembed.id for f in fixes if f.reembed is not None}
                fixes += [f for f in self.repair() if f.reembed is None or f.reembed.id not in again]
                pending = self._records_summary()[2]  # a rebuild in repair() marks every article pending
            else:
                fixes.append(Fix(f"the records promise {promised[0]} chunk and {promised[1]} sentence vectors, the "
                                 f"server holds {counts[0]} and {counts[1]}: when no other ingest is running, run "
                                 "`assistant check --repair`"))
        again = {f.reembed.id for f in fixes if f.reembed is not None}
        lost = [aid for aid in pending if aid not in again]  # lost vectors a crash kept from being embedded again
        fixes += [Fix("", stored.article) for stored in self.get_articles(lost).values()]
        return Opened(hashes, tuple(fixes))

    def _records_summary(self) -> tuple[dict[str, str], tuple[int, int], list[str]]:
        """Content hashes, the vector counts the records promise, and the articles whose vectors are pending."""
        hashes: dict[str, str] = {}
        pending: list[str] = []
        chunks = sentences = 0
        for ids, metas, _ in self._page(self._articles, include=["metadatas"]):
            for i, m in zip(ids, metas):
                hashes[i] = m.get("content_hash", "")
                if m.get(PENDING):
                    pending.append(i)
                want = self._promised(m)
                chunks += want[0]
                sentences += want[1]
        return hashes, (chunks, sentences), pending

    def _vector_counts(self, article_id: str | None = None) -> tuple[int, int]:
        if article_id is None:
            return self._call(self._chunks.count), self._call(self._sentences.count)
        return tuple(len(self._call(col.get, where={"article_id": article_id}, include=[])["ids"])
                     for col in (self._chunks, self._sentences))

    @staticmethod
    def _promised(record: dict) -> tuple[int, int]:
        """(chunk vectors, sentence vectors) an article record says exist: none while its vectors are pending."""
        if record.get(PENDING):
            return 0, 0
        return record.get("n_chunks", -1), record.get("n_sentences", 0) if record.get("sentence_vectors") else 0

    def _mark_pending(self, article_ids: Sequence[str]) -> None:
        """Before an article's vectors are dropped as lost: its record says so (readers and counts then expect
        none, and every later writer embeds it again from its stored text until one succeeds)."""
        ids = list(article_ids)
        self.version += 1
        for start in range(0, len(ids), self._batch):
            part = ids[start : start + self._batch]
            self._call(self._articles.update, ids=part, metadatas=[{PENDING: True}] * len(part))

    def _settle(self, article_id: str) -> Fix:
        """Make one article consistent after an interrupted write: the vectors of its record's hash stay, all
        others go; if the record's own vectors are incomplete, it is to be embedded again from its text."""
        self.version += 1
        got = self._call(self._articles.get, ids=[article_id], include=["metadatas"])
        fix = Fix(f"{article_id}: interrupted write: removed the vectors of an unfinished write (no record)")
        if not got["ids"]:
            self._delete_vectors(article_id)
        else:
            record = got["metadatas"][0]
            self._delete_vectors(article_id, keep=record.get("content_hash", ""))
            fix = Fix(f"{article_id}: interrupted write: kept the complete stored version, removed any unfinished one")
            if self._vector_counts(article_id) != self._promised(record):
                fix = self._incomplete(article_id, "interrupted write")
        self._journal_done(article_id)
        return fix

    def _incomplete(self, article_id: str, why: str) -> Fix:
        self._mark_pending([article_id])
        self._delete_vectors(article_id)
        stored = self.get_articles([article_id]).get(article_id)
        return Fix(f"{article_id}: {why}: its stored version lacks vectors: embedding it again from its stored text",
                   stored.article if stored else None)

    def _settle_quietly(self, article_id: str) -> None:
        """After a failed write in this process: settle now if the store answers; else the journal keeps it."""
        try:
            self._settle(article_id)
        except Exception:  # noqa: BLE001 - the original error is the one to report; recovery happens later
            pass

    # -- Chroma's own files --------------------------------------------------------------------------------
    def damaged_collections(self) -> list[str]:
        """Vector collections Chroma can no longer read. Chroma (1.5.9) saves a collection's HNSW files in place
        every `sync_threshold` writes, its id map (index_metadata.pickle) truncated first: a crash in between
        leaves a collection whose every read fails ("Error deserializing pickle file"), or whose newest
        vectors cannot be read back; SQLite, and so the record scans, see nothing wrong. A count and one read
        of the last page of vectors show it."""
        out = list(self.torn)
        for kind, col in self._vector_collections():
            if kind in self.torn:
                continue  # moved aside unread: touching it would only show the part Chroma had not yet saved
            try:
                n = col.count()
                if n and kind in ("chunks", "sentences"):
                    col.get(include=["embeddings"], limit=PROBE_VECTORS, offset=max(0, n - PROBE_VECTORS))
            except Exception as exc:  # noqa: BLE001 - only Chroma's own internal errors mean damage
                if not _damage(exc):
                    raise self._unavailable(exc) from exc
                out.append(kind)
        return out

    def _vector_collections(self):
        return (("articles", self._articles), ("chunks", self._chunks), ("sentences", self._sentences),
                ("writes", self._journal))

    def _rebuild_damaged(self, kinds: Sequence[str] | None = None) -> list[Fix]:
        """Drop and recreate damaged chunk/sentence collections (their vectors are lost; every article is then
        embedded again from its stored text) and a damaged journal (the count check finds what it named). The
        article records cannot be rebuilt by us: that is an error naming the fix."""
        kinds = self.damaged_collections() if kinds is None else list(kinds)
        if "articles" in kinds:
            raise StoreUnavailable(
                f"the article records of {self.config.describe_store()} cannot be read: Chroma's files for them "
                "were damaged (by a crash while it saved them)",
                "ingest your source articles into a new --index directory and use that one",
            )
        fixes: list[Fix] = []
        attrs = {"chunks": "_chunks", "sentences": "_sentences", "writes": "_journal"}
        if {"chunks", "sentences"} & set(kinds):
            self._mark_pending([i for ids, _, _ in self._page(self._articles, include=[]) for i in ids])
        for kind in kinds:
            old = getattr(self, attrs[kind])
            name, metadata = old.name, old.metadata
            self.version += 1
            self._call(self._client.delete_collection, name)
            fresh = self._collection(name)
            if metadata:
                self._call(fresh.modify, metadata=metadata)  # the embedder binding lives on the chunks collection
            setattr(self, attrs[kind], fresh)
            torn = self.torn.pop(kind, None)
            if torn is not None and not self.config.chroma_host:
                segments.discard(self.config.index_dir, torn.segment)
            why = (f"its vector files were torn ({torn.problem}) and moved aside unread" if torn is not None
                   else "Chroma could not read its vector files (damaged by a crash while it saved them)")
            fixes.append(Fix(f"{name}: {why}: recreated it empty"))
        if {"chunks", "sentences"} & set(kinds):
            n = self.count()["articles"]
            fixes.append(Fix(f"all {n} stored articles lost vectors with it: embedding them again from their stored "
                             "text"))
        return fixes

    # -- consistency -----------------------------------------------------------------------------------
    def check(self) -> list[str]:
        """Problems between article records and vectors (e.g. after a crash); empty when consistent. Journal
        entries are problems too (an ingest running right now shows the article it is writing), and so are
        vector collections Chroma cannot read, or vectors it cannot read back (every vector is read: slow)."""
        return [problem for problem, _ in self._inconsistencies(read_vectors=True)]

    def repair(self) -> list[Fix]:
        """Rebuild unreadable collections, settle journalled writes, remove orphan or stale vectors; records whose
        vectors are incomplete are kept and returned (Fix.reembed) to be embedded again from their stored text
        (Ingestor.repair() does both)."""
        with self.exclusive():
            done = []
            for problem, action in self._inconsistencies(read_vectors=True):
                result = action()
                done += result if isinstance(result, list) else [result if isinstance(result, Fix) else Fix(problem)]
            return done

    def _inconsistencies(self, read_vectors: bool):
        """(problem, action that fixes it); lazy, so the scans see what earlier actions already fixed."""
        damaged = self.damaged_collections()
        if read_vectors:
            damaged += [k for k, n in self.unreadable_vectors(skip=damaged).items() if n]
        for kind in damaged:
            torn = self.torn.get(kind)
            what = (f"its vector files were torn ({torn.problem}) and moved aside unread" if torn is not None else
                    "Chroma cannot read (all of) its vector files (damaged by a crash while it saved them)")
            yield f"{self.config.collection_prefix}-{kind}: {what}", lambda k=kind: self._rebuild_damaged([k])
        if "articles" in damaged:
            return
        for aid in sorted(self.pending_writes()):
            yield (f"{aid}: write interrupted or in progress (journalled)", lambda a=aid: self._settle(a))
        records = {}
        for ids, metas, _ in self._page(self._articles, include=["metadatas"]):
            records.update(zip(ids, metas))
        seen: dict[str, dict[str, int]] = {"chunks": {}, "sentences": {}}
        stale: dict[str, set[str]] = {}
        for kind, col in (("chunks", self._chunks), ("sentences", self._sentences)):
            if kind in damaged:
                continue
            for _ids, metas, _ in self._page(col, include=["metadatas"]):
                for m in metas:
                    aid = m.get("article_id", "")
                    rec = records.get(aid)
                    if rec is None or rec.get("content_hash") != m.get("content_hash"):
                        stale.setdefault(aid, set()).add(kind)
                    else:
                        seen[kind][aid] = seen[kind].get(aid, 0) + 1
        for aid, kinds in sorted(stale.items()):
            keep = records[aid].get("content_hash", "") if aid in records else None
            yield (f"{aid}: stale or orphan {'/'.join(sorted(kinds))} vectors",
                   lambda a=aid, k=keep: self._drop_vectors(a, k))
        if damaged:
            return  # every record lacks vectors now: the rebuild above already lists them for re-embedding
        for aid, rec in sorted(records.items()):
            if rec.get(PENDING):
                yield (f"{aid}: its vectors were lost (a crash): not searchable until embedded again",
                       lambda a=aid: self._incomplete(a, "vectors lost"))
            elif (seen["chunks"].get(aid, 0), seen["sentences"].get(aid, 0)) != self._promised(rec):
                yield (f"{aid}: record does not match its vectors",
                       lambda a=aid: self._incomplete(a, "record does not match its vectors"))

    def _drop_vectors(self, aid: str, keep: str | None) -> None:
        self.version += 1
        self._delete_vectors(aid, keep=keep)

    # -- reading vectors -----------------------------------------------------------------------------
    def query_chunk_ids(self, vector: np.ndarray, k: int, where: dict | None = None) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the k nearest chunks: ids and distances only, the fast path."""
        if k <= 0:
            return []
        if "chunks" in self.torn:
            raise self._torn_error("chunks")
        res = self._call(self._chunks.query, query_embeddings=[np.asarray(vector, dtype=np.float32)],
                         n_results=k, where=where, include=["distances"])
        return [(cid, 1.0 - dist) for cid, dist in zip(res["ids"][0], res["distances"][0])]

    def sentence_vectors(self, ids: Sequence[str], hashes: dict[str, str] | None = None) -> dict[str, np.ndarray]:
        """Vectors of the current version of sentences named `{article_id}::s{index}`, keyed so. The version
        is the record's content hash, looked up unless `hashes` ({article_id: content_hash}) gives it."""
        if not ids:
            return {}
        if "sentences" in self.torn:
            raise self._torn_error("sentences")
        parts = {sid: sid.rpartition("::s") for sid in ids}  # (article id, "::s", index)
        hashes = dict(hashes or {})
        missing = [a for a in dict.fromkeys(aid for aid, _, _ in parts.values()) if a not in hashes]
        if missing:
            got = self._call(self._articles.get, ids=missing, include=["metadatas"])
            hashes.update({a: m.get("content_hash", "") for a, m in zip(got["ids"], got["metadatas"])})
        physical: dict[str, str] = {}  # physical id -> logical id
        for sid, (aid, _, index) in parts.items():
            if aid in hashes:
                physical[f"{vector_prefix(aid, hashes[aid])}::s{index}"] = sid
                physical[sid] = sid  # indexes written before vector ids carried the hash
        got = self._call(self._sentences.get, ids=list(physical), include=["embeddings", "metadatas"])
        out: dict[str, np.ndarray] = {}
        for pid, emb, meta in zip(got["ids"], got["embeddings"], got["metadatas"]):
            sid = physical[pid]
            if (meta or {}).get("content_hash") == hashes[parts[sid][0]]:
                out[sid] = np.asarray(emb, dtype=np.float32)
        return out

    def chunks_of(self, article_ids: Sequence[str]) -> Iterator[tuple[str, str, dict]]:
        """(chunk id, text, metadata) of the chunks of these articles, for updating a lexical index."""
        if not article_ids:
            return
        got = self._call(self._chunks.get, where={"article_id": {"$in": list(article_ids)}},
                         include=["metadatas", "documents"])
        yield from zip(got["ids"], got["documents"], got["metadatas"])

    def iter_vectors(self, kind: str) -> Iterator[tuple[str, str, dict]]:
        """(id, text, metadata) of every "chunks" or "sentences" vector, for audits."""
        col = {"chunks": self._chunks, "sentences": self._sentences}[kind]
        for ids, metas, docs in self._page(col, include=["metadatas", "documents"]):
            yield from zip(ids, docs, metas)

    def vectors(self, kind: str, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored "chunks" or "sentences" vectors by their ids (as iter_vectors gives them)."""
        if not ids:
            return {}
        if kind in self.torn:
            raise self._torn_error(kind)
        col = {"chunks": self._chunks, "sentences": self._sentences}[kind]
        got = self._call(col.get, ids=list(ids), include=["embeddings"])
        return {i: np.asarray(e, dtype=np.float32) for i, e in zip(got["ids"], got["embeddings"])}

    def unreadable_vectors(self, page: int = 500, skip: Sequence[str] = ()) -> dict[str, int]:
        """How many chunk and sentence vectors cannot be read back intact, per collection. Chroma keeps vectors
        only in its HNSW files, which a crash while it flushes them can leave torn; its SQLite bookkeeping (and
        so check()) does not notice. Every vector written here has unit length, so one that fails to load, is
        not finite or is not unit length is damaged."""
        out = {}
        for kind, col in (("chunks", self._chunks), ("sentences", self._sentences)):
            if kind in skip or kind in self.torn:
                continue
            total, bad = self._call(col.count), 0
            for offset in range(0, total, page):
                try:
                    got = col.get(include=["embeddings"], limit=page, offset=offset)
                except Exception:  # noqa: BLE001 - a page that cannot be read counts as damaged
                    bad += min(page, total - offset)
                    continue
                vecs = np.asarray(got["embeddings"], dtype=np.float64)
                if len(vecs):
                    norms = np.linalg.norm(vecs, axis=1)
                    bad += int(np.sum(~np.isfinite(norms) | ((norms > 1e-6) & (np.abs(norms - 1.0) > 1e-3))))
            out[kind] = bad
        return out

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


def _probe(config: Config) -> None:
    """One heartbeat with a short timeout before chromadb's client (which waits forever) is built."""
    import httpx

    scheme = "https" if config.chroma_ssl else "http"
    host = f"[{config.chroma_host}]" if ":" in config.chroma_host else config.chroma_host
    url = f"{scheme}://{host}:{config.chroma_port}/api/v2/heartbeat"
    httpx.get(url, headers=config.chroma_headers, timeout=min(config.chroma_timeout, 10.0)).raise_for_status()


def _bound_waits(client, seconds: float) -> None:
    """chromadb's HTTP client waits forever for a server that accepted a connection but does not answer
    (stopped, overloaded): give its httpx session a timeout so a request fails as StoreUnavailable instead."""
    import httpx

    session = getattr(getattr(client, "_server", None), "_session", None)
    if isinstance(session, httpx.Client):
        session.timeout = httpx.Timeout(seconds, connect=min(seconds, 5.0))


def _damage(exc: Exception) -> bool:
    """Whether a Chroma error means its files for a collection are damaged (not: unreachable, or our mistake)."""
    from chromadb.errors import InternalError

    text = str(exc).lower()
    return isinstance(exc, InternalError) and any(
        w in text for w in ("hnsw", "pickle", "error getting embedding", "error finding id", "segment reader"))

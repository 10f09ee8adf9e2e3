"""The write lock, the journal of article writes in progress, and settling what a crash left (recover)."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from common.records import Article
from index.store.lock import take_lock
from index.store.records import PENDING

# On a Chroma server there is no lock across machines: a journalled write is only settled by another
# writer once it is this old (a live writer finishes an article in seconds).
STALE_WRITE_SECONDS = 600.0


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



class Journal:
    """One writer at a time (exclusive), the journal, and what a writer settles before it writes (open_for_writes)."""

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
                try:
                    if self._lock_depth == 0:
                        self._lexical_released()  # commit the staged lexical entries, clear their journal entries
                finally:
                    if self._lock_depth == 0 and self._lock_file is not None:
                        self._lock_file.close()  # closing the file releases the flock
                        self._lock_file = None

    def _take_lock(self):
        return take_lock(self.config.index_dir)

    def _journal_add(self, article_id: str, content_hash: str) -> None:
        self._journal_add_many([(article_id, content_hash)])

    def _journal_add_many(self, items: Sequence[tuple[str, str]]) -> None:
        """Journal writes about to start: (article id, content hash being written, "" for a delete)."""
        now, writer = time.time(), f"{socket.gethostname()}:{os.getpid()}"
        self._call(self._journal.upsert, ids=[i for i, _ in items], embeddings=[[1.0]] * len(items),
                   metadatas=[{"content_hash": h, "started_at": now, "writer": writer} for _, h in items])

    @staticmethod
    def _next_generation(article_id: str) -> str:
        return f"{time.time_ns()}-{os.getpid()}-{article_id}"[:200]

    def _journal_clear(self, article_ids: Sequence[str], token: str | None = None) -> None:
        """Article writes, deletes or settlements are complete (and, in a local index, committed to the lexical
        index as generation `token`): clear their journal entries and announce that generation of the records
        to every reader, in this process or another (LexicalSide._journal_done decides when)."""
        ids = list(dict.fromkeys(article_ids))  # an article settled and then written in one flush: once
        self._call(self._journal.delete, ids=ids)  # (Chroma refuses duplicate ids)
        token = token or self._next_generation(ids[-1])
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
        if self._writes_lexical():  # built here for an index from before it; after any fix, checked against records
            done = self._lexical_catch_up(force=bool(fixes))
            if done.indexed or done.removed:
                fixes.append(Fix(f"lexical index: {len(done.indexed)} article(s) indexed, {len(done.removed)} "
                                 f"removed to match the records ({done.seconds:.1f} s)"))
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

"""The persistent lexical index: BM25 (Tantivy) over every chunk's title and text, with its metadata, on disk."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from common.records import Filters
from common.text import terms

STATE_ID = "\x00state"  # the one document that says which store generation the index reflects
WRITER_HEAP = 50_000_000  # bytes Tantivy buffers before it writes a segment (one indexing thread)
WRITER_WAIT_SECONDS = 30.0  # another process holds the index's writer (a reader catching up): wait this long
FORMAT = 3  # bumped when the schema changes: an index of another format is rebuilt


def chunk_terms(text: str, meta: dict) -> list[str]:
    """What BM25 sees of a chunk: its article's title, then its text, as stemmed content words."""
    return terms(f"{meta.get('title') or ''}\n{text}") or ["__empty__"]


def _schema():
    import tantivy

    b = tantivy.SchemaBuilder()
    b.add_text_field("terms", stored=False, tokenizer_name="whitespace", index_option="freq")
    b.add_text_field("chunk_id", stored=True, tokenizer_name="raw", fast=True)
    b.add_text_field("article_id", stored=True, tokenizer_name="raw")
    b.add_text_field("first", stored=False, tokenizer_name="raw")  # "1" on chunk 0: one document per article
    b.add_text_field("source", stored=False, tokenizer_name="raw", fast=True)
    b.add_float_field("published_at", stored=False, indexed=True, fast=True)
    b.add_bytes_field("meta", stored=True)  # the chunk's metadata as Chroma holds it (JSON)
    # the vectors of the chunk's sentences (float32, sentence_start..sentence_end-1): answers read them here rather
    # than from Chroma, whose sentence collection would be loaded into memory whole (2.4 GB at 1 M sentences)
    b.add_bytes_field("svec", stored=True)
    return b.build()


@dataclass(frozen=True)
class Hit:
    """One chunk a search found: its id, BM25 score (0.0 for a lookup by id) and metadata."""

    chunk_id: str
    score: float
    meta: dict


class LexicalView:
    """One committed state of the index (a Tantivy searcher): what a question reads, never changed under it."""

    def __init__(self, index, schema, searcher, state: dict):
        self._index, self._schema, self._searcher = index, schema, searcher
        self.committed = bool(state)  # False: never built (an index from before the lexical index, or empty)
        self.generation: str | None = state.get("generation")
        self.unsearchable: int = int(state.get("unsearchable", 0))
        self.n_docs = max(0, self._searcher.num_docs - (1 if state else 0))

    @cached_property
    def n_articles(self) -> int:
        return self._count(self._term("first", "1"))

    @cached_property
    def sources(self) -> set[str]:
        if not self.n_articles:
            return set()
        buckets = self._searcher.aggregate(self._term("first", "1"),
                                           {"s": {"terms": {"field": "source", "size": 1_000_000}}})
        return {b["key"] for b in buckets["s"]["buckets"]}

    def _term(self, field: str, value: str):
        import tantivy

        return tantivy.Query.term_query(self._schema, field, value)

    def _count(self, query) -> int:
        return self._searcher.search(query, 1, count=True).count

    def _filter_clauses(self, filters: Filters) -> list:
        import tantivy

        out = []
        if filters.sources:
            out.append(tantivy.Query.term_set_query(self._schema, "source", list(filters.sources)))
        if filters.date_from is not None or filters.date_to is not None:
            low = filters.date_from.timestamp() if filters.date_from is not None else None
            high = filters.date_to.timestamp() if filters.date_to is not None else None
            out.append(tantivy.Query.range_query(self._schema, "published_at", tantivy.FieldType.Float, low, high))
        return out

    def doc_freq(self, term: str) -> int:
        return self._searcher.doc_freq("terms", term)

    def search(self, query_terms: Sequence[str], k: int, filters: Filters | None = None) -> list[Hit]:
        """The k chunks with the best BM25 score for these terms among those that pass the filters."""
        import tantivy

        known = [t for t in dict.fromkeys(query_terms) if self.doc_freq(t)]
        if not known or k <= 0:
            return []
        words = tantivy.Query.boolean_query([(tantivy.Occur.Should, self._term("terms", t)) for t in known])
        clauses = self._filter_clauses(filters or Filters())
        query = words if not clauses else tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, words), *((tantivy.Occur.Must, c) for c in clauses)])
        return [self._hit(addr, score) for score, addr in self._searcher.search(query, k, count=False).hits]

    def count(self, filters: Filters) -> int:
        """How many chunks pass the filters."""
        import tantivy

        clauses = self._filter_clauses(filters)
        if not clauses:
            return self.n_docs
        return self._count(tantivy.Query.boolean_query([(tantivy.Occur.Must, c) for c in clauses]))

    def chunk_ids(self, filters: Filters) -> list[str]:
        """The ids of every chunk that passes the filters (read from a column, no stored document opened)."""
        import tantivy

        clauses = self._filter_clauses(filters)
        query = (tantivy.Query.boolean_query([(tantivy.Occur.Must, c) for c in clauses]) if clauses
                 else tantivy.Query.all_query())
        got = self._searcher.aggregate(query, {"ids": {"terms": {"field": "chunk_id", "size": 10_000_000}}})
        return [b["key"] for b in got["ids"]["buckets"] if b["key"] != STATE_ID]

    def metas(self, chunk_ids: Iterable[str]) -> dict[str, dict]:
        """{chunk id: metadata} of the chunks among these ids that the index holds."""
        import tantivy

        ids = list(dict.fromkeys(chunk_ids))
        if not ids:
            return {}
        found = self._searcher.search(tantivy.Query.term_set_query(self._schema, "chunk_id", ids), len(ids),
                                      count=False)
        hits = (self._hit(addr, 0.0) for _, addr in found.hits)
        return {h.chunk_id: h.meta for h in hits}

    def chunks_of(self, article_id: str) -> dict[str, dict]:
        """{chunk id: metadata} of every chunk the index holds for this article."""
        found = self._searcher.search(self._term("article_id", article_id), 10_000, count=False)
        hits = (self._hit(addr, 0.0) for _, addr in found.hits)
        return {h.chunk_id: h.meta for h in hits}

    def sentence_vectors(self, article_id: str, content_hash: str) -> dict[int, np.ndarray]:
        """{sentence index: vector} of this version of the article, as its chunks hold them (empty when the
        index holds another version, or was written without sentence vectors)."""
        found = self._searcher.search(self._term("article_id", article_id), 10_000, count=False)
        out: dict[int, np.ndarray] = {}
        for _, addr in found.hits:
            doc = self._searcher.doc(addr)
            meta, raw = json.loads(doc["meta"][0]), doc.get_first("svec")
            if meta.get("content_hash") != content_hash or not raw:
                continue
            vecs = np.frombuffer(raw, dtype=np.float32).reshape(-1, int(meta["svec_dim"]))
            for n, index in enumerate(range(meta["sentence_start"], meta["sentence_end"])):
                out.setdefault(index, vecs[n])
        return out

    def article_hashes(self) -> dict[str, str]:
        """{article id: content hash} of every article the index holds (one document each)."""
        found = self._searcher.search(self._term("first", "1"), max(1, self.n_articles), count=False)
        out = {}
        for _, addr in found.hits:
            meta = json.loads(self._searcher.doc(addr)["meta"][0])
            out[meta["article_id"]] = meta.get("content_hash", "")
        return out

    def _hit(self, addr, score: float) -> Hit:
        doc = self._searcher.doc(addr)
        return Hit(doc["chunk_id"][0], float(score), json.loads(doc["meta"][0]))


def committed_state(path: Path) -> dict | None:
    """The state the index at `path` was last committed with ({generation, unsearchable, …}), read without creating,
    rewriting or locking anything; None when there is no committed index of this FORMAT there."""
    import tantivy

    fmt = Path(path) / "assistant-format.json"
    if not fmt.is_file() or not tantivy.Index.exists(str(path)) or json.loads(fmt.read_text()).get("format") != FORMAT:
        return None
    schema = _schema()
    searcher = tantivy.Index(schema, path=str(path), reuse=True).searcher()
    found = searcher.search(tantivy.Query.term_query(schema, "article_id", STATE_ID), 1, count=False).hits
    return json.loads(searcher.doc(found[0][1])["meta"][0]) if found else None


class LexicalStore:
    """A Tantivy index in one directory: read by any number of processes at once (each commit is a consistent
    state, files are never changed in place), written by one at a time (Tantivy's own lock file). Changes are
    staged per article (its chunks replaced or removed) and become visible together at commit(), which also
    records the store generation they bring the index to."""

    def __init__(self, path: Path):
        import tantivy

        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self._schema = _schema()
        fmt = self.path / "assistant-format.json"
        fresh = not tantivy.Index.exists(str(self.path))
        if not fresh and (not fmt.exists() or json.loads(fmt.read_text()).get("format") != FORMAT):
            for f in self.path.iterdir():  # another format: start again (the store rebuilds it from the records)
                if f.is_file():
                    f.unlink()
            fresh = True
        self._index = tantivy.Index(self._schema, path=str(self.path), reuse=not fresh)
        fmt.write_text(json.dumps({"format": FORMAT}))
        self._writer = None
        self._staged = False
        self._lock = threading.RLock()  # one writer per process: the ingest thread and a catching-up reader

    @property
    def staged(self) -> bool:
        return self._staged

    def view(self) -> LexicalView:
        """The latest committed state (by any process)."""
        self._index.reload()
        searcher = self._index.searcher()
        found = searcher.search(self._state_query(), 1, count=False).hits
        state = json.loads(searcher.doc(found[0][1])["meta"][0]) if found else {}
        return LexicalView(self._index, self._schema, searcher, state)  # the state and the view: one commit

    def _state_query(self):
        import tantivy

        return tantivy.Query.term_query(self._schema, "article_id", STATE_ID)

    def writer(self, wait: float = WRITER_WAIT_SECONDS):
        """Tantivy's writer for this directory, opened once per process (ValueError while another holds it)."""
        with self._lock:
            deadline = time.monotonic() + wait
            while self._writer is None:
                try:
                    self._writer = self._index.writer(heap_size=WRITER_HEAP, num_threads=1)
                except ValueError:
                    if time.monotonic() >= deadline:
                        raise
                    time.sleep(0.1)
            return self._writer

    def replace(self, article_id: str, content_hash: str, rows: Sequence[tuple[str, str, dict]],
                sentence_vectors: np.ndarray | dict[int, np.ndarray] | None = None) -> None:
        """Stage one article's chunks (chunk id, text, metadata), replacing whatever it had; `sentence_vectors`:
        the article's sentence vectors (by sentence index), kept with the chunks that hold them."""
        with self._lock:
            self.remove(article_id)
            for cid, text, meta in rows:
                vecs = None
                if sentence_vectors is not None:
                    span = range(meta["sentence_start"], meta["sentence_end"])
                    if all(i in sentence_vectors if isinstance(sentence_vectors, dict) else i < len(sentence_vectors)
                           for i in span):
                        vecs = np.stack([sentence_vectors[i] for i in span]) if len(span) else None
                self.add(cid, text, {**meta, "article_id": article_id, "content_hash": content_hash}, vecs)

    def add(self, chunk_id: str, text: str, meta: dict, sentence_vectors: np.ndarray | None = None) -> None:
        """Stage one chunk (its metadata names its article and content hash). Tantivy applies a removal only to
        what was added before it: remove an article's old chunks first, then add the new ones."""
        import tantivy

        with self._lock:
            writer = self.writer()
            if sentence_vectors is not None:
                meta = {**meta, "svec_dim": int(sentence_vectors.shape[1])}
            doc = tantivy.Document(terms=" ".join(chunk_terms(text, meta)), chunk_id=chunk_id,
                                   article_id=meta["article_id"], meta=json.dumps(meta, separators=(",", ":")).encode())
            if meta.get("chunk_index", 0) == 0:
                doc.add_text("first", "1")
            if meta.get("source"):
                doc.add_text("source", meta["source"])
            if meta.get("published_at") is not None:
                doc.add_float("published_at", float(meta["published_at"]))
            if sentence_vectors is not None:
                doc.add_bytes("svec", np.ascontiguousarray(sentence_vectors, dtype=np.float32).tobytes())
            writer.add_document(doc)
            self._staged = True

    def remove(self, article_id: str) -> None:
        with self._lock:
            self.writer().delete_documents_by_term("article_id", article_id)
            self._staged = True

    def commit(self, generation: str | None, unsearchable: int | None = None) -> None:
        """Make the staged changes visible at once, as the state of store generation `generation`."""
        import tantivy

        with self._lock:
            writer = self.writer()
            if unsearchable is None:
                unsearchable = self.view().unsearchable
            state = {"generation": generation, "unsearchable": unsearchable, "committed_at": time.time()}
            writer.delete_documents_by_term("article_id", STATE_ID)
            writer.add_document(tantivy.Document(chunk_id=STATE_ID, article_id=STATE_ID,
                                                 meta=json.dumps(state).encode()))
            writer.commit()
            self._staged = False

    def rollback(self) -> None:
        with self._lock:
            if self._writer is not None and self._staged:
                self._writer.rollback()
            self._staged = False

    def release(self) -> None:
        """Let another process write (drops the writer and its lock; staged changes are lost)."""
        with self._lock:
            if self._writer is not None:
                if self._staged:
                    self._writer.rollback()
                self._writer = None
                self._staged = False

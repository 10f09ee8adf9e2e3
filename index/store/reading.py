"""What the read side asks of the vectors: nearest chunks, sentence vectors, chunks for the lexical index."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from common.records import Filters, sentence_id
from index.store.records import vector_prefix


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


class Reading:
    """Chunk and sentence vectors for retrieval and audits; a collection whose files were torn is refused."""

    def query_chunk_ids(self, vector: np.ndarray, k: int, where: dict | None = None,
                        ids: Sequence[str] | None = None) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the k nearest chunks: ids and distances only, the fast path; `ids`:
        only among these (Chroma searches the graph for them: fast for thousands, slow for a handful)."""
        if k <= 0 or (ids is not None and not ids):
            return []
        if "chunks" in self.torn:
            raise self._torn_error("chunks")
        res = self._call(self._chunks.query, query_embeddings=[np.asarray(vector, dtype=np.float32)],
                         n_results=k, where=where, ids=list(ids) if ids is not None else None, include=["distances"])
        return [(cid, 1.0 - dist) for cid, dist in zip(res["ids"][0], res["distances"][0])]

    def sentence_vectors(self, ids: Sequence[str], hashes: dict[str, str] | None = None) -> dict[str, np.ndarray]:
        """Vectors of the current version of sentences named `{article_id}::s{index}`, keyed so. The version
        is the record's content hash, looked up unless `hashes` ({article_id: content_hash}) gives it. Read from
        the lexical index, which keeps them with each chunk, where it holds that version; else from Chroma."""
        if not ids:
            return {}
        parts = {sid: sid.rpartition("::s") for sid in ids}  # (article id, "::s", index)
        hashes = dict(hashes or {})
        missing = [a for a in dict.fromkeys(aid for aid, _, _ in parts.values()) if a not in hashes]
        if missing:
            got = self._call(self._articles.get, ids=missing, include=["metadatas"])
            hashes.update({a: m.get("content_hash", "") for a, m in zip(got["ids"], got["metadatas"])})
        out: dict[str, np.ndarray] = {}
        view = self.lexical.view()
        for aid in dict.fromkeys(aid for aid, _, _ in parts.values()):
            if aid in hashes:
                held = view.sentence_vectors(aid, hashes[aid])
                out.update({sid: held[int(i)] for sid, (a, _, i) in parts.items() if a == aid and int(i) in held})
        parts = {sid: p for sid, p in parts.items() if sid not in out}
        if not parts:
            return out
        if "sentences" in self.torn:
            raise self._torn_error("sentences")
        physical: dict[str, str] = {}  # physical id -> logical id
        for sid, (aid, _, index) in parts.items():
            if aid in hashes:
                physical[sentence_id(vector_prefix(aid, hashes[aid]), int(index))] = sid
                physical[sid] = sid  # indexes written before vector ids carried the hash
        if not physical:  # their articles were deleted meanwhile (Chroma refuses a get of no ids)
            return out
        got = self._call(self._sentences.get, ids=list(physical), include=["embeddings", "metadatas"])
        for pid, emb, meta in zip(got["ids"], got["embeddings"], got["metadatas"]):
            sid = physical[pid]
            if (meta or {}).get("content_hash") == hashes[parts[sid][0]]:
                out[sid] = np.asarray(emb, dtype=np.float32)
        return out

    def article_sentence_vectors(self, hashes: dict[str, str]) -> dict[str, dict[int, np.ndarray]]:
        """{article id: {sentence index: vector}} of the given versions ({id: content hash}) of these articles,
        from Chroma (for writing them into the lexical index)."""
        if not hashes or "sentences" in self.torn:
            return {}
        got = self._call(self._sentences.get, where={"article_id": {"$in": list(hashes)}},
                         include=["embeddings", "metadatas"])
        out: dict[str, dict[int, np.ndarray]] = {}
        for emb, meta in zip(got["embeddings"], got["metadatas"]):
            aid = (meta or {}).get("article_id")
            if aid in hashes and meta.get("content_hash") == hashes[aid]:
                out.setdefault(aid, {})[int(meta["sentence_index"])] = np.asarray(emb, dtype=np.float32)
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

    def iter_chunks(self) -> Iterator[tuple[str, str, dict]]:
        """(chunk id, text, metadata) of every chunk, for building a lexical index."""
        for ids, metas, docs in self._page(self._chunks, include=["metadatas", "documents"]):
            yield from zip(ids, docs, metas)

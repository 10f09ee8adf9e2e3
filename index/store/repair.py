"""Collections Chroma cannot read, records that disagree with their vectors: check() finds, repair() mends."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

import index.store.segments as segments
from common.errors import StoreUnavailable
from index.store.connection import is_damage
from index.store.journal import Fix
from index.store.records import PENDING

PROBE_VECTORS = 100  # vectors read back from the end of each collection when a writer opens the index


class Repair:
    """Damaged collections (rebuilt empty, their articles embedded again), and the full consistency check."""

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
                if not is_damage(exc):
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
        if self._writes_lexical() and not damaged:
            yield from self._lexical_inconsistencies()
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

    def unreadable_vectors(self, page: int = 500, skip: Sequence[str] = ()) -> dict[str, int]:
        """How many chunk and sentence vectors cannot be read back intact, per collection. Chroma keeps vectors
        only in its HNSW files, which a crash while it flushes them can leave torn; its SQLite bookkeeping (and
        so check()) does not notice. Every vector written here has unit length, so one that fails to load, is
        not finite or is not unit length is damaged."""
        out = {}
        for kind, col in (("chunks", self._chunks), ("sentences", self._sentences)):
            if kind in skip or kind in self.torn:
                continue
            ids, bad = self._call(col.get, include=[])["ids"], 0  # by id, not offset: see Connection._page
            for start in range(0, len(ids), page):
                try:
                    got = col.get(ids=ids[start : start + page], include=["embeddings"])
                except Exception:  # noqa: BLE001 - a page that cannot be read counts as damaged
                    bad += len(ids[start : start + page])
                    continue
                vecs = np.asarray(got["embeddings"], dtype=np.float64)
                if len(vecs):
                    norms = np.linalg.norm(vecs, axis=1)
                    bad += int(np.sum(~np.isfinite(norms) | ((norms > 1e-6) & (np.abs(norms - 1.0) > 1e-3))))
            out[kind] = bad
        return out

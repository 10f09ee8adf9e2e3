"""Stage 2, retrieve: passages by dense vectors and BM25, fused by reciprocal rank, per outlet a question names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import numpy as np

from assistant import tuning as t
from assistant.lexical import LexicalIndex, LexicalSnapshot
from assistant.spans import dates
from common.dates import resolve_date
from common.records import Filters
from common.text import terms

if TYPE_CHECKING:
    from index.store.protocols import StoreReader


def rrf(rank: int, k: int = t.RRF_K) -> float:
    """Reciprocal-rank fusion: what a hit at 0-based `rank` of one list adds to a passage's fused score."""
    return 1.0 / (k + rank + 1)


@dataclass(frozen=True)
class Facet:
    """One side of a question that names several outlets: where to look, and the words about that side."""

    filters: Filters
    source: str
    clause: str


@dataclass
class RetrievedChunk:
    chunk_id: str
    article_id: str
    sentence_start: int
    sentence_end: int
    meta: dict
    score: float = 0.0  # fused


class HybridRetriever:
    def __init__(self, store: StoreReader, lexical: LexicalIndex, depth: int = t.DENSE_DEPTH):
        self.store = store
        self.lexical = lexical
        self.depth = depth

    def retrieve(self, question: str, qvec: np.ndarray, filters: Filters, k: int, per_facet: int = t.FACET_PASSAGES,
                 facets: list[Facet] | None = None) -> list[RetrievedChunk]:
        """Top passages for the question; when it names outlets ("the TechCrunch report on November 18,
        2023 … and the Fortune article …"), also the best passages of each named outlet (and day), so a
        comparison gets evidence from every side."""
        lex = self.lexical.refresh()  # one snapshot for the whole question: ids, metadata and BM25 agree
        qterms = terms(question)
        wide: dict[str, tuple[float, dict | None]] = {}  # unfiltered dense neighbours: fetched once per question
        found = self._fused(lex, qvec, qterms, filters, wide)
        top = sorted(found.values(), key=lambda r: -r.score)[:k]
        chosen = {r.chunk_id: r for r in top}
        for facet in self.facets(question, filters) if facets is None else facets:
            fused = self._fused(lex, qvec, qterms, facet.filters, wide)
            for r in sorted(fused.values(), key=lambda r: -r.score)[:per_facet]:
                if r.chunk_id not in chosen:
                    chosen[r.chunk_id] = r
                else:
                    chosen[r.chunk_id].score = max(chosen[r.chunk_id].score, r.score)
        return sorted(chosen.values(), key=lambda r: -r.score)

    def _dense(self, lex: LexicalSnapshot, qvec: np.ndarray, filters: Filters,
               wide: dict[str, tuple[float, dict | None]]) -> list[tuple[str, float, dict]]:
        """The `depth` nearest chunks that pass the filters, with their metadata from the lexical index (a chunk
        it does not hold is not searchable in this snapshot: written after it, or an unfinished write). A filter
        is first applied to WIDE_FACTOR x depth unfiltered neighbours (held in `wide` for the question's other
        filters: Chroma's filtered search scans metadata and slows down with the corpus); only when too few of
        those pass, and more chunks would, is Chroma asked with the filter."""
        depth = min(self.depth, lex.n_docs)
        if not wide:
            hits = self.store.query_chunk_ids(qvec, min(self.WIDE_FACTOR * self.depth, lex.n_docs))
            metas = lex.metas(cid for cid, _ in hits)
            wide.update((cid, (score, metas.get(cid))) for cid, score in hits)
        known = [(cid, score, meta) for cid, (score, meta) in wide.items() if meta is not None]
        if filters.empty:
            return known[:depth]
        passed = [h for h in known if filters.matches(h[2])]
        if len(passed) >= depth or len(passed) >= self.ENOUGH or len(passed) >= lex.count(filters):
            return passed[:depth]
        ids = lex.chunk_ids(filters)  # every chunk that passes, from the lexical index (Chroma's `where` is slow)
        if len(ids) <= self.EXACT:
            vecs = self.store.vectors("chunks", ids)
            hits = sorted(((cid, float(v @ qvec)) for cid, v in vecs.items()), key=lambda h: -h[1])[:depth]
        else:
            hits = self.store.query_chunk_ids(qvec, depth, ids=ids)
        metas = lex.metas(cid for cid, _ in hits)
        return [(cid, score, metas[cid]) for cid, score in hits if cid in metas]

    WIDE_FACTOR = t.WIDE_FACTOR
    ENOUGH = t.ENOUGH_FILTERED  # filtered neighbours in the wide set that make a filtered search unnecessary
    EXACT = t.EXACT_FILTERED_CHUNKS  # fewer chunks pass the filter: compare their vectors exactly

    def _fused(self, lex: LexicalSnapshot, qvec: np.ndarray, qterms: list[str], filters: Filters,
               wide: dict[str, tuple[float, dict | None]]) -> dict[str, RetrievedChunk]:
        found: dict[str, RetrievedChunk] = {}
        for rank, (cid, _, meta) in enumerate(self._dense(lex, qvec, filters, wide)):  # ranked by similarity
            rc = found.setdefault(
                cid, RetrievedChunk(cid, meta["article_id"], meta["sentence_start"], meta["sentence_end"], meta)
            )
            rc.score += rrf(rank)
        for rank, hit in enumerate(lex.search(qterms, self.depth, filters)):
            meta = hit.meta
            rc = found.setdefault(
                hit.chunk_id,
                RetrievedChunk(hit.chunk_id, meta["article_id"], meta["sentence_start"], meta["sentence_end"], meta),
            )
            rc.score += rrf(rank)
        return found

    def facets(self, question: str, base: Filters) -> list[Facet]:
        """One facet per outlet named in the question, narrowed to the day named right after it; its clause
        is the question's text from that outlet's name to the next one's."""
        lex = self.lexical.refresh()
        if base.sources:
            return []
        spots = []
        for source in lex.sources:
            pattern = r"(?<!\w)" + r"\s+".join(re.escape(w) for w in source.split()) + r"(?!\w)"
            spots += [(m.start(), m.end(), source) for m in re.finditer(pattern, question, re.I)]
        spots.sort()
        out = []
        for n, (_, end, source) in enumerate(spots):
            stop = spots[n + 1][0] if n + 1 < len(spots) else len(question)
            day = None
            clause = question[end:stop]
            for d in dates(clause):
                day = resolve_date(d.text, None)
                if day:
                    break
            narrowed = Filters((source,), base.date_from, base.date_to)
            if day is not None:
                start = datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(days=t.FACET_DAYS_BEFORE)
                dated = Filters((source,), start, start + timedelta(days=t.FACET_DAYS_SPAN))
                if lex.count(dated):  # only when that outlet has articles around that day
                    narrowed = dated
            out.append(Facet(narrowed, source, clause))
        return list(dict.fromkeys(out))

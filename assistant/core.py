"""The Assistant: opened on an index, ask(question, history) → Answer with exact-sentence citations."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace

import numpy as np

from assistant.answering import compose
from assistant.extract import attribution, dates, figures, means, reason
from assistant.library import Library
from assistant.questions import Query, Turn, understand
from assistant.retrieval import Facet, HybridRetriever, LexicalIndex
from common.config import Config
from common.records import UNSEARCHABLE_PREFIX, Answer, Citation, Filters, with_caveat
from common.text import terms
from index.embedders import Embedder, make_embedder
from index.store import ChromaStore, StoredArticle

# How a sentence's score is made (weights sum to 1): similarity of meaning, share of the question's
# (IDF-weighted) words it contains, the same with its neighbours, the rank of the passage it was found
# in, and whether it holds the kind of answer asked for (a number, a date, an attribution).
# fitted by two-fold cross-validation on MultiHop-RAG dev (each half's fit raised the other half's MRR@10 by 0.01-0.02)
WEIGHTS = {"dense": 0.29, "lexical": 0.385, "context": 0.19, "passage": 0.06, "type": 0.075}
# Whether any sentence supports an answer at all is judged on a denser mix: it separates answerable from
# unanswerable questions better (the abstention threshold is calibrated on it, see `support`).
SUPPORT_WEIGHTS = {"dense": 0.40, "lexical": 0.30, "context": 0.10, "passage": 0.12, "type": 0.08}


@dataclass
class Candidate:
    stored: StoredArticle
    index: int
    passage: float = 0.0
    dense: float = 0.0
    lexical: float = 0.0
    context: float = 0.0
    type_fit: float = 0.0
    score: float = 0.0  # ranks sentences
    support: float = 0.0  # how well the sentence supports any answer (abstention)
    terms: set = field(default_factory=set)

    @property
    def article(self):
        return self.stored.article

    @property
    def span(self) -> tuple[int, int]:
        return self.stored.sentence_spans[self.index]

    @property
    def text(self) -> str:
        s, e = self.span
        return self.stored.article.text[s:e]

    def sentence(self, index: int) -> str | None:
        if 0 <= index < len(self.stored.sentence_spans):
            s, e = self.stored.sentence_spans[index]
            return self.stored.article.text[s:e]
        return None

    def citation(self, score: float | None = None) -> Citation:
        a = self.stored.article
        s, e = self.span
        return Citation(a.id, a.title, a.source, a.published_at_iso, self.index, s, e, a.text[s:e],
                        round(float(self.score if score is None else score), 4))


class Assistant:
    """Read side. One per index per process; safe to call ask() from several threads."""

    def __init__(self, config: Config, store: ChromaStore | None = None, embedder: Embedder | None = None,
                 abstain_below: float | None = None):
        self.config = config
        self.store = store or ChromaStore(config)
        self._embedder = embedder
        self.lexical = LexicalIndex(self.store)
        self.retriever = HybridRetriever(self.store, self.lexical)
        self.library = Library(self.store, self.lexical, config)
        self.abstain_below = config.abstain_below if abstain_below is None else abstain_below
        self._articles: OrderedDict[str, StoredArticle] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def open(cls, config: Config) -> Assistant:
        return cls(config)

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = make_embedder(self.config)
        return self._embedder

    def warm(self) -> None:
        """Load the model and the lexical index now rather than on the first question."""
        self.embedder.embed(["warm up"])
        self.lexical.refresh()

    def ask(self, question: str, history: list[Turn] | list[dict] | None = None,
            filters: Filters | None = None) -> Answer:
        turns = [t if isinstance(t, Turn) else turn_from_dict(t) for t in (history or [])]
        query = understand(question.strip(), turns)
        filters = filters or Filters()
        facets = self.retriever.facets(query.search_text, filters)
        candidates = self.candidates(query, filters, facets)
        sides = tuple(dict.fromkeys(f.source for f in facets)) if len(facets) > 1 else ()
        answer = compose(query, candidates, self.abstain_below, sides)
        note = self.unsearchable_note()
        if note and answer.abstained and not self.lexical.current.hashes:  # nothing was searched: say only that
            return replace(answer, text=note)
        return with_caveat(answer, note)

    def unsearchable_note(self) -> str | None:
        """Said with every answer while some stored articles cannot be searched (a crash lost their vectors and
        they are being embedded again), so that "the articles don't say" is never claimed for all of them."""
        lex = self.lexical.current
        n = lex.unsearchable
        if not n:
            return None
        total = n + len(lex.hashes)
        which = (f"{n} of the {total} stored articles could not be searched" if lex.hashes
                 else f"none of the {total} stored articles could be searched")
        return (f"{UNSEARCHABLE_PREFIX} {which}: a crash lost their vectors and they are being indexed again (run "
                "`assistant check --repair` if no ingest is running).)")

    # -- scoring ------------------------------------------------------------------------------------------
    def candidates(self, query: Query, filters: Filters, facets: list[Facet] | None = None) -> list[Candidate]:
        if facets is None:
            facets = self.retriever.facets(query.search_text, filters)
        # a side of a comparison is scored against its own clause when that clause says enough
        clauses = list(dict.fromkeys(f.clause for f in facets if len(terms(f.clause)) >= 3))
        vecs = self.embedder.embed([query.search_text, *clauses])
        qvec = vecs[0]
        clause_of = {f.source: (f.clause, vecs[1 + clauses.index(f.clause)]) for f in facets if f.clause in clauses}
        passages = self.retriever.retrieve(query.search_text, qvec, filters, self.config.top_k, facets=facets)
        if query.prefer_articles:
            for p in passages:
                if p.article_id in query.prefer_articles:
                    p.score *= 1.5
            passages.sort(key=lambda p: -p.score)
        if not passages:
            return []
        stored = self._get_articles([p.article_id for p in passages])
        stale = [p.article_id for p in passages
                 if p.article_id in stored and stored[p.article_id].content_hash != p.meta.get("content_hash")]
        if stale:  # replaced since we cached it: read it again
            for aid in stale:
                self.forget(aid)
            stored.update(self._get_articles(stale))
        top = passages[0].score
        cands: dict[tuple[str, int], Candidate] = {}
        for p in passages:
            art = stored.get(p.article_id)
            if art is None or art.content_hash != p.meta.get("content_hash"):
                continue  # article replaced while we were reading: skip rather than cite stale offsets
            for i in range(p.sentence_start, min(p.sentence_end, len(art.sentence_spans))):
                c = cands.setdefault((p.article_id, i), Candidate(art, i))
                c.passage = max(c.passage, p.score / top)
        for c in cands.values():
            c.terms = set(terms(c.text))
        sent_vecs = {}
        if self.config.sentence_vectors:
            sent_vecs = self.store.sentence_vectors([f"{a}::s{i}" for a, i in cands])
        whole = self._weights(query.search_text)
        sides = {src: (self._weights(clause), vec) for src, (clause, vec) in clause_of.items()}
        for (aid, i), c in cands.items():
            neighbours = set(c.terms)
            for j in (i - 1, i + 1):
                other = cands.get((aid, j))
                neighbours |= other.terms if other else set(terms(c.sentence(j) or ""))
            vec = sent_vecs.get(f"{aid}::s{i}")
            c.type_fit = _type_fit(query.kind, c.text)
            self._score(c, whole, qvec, vec, neighbours)
            side = sides.get(c.article.source)
            if side is not None:
                best = (c.score, c.support, c.dense, c.lexical, c.context)
                self._score(c, side[0], side[1], vec, neighbours)
                support = max(best[1], c.support)
                if best[0] > c.score:
                    c.score, c.support, c.dense, c.lexical, c.context = best
                c.support = support
        ranked = [c for key, c in cands.items() if key not in query.exclude]
        ranked.sort(key=lambda c: -c.score)
        return ranked

    def _weights(self, text: str) -> dict[str, float]:
        return {t: self.lexical.idf(t) for t in set(terms(text))}

    @staticmethod
    def _score(c: Candidate, weights: dict[str, float], qvec: np.ndarray, vec: np.ndarray | None,
               neighbours: set[str]) -> None:
        total = sum(weights.values()) or 1.0
        c.lexical = sum(w for t, w in weights.items() if t in c.terms) / total
        c.context = sum(w for t, w in weights.items() if t in neighbours) / total
        c.dense = float(np.dot(qvec, vec)) if vec is not None else 0.0
        c.score, c.support = (
            ((w["dense"] if vec is not None else 0.0) * c.dense + w["lexical"] * c.lexical
             + w["context"] * c.context + w["passage"] * c.passage + w["type"] * c.type_fit)
            / (sum(w.values()) - (0.0 if vec is not None else w["dense"]))
            for w in (WEIGHTS, SUPPORT_WEIGHTS)
        )

    def _get_articles(self, ids: list[str]) -> dict[str, StoredArticle]:
        with self._lock:
            missing = [i for i in dict.fromkeys(ids) if i not in self._articles]
        fetched = self.store.get_articles(missing) if missing else {}
        with self._lock:
            self._articles.update(fetched)
            out = {i: self._articles[i] for i in ids if i in self._articles}
            for i in out:
                self._articles.move_to_end(i)
            while len(self._articles) > 256:
                self._articles.popitem(last=False)
        return out

    def forget(self, article_id: str | None = None) -> None:
        """Drop cached articles (all, or one) after the index changed."""
        with self._lock:
            if article_id is None:
                self._articles.clear()
            else:
                self._articles.pop(article_id, None)


def _type_fit(kind: str, text: str) -> float:
    if kind == "figure":
        return 1.0 if figures(text) else 0.0
    if kind == "date":
        return 1.0 if dates(text) else 0.0
    if kind in {"who_said", "what_said"}:
        return 1.0 if attribution(text) else 0.0
    if kind == "why":
        return 1.0 if reason(text) else 0.0
    if kind == "how":
        return 1.0 if means(text) else 0.0
    return 0.0


def turn_from_dict(d: dict) -> Turn:
    cites = d.get("citations") or []
    speaker = d.get("speaker")
    for c in cites if not speaker else []:
        found = attribution(str(c.get("text", "")))
        if found and found.speaker:
            speaker = found.speaker
            break
    return Turn(
        question=str(d.get("question", "")),
        answer=str(d.get("answer", "")),
        short_answer=d.get("short_answer"),
        speaker=speaker,
        article_ids=tuple(dict.fromkeys(c["article_id"] for c in cites if "article_id" in c)),
        cited=tuple((c["article_id"], c["sentence_index"]) for c in cites if "sentence_index" in c),
    )

"""The Assistant: ask(question, history) → Answer, as four stages: understand → retrieve → score → compose."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from assistant import tuning as t
from assistant.article_cache import ArticleCache
from assistant.candidates import Candidate, collect
from assistant.compose import compose
from assistant.conversation import NO_PREVIOUS_ANSWER, previous_candidates, with_speaker
from assistant.kinds.registry import ARCHIVE
from assistant.lexical import LexicalIndex
from assistant.library import Library
from assistant.qa.reader import Reader, Reading, readable, rerank
from assistant.query import Query, Turn
from assistant.quotes.archive import ABOUT, QuoteArchive
from assistant.retrieve import Facet, HybridRetriever
from assistant.score import score_candidates, word_weights
from assistant.understand import turn_from_dict, understand
from common.config import Config
from common.records import UNSEARCHABLE_PREFIX, Answer, Filters, sentence_id, with_caveat
from common.text import terms
from index.embedders import Embedder, make_embedder
from index.store.protocols import StoreReader

log = logging.getLogger("assistant")


class Assistant:
    """Read side. One per index per process; safe to call ask() from several threads."""

    def __init__(self, config: Config, store: StoreReader, embedder: Embedder | None = None,
                 abstain_below: float | None = None, reader: Callable[[], tuple[Reader | None, str]] | None = None):
        """`store`: the index to read, opened by a composition root (the CLI, the server), which alone names the
        concrete store. `reader`: what load_reader(config) returns, e.g. waiting for it in another thread."""
        self.config = config
        self.store = store
        self._embedder = embedder
        self.lexical = LexicalIndex(self.store)
        self.retriever = HybridRetriever(self.store, self.lexical)
        self.library = Library(self.store, self.lexical, config)
        self.articles = ArticleCache(self.store)
        self.archive = QuoteArchive(self.store, self.lexical)
        self.abstain_below = config.abstain_below if abstain_below is None else abstain_below
        self._turns = threading.BoundedSemaphore(config.ask_workers or os.cpu_count() or 1)
        self._question = threading.local()  # per question: did retrieval meet articles whose vectors were lost?
        self._reader: Reader | None = None
        self.reader_status = "not loaded yet" if config.reader else "off (ASSISTANT_READER=0)"
        self._reader_lock = threading.Lock()
        self._load_reader = reader or (lambda: load_reader(config))

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = make_embedder(self.config)
        return self._embedder

    @property
    def reader(self) -> Reader | None:
        """The trained reader, loaded on first use (or by the function given as `reader`); None when it is off or
        its files are missing or altered (the answers then come from the hand rules, and `reader_status` says why)."""
        if self._reader is None and self.config.reader and self.reader_status == "not loaded yet":
            with self._reader_lock:
                if self._reader is None and self.reader_status == "not loaded yet":
                    self._reader, self.reader_status = self._load_reader()
                    if self._reader is None:
                        log.warning("answering without the trained reader: %s", self.reader_status[len("off: "):])
        return self._reader

    def warm(self) -> None:
        """Load the models and the lexical index now rather than on the first question."""
        self.embedder.embed(["warm up"])
        _ = self.reader
        self.lexical.refresh()

    def read(self, query: Query, candidates: list[Candidate]) -> tuple[list[Candidate], tuple[Reading, ...]]:
        """Stage 3b: the ranker's order of the best candidates (for a kind that is `ranked`), then the reader's spans
        in windows around the first; for a kind the reader answers, the candidates re-ranked with them too (or for a
        kind whose `reader_orders` says so)."""
        kind = query.kind
        # a follow-up's search text carries the previous question too: the reader was not trained on such pairs,
        # so follow-ups are not read; nor is a question whose kind widened its search (a death toll's "killed died
        # dead": as a second opinion the reader then took '123' for 'How many Kurdish fighters died?'), unless the
        # kind asks for the reader's phrase itself (it reads the question as asked)
        asks = ((kind.reads or kind.second_opinion or kind.reads_within(query)) and readable(query.text)
                and not query.follow_up and (query.search_text == query.text or kind.reads_within(query)))
        reader = self.reader if candidates and readable(query.text) and not query.follow_up else None
        if reader is None:
            return candidates, ()
        if reader.ranker is not None and kind.ranked:  # which sentence answers: the ranker's question, for most kinds
            candidates = reader.ranker.order(query.text, candidates)
        if not asks:
            return candidates, ()
        readings = tuple(reader.read(query.text, candidates, centre_only=kind.reads_within(query)))
        # only spans of the asked type speak for their sentence ("the prison gates" does not, for "where …?")
        typed = [r for r in readings if kind.accepts(r.text)]
        return (rerank(candidates, typed) if kind.reads or kind.reader_orders else candidates), readings

    def ask(self, question: str, history: list[Turn] | list[dict] | None = None,
            filters: Filters | None = None) -> Answer:
        with self._turns:  # at most config.ask_workers at once; the others wait (see Config.ask_workers)
            return self._ask(question, history, filters)

    def _ask(self, question: str, history: list[Turn] | list[dict] | None, filters: Filters | None) -> Answer:
        self._question.met_pending = False
        turns = [h if isinstance(h, Turn) else turn_from_dict(h) for h in history or []]
        if turns:  # the speaker of what it cited, as the article's analysis attributes it
            turns[-1] = with_speaker(turns[-1], self.articles)
        query = understand(question.strip(), turns)
        if query.about_previous:  # "Who said that?": from the sentences the previous answer cited, no new search
            if not turns or not turns[-1].cited:
                return Answer(NO_PREVIOUS_ANSWER, None, True)
            cands = previous_candidates(turns[-1], self.articles)
            # "When?", "Where?": about the sentence the answer rested on first; "Who said that?": all it cited
            cands = cands[:query.kind.previous_cites]
            return self._noted(compose(query, cands, self.abstain_below))
        if query.kind.archive and query.person:  # "What has Ned Price said (about ISIS)?": the archive
            archived = self.quotes_of(query)
            if archived is not None:
                return self._noted(archived)
        filters = filters or Filters()
        facets = self.retriever.facets(query.search_text, filters)
        named = None
        if len({f.source for f in facets}) == 1:  # "… according to the Kessaly Herald": only its articles
            named, filters, facets = facets[0].source, facets[0].filters, []
        candidates, readings = self.read(query, self.candidates(query, filters, facets))
        sides = tuple(dict.fromkeys(f.source for f in facets)) if len(facets) > 1 else ()
        answer = compose(query, candidates, self.abstain_below, sides, readings)
        if named and answer.abstained:
            answer = replace(answer, text=f"The articles from {named} don't say.")
        return self._noted(answer)

    def quotes(self, speaker: str, about: str = "") -> Answer:
        """The quote archive's answer for a speaker (GET /api/quotes): as "What has SPEAKER said ABOUT?"."""
        query = Query(text=f"What has {speaker} said{about}?", kind=ARCHIVE, search_text=f"{speaker}{about}",
                      person=speaker)
        with self._turns:
            found = self.quotes_of(query)
        return self._noted(found or Answer(f"The articles quote no statement of {speaker}.", None, True))

    def quotes_of(self, query: Query) -> Answer | None:
        """Every statement the articles attribute to the query's person (about its topic first), newest first,
        less those already shown; None when the archive knows no statement of that person."""
        about = ABOUT.search(query.text)
        found = self.archive.candidates(query.person, self.articles, about.group("topic") if about else "")
        if not found:
            return None
        left = [c for c in found if c.key not in query.exclude]
        if not left:
            return Answer(f"That is all the articles quote of {query.person}.", None, False)
        readings = ()  # "What did Liz Sly say the prison break is turning into?": the phrase of her statement
        if query.kind.reads_within(query) and readable(query.text) and self.reader is not None:
            readings = tuple(self.reader.read(query.text, left, t.READER_STATEMENT_WINDOWS, centre_only=True))
        return compose(replace(query, from_archive=True), left, self.abstain_below, readings=readings)

    def candidates(self, query: Query, filters: Filters, facets: list[Facet] | None = None) -> list[Candidate]:
        """Retrieve passages for the query, then score every sentence in them (best first)."""
        if facets is None:
            facets = self.retriever.facets(query.search_text, filters)
        # a side of a comparison is scored against its own clause when that clause says enough
        clauses = list(dict.fromkeys(f.clause for f in facets if len(terms(f.clause)) >= t.CLAUSE_MIN_TERMS))
        vecs = self.embedder.embed([query.search_text, *clauses])
        qvec = vecs[0]
        passages = self.retriever.retrieve(query.search_text, qvec, filters, self.config.top_k, facets=facets)
        if query.prefer_articles:
            for p in passages:
                if p.article_id in query.prefer_articles:
                    p.score *= t.PREFERRED_ARTICLE_BOOST
            passages.sort(key=lambda p: -p.score)
        if not passages:
            return []
        stored = self.articles.current({p.article_id: p.meta.get("content_hash") for p in passages})
        if any(s.vectors_pending for s in stored.values()):  # collect() leaves them out; the note says so
            self._question.met_pending = True
        cands = collect(passages, stored)
        vectors = {}
        if self.config.sentence_vectors:
            vectors = self.store.sentence_vectors([sentence_id(a, i) for a, i in cands])
        sides = {f.source: (word_weights(f.clause, self.lexical.idf), vecs[1 + clauses.index(f.clause)])
                 for f in facets if f.clause in clauses}
        return score_candidates(cands, query, qvec, vectors, self.lexical.idf, sides)

    def forget(self, article_id: str | None = None) -> None:
        """Drop cached articles (all, or one) after the index changed."""
        self.articles.forget(article_id)

    def _noted(self, answer: Answer) -> Answer:
        n, searchable = self._unsearchable(getattr(self._question, "met_pending", False))
        note = self.unsearchable_note(n, searchable)
        if note and answer.abstained and not searchable:  # nothing was searched: say only that
            return replace(answer, text=note)
        return with_caveat(answer, note)

    def _unsearchable(self, met_pending: bool = False) -> tuple[int, int]:
        """(stored articles that cannot be searched, articles that can): 0 and the lexical index's count when its
        state says all are searchable and the question met no article whose vectors were lost; otherwise (a
        crash, a repair under way: rare) counted from the records themselves, which the state may lag."""
        lex = self.lexical.current
        if met_pending or lex.unsearchable:
            ready, pending = self.store.searchable_hashes()
            return len(pending), len(ready)
        return lex.unsearchable, lex.n_articles  # a count: reading each article's hash maps its stored documents

    def unsearchable_note(self, n: int | None = None, searchable: int | None = None) -> str | None:
        """Said with every answer while some stored articles cannot be searched (a crash lost their vectors and
        they are being embedded again), so that "the articles don't say" is never claimed for all of them."""
        if n is None or searchable is None:
            n, searchable = self._unsearchable()
        if not n:
            return None
        total = n + searchable
        which = (f"{n} of the {total} stored articles could not be searched" if searchable
                 else f"none of the {total} stored articles could be searched")
        return (f"{UNSEARCHABLE_PREFIX} {which}: a crash lost their vectors and they are being indexed again (run "
                "`assistant check --repair` if no ingest is running).)")


def load_reader(config: Config) -> tuple[Reader | None, str]:
    """(the trained reader with its sentence ranker, "on"), or (None, "off: " and why) when their files are missing or
    altered. A reader folder of its own (config.reader_dir) without a ranker uses the shipped ranker."""
    from assistant.qa.model import MANIFEST, RANKER_MANIFEST, ReaderModel, ReaderUnavailable
    from assistant.qa.ranker import Ranker

    where = Path(config.reader_dir) / MANIFEST.name if config.reader_dir else MANIFEST
    ranks = where.parent / RANKER_MANIFEST.name
    try:
        model = ReaderModel(where)
        reader = Reader(model)
        if config.ranker:
            reader.ranker = Ranker(ReaderModel(ranks if ranks.exists() else RANKER_MANIFEST, shared=model), reader.tokens)
        return reader, "on"
    except ReaderUnavailable as e:
        return None, f"off: {e}"

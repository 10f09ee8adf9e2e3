"""Frozen records passed between ingest and answering: Article, Sentence, Chunk, StoredArticle, Filters, Citation, Answer."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from functools import cached_property


@dataclass(frozen=True)
class Article:
    id: str
    text: str
    title: str | None = None
    source: str | None = None
    published_at: datetime | None = None  # always timezone-aware when set
    url: str | None = None
    origin: str | None = None  # file (and line) it was loaded from

    @property
    def content_hash(self) -> str:
        """Hash of everything stored about the article, so a changed title also re-ingests."""
        h = hashlib.sha256()
        for part in (self.text, self.title, self.source, self.published_at_iso, self.url):
            h.update((part or "").encode("utf-8"))
            h.update(b"\x00")
        return h.hexdigest()

    @property
    def published_at_iso(self) -> str | None:
        return self.published_at.isoformat() if self.published_at else None


def sentence_id(article_id: str, index: int) -> str:
    """The name of a sentence's vector, `{article_id}::s{index}` (the store's own ids put the content hash in the
    article id part: index/store/records.vector_prefix)."""
    return f"{article_id}::s{index}"


@dataclass(frozen=True)
class Sentence:
    article_id: str
    index: int
    char_start: int
    char_end: int
    text: str


@dataclass(frozen=True)
class Chunk:
    article_id: str
    index: int
    sentence_start: int  # first sentence index, inclusive
    sentence_end: int  # last sentence index, exclusive
    char_start: int
    char_end: int
    text: str
    n_tokens: int

    @property
    def id(self) -> str:
        return f"{self.article_id}::c{self.index}"


@dataclass(frozen=True)
class StoredArticle:
    """An article as the index holds it: its record, content hash and sentence offsets."""

    article: Article
    content_hash: str
    sentence_spans: tuple[tuple[int, int], ...]
    n_chunks: int
    vectors_pending: bool = False  # its vectors were lost (a crash): not searchable until embedded again
    analysis_json: str | None = field(default=None, repr=False)  # common.analysis.Analysis, as stored

    @cached_property
    def analysis(self):
        """Its language analysis (common.analysis.Analysis), or None for a record stored without one."""
        from common.analysis import Analysis

        return Analysis.from_json(self.analysis_json, self.article.text) if self.analysis_json else None

    @property
    def sentences(self) -> list[Sentence]:
        text, aid = self.article.text, self.article.id
        return [Sentence(aid, i, s, e, text[s:e]) for i, (s, e) in enumerate(self.sentence_spans)]

    def citation(self, index: int, score: float) -> Citation:
        """The citation of sentence `index`: the one place a citation is cut from an article."""
        a = self.article
        s, e = self.sentence_spans[index]
        return Citation(a.id, a.title, a.source, a.published_at_iso, index, s, e, a.text[s:e], round(float(score), 4))


@dataclass(frozen=True)
class Filters:
    """Which articles a question may be answered from: outlets and a publication-date range."""

    sources: tuple[str, ...] = ()
    date_from: datetime | None = None
    date_to: datetime | None = None

    @property
    def empty(self) -> bool:
        return not (self.sources or self.date_from or self.date_to)

    def matches(self, meta: dict) -> bool:
        """Whether chunk or article metadata (source, published_at as epoch seconds) passes."""
        if self.sources and meta.get("source") not in self.sources:
            return False
        ts = meta.get("published_at")
        if self.date_from is not None and (ts is None or ts < self.date_from.timestamp()):
            return False
        if self.date_to is not None and (ts is None or ts > self.date_to.timestamp()):
            return False
        return True


@dataclass(frozen=True)
class Citation:
    article_id: str
    title: str | None
    source: str | None
    published_at: str | None
    sentence_index: int
    char_start: int
    char_end: int
    text: str
    score: float

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class TimelineEntry:
    """One dated value of a figure the articles give ("9 people", Saturday 7 March 2026), and its citation."""

    figure: str
    date: str | None  # ISO date: the day the sentence names, else its article's publication day
    source: str | None
    citation: int  # 1-based number of the citation that gives it

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Statement:
    """A statement a quote answer lists: `kind` 'direct' (the words inside the source's own quotation marks, shown
    in quotation marks) or 'reported' (the reporter's words, never shown in quotation marks); `speaker` None when the
    article never names who said it; article.text[char_start:char_end] == text; `citation` is its 1-based [n]."""

    kind: str
    speaker: str | None
    article_id: str
    sentence_index: int
    char_start: int
    char_end: int
    text: str
    citation: int

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Answer:
    text: str
    short_answer: str | None
    abstained: bool
    citations: tuple[Citation, ...] = ()
    related: tuple[Citation, ...] = ()  # closest sentences shown when abstaining; not citations
    ranked: tuple[Citation, ...] = field(default=(), compare=False)  # top sentences by score, for eval
    support: float = field(default=0.0, compare=False)  # best sentence support; abstained when under threshold
    timeline: tuple[TimelineEntry, ...] = ()  # a figure the articles give differently over time, oldest first
    statements: tuple[Statement, ...] = ()  # a quote answer's statements, each direct or reported, exact spans

    def to_dict(self) -> dict:
        """The one JSON shape used by `ask --json`, the API and eval."""
        return {
            "answer": self.text,
            "short_answer": self.short_answer,
            "abstained": self.abstained,
            "citations": [c.to_dict() for c in self.citations],
            "timeline": [t.to_dict() for t in self.timeline],
            "statements": [s.to_dict() for s in self.statements],
        }


UNSEARCHABLE_PREFIX = "(Not searched:"


def with_caveat(answer: Answer, note: str | None) -> Answer:
    """The answer with a note appended to its text (citations unchanged)."""
    return replace(answer, text=f"{answer.text}\n\n{note}") if note else answer

"""Frozen records passed between ingest and answering: Article, Sentence, Chunk, Citation, Answer."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime


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
class Answer:
    answer: str
    short_answer: str | None
    abstained: bool
    citations: tuple[Citation, ...] = ()
    related: tuple[Citation, ...] = ()  # closest sentences shown when abstaining; not citations
    ranked: tuple[Citation, ...] = field(default=(), compare=False)  # top sentences by score, for eval
    support: float = field(default=0.0, compare=False)  # best sentence support; abstained when under threshold

    def to_dict(self) -> dict:
        """The one JSON shape used by `ask --json`, the API and eval."""
        return {
            "answer": self.answer,
            "short_answer": self.short_answer,
            "abstained": self.abstained,
            "citations": [c.to_dict() for c in self.citations],
        }


UNSEARCHABLE_PREFIX = "(Not searched:"


def with_caveat(answer: Answer, note: str | None) -> Answer:
    """The answer with a note appended to its text (citations unchanged)."""
    return replace(answer, answer=f"{answer.answer}\n\n{note}") if note else answer

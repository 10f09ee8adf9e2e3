"""The quote archive: every statement the articles attribute to a speaker, found through their analysis."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.candidates import Candidate
from common.records import StoredArticle
from common.text import terms, words

if TYPE_CHECKING:
    from assistant.lexical import LexicalIndex
    from index.store.protocols import StoreReader

# words of a speaker's name that are titles, not the name ("Mayor Ilsa Varenko" is Varenko)
TITLES = frozenset("mr mrs ms dr prof sir dame lord lady mayor president minister chief fire police gen maj lt col "
                   "capt sgt rep sen gov judge justice coach manager spokesperson spokesman spokeswoman us uk the"
                   .split())


def name_words(name: str) -> frozenset[str]:
    return frozenset(w for w in words(name) if w not in TITLES and len(w) > 1)


def same_speaker(asked: str, speaker: str) -> bool:
    """'Mayor Varenko' is 'Mayor Ilsa Varenko'; 'Price' is 'Ned Price'; 'SOHR' is 'SOHR'."""
    want, have = name_words(asked), name_words(speaker)
    return bool(want) and want <= have


@dataclass(frozen=True)
class Entry:
    speaker: str
    article_id: str
    sentence: int


class QuoteArchive:
    """Speakers → the sentences quoting them, read from every stored article's analysis; read again when the
    store's records change (the lexical index's snapshot says which articles it holds)."""

    def __init__(self, store: StoreReader, lexical: LexicalIndex):
        self._store = store
        self._lexical = lexical
        self._lock = threading.Lock()
        self._hashes: dict[str, str] | None = None
        self._entries: list[Entry] = []

    def entries(self) -> list[Entry]:
        snapshot = self._lexical.refresh()
        with self._lock:
            if self._hashes != snapshot.hashes:
                self._entries = [Entry(q.speaker, s.article.id, q.sentence)
                                 for s in self._store.iter_articles() if s.analysis is not None
                                 and s.article.id in snapshot.hashes for q in s.analysis.quotes if q.speaker]
                self._hashes = dict(snapshot.hashes)
            return list(self._entries)

    def candidates(self, speaker: str, articles, about: str = "") -> list[Candidate]:
        """Every sentence quoting the speaker (those that share a word with `about` first, if given), newest
        first; each a candidate with full support (the archive is exact, not a guess)."""
        found = [e for e in self.entries() if same_speaker(speaker, e.speaker)]
        stored: dict[str, StoredArticle] = articles.get(list(dict.fromkeys(e.article_id for e in found)))
        topic = set(terms(about))
        out = {}
        for e in found:
            art = stored.get(e.article_id)
            if art is None or (e.article_id, e.sentence) in out:
                continue
            c = Candidate(art, e.sentence, terms=set(terms(art.article.text[slice(*art.sentence_spans[e.sentence])])))
            c.score = c.support = 1.0
            c.lexical = len(topic & c.terms) / len(topic) if topic else 1.0
            out[(e.article_id, e.sentence)] = c
        ranked = sorted(out.values(), key=lambda c: (-(c.lexical > 0), -_epoch(c), c.article.id, c.index))
        return ranked


def _epoch(c: Candidate) -> float:
    return c.article.published_at.timestamp() if c.article.published_at else 0.0


ABOUT = re.compile(r"\b(?:about|on|regarding|concerning)\s+(?P<topic>.+?)\W*$", re.I)

"""Stage 3b, read: the trained reader over windows around the best-scored sentences: the answer span it finds in
each (exact article offsets) and how sure it is that the window answers the question."""

from __future__ import annotations

import math
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Protocol

from assistant import tuning as t
from assistant.candidates import Candidate
from assistant.kinds.which import asked_noun
from assistant.qa.decode import best_span
from assistant.qa.windows import (
    Tokens,
    article_tokens,
    budget_for,
    encode,
    question_ids,
    quotes_closed,
    widen_to_words,
    window_around,
)
from common.text import terms


@dataclass(frozen=True)
class Reading:
    """The reader's answer in one window: text[start:end] of the article, inside sentence `index`."""

    article_id: str
    index: int
    center: int  # the sentence the window was built around
    start: int
    end: int
    text: str
    margin: float  # span score less the window's "no answer" score: > 0, the reader prefers this span
    here: float  # the reader's logit that the window answers the question

    @property
    def confidence(self) -> float:
        """0..1: how sure the reader is that this span answers (the mean of its two signals, squashed)."""
        return 1.0 / (1.0 + math.exp(-(self.margin + self.here) / 2))


class Logits(Protocol):
    def logits(self, pairs: list[tuple[list[int], list[int]]]): ...


class Orders(Protocol):
    def order(self, question: str, ranked: list[Candidate]) -> list[Candidate]: ...


class Reader:
    """Reads windows around the top candidates; one per process, shared by threads (tokenised articles cached).
    `ranker`, when set where the app is composed, orders the candidates before they are read."""

    def __init__(self, model: Logits, windows: int = t.READER_WINDOWS):
        self.model = model
        self.windows = windows
        self.ranker: Orders | None = None
        self._tokens: OrderedDict[tuple[str, str], Tokens] = OrderedDict()
        self._lock = threading.Lock()

    def tokens(self, c: Candidate) -> Tokens:
        key = (c.article.id, c.stored.content_hash)
        with self._lock:
            found = self._tokens.get(key)
            if found is not None:
                self._tokens.move_to_end(key)
                return found
        toks = article_tokens(c.article.text, c.stored.sentence_spans)
        with self._lock:
            self._tokens[key] = toks
            while len(self._tokens) > t.ARTICLE_CACHE:
                self._tokens.popitem(last=False)
        return toks

    def read(self, question: str, ranked: list[Candidate], windows: int | None = None,
             centre_only: bool = False) -> list[Reading]:
        """Readings of the windows around the first `windows` candidates, best first (by confidence);
        `centre_only`: each span inside the candidate's own sentence (its neighbours only as context)."""
        top = ranked[: windows or self.windows]
        if not top:
            return []
        q_ids = question_ids(question)
        budget = budget_for(q_ids)
        noun = asked_noun(question)  # "which prison …?": a span running past a prison phrase is cut to it
        asked = set(terms(noun)) if noun else set()
        said = set(terms(question))
        acts = bool(_ACTION.search(question))
        toks = [self.tokens(c) for c in top]
        wins = [window_around(tk, c.index, budget) for tk, c in zip(toks, top)]
        start, end, here = self.model.logits([encode(q_ids, tk, w) for tk, w in zip(toks, wins)])
        out = []
        for k, (c, tk, w) in enumerate(zip(top, toks, wins)):
            sp = best_span(start[k], end[k], len(q_ids) + 2, w.lo, tk.sentence[w.lo : w.hi],
                           c.index if centre_only else None)
            if sp is None:
                continue
            a, b = widen_to_words(c.article.text, int(tk.starts[sp.piece_start]), int(tk.ends[sp.piece_end]))
            a, b = whole_phrase(c.stored.analysis, a, b)
            a, b = asked_phrase(c.stored.analysis, c.article.text, a, b, asked)
            if acts:
                a, b = verb_phrase(c.stored.analysis, c.stored.sentence_spans[int(tk.sentence[sp.piece_start])], a, b)
            a, b = quotes_closed(c.article.text, past_question_words(c.article.text, a, b, question), b)
            if a >= b or set(terms(c.article.text[a:b])) <= said:
                continue  # nothing left, or only words of the question ("Ocean explorer Jon Copley" for his book)
            out.append(Reading(c.article.id, int(tk.sentence[sp.piece_start]), c.index, a, b, c.article.text[a:b],
                               sp.margin, float(here[k])))
        out.sort(key=lambda r: -r.confidence)
        return out


_PLACE_NAMES = {"GPE", "LOC"}
_WORD = re.compile(r"[\w'’-]+")
_ACTION = re.compile(r"^\W*what\b.*\b(?:do|doing|done|happen|happened|happens)\b", re.I)  # "what did the SDF vow to do?": an action
_NOT_IN_ACTION = {"nsubj", "nsubjpass", "aux", "auxpass", "mark", "punct", "cc", "advmod", "neg", "expl"}


def verb_phrase(analysis, sentence: tuple[int, int], start: int, end: int) -> tuple[int, int]:
    """A bare verb, for a question asking what someone did or will do, widened to the verb's phrase: its objects,
    complements and coordinated verbs, without its subject or auxiliaries ("help" → "help the SDF in their fight
    against Daesh"), and so is a span of nouns inside that phrase ("Daesh"); at most READER_ACTION_WORDS words, inside
    the sentence. A phrase with a verb stays as the reader gave it."""
    if analysis is None:
        return start, end
    given = (start, end)
    toks = analysis.in_span("tokens", *sentence)
    verb = next((tk for tk in toks if tk.start == start), None)
    if verb is None or not verb.tag.startswith("VB") or verb.end != end:
        verb = acting_verb(toks, start, end)
        if verb is None:
            return given
        start, end = verb.start, verb.end
    children: dict[int, list] = {}
    for tk in toks:
        if tk.head != tk.index:
            children.setdefault(tk.head, []).append(tk)
    keep, todo = {verb.index}, [verb.index]
    while todo:
        for ch in children.get(todo.pop(), []):
            if ch.index not in keep and not (ch.head == verb.index and ch.dep in _NOT_IN_ACTION):
                keep.add(ch.index)
                todo.append(ch.index)
    right = [tk for tk in toks if tk.index in keep and tk.start >= start and tk.tag not in (".", ",", ":")]
    if not right or len(right) > t.READER_ACTION_WORDS:
        return given
    return start, max(end, max(tk.end for tk in right))


def acting_verb(toks, start: int, end: int):
    """The verb whose phrase holds a span of nouns ("Daesh" in "help the SDF in their fight against Daesh"): the
    nearest verb above the span's head in the parse, if it comes before the span and is not a verb of saying."""
    inside = [tk for tk in toks if start <= tk.start and tk.end <= end]
    if not inside or any(tk.tag.startswith("VB") for tk in inside):
        return None
    by_index = {tk.index: tk for tk in toks}
    cur = next((tk for tk in inside if tk.head not in {x.index for x in inside}), inside[0])
    while cur.head != cur.index and cur.head in by_index:
        cur = by_index[cur.head]
        if cur.tag.startswith("VB"):
            return cur if cur.start < start and cur.lemma not in _SAYING else None
    return None


_SAYING = {"say", "tell", "add", "state", "announce", "claim", "report", "write", "tweet", "note", "warn"}
_YES_NO = re.compile(r"^\W*(is|are|was|were|do|does|did|has|have|had|can|could|will|would|should)\b", re.I)


def readable(question: str) -> bool:
    """Whether the reader was trained for this kind of question: not yes/no, not a multi-part comparison."""
    return len(question.split()) <= t.READER_MAX_QUESTION_WORDS and not _YES_NO.match(question)


def whole_phrase(analysis, start: int, end: int) -> tuple[int, int]:
    """A span that holds the head of a noun phrase but not all of it ("explosion" in "a controlled explosion")
    widened to the whole phrase, as a reporter would quote it; at most READER_PHRASE_WORDS words. A span that is a
    name is left alone."""
    if analysis is None or any((e.start, e.end) == (start, end) for e in analysis.in_span("entities", start, end)):
        return start, end  # a name stays as the reader gave it ("Tomas Ferr", not "goalkeeper Tomas Ferr")
    for p in analysis.in_span("phrases", max(0, start - 200), end + 200):
        if p.start <= start and end <= p.end and start <= p.head_start and p.head_end <= end and (p.start, p.end) != (
                start, end) and len(analysis.in_span("tokens", p.start, p.end)) <= t.READER_PHRASE_WORDS:
            return p.start, p.end
    return start, end


def asked_phrase(analysis, text: str, start: int, end: int, asked: set[str]) -> tuple[int, int]:
    """A span that runs on past a leading noun phrase whose head the question names ("Ghwayran prison in the
    Al-Hasakah city" for "Which prison …?") cut to that phrase: it is the thing asked for."""
    if analysis is None:
        return start, end
    for p in analysis.in_span("phrases", max(0, start - 100), end):
        if p.start <= start < p.end < end and set(terms(text[p.head_start : p.head_end])) & asked:
            return p.start, p.end
    if any((e.start, e.end) == (start, end) and e.label in _PLACE_NAMES for e in analysis.in_span("entities", start, end)):
        return start, end  # a place's name stands alone: "Al-Hasakah", not "the Al-Hasakah city"
    for p in analysis.in_span("phrases", max(0, start - 100), end + 100):  # "Ghwayran" of "the Ghwayran prison"
        if (p.start <= start and end <= p.head_start and set(terms(text[p.head_start : p.head_end])) & asked
                and len(analysis.in_span("tokens", p.start, p.end)) <= t.READER_PHRASE_WORDS):
            return p.start, p.end
    return start, end


def past_question_words(text: str, start: int, end: int, question: str) -> int:
    """A span that opens by repeating the question ("The quay is turning into a danger …" for "What did she say the
    quay is turning into?") starts after those words: the answer is what the question does not already say."""
    asked = {w.lower() for w in _WORD.findall(question)}
    words = list(_WORD.finditer(text, start, end))
    n = 0
    while n < len(words) and words[n].group().lower() in asked:
        n += 1
    return words[n].start() if t.READER_ECHO_WORDS <= n < len(words) else start


def rerank(ranked: list[Candidate], readings: list[Reading]) -> list[Candidate]:
    """The candidates re-ordered with the reader's word: each sentence holding a reading gains READER_RANK_WEIGHT x
    its confidence (a neighbour sentence the reader found the answer in joins the candidates, scored as the window's
    centre was)."""
    if not readings:
        return ranked
    by_key = {c.key: c for c in ranked}
    out = list(ranked)
    for r in readings:
        c = by_key.get((r.article_id, r.index))
        if c is None:
            centre = by_key[(r.article_id, r.center)]
            c = Candidate(centre.stored, r.index, passage=centre.passage, dense=centre.dense, lexical=centre.lexical,
                          context=centre.context, statement=centre.statement, type_fit=centre.type_fit,
                          score=centre.score, support=centre.support)
            by_key[c.key] = c
            out.append(c)
        c.reader = max(c.reader, r.confidence)
    for c in by_key.values():
        if c.reader:
            c.score += t.READER_RANK_WEIGHT * c.reader
    out.sort(key=lambda c: -c.score)
    return out

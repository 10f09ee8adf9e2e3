"""An article's language analysis as character spans into its text: tokens with their parse, entities, noun phrases
and attributed statements; written at ingest, read by the answer kinds; stored compactly as JSON."""

from __future__ import annotations

import json
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import cached_property

VERSION = 11  # bump when what is stored changes: records of an older version are analysed again at the next ingest

# Answer types: what each kind of question wants, as spaCy (OntoNotes) entity labels.
PERSON_LIKE = ("PERSON", "ORG", "NORP")
AGENTS = (*PERSON_LIKE, "GPE")  # who did something: a country or city acts too ("the United States backed …")
PLACE = ("GPE", "LOC", "FAC")
TIME_LIKE = ("DATE", "TIME")
AMOUNT = ("CARDINAL", "QUANTITY", "MONEY", "PERCENT")


@dataclass(frozen=True)
class Token:
    index: int  # position in the article's token list (heads refer to it)
    start: int
    end: int
    tag: str  # Penn tag (NN, VBD, …)
    dep: str  # dependency relation to its head (nsubj, dobj, …); ROOT for a sentence's root
    head: int  # index of its head token (itself for a root)
    lemma: str


@dataclass(frozen=True)
class Entity:
    start: int
    end: int
    label: str


@dataclass(frozen=True)
class Phrase:
    """A noun phrase and its head word ('the Ghwayran prison' → 'prison')."""

    start: int
    end: int
    head_start: int
    head_end: int


@dataclass(frozen=True)
class Quote:
    """A statement attributed to someone: its words, the cue verb, the speaker as written in the sentence (or
    -1 offsets when the sentence names nobody) and the speaker's name, found in sentence `named_in`; `speaker` is
    None for a statement whose speaker the article never names ("a hospital source said"): unattributed."""

    sentence: int
    start: int
    end: int
    # "direct" (the words inside quotation marks), "reported" (said that …: the reporter's words, never shown in
    # quotation marks), "post" (a social-media post and its byline)
    kind: str
    cue_start: int
    cue_end: int
    speaker_start: int
    speaker_end: int
    speaker: str | None
    role: str | None
    named_in: int


@dataclass(frozen=True)
class Analysis:
    version: int = VERSION
    tokens: tuple[Token, ...] = ()
    entities: tuple[Entity, ...] = ()
    phrases: tuple[Phrase, ...] = ()
    quotes: tuple[Quote, ...] = ()
    _starts: dict = field(default_factory=dict, compare=False, repr=False)

    def in_span(self, kind: str, start: int, end: int) -> list:
        """The tokens / entities / phrases / quotes lying inside [start, end) (a sentence), in text order."""
        items = getattr(self, kind)
        starts = self._index(kind)
        out = []
        for item in items[bisect_left(starts, start):]:
            if item.start >= end:
                break
            if item.end <= end:
                out.append(item)
        return out

    def _index(self, kind: str) -> list[int]:
        if kind not in self._starts:
            self._starts[kind] = [x.start for x in getattr(self, kind)]
        return self._starts[kind]

    @cached_property
    def by_sentence(self) -> dict[int, list[Quote]]:
        out: dict[int, list[Quote]] = {}
        for q in self.quotes:
            out.setdefault(q.sentence, []).append(q)
        return out

    def to_json(self, text: str) -> str:
        """Compact JSON of the analysis of `text` (a lemma is stored only where it is not the lower-cased token)."""
        toks = self.tokens
        return json.dumps({
            "v": self.version,
            "t": [[t.start for t in toks], [t.end for t in toks], [t.tag for t in toks], [t.dep for t in toks],
                  [t.head for t in toks], {str(t.index): t.lemma for t in toks if t.lemma != text[t.start:t.end].lower()}],
            "e": [[e.start, e.end, e.label] for e in self.entities],
            "p": [[p.start, p.end, p.head_start, p.head_end] for p in self.phrases],
            "q": [[q.sentence, q.start, q.end, q.kind, q.cue_start, q.cue_end, q.speaker_start, q.speaker_end,
                   q.speaker, q.role, q.named_in] for q in self.quotes],
        }, separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str, text: str) -> Analysis:
        """The stored analysis of `text` (lemmas not stored are the lower-cased token)."""
        d = json.loads(raw)
        starts, ends, tags, deps, heads, lemmas = d["t"]
        tokens = tuple(Token(i, s, e, tag, dep, h, lemmas.get(str(i)) or text[s:e].lower())
                       for i, (s, e, tag, dep, h) in enumerate(zip(starts, ends, tags, deps, heads)))
        return cls(d["v"], tokens, tuple(Entity(*e) for e in d["e"]), tuple(Phrase(*p) for p in d["p"]),
                   tuple(Quote(*q) for q in d["q"]))


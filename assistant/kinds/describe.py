"""Descriptions: "who is Corvin Stahl?" answered with the role or description the articles attach to the name."""

from __future__ import annotations

import re

from assistant.candidates import Candidate
from assistant.kinds.typed_kind import TypedKind
from assistant.query import Query
from assistant.typed import phrase_spans, tokens_of

_NAMED = re.compile(r"^\W*(?i:who)\s+(?i:is|was|are|were)\s+(?P<name>(?:[A-Z][\w'’.-]*\s*){1,5})\W*$")
_ATTACHED = {"appos", "attr", "compound", "poss", "nmod"}  # how a description hangs on a name in the parse


class Describe(TypedKind):
    name = "describe"
    asks = _NAMED

    def spans(self, c: Candidate, query: Query) -> list[tuple[int, int, str]]:
        """Noun phrases joined to the name by apposition, a copula or a compound ("Northline Rail's chief
        executive, Corvin Stahl", "Stahl is the chief executive"): nothing looser counts as a description."""
        m = _NAMED.match(query.text)
        name_words = set(m.group("name").lower().split()) if m else set()
        toks = tokens_of(c)
        text = c.article.text
        named = {t.index for t in toks if text[t.start : t.end].lower() in name_words}
        if not named:
            return []
        by_index = {t.index: t for t in toks}
        out = []
        for s, e, label in phrase_spans(c):
            inside = [t for t in toks if s <= t.start and t.end <= e]
            root = next((t for t in inside if t.head not in {x.index for x in inside} or t.head == t.index), None)
            if root is None or root.index in named:
                continue
            head = by_index.get(root.head)
            joined = root.dep in _ATTACHED and (root.head in named or (head is not None and head.head in named))
            copula = root.dep == "attr" and head is not None and any(
                t.head == head.index and t.index in named and t.dep.startswith("nsubj") for t in toks)
            if joined or copula:
                out.append((s, e, label))
        return out

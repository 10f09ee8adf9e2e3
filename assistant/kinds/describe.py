"""Descriptions: "who is Corvin Stahl?" answered with the role or description the articles attach to the name."""

from __future__ import annotations

import re

from assistant.candidates import Candidate
from assistant.kinds.typed_kind import TypedKind
from assistant.query import Query
from assistant.typed import tokens_of

_NAMED = re.compile(r"^\W*(?i:who)\s+(?i:is|was|are|were)\s+(?P<name>(?:[A-Z][\w'’.-]*\s*){1,5})\W*$")


class Describe(TypedKind):
    name = "describe"
    asks = _NAMED

    def spans(self, c: Candidate, query: Query) -> list[tuple[int, int, str]]:
        """What the parse joins to the name: its appositive ("Northline Rail's chief executive, Corvin Stahl",
        "Corvin Stahl, the chief executive"), or the complement of "Stahl is the chief executive"."""
        m = _NAMED.match(query.text)
        name_words = set(m.group("name").lower().split()) if m else set()
        toks = tokens_of(c)
        text = c.article.text
        named = {t.index for t in toks if text[t.start : t.end].lower() in name_words}
        if not named:
            return []
        children: dict[int, list] = {}
        for t in toks:
            if t.head != t.index:
                children.setdefault(t.head, []).append(t)
        roots = []
        for t in toks:
            if t.index in named and t.dep == "appos" and t.head not in named:
                roots.append(t.head)  # the description heads, the name is its appositive
            elif t.dep == "appos" and t.head in named and t.index not in named:
                roots.append(t.index)  # the name heads, the description is its appositive
            elif t.dep == "attr" and any(x.index in named and x.dep.startswith("nsubj") for x in children.get(t.head, [])):
                roots.append(t.index)  # "Stahl is the chief executive"
            elif t.dep == "compound" and t.head in named and t.index not in named:
                roots.append(t.index)  # "Rovers manager Jonas Pelk"
        by_index = {t.index: t for t in toks}
        out = []
        for r in roots:
            below = _subtree(r, children)
            keep = below - set().union(*(_subtree(n, children) for n in named if n in below))
            words = sorted((by_index[i] for i in keep if i in by_index and by_index[i].tag not in _EDGE_TAGS),
                           key=lambda t: t.start)
            if words:
                out.append((words[0].start, words[-1].end, "DESCRIPTION"))
        return out


def _subtree(i: int, children: dict[int, list]) -> set[int]:
    out, todo = set(), [i]
    while todo:
        j = todo.pop()
        if j not in out:
            out.add(j)
            todo.extend(t.index for t in children.get(j, []))
    return out


_EDGE_TAGS = {",", ".", ":", "``", "''", "-LRB-", "-RRB-", "HYPH"}

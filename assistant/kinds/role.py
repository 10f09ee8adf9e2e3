"""Roles: "who is the manager of Kessaly Rovers?" answered only from a sentence naming both the role and whose it is."""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.candidates import Candidate
from assistant.kinds.base import Built
from assistant.kinds.other import best_sentences
from assistant.kinds.typed_kind import TypedKind
from assistant.query import Query, Turn
from assistant.typed import entity_spans
from common.analysis import PERSON_LIKE
from common.text import terms

_ROLE_OF = re.compile(r"^\W*(?:who|what\s+(?:is|was)\s+the\s+name\s+of)\s+(?:(?:is|was|are|were)\s+)?"
                      r"(?:the\s+|a\s+|an\s+)?(?P<role>(?:[\w'’-]+\s+){0,2}?[\w'’-]+)\s+(?:of|at|for)\s+"
                      r"(?P<whose>.+?)\W*$", re.I)
MAX_WHOSE_WORDS = 4  # a longer description is not a name to look for


def required_words(question: str) -> tuple[frozenset[str], ...]:
    """Word groups a sentence must contain to answer 'who is the ROLE of WHOM' (else: none): the role's head
    word, and the words of whose role it is."""
    m = _ROLE_OF.match(question.strip())
    if not m or len(m.group("whose").split()) > MAX_WHOSE_WORDS:
        return ()
    role, whose = frozenset(terms(m.group("role"))[-1:]), frozenset(terms(m.group("whose")))
    return tuple(g for g in (role, whose) if g)


class Role(TypedKind):
    """Answered with the person nearest to the role word in a sentence that names the role and whose it is."""

    name = "role"

    def matches(self, question: str) -> bool:
        return bool(required_words(question))

    def spans(self, c: Candidate, query: Query) -> list[tuple[int, int, str]]:
        return entity_spans(c, PERSON_LIKE)

    def enrich(self, query: Query, previous: Turn | None) -> Query:
        return replace(query, required=required_words(query.text))

    def admit(self, query: Query, cands: list[Candidate]) -> list[Candidate]:
        return [c for c in cands if all(group & c.terms for group in query.required)]

    def build(self, query: Query, cands: list[Candidate], sides: tuple[str, ...] = ()) -> Built | None:
        built = super().build(query, cands, sides) if cands[0].stored.analysis is not None else None
        if built is not None and built.short is not None:
            return built
        return best_sentences(query, cands, sides, role=query.required[0] if query.required else frozenset())

"""Things: "which prison …?", "what company …?", "what is X doing?" answered with the entity or noun phrase the
question's noun names (its head word), or the noun phrase nearest to the question's words."""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.candidates import Candidate
from assistant.kinds.typed_kind import TypedKind
from assistant.query import Query, Turn
from assistant.typed import entity_spans, phrase_spans, singular
from common.analysis import PERSON_LIKE, PLACE
from common.text import terms

_WHICH = re.compile(r"^\W*(?:and\s+)?(?:(?:in|on|at|from|for|to|of|by|with)\s+)?(?:which|what)\s+(?P<noun>[a-z'-]+)"
                    r"|\bname of (?:the|a|an|this|that)\s+(?P<named>[a-z'-]+)", re.I)
_NOT_NOUNS = {"is", "are", "was", "were", "did", "do", "does", "has", "have", "had", "will", "would", "can", "could",
              "should", "may", "might", "happened", "happens", "caused", "made", "kind", "type", "sort"}
# nouns whose answer is an entity of these labels rather than a phrase headed by the noun itself
LABELS = {
    **dict.fromkeys("city country state town village region province county nation capital continent island "
                    "area district".split(), PLACE),
    **dict.fromkeys("company firm team club organisation organization group party agency brand network band "
                    "university school union government ministry department bank league".split(), ("ORG",)),
    **dict.fromkeys("person man woman player actor actress singer artist author writer leader president minister "
                    "coach manager director founder chief executive ceo official spokesman spokesperson "
                    "journalist reporter judge".split(), PERSON_LIKE),
}


def asked_noun(question: str) -> str | None:
    m = _WHICH.search(question)
    noun = (m.group("noun") or m.group("named")).lower() if m else None
    return None if noun in _NOT_NOUNS else noun


class Which(TypedKind):
    name = "which"
    asks = re.compile(r"^\W*(?:and\s+)?(?:(?:in|on|at|from|for|to|of|by|with)\s+)?(?:which|what)\b|\bname of\b",
                      re.I)

    def enrich(self, query: Query, previous: Turn | None) -> Query:
        noun = asked_noun(query.text)
        return replace(query, focus=tuple(terms(noun)) if noun else ())

    def fits(self, c: Candidate, query: Query) -> float:
        """Only a named noun ("which prison") says what to look for; every sentence has some noun phrase."""
        return super().fits(c, query) if asked_noun(query.text) else 0.0

    def spans(self, c: Candidate, query: Query) -> list[tuple[int, int, str]]:
        noun = asked_noun(query.text)
        if noun is None:
            return phrase_spans(c)
        labelled = entity_spans(c, LABELS[singular(noun)]) if singular(noun) in LABELS else []
        return labelled or phrase_spans(c, noun)

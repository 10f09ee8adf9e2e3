"""Things: "which prison …?", "what company …?", "what is X doing?" answered with the entity or noun phrase the
question's noun names (its head word), or the noun phrase nearest to the question's words."""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.candidates import Candidate
from assistant.kinds.typed_kind import TypedKind
from assistant.query import Query, Turn
from assistant.typed import entity_spans, phrase_spans, singular, tied_to
from common.analysis import PLACE
from common.text import terms

_WHICH = re.compile(r"^\W*(?:and\s+)?(?:(?:in|on|at|from|for|to|of|by|with)\s+)?(?:which|what)\s+(?P<noun>[a-z'-]+)",
                    re.I)
_NAMED = re.compile(r"\bname of\b|\bwhat(?:'s| is| was) (?:the|his|her|its|their) name\b", re.I)
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
                    "journalist reporter judge".split(), ("PERSON",)),
}


_NAME_OF = re.compile(r"\bname of (?:the|a|an|this|that)\s+(?:[\w'-]+\s+){0,3}?(?P<named>[a-z'-]+)\W*$", re.I)


def asked_noun(question: str) -> str | None:
    """The noun a which/what question names ("which prison" → prison; "name of the ISIS leader" → leader)."""
    m = _NAME_OF.search(question) or _WHICH.search(question)
    noun = (m.groupdict().get("named") or m.groupdict().get("noun") or "").lower() if m else ""
    return None if not noun or noun in _NOT_NOUNS else noun


class Which(TypedKind):
    name = "which"
    reads = True
    asks = re.compile(r"^\W*(?:and\s+)?(?:(?:in|on|at|from|for|to|of|by|with)\s+)?(?:which|what)\b|\bname of\b",
                      re.I)

    def enrich(self, query: Query, previous: Turn | None) -> Query:
        noun = asked_noun(query.text)
        return replace(query, focus=tuple(terms(noun)) if noun else ())

    def strict(self, query: Query, cands: list[Candidate]) -> bool:
        """"Name of the ISIS leader?": a name is asked for; no person named near the top means not said."""
        return bool(_NAMED.search(query.text)) and cands[0].stored.analysis is not None

    def fits(self, c: Candidate, query: Query) -> float:
        """Only a named noun ("which prison") says what to look for; every sentence has some noun phrase."""
        return super().fits(c, query) if asked_noun(query.text) else 0.0

    def spans(self, c: Candidate, query: Query) -> list[tuple[int, int, str]]:
        noun = asked_noun(query.text)
        if noun is None:
            return phrase_spans(c)
        labels = LABELS.get(singular(noun))
        if labels == ("PERSON",):  # "the ISIS leader": a person the sentence calls a leader, next to the word
            return tied_to(c, entity_spans(c, labels), {noun, singular(noun)})
        labelled = entity_spans(c, labels) if labels else []
        return labelled or phrase_spans(c, noun)

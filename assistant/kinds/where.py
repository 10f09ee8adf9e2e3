"""Places: "where …?" answered with the country, city, region or building the best sentence names."""

from __future__ import annotations

import re

from assistant.candidates import Candidate
from assistant.kinds.typed_kind import TypedKind
from assistant.query import Query
from assistant.typed import entity_spans
from common.analysis import PLACE

# "the Al-Hasakah city": the name is the place; the generic noun after it adds nothing ("New York City" keeps its own)
_NAME_THEN_GENERIC = re.compile(r"^(?:the\s+)?(?P<name>[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*)\s+"
                                r"(?:city|town|village|province|region|district|county|governorate|area|state)$")
# "the Dublin-based startup" for "where is Cubic Telecom based?": the place is the name before "-based"
_BASED = re.compile(r"(?P<name>[A-Z][\w'’.]*(?:,?\s+[A-Z][\w'’.]*)*)-based\b")
_OPENERS = {"the", "a", "an", "in", "at", "on", "from", "to", "near", "outside", "inside", "its", "their", "his", "her"}


class Where(TypedKind):
    name = "where"
    # the reader's span answers when it names a place (dev, news and crowd "where" questions: F1 0.39 -> 0.61,
    # sentence hit@1 0.39 -> 0.58; it finds venues, courts and universities the place entities miss), else the
    # place the sentence names ("the prison gates" is no answer to "Where is the prison?")
    reads = True
    about_previous = True  # "Where?": the first sentence the previous answer cited
    asks = re.compile(r"^\W*(?:and\s+|so\s+)?where\b", re.I)

    def accepts(self, span: str) -> bool:
        """A place is named: a capitalised word ('Hampden Park', 'an Oslo court', 'in the French Alps')."""
        words = span.split()
        return any(w[:1].isupper() for w in words[1:]) or bool(words and words[0][:1].isupper()
                                                                and words[0].lower() not in _OPENERS)

    def trim(self, span: str) -> tuple[int, int]:
        m = _NAME_THEN_GENERIC.match(span) or _BASED.search(span)
        return m.span("name") if m else (0, len(span))

    def spans(self, c: Candidate, query: Query) -> list[tuple[int, int, str]]:
        return entity_spans(c, PLACE)

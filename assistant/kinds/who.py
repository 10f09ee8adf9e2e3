"""People and bodies: "who …?" answered with the person, organisation or group the best sentence names."""

from __future__ import annotations

import re

from assistant.candidates import Candidate
from assistant.kinds.typed_kind import TypedKind
from assistant.query import Query
from assistant.typed import entity_spans
from common.analysis import AGENTS

# "Denver linebacker Von Miller", "her co-defendant Jodi Hildebrandt": the name after a role noun answers "who"
# ("Archbishop of Canterbury Justin Welby" keeps its "of": only a content word before the name is a role)
_ROLE_THEN_NAME = re.compile(r"(?:^|\s)(?P<role>[a-z][\w'’-]*)\s+(?P<name>(?:[A-Z][\w'’.-]*\s+)+[A-Z][\w'’.-]*)$")
_NOT_ROLES = {"of", "the", "and", "de", "van", "von", "del", "da", "al", "bin", "la", "le", "for", "to", "at", "in"}


class Who(TypedKind):
    name = "who"
    reads = True
    asks = re.compile(r"^\W*(?:and\s+|so\s+)?(?:who|whom|whose)\b|\bname of the (?:person|man|woman)\b", re.I)

    def spans(self, c: Candidate, query: Query) -> list[tuple[int, int, str]]:
        return entity_spans(c, AGENTS)

    def trim(self, span: str) -> tuple[int, int]:
        m = _ROLE_THEN_NAME.search(span)
        return m.span("name") if m and m.group("role") not in _NOT_ROLES else (0, len(span))

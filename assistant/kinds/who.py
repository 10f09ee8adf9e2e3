"""People and bodies: "who …?" answered with the person, organisation or group the best sentence names."""

from __future__ import annotations

import re

from assistant.candidates import Candidate
from assistant.kinds.typed_kind import TypedKind
from assistant.query import Query
from assistant.typed import entity_spans
from common.analysis import AGENTS


class Who(TypedKind):
    name = "who"
    reads = True
    asks = re.compile(r"^\W*(?:and\s+|so\s+)?(?:who|whom|whose)\b|\bname of the (?:person|man|woman)\b", re.I)

    def spans(self, c: Candidate, query: Query) -> list[tuple[int, int, str]]:
        return entity_spans(c, AGENTS)

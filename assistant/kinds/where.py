"""Places: "where …?" answered with the country, city, region or building the best sentence names."""

from __future__ import annotations

import re

from assistant.candidates import Candidate
from assistant.kinds.typed_kind import TypedKind
from assistant.query import Query
from assistant.typed import entity_spans
from common.analysis import PLACE


class Where(TypedKind):
    name = "where"
    about_previous = True  # "Where?": the first sentence the previous answer cited
    asks = re.compile(r"^\W*(?:and\s+|so\s+)?where\b", re.I)

    def spans(self, c: Candidate, query: Query) -> list[tuple[int, int, str]]:
        return entity_spans(c, PLACE)

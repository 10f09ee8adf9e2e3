"""Reasons and means: "why …" and "how did …" answered with the clause of the best sentence that gives one."""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant import tuning as t
from assistant.candidates import Candidate
from assistant.citing import Citations, dated, quote
from assistant.kinds.base import Built, Kind
from assistant.query import Query
from assistant.spans import Span, means, reason
from common.text import terms


class Clause(Kind):
    """A kind answered by a clause a span finder locates in the sentence (a reason, a means)."""

    def __init__(self, name: str, asks: str, find: Callable[[str], Span | None]):
        self.name = name
        self._asks = re.compile(asks, re.I)
        self._find = find

    def matches(self, question: str) -> bool:
        return bool(self._asks.search(question))

    def fits(self, c: Candidate, query: Query) -> float:
        return 1.0 if self._find(c.text) else 0.0

    def build(self, query: Query, cands: list[Candidate], sides: tuple[str, ...] = ()) -> Built | None:
        """The best sentence that gives the clause, with that clause as the short answer."""
        top = cands[0].score
        for c in cands[: t.CLAUSE_CANDIDATES]:
            if c.score < t.CLAUSE_SHARE_OF_TOP * top:  # a sentence without one does not answer why or how
                break
            span = self._find(c.text)
            if span is not None:
                cites = Citations()
                mark = cites.cite(c)
                short = _CAUSE.sub("", past_asked_subject(span.text, query.text))
                return Built(f"{short} {mark}\n\n{quote(c)} {mark}{dated(c)}", short, cites)
        return None


# "because of their disastrous financial situation" answers "why …?" as "their disastrous financial situation"
_CAUSE = re.compile(r"^(?:because of|because|due to|owing to|as a result of)\s+(?=\S)", re.I)
_AFTER_SUBJECT = re.compile(r"after\s+(?P<subject>(?:[\w'’-]+\s+){1,3}?)(?=\w+ed\b)", re.I)


def past_asked_subject(clause: str, question: str) -> str:
    """'after militants detonated a car bomb …' for 'How did the militants break in?' → 'detonated a car bomb …':
    the question already names who acted, so the answer starts at what they did."""
    m = _AFTER_SUBJECT.match(clause)
    if m and set(terms(m.group("subject"))) and set(terms(m.group("subject"))) <= set(terms(question)):
        return clause[m.end():]
    return clause


WHY = Clause("why", r"^\W*(?:and\s+|so\s+)?why\b", reason)
HOW = Clause("how", r"^\W*(?:and\s+|so\s+)?how\s+(?:did|do|does|was|were|is|are|can|could|will|would|has|have|had)\b",
             means)

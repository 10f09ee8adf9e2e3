"""A kind answered by a typed span (a person, a place, a thing the question names) in one of the best sentences."""

from __future__ import annotations

import re

from assistant import tuning as t
from assistant.candidates import Candidate
from assistant.citing import Citations, dated, quote
from assistant.kinds.base import Built, Kind
from assistant.kinds.other import best_sentences
from assistant.query import Query
from assistant.typed import Typed, nearest, new_to


class TypedKind(Kind):
    """Subclasses say which questions they take (`asks`) and which spans of a sentence may answer (`spans`)."""

    asks: re.Pattern
    exact_lookup = False  # the span is found by an exact pattern, not ranked: its sentence needs no support

    def matches(self, question: str) -> bool:
        return bool(self.asks.search(question))

    def spans(self, c: Candidate, query: Query) -> list[tuple[int, int, str]]:
        raise NotImplementedError

    def fits(self, c: Candidate, query: Query) -> float:
        """1 when the sentence holds a span of the asked type that the question does not already say."""
        text = c.article.text
        return 1.0 if any(new_to(query.text, text[s:e]) for s, e, _ in self.spans(c, query)) else 0.0

    def strict(self, query: Query, cands: list[Candidate]) -> bool:
        """No sentence near the top names anything of the asked type: the articles do not say; only when the
        question insists on a name (TYPED_STRICT, else see Which) and the index is analysed."""
        return t.TYPED_STRICT and cands[0].stored.analysis is not None

    def pick(self, query: Query, cands: list[Candidate]) -> tuple[Candidate, Typed] | None:
        """The candidate and span to answer with: sentence score, less a little per parse edge between the
        span and the words the sentence shares with the question."""
        best = None
        top = cands[0].score
        for c in cands[: t.TYPED_CANDIDATES]:
            if c.score < t.TYPED_SHARE_OF_TOP * top:
                break
            typed = nearest(c, self.spans(c, query), query.text)
            if typed is None:
                continue
            fit = c.score - t.TYPED_DISTANCE_PENALTY * min(typed.distance, t.TYPED_MAX_DISTANCE)
            if best is None or fit > best[0]:
                best = (fit, c, typed)
        return (best[1], best[2]) if best else None

    def build(self, query: Query, cands: list[Candidate], sides: tuple[str, ...] = ()) -> Built | None:
        """The typed span nearest to the question's words in the best sentences; if none is there, the best
        sentences without a short answer (an unanalysed index: None, and the plain best-sentence answer)."""
        if cands[0].stored.analysis is None:
            return None
        picked = self.pick(query, cands)
        if picked is None:
            return None if self.strict(query, cands) else best_sentences(query, cands, sides, short=False)
        c, typed = picked
        cites = Citations()
        mark = cites.cite(c)
        return Built(f"{typed.text} {mark}\n\n{quote(c)} {mark}{dated(c)}", typed.text, cites,
                     exact=self.exact_lookup)

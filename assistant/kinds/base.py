"""The one small interface every answer kind implements, and what a kind's answer is built of."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.candidates import Candidate
from assistant.citing import Citations
from assistant.query import Query, Turn
from common.records import TimelineEntry


@dataclass(frozen=True)
class Built:
    """An answer's text with [n] markers, its short answer, and the sentences the markers number."""

    text: str
    short: str | None
    citations: Citations
    timeline: tuple[TimelineEntry, ...] = ()  # a figure given differently over time (figure kind)
    exact: bool = False  # found by an exact lookup (an abbreviation spelled out): stands on any support


class Kind:
    """An answer kind. `matches` types the question (first match in the registry wins); `enrich` reads what the
    kind needs from it; `fits` says whether a candidate sentence holds this kind of answer (a scoring signal, 0..1);
    `admit` narrows the candidates any answer must come from; `build` answers from the scored candidates (None:
    it found nothing); `strict` says whether finding nothing means the articles do not say (else the best
    sentences are shown). The class attributes say how the Assistant routes the kind's questions."""

    name = "other"  # in reports and JSON
    reads = False  # the trained reader's span is this kind's short answer (measured better on dev than build())
    second_opinion = False  # build() answers, unless the reader gives a confident, disjoint span it accepts
    # the reader's spans of the asked type re-rank the sentences before build() (every kind that `reads` does too)
    reader_orders = False
    # the trained sentence ranker orders the best sentences first (it learnt questions with a phrase for an answer)
    ranked = True
    own_pronouns = False  # enrich() resolves "he"/"she" in the question itself (the follow-up rule then leaves them)
    # answers a follow-up about the previous answer ("Who said that?", "When?") from the sentences it cited, the
    # first `previous_cites` of them (None: all); other kinds' follow-ups go to registry.for_previous's default
    about_previous = False
    previous_cites: int | None = 1
    archive = False  # a question naming a person is answered from the quote archive first (Query.person)

    def matches(self, question: str) -> bool:
        return True

    def enrich(self, query: Query, previous: Turn | None) -> Query:
        return query

    def fits(self, c: Candidate, query: Query) -> float:
        return 0.0

    def admit(self, query: Query, cands: list[Candidate]) -> list[Candidate]:
        return cands

    def build(self, query: Query, cands: list[Candidate], sides: tuple[str, ...] = ()) -> Built | None:
        return None

    def strict(self, query: Query, cands: list[Candidate]) -> bool:
        return False

    def reads_within(self, query: Query) -> bool:
        """Whether the reader's span inside what build() cites is the short answer ("what did Liz Sly say the
        prison break is turning into?" asks for a phrase of a statement, not the statement)."""
        return False

    def accepts(self, span: str) -> bool:
        """Whether a reader's span can answer this kind at all (a figure needs a number)."""
        return True

    def trim(self, span: str) -> tuple[int, int]:
        """The part of an accepted reader's span that answers, as offsets into it (default: all of it)."""
        return 0, len(span)

    def vouch(self, query: Query, cands: list[Candidate], c: Candidate, start: int, end: int) -> tuple[int, int] | None:
        """When build() found nothing: the answer this kind would give around a confident reader's span at
        c.text[start:end] (offsets in the sentence), or None when the span is not of the asked type (default)."""
        return None

"""Statements a quote answer lists, read only from the articles' analysis: a direct quote shows the words inside the
source's own quotation marks, in quotation marks; reported speech shows the sentence as the reporter wrote it, never
in quotation marks; a sentence the analysis gives no statement (narration) is never listed as anyone's."""

from __future__ import annotations

from assistant.candidates import Candidate
from assistant.quotes.archive import same_speaker
from common.analysis import Quote
from common.records import Statement

UNATTRIBUTED = "Unattributed"  # how a statement whose speaker the article never names is headed


def statements(c: Candidate, index: int | None = None) -> list[Quote]:
    """The statements of the candidate's sentence (or sentence `index` of its article), in text order."""
    analysis = c.stored.analysis
    if analysis is None:
        return []
    return sorted(analysis.by_sentence.get(c.index if index is None else index, []), key=lambda q: q.start)


def of(c: Candidate, person: str | None, index: int | None = None) -> list[Quote]:
    """The sentence's statements by `person` (all of them when None)."""
    return [q for q in statements(c, index) if person is None or (q.speaker and same_speaker(person, q.speaker))]


def kind(q: Quote) -> str:
    """'direct' (the source's verbatim words: quotation marks, or a post) or 'reported'."""
    return "reported" if q.kind == "reported" else "direct"


def shown(c: Candidate, quotes: list[Quote], index: int | None = None) -> str:
    """How the sentence's statements read in an answer: each direct quote's own words in quotation marks (joined
    by " … " when the sentence holds several); reported speech as the whole sentence, without quotation marks, or,
    when the sentence holds another speaker's statement too, only the reporter's words for these ("Councillor
    Maren Oduya said the repairs would cost less", not the campaigner's clause after "while")."""
    text = c.article.text
    if any(kind(q) == "reported" for q in quotes):
        others = [q for q in statements(c, index) if q not in quotes]
        parts = [reporters_words(q) for q in quotes]
        if not others or any(a < o.end and o.start < b for a, b in parts for o in others):
            return c.text if index is None else c.sentence(index) or ""
        return " … ".join(text[a:b] if kind(q) == "reported" else f"“{text[a:b]}”" for q, (a, b) in zip(quotes, parts))
    return "“" + " … ".join(text[q.start:q.end] for q in quotes) + "”"


def reporters_words(q: Quote) -> tuple[int, int]:
    """A reported statement with its speaker and cue as the sentence writes them ("Councillor Maren Oduya said the
    repairs would cost less than planned"); a direct quote's own words."""
    if kind(q) != "reported":
        return q.start, q.end
    ends = [x for x in (q.start, q.end, q.cue_start, q.cue_end, q.speaker_start, q.speaker_end) if x >= 0]
    return min(ends), max(ends)


def record(c: Candidate, quotes: list[Quote], number: int) -> list[Statement]:
    """The API's record of each statement: its kind, speaker (None: unattributed) and exact span."""
    text = c.article.text
    return [Statement(kind(q), q.speaker, c.article.id, q.sentence, q.start, q.end, text[q.start:q.end], number)
            for q in quotes]


def speaker(c: Candidate, index: int | None = None) -> tuple[str | None, str | None, int] | None:
    """(speaker, role, sentence naming them) of the sentence's own attribution, (None, None, i) when its
    statement is unattributed; None when the sentence is no one's statement."""
    quotes = statements(c, index)
    named = next((q for q in quotes if q.speaker), None)
    if named is not None:
        return named.speaker, named.role, named.named_in
    return (None, None, c.index if index is None else index) if quotes else None

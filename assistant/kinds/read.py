"""An answer from the trained reader: its span as the short answer, the sentence holding it first, then the best
other sentences as any answer shows them."""

from __future__ import annotations

from dataclasses import replace

from assistant import tuning as t
from assistant.candidates import Candidate
from assistant.kinds.base import Built
from assistant.kinds.other import best_sentences
from assistant.qa.reader import Reading
from assistant.query import Query


def read_answer(query: Query, cands: list[Candidate], reading: Reading, sides: tuple[str, ...] = ()) -> Built:
    """`reading` lies in one of `cands` (compose checks): that sentence leads, with the span as short answer."""
    key = (reading.article_id, reading.index)
    lead = next(c for c in cands if c.key == key)
    ordered = [lead, *(c for c in cands if c.key != key)]
    return best_sentences(query, ordered, sides, short=reading.text)


def phrase_of_statement(built: Built, readings: tuple[Reading, ...]) -> Built:
    """The listed statements, with the reader's confident span as the short answer when it lies inside the words
    of one of them (never narration around them, never another speaker's)."""
    for r in readings:
        if r.confidence < t.READER_DECLINE:
            break
        inside = next((s for s in built.citations.statements if s.article_id == r.article_id
                       and s.char_start <= r.start and r.end <= s.char_end), None)
        if inside is not None:
            return replace(built, text=f"{r.text} [{inside.citation}]\n\n{built.text}", short=r.text)
    return built

"""An answer from the trained reader: its span as the short answer, the sentence holding it first, then the best
other sentences as any answer shows them."""

from __future__ import annotations

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

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


_TRAILING = " \t\n,;:.!?\"'“”‘’—–-"


def phrase_of_statement(built: Built, readings: tuple[Reading, ...]) -> Built:
    """The listed statements, with the reader's confident span as the short answer when it lies inside the words
    of one of them, or the part of it that does (never narration around them, never another speaker's: "danger for
    every crew that ties up there,” harbour engineer" is cut at the closing mark)."""
    for r in readings:
        if r.confidence < t.READER_DECLINE:
            break
        inside = next((s for s in built.citations.statements if s.article_id == r.article_id
                       and s.char_start <= r.start < s.char_end), None)
        if inside is not None:
            short = r.text[: min(r.end, inside.char_end) - r.start].rstrip(_TRAILING)
            if short:
                return replace(built, text=f"{short} [{inside.citation}]\n\n{built.text}", short=short)
    return built


def action_phrase(query: Query, cands: list[Candidate], built: Built, readings: tuple[Reading, ...],
                  sides: tuple[str, ...] = ()) -> Built:
    """The kind's answer, or the reader's span as its short answer when the reader is fairly sure (the second-opinion
    bar) and the span is an action: it opens with a verb ("crashed into the moon"), never a bystander noun."""
    by_key = {c.key: c for c in cands}
    for r in readings:
        if r.confidence < t.READER_ACTION_BAR:
            break
        c = by_key.get((r.article_id, r.index))
        analysis = c.stored.analysis if c is not None else None
        first = analysis.in_span("tokens", r.start, r.end)[:1] if analysis is not None else []
        if first and first[0].start == r.start and first[0].tag.startswith("VB"):
            return read_answer(query, cands, r, sides)
    return built

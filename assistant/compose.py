"""Stage 4, compose: abstain, or answer with the question's kind from exact sentences, each claim marked [n]."""

from __future__ import annotations

from dataclasses import replace

from assistant import tuning as t
from assistant.candidates import Candidate
from assistant.kinds.base import Built
from assistant.kinds.other import Other
from assistant.kinds.quantity import asked_quantity, has_shape
from assistant.kinds.read import action_phrase, phrase_of_statement, read_answer
from assistant.qa.reader import Reading
from assistant.query import Query
from assistant.score import diverse
from common.records import Answer, Citation
from common.text import occurs_in

NOT_FOUND = "The articles don't say."
FALLBACK = Other()


def compose(query: Query, cands: list[Candidate], abstain_below: float, sides: tuple[str, ...] = (),
            readings: tuple[Reading, ...] = ()) -> Answer:
    """The answer to `query` from scored candidate sentences (best first); `sides`: the outlets a comparison
    names; `readings`: the trained reader's spans, best first (a kind that `reads` answers with the best, or
    abstains when none is confident). Abstains when no sentence supports an answer well enough, or when the kind
    found nothing and says that means the articles do not say it."""
    ranked = tuple(c.citation() for c in diverse(cands, t.RANKED))
    support = max((c.support for c in cands), default=0.0)
    if support < abstain_below:
        return abstain(ranked, support)
    kind = query.kind
    admitted = kind.admit(query, cands)
    if admitted is not cands:
        cands = admitted
        support = max((c.support for c in cands), default=0.0)
        if support < abstain_below:
            return abstain(ranked, support)
    if kind.reads and readings:
        best = best_in(readings, cands)
        if best is None or best.confidence < t.READER_DECLINE:
            return abstain(ranked, support)
        if best.confidence < t.READER_OVERRULE and kind.strict(query, cands) and kind.build(query, cands, sides) is None:
            return abstain(ranked, support)  # the kind finds no answer of the asked type either, and it is strict
        # the most confident span of the asked type ("the prison gates" is none for "where …?"), else the kind's own
        typed = best_in(tuple(r for r in readings if r.confidence >= t.READER_DECLINE and kind.accepts(r.text)), cands)
        quantity = asked_quantity(query.text)
        if quantity and not (typed and has_shape(quantity, typed.text, candidate_of(typed, cands).text)):
            return abstain(ranked, support)  # "what was the final score?" and a crowd of 8,400: not said
        built = read_answer(query, cands, trimmed(kind, typed), sides) if typed else kind.build(query, cands, sides)
    else:
        built = kind.build(query, cands, sides)
        if kind.second_opinion and readings:
            built = second_opinion(query, kind, cands, built, readings, sides)
        if readings and kind.reads_within(query):
            if built is None:  # no statement of that speaker found: the reader's phrase, if sure
                built = confident(query, cands, readings, sides)
            elif built.citations.statements:  # a phrase of the statement asked for
                built = phrase_of_statement(built, readings)
            else:  # "what happened to the orbiter?": what it did or what was done to it
                built = action_phrase(query, cands, built, readings, sides)
    if built is None and kind.strict(query, cands):
        return abstain(ranked, support)
    if built is None:
        built = FALLBACK.build(query, cands, sides)
    if built.citations.support < abstain_below and not built.exact:  # what it would rest on does not support it
        return abstain(ranked, built.citations.support)
    return answer_from(built, ranked, support)


def best_in(readings: tuple[Reading, ...], cands: list[Candidate]) -> Reading | None:
    """The most confident reading that lies in one of the candidate sentences."""
    keys = {c.key for c in cands}
    return next((r for r in readings if (r.article_id, r.index) in keys), None)


def trimmed(kind, reading: Reading) -> Reading:
    """The reading cut to the part of it the kind says answers ("Al-Hasakah" of "the Al-Hasakah city")."""
    a, b = kind.trim(reading.text)
    if (a, b) == (0, len(reading.text)):
        return reading
    return replace(reading, start=reading.start + a, end=reading.start + b, text=reading.text[a:b])


def candidate_of(reading: Reading, cands: list[Candidate]) -> Candidate:
    """The candidate sentence a reading lies in (compose only asks for readings found by best_in)."""
    return next(c for c in cands if c.key == (reading.article_id, reading.index))


def confident(query: Query, cands: list[Candidate], readings: tuple[Reading, ...], sides: tuple[str, ...]):
    """The reader's answer when its best reading lies in a candidate and it is sure enough to answer, else None."""
    best = best_in(readings, cands)
    return None if best is None or best.confidence < t.READER_DECLINE else read_answer(query, cands, best, sides)


def second_opinion(query: Query, kind, cands: list[Candidate], built: Built | None, readings: tuple[Reading, ...],
                   sides: tuple[str, ...]) -> Built | None:
    """The kind's own answer, or the reader's when its span is short, of the kind's type, confident and not the same
    figure or day as the kind's short answer (nor part of it). When the kind found nothing, only a reader sure
    enough to overrule a strict kind answers ("how many US presidents …?" where the sentence says "eight U.S.
    presidents"): an unanswerable "how many …" must stay declined."""
    best = best_in(readings, cands)
    if built is None:
        return vouched(query, kind, cands, best, sides)
    if not built.short or built.timeline:
        return built  # nothing to weigh, or a figure over time across articles: the kind's answer stands
    if best is None or best.confidence < t.READER_SECOND_OPINION or len(best.text.split()) > t.READER_SECOND_WORDS:
        return built
    if not kind.accepts(best.text) or kind_vouch(query, kind, cands, best) is None:
        return built  # not of the asked type ("867" of "$867" for "how many season tickets …?")
    own = built.short
    if best.text in own or own in best.text or next_to(best, own, built.citations.items):
        return built
    return read_answer(query, cands, best, sides)


def vouched(query: Query, kind, cands: list[Candidate], best: Reading | None, sides: tuple[str, ...]) -> Built | None:
    """The kind found nothing: a reader sure enough to overrule it answers when the kind vouches for the span as
    of the asked type, with the kind's own span around it ("eight U.S. presidents" around "eight")."""
    if best is None or best.confidence < t.READER_OVERRULE:
        return None
    own = kind_vouch(query, kind, cands, best)
    if own is None:
        return None
    text = candidate_of(best, cands).article.text[own[0] : own[1]]
    return read_answer(query, cands, replace(best, start=own[0], end=own[1], text=text), sides)


def kind_vouch(query: Query, kind, cands: list[Candidate], reading: Reading) -> tuple[int, int] | None:
    """The kind's span around `reading` (article offsets) when it vouches for it as of the asked type, else None."""
    c = candidate_of(reading, cands)
    at = c.span[0]
    own = kind.vouch(query, cands, c, reading.start - at, reading.end - at)
    return None if own is None else (own[0] + at, own[1] + at)


def next_to(reading: Reading, own: str, cites) -> bool:
    """Whether the reader's span sits within READER_SAME_PHRASE characters of the kind's short answer in the kind's
    first cited sentence: parts of one expression ("11 p.m." and "on Thursday"), where the kind's part stands."""
    if not cites or (cites[0].article_id, cites[0].sentence_index) != (reading.article_id, reading.index):
        return False
    at = cites[0].text.find(own)
    if at < 0:
        return False
    a, b = cites[0].char_start + at, cites[0].char_start + at + len(own)
    return reading.start <= b + t.READER_SAME_PHRASE and a - t.READER_SAME_PHRASE <= reading.end


def answer_from(built: Built, ranked: tuple[Citation, ...], support: float) -> Answer:
    """The built answer; its short answer only if a cited sentence contains it; its sentences first in the
    ranking, then the rest by score."""
    cites = tuple(built.citations.items)
    short = built.short
    if short is not None and not any(occurs_in(short, c.text) for c in cites):
        short = None  # never show a short answer that its cited sentences do not contain
    cited = {(c.article_id, c.sentence_index) for c in cites}
    order = cites + tuple(c for c in ranked if (c.article_id, c.sentence_index) not in cited)
    return Answer(built.text, short, False, cites, (), order[: t.RANKED], support, built.timeline,
                  tuple(built.citations.statements))


def abstain(related: tuple[Citation, ...], support: float) -> Answer:
    return Answer(NOT_FOUND, None, True, (), related[: t.RELATED_SHOWN], related, support)

"""Who speaks in a candidate sentence, looking at its neighbours when it says only "He also said …"."""

from __future__ import annotations

from assistant import tuning as t
from assistant.candidates import Candidate
from assistant.spans import attribution


def speaker_of(c: Candidate) -> tuple[str | None, str | None, int]:
    """(speaker, role, index of the sentence that names them) for a candidate sentence: from the quotes its
    article's analysis attributes (a pronoun or "the spokesman" already resolved to the name given earlier); else
    from the sentence's wording, looking back over a few sentences when it begins "He also said …", and (without
    an analysis) ahead for a post's byline."""
    quotes = c.stored.analysis.by_sentence.get(c.index, []) if c.stored.analysis is not None else []
    named = next((q for q in quotes if q.speaker), None)
    if named is not None:
        return named.speaker, named.role, named.named_in
    att = attribution(c.text)
    if att and att.speaker:
        return att.speaker, att.role, c.index
    # a post is followed by "— Name (@handle) date"; the analysis gives each of the post's sentences to its byline,
    # so with one, a byline further on does not speak for a sentence it left out (the report before the post)
    for j in range(c.index + 1, c.index + 1 + t.SPEAKER_LOOKAHEAD) if c.stored.analysis is None else ():
        nxt = attribution(c.sentence(j) or "")
        if nxt and nxt.speaker:
            if nxt.role and nxt.role.startswith("@"):
                return nxt.speaker, nxt.role, j
            break
    if att is None or att.pronoun or att.quote:
        for j in range(c.index - 1, max(-1, c.index - 1 - t.SPEAKER_LOOKBACK), -1):
            prev = attribution(c.sentence(j) or "")
            if prev and prev.speaker:
                return prev.speaker, prev.role, j
    return None, None, c.index


def named(speaker: str, role: str | None) -> str:
    """'Ned Price (US State Department spokesperson)'; the role left out when the name says it already
    ('Mayor Ilsa Varenko', role 'Mayor')."""
    return f"{speaker} ({role})" if role and role.lower() not in speaker.lower() else speaker

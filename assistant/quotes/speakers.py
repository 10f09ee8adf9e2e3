"""Who speaks in a candidate sentence: only the sentence's own attribution, as the article's analysis gives it."""

from __future__ import annotations

from assistant.candidates import Candidate
from assistant.quotes.statements import speaker


def speaker_of(c: Candidate) -> tuple[str | None, str | None, int]:
    """(speaker, role, index of the sentence that names them) for a candidate sentence, from the statements its
    article's analysis attributes (a pronoun or "the spokesman" resolved to the name the article gives); (None,
    None, index) for narration, an unattributed statement, or an article stored without analysis: never the
    nearest name."""
    found = speaker(c)
    return found if found and found[0] else (None, None, c.index)


def named(speaker: str, role: str | None) -> str:
    """'Ned Price (US State Department spokesperson)'; the role left out when the name says it already
    ('Mayor Ilsa Varenko', role 'Mayor')."""
    return f"{speaker} ({role})" if role and role.lower() not in speaker.lower() else speaker

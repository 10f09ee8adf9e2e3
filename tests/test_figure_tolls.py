"""Counts of casualties, deaths and the injured: news gives them as people killed, dead or hurt. No index, no model."""

from __future__ import annotations

from assistant.compose import compose
from assistant.understand import understand

from .method import candidates, stored

CLASH = ("Approximately 1,000 British soldiers were killed or injured in the attack on the fort. "
         "The remaining 500 British troops retreated to Virginia.")
TOLL = ("At least 40 people died when the ferry capsized off Port Kessaly on Sunday. "
        "Rescue teams were still searching for survivors on Monday.")


def ask(question: str, text: str, scores: list[float]):
    return compose(understand(question), candidates(stored(text), scores), abstain_below=0.36)


def test_casualties_are_the_killed_or_injured():
    """'How many casualties did the British suffer?': no sentence says "casualties", but the first counts British
    soldiers killed or injured, which is what casualties are (SQuAD's gold: 'Approximately 1,000'). Before, the
    figure rules wanted the word itself and declined; the 500 troops who retreated are no casualties."""
    a = ask("How many casualties did the British suffer?", CLASH, [0.9, 0.6])
    assert not a.abstained and a.short_answer == "Approximately 1,000 British soldiers"


def test_the_injured_are_not_answered_with_the_dead():
    """'How many people were injured?' of a story that counts only the dead: 40 died, nobody is said hurt, so the
    articles do not say (before: '40')."""
    assert ask("How many people were injured in the ferry accident?", TOLL, [0.9, 0.5]).abstained
    assert ask("How many deaths were there in the ferry accident?", TOLL, [0.9, 0.5]).short_answer == "At least 40 people"

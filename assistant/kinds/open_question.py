"""Open questions: "what happened at the prison?", "tell me about the strike", "what's the latest on X?" answered
with the best sentences and no short answer (no phrase can answer them, so none is read or guessed)."""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.candidates import Candidate
from assistant.kinds.base import Built, Kind
from assistant.kinds.other import best_sentences
from assistant.query import Query, Turn
from common.text import terms

_OPEN = re.compile(
    r"^\W*(?:and\s+|so\s+)?(?:"
    r"what(?:'s|’s|\s+has|\s+had|\s+is|\s+was)?\s+(?:happened|happening|happens|going\s+on|the\s+(?:latest|news|story|"
    r"situation|update))\b"
    r"|what\s+(?:do|does|did)\s+(?:the\s+)?(?:articles?|stories|story|reports?|news)\s+say\b"
    r"|(?:tell\s+me|give\s+me\s+(?:a\s+)?(?:summary|rundown|overview))\s+(?:about|of|on)\b"
    r"|(?:summari[sz]e|describe|explain|recap)\b"
    r"|(?:any|is\s+there\s+any)\s+(?:news|update|updates)\b"
    r")", re.I)


_TO = re.compile(r"^\W*what(?:'s|’s|\s+has|\s+had)?\s+happen(?:ed|s|ing)?\s+(?:to|with)\b", re.I)
LEAD_FIT = {0: 1.0, 1: 0.5}  # sentence index -> type fit (hand: the inverted pyramid; a scoring signal only)


class Open(Kind):
    name = "open"
    ranked = False  # the story's lead answers "what happened?"; the ranker learnt questions a phrase answers

    def matches(self, question: str) -> bool:
        return bool(_OPEN.search(question))

    def enrich(self, query: Query, previous: Turn | None) -> Query:
        """The topic is searched for without the frame ("tell me about", "what happened"), whose words every
        sentence lacks and would only dilute its word and meaning matches; a bare "what happened?" keeps them."""
        m = _OPEN.search(query.search_text)
        topic = query.search_text[m.end() :].strip() if m else ""
        return replace(query, search_text=topic) if terms(topic) else query

    def reads_within(self, query: Query) -> bool:
        """"What happened to the orbiter?" may be answered by an action the reader finds ("crashed into the moon")."""
        return bool(_TO.search(query.text))

    def fits(self, c: Candidate, query: Query) -> float:
        """A news story's lead says what happened: its first sentence fits best, its second a little ("what happened
        to X?" asks about X, wherever the story tells it)."""
        return 0.0 if _TO.search(query.text) else LEAD_FIT.get(c.key[1], 0.0)

    def build(self, query: Query, cands: list[Candidate], sides: tuple[str, ...] = ()) -> Built | None:
        return best_sentences(query, cands, sides, short=False)

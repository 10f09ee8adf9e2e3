"""Speakers: "who said / warned / posted …" answered with the speaker (and role) of the best attributed sentence."""

from __future__ import annotations

import re

from assistant import tuning as t
from assistant.candidates import Candidate
from assistant.citing import Citations, dated, quote
from assistant.kinds.base import Built, Kind
from assistant.query import Query
from assistant.spans import attribution
from assistant.speakers import named, speaker_of

_ASKS = re.compile(
    r"\bwho (?:said|says|stated|told|warned|noted|claimed|called|described|posted|tweeted|wrote|announced|"
    r"condemned|vowed|declared|argued|insisted|asked|added|reported|reports|confirmed|announced)\b", re.I)


class WhoSaid(Kind):
    name = "who_said"

    def matches(self, question: str) -> bool:
        return bool(_ASKS.search(question))

    def fits(self, c: Candidate, query: Query) -> float:
        return 1.0 if attribution(c.text) else 0.0

    def build(self, query: Query, cands: list[Candidate], sides: tuple[str, ...] = ()) -> Built | None:
        for c in cands[: t.SPEAKER_CANDIDATES]:
            speaker, role, where = speaker_of(c)
            if speaker:
                cites = Citations()
                mark = cites.cite(c)
                extra = f" {cites.cite(c, where)}" if where != c.index else ""
                who = named(speaker, role)
                return Built(f"{who} {mark}{extra}\n\n{quote(c)} {mark}{dated(c)}", speaker, cites)
        return None

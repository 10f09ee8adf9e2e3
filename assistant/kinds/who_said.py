"""Speakers: "who said / warned / posted …" answered with the speaker (and role) of the best attributed sentence;
"Who said that?" from the cited sentence's own attribution, or saying that it is not attributed."""

from __future__ import annotations

import re

from assistant import tuning as t
from assistant.candidates import Candidate
from assistant.citing import Citations, dated
from assistant.kinds.base import Built, Kind
from assistant.query import Query
from assistant.quotes import statements as st
from assistant.quotes.speakers import named

_ASKS = re.compile(
    r"\bwho (?:said|says|stated|told|warned|noted|claimed|called|described|posted|tweeted|wrote|announced|"
    r"condemned|vowed|declared|argued|insisted|asked|added|reported|reports|confirmed|announced)\b", re.I)


class WhoSaid(Kind):
    name = "who_said"
    about_previous = True  # "Who said that?": every sentence the previous answer cited
    previous_cites = None

    def matches(self, question: str) -> bool:
        return bool(_ASKS.search(question))

    def fits(self, c: Candidate, query: Query) -> float:
        return 1.0 if st.statements(c) else 0.0

    def build(self, query: Query, cands: list[Candidate], sides: tuple[str, ...] = ()) -> Built | None:
        if query.about_previous:  # "Who said that?": the sentence the previous answer rested on, and only it
            return _previous(cands[0]) if cands else None
        for c in cands[: t.SPEAKER_CANDIDATES]:
            found = st.speaker(c)
            if found:  # the best sentence that is someone's statement: its speaker, or that it names nobody
                return _said(c, *found) if found[0] else _previous(c)
        return None


def _said(c: Candidate, speaker: str, role: str | None, where: int) -> Built:
    cites = Citations()
    mark = cites.state(c, st.of(c, speaker))
    extra = f" {cites.cite(c, where)}" if where != c.index else ""
    return Built(f"{named(speaker, role)} {mark}{extra}\n\n{st.shown(c, st.of(c, speaker))} {mark}{dated(c)}",
                 as_written(c, speaker), cites)


_ACRONYM = re.compile(r"^[A-Z]{2,6}$")


def as_written(c: Candidate, speaker: str) -> str:
    """The short answer as the article writes the speaker where it attributes the statement when that is the name's
    abbreviation ("SOHR" for the Syrian Observatory for Human Rights: the sentence's own word, which the answer's
    text spells out); else the name itself (a description is the article's name for the speaker: "provincial
    emergency office", not "The office")."""
    for q in st.of(c, speaker):
        written = c.article.text[q.speaker_start : q.speaker_end] if q.speaker_start >= 0 else ""
        if written != speaker and _ACRONYM.match(written) and _initials(speaker).startswith(written[:2]):
            return written
    return speaker


def _initials(name: str) -> str:
    return "".join(w[0] for w in name.split() if w[:1].isupper())


def _previous(c: Candidate) -> Built:
    found = st.speaker(c)
    if found and found[0]:
        return _said(c, *found)
    cites = Citations()
    if found:  # a statement whose speaker the article never names
        mark = cites.state(c, st.statements(c))
        return Built(f"The article does not name who said it ({st.UNATTRIBUTED.lower()}): "
                     f"{st.shown(c, st.statements(c))} {mark}{dated(c)}", None, cites)
    mark = cites.cite(c)
    return Built(f"That sentence is not attributed to anyone: it is the article's own reporting. {c.text} {mark}"
                 f"{dated(c)}", None, cites)

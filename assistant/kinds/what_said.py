"""Statements: "what did X say / tell …" answered with X's statements as the analysis attributes them, each shown
as what it is (a direct quote in quotation marks, reported speech as the reporter wrote it), never narration."""

from __future__ import annotations

import re
from dataclasses import replace

from assistant import tuning as t
from assistant.candidates import Candidate
from assistant.citing import Citations, dated
from assistant.kinds.base import Built, Kind
from assistant.query import Query, Turn
from assistant.quotes import statements as st
from assistant.quotes.speakers import named

_ASKS = re.compile(
    r"\bwhat (?:else )?(?:did|does|has|have|had) (?P<who>.+?) (?:say|said|tell|told|note|warn|claim|announce|post|"
    r"tweet|write|add|argue|declare|vow|call for|describe)\b", re.I)
_TOPIC = re.compile(r"(?:about|on|regarding|concerning|of|in|at|after|before|during|when)\b", re.I)
# words the reporter quotes inside reported speech ('He also said that Daesh’s attack “underscores …”'): the speaker's own
_QUOTED = re.compile(r"[“\"]([^”\"]{12,})[”\"]")
PRONOUN = re.compile(r"\b(he|she|they|him|her|them|his|their)\b", re.I)


class WhatSaid(Kind):
    name = "what_said"
    own_pronouns = True
    archive = True  # "What has Ned Price said (about ISIS)?": the archive's statements of that person

    def matches(self, question: str) -> bool:
        return bool(_ASKS.search(question))

    def enrich(self, query: Query, previous: Turn | None) -> Query:
        """Whose statements: the person named, or for "what else did he say?" the previous answer's speaker."""
        who = _ASKS.search(query.text).group("who").strip()
        person, search = who, query.search_text
        if PRONOUN.fullmatch(who) and previous is not None:
            person = previous.speaker or who
            search = query.search_text.replace(who, person, 1) if person != who else query.search_text
        return replace(query, person=person, search_text=search)

    def reads_within(self, query: Query) -> bool:
        """'What did X say the prison break is turning into?', 'what did the SDF vow to do?': a phrase of the
        statement is asked for; 'what did X say (about ISIS)?' asks for the statements themselves."""
        m = _ASKS.search(query.text)
        rest = query.text[m.end() :].strip(" ?.!") if m else ""
        return len(rest.split()) >= 2 and not _TOPIC.match(rest)

    def fits(self, c: Candidate, query: Query) -> float:
        return 1.0 if st.of(c, query.person) else 0.0

    def build(self, query: Query, cands: list[Candidate], sides: tuple[str, ...] = ()) -> Built | None:
        if query.from_archive:
            return archive(query, cands)
        if query.person is None or PRONOUN.fullmatch(query.person):
            return None  # whose statements is not known: never the nearest name's
        top = cands[0].score if cands else 0.0
        picked = []
        for c in cands[: t.QUOTE_CANDIDATES]:
            if c.score < t.QUOTE_SHARE_OF_TOP * top:
                break
            if st.of(c, query.person):
                picked.append(c)
            if len(picked) == t.QUOTES_SHOWN:
                break
        return listing(picked, query.person) if picked else None


def listing(cands: list[Candidate], person: str, tail: str = "") -> Built:
    """'NAME said:' then one line per sentence: its statements by NAME as they are (direct or reported), each
    cited, with its outlet and day."""
    cites = Citations()
    lines = []
    for c in cands:
        quotes = st.of(c, person)
        lines.append(f"- {st.shown(c, quotes)} {cites.state(c, quotes)}{dated(c)}")
    first = st.of(cands[0], person)[0]
    who = named(first.speaker or person, first.role)
    short = next((c.article.text[q.start:q.end] for c in cands for q in st.of(c, person) if st.kind(q) == "direct"),
                 None) or next((m.group(1).rstrip(" ,.") for c in cands for q in st.of(c, person)
                                if (m := _QUOTED.search(c.article.text, q.start, q.end))), None)
    return Built(f"{who} said:\n" + "\n".join(lines) + tail, short, cites)


def archive(query: Query, cands: list[Candidate]) -> Built | None:
    """Every statement of the person the archive found (those about the asked topic first), newest first, each
    with its outlet and day; the first direct quote's words as the short answer."""
    cands = [c for c in cands if st.of(c, query.person)]
    if not cands:
        return None
    shown = cands[: t.ARCHIVE_SHOWN]
    more = len(cands) - len(shown)
    tail = f"\n({more} more statements of {query.person} are in the articles; ask about a topic to narrow them.)" \
        if more else ""
    return listing(shown, query.person, tail)

"""Statements: "what did X say / tell …" answered with X's attributed sentences (and the ones right after)."""

from __future__ import annotations

import re
from dataclasses import replace

from assistant import tuning as t
from assistant.candidates import Candidate
from assistant.citing import Citations, dated, quote
from assistant.kinds.base import Built, Kind
from assistant.query import Query, Turn
from assistant.spans import attribution
from assistant.speakers import named, speaker_of
from common.text import STOPWORDS, words

_ASKS = re.compile(
    r"\bwhat (?:else )?(?:did|does|has|have|had) (?P<who>.+?) (?:say|said|tell|told|note|warn|claim|announce|post|"
    r"tweet|write|add|argue|declare|vow|call for|describe)\b", re.I)
PRONOUN = re.compile(r"\b(he|she|they|him|her|them|his|their)\b", re.I)


class WhatSaid(Kind):
    name = "what_said"
    own_pronouns = True

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

    def fits(self, c: Candidate, query: Query) -> float:
        return 1.0 if attribution(c.text) else 0.0

    def build(self, query: Query, cands: list[Candidate], sides: tuple[str, ...] = ()) -> Built | None:
        if query.archive:
            return archive(query, cands)
        person_words = {w for w in words(query.person or "") if w not in STOPWORDS}
        top = cands[0].score
        picked = []
        for c in cands[: t.QUOTE_CANDIDATES]:
            if c.score < t.QUOTE_SHARE_OF_TOP * top:
                break
            speaker, role, where = speaker_of(c)
            if speaker is None or (person_words and not (set(words(speaker)) & person_words)):
                continue
            picked.append((c, speaker, role, where))
            if len(picked) == t.QUOTES_SHOWN:
                break
        if not picked:
            return None
        cites = Citations()
        lines = []
        shown: set[tuple[str, int]] = set()
        for c, _speaker, _role, where in picked:
            if c.key in shown:
                continue
            mark = cites.cite(c)
            if where != c.index:
                mark += cites.cite(c, where)
            lines.append(f"- {quote(c)} {mark}")
            shown.update({c.key, (c.article.id, where)})
            # "He also said …" right after: the same speaker goes on
            for j in range(c.index + 1, c.index + 1 + t.SPEAKER_LOOKBACK):
                nxt = c.sentence(j)
                att = attribution(nxt or "")
                if not att or not att.pronoun or (c.article.id, j) in shown or (c.article.id, j) in query.exclude:
                    break
                lines.append(f"- {quote(c, j)} {cites.cite(c, j)}")
                shown.add((c.article.id, j))
        speaker, role = picked[0][1], picked[0][2]
        who = named(speaker, role)
        quotes = [attribution(c.text) for c in cites.items]
        short = next((q.quote for q in quotes if q and q.quote), None)
        return Built(f"{who} said:\n" + "\n".join(lines), short, cites)


def archive(query: Query, cands: list[Candidate]) -> Built:
    """Every quote of the person the archive found (those about the asked topic first), newest first, each with
    its outlet and day; the first one's words as the short answer."""
    cites = Citations()
    shown = cands[: t.ARCHIVE_SHOWN]
    lines = [f"- {quote(c)} {cites.cite(c)}{dated(c)}" for c in shown]
    more = len(cands) - len(shown)
    speaker, role, _ = speaker_of(shown[0])
    who = named(speaker, role)
    tail = f"\n({more} more statements of {speaker} are in the articles; ask about a topic to narrow them.)" if more else ""
    quotes = [q for c in shown for q in (c.stored.analysis.by_sentence.get(c.index, []) if c.stored.analysis else [])]
    short = next((c.article.text[q.start : q.end] for q in quotes for c in shown[:1] if q.sentence == c.index), None)
    return Built(f"{who} said:\n" + "\n".join(lines) + tail, short, cites)

"""Dates: "when … / on what day …" answered with the date expression and the calendar date it names."""

from __future__ import annotations

import re
from dataclasses import replace

from assistant import tuning as t
from assistant.candidates import Candidate
from assistant.citing import Citations, on_day, quote
from assistant.kinds.base import Built, Kind
from assistant.query import Query, Turn
from assistant.spans import MONTH_NAME, dates
from common.dates import YEAR_RE, format_date, resolve_date
from common.text import terms

_TIME_WORDS = re.compile(r"(?:during|after|before|since|until|in|on|at|by|early|late|last|next)\b", re.I)
# a decade, a century or a world war names a time as a date does ("the 1970s", "the 19th century")
_ERA = re.compile(r"\b(?:(?:1[0-9]|20)\d0s|\d{1,2}(?:st|nd|rd|th)[- ]century|world war (?:i|ii|one|two)|(?:first|second) "
                  r"world war)\b", re.I)
# a phrase after one of these is a time ("after liberation", "during the war"); the word stays in the answer
_TIME_BEFORE = re.compile(r"\b(?:during|after|before|since|until|throughout)\s+$", re.I)
_MONTH_ASKED = re.compile(r"\b(?:what|which) month\b", re.I)
_YEAR_ASKED = re.compile(r"\b(?:what|which) year\b", re.I)
_IN_YEAR = re.compile(r"(?:in|during|by)\s+(\d{4})", re.I)
_ASKS = re.compile(r"^\W*(?:and\s+|so\s+)?(when\b|(on |in )?(what|which) (day|date|time|year|month|week)\b)", re.I)
# "when was the prison built?": the event the date is asked for
_WHEN_PASSIVE = re.compile(r"^\W*when\s+(?:was|were|is|are|will|has|have|had)\b.*?\s(?P<verb>[a-z]+(?:ed|en|wn|lt|nt))\W*$",
                           re.I)
_IRREGULAR = {"built": "build", "begun": "begin", "born": "bear", "chosen": "choos", "written": "write",
              "given": "give", "taken": "take", "held": "hold", "sent": "send", "spent": "spend", "won": "win",
              "sworn": "swear", "shown": "show", "drawn": "draw", "known": "know", "thrown": "throw"}
_SAID = re.compile(r"\b(say|said|announce|report|tell|told|confirm)", re.I)
_SPECIFIC = re.compile(r"\d|\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|"
                       r"tonight|tomorrow)\b", re.I)
_FUTURE = re.compile(r"\b(?:will|going to|to be|due|scheduled|planned|next|upcoming|expected)\b", re.I)
_AHEAD_WORDS = re.compile(r"\b(?:next|later|coming|tomorrow)\b", re.I)  # "toward the end of next year"
_BEHIND_WORDS = re.compile(r"\b(?:last|ago|earlier|yesterday)\b", re.I)
_REPORTING = re.compile(r"\b(?:said|says|told|announced|reported|confirmed|added|stated|warned)\s*$", re.I)


def when_event(question: str) -> tuple[str, ...]:
    """('when was the Ghwayran prison built?') → ('build', 'built'): the stems of the event asked about,
    for passive questions whose verb ends them; () when the question does not say it that way."""
    m = _WHEN_PASSIVE.match(question.strip())
    if not m:
        return ()
    verb = m.group("verb").lower()
    return tuple(dict.fromkeys(terms(verb) + terms(_IRREGULAR.get(verb, verb))))


class Date(Kind):
    name = "date"
    second_opinion = True
    reader_orders = True  # news "when …?": the sentence holding the reader's date, not the first dated one (dev)
    about_previous = True  # "When?", "When was that said?": the first sentence the previous answer cited

    def matches(self, question: str) -> bool:
        return bool(_ASKS.search(question))

    def enrich(self, query: Query, previous: Turn | None) -> Query:
        return replace(query, predicate=when_event(query.text))

    def fits(self, c: Candidate, query: Query) -> float:
        return 1.0 if dates(c.text) else 0.0

    def strict(self, query: Query, cands: list[Candidate]) -> bool:
        """A passive event date ("when was the prison built?") that no top sentence speaks of: not said."""
        if not query.predicate:
            return False
        top = cands[0].score
        return not any(_mentions(c, set(query.predicate)) for c in cands[: t.DATE_CANDIDATES]
                       if c.score >= t.DATE_SHARE_OF_TOP * top)

    def vouch(self, query: Query, cands: list[Candidate], c: Candidate, start: int, end: int) -> tuple[int, int] | None:
        """A confident reader's span when it is a time ('During the Second World War', 'after liberation', '1775',
        'the 1970s'; a phrase after "during", "after" … widened to hold that word)
        and the top sentences speak of the event asked about; never for an event they do not mention."""
        span = c.text[start:end]
        lead = _TIME_BEFORE.search(c.text[:start])
        if lead:  # "liberation" read in "After liberation, Warsaw …": the time is "After liberation"
            start = lead.start()
        timely = bool(lead or dates(span) or re.search(rf"\b{YEAR_RE}\b", span) or _TIME_WORDS.match(span)
                      or _ERA.search(span))
        return (start, end) if timely and not self.strict(query, cands) else None

    def build(self, query: Query, cands: list[Candidate], sides: tuple[str, ...] = ()) -> Built | None:
        qterms = set(terms(query.search_text))
        event = set(query.predicate)
        asks_said = bool(_SAID.search(query.text))
        ahead = bool(_FUTURE.search(query.text))
        month = bool(_MONTH_ASKED.search(query.text))
        best = None
        top = cands[0].score
        for rank, c in enumerate(cands[: t.DATE_CANDIDATES]):
            if c.score < t.DATE_SHARE_OF_TOP * top:
                break
            if event and not _mentions(c, event):
                continue  # "when was the prison built?": a date of something else in the sentence is no answer
            for d in dates(c.text):
                if month and not re.search(MONTH_NAME, d.text):
                    continue  # "in what month …?": 'Every May', not 'since 1987'
                near = set(terms(c.text[max(0, d.start - t.DATE_NEAR_WINDOW) : d.end + t.DATE_NEAR_WINDOW]))
                possessive = bool(re.match(r"[’']s\b", c.text[d.end : d.end + 3]))  # "last week's flood" names it
                fit = (c.score + t.DATE_NEAR_FIT * len(near & qterms) / (len(qterms) or 1)
                       - t.DATE_RANK_PENALTY * rank + t.DATE_SPECIFIC_FIT * bool(_SPECIFIC.search(d.text))
                       - t.DATE_REPORTING_PENALTY * (not asks_said and _reporting(c.text, d.start))
                       - t.DATE_POSSESSIVE_PENALTY * possessive + t.DATE_TENSE_FIT * _tense(d.text, c, ahead))
                if best is None or fit > best[0]:
                    best = (fit, c, d)
        if best is None:
            return _undated(cands[0]) if query.about_previous else None
        _, c, d = best
        cites = Citations()
        mark = cites.cite(c)
        text = f"{d.text}{on_day(d.text, c)} {mark}\n\n{quote(c)} {mark}"
        return Built(text, year_asked(query.text, d.text), cites)


def year_asked(question: str, expression: str) -> str:
    """'In what year …?' is answered by the year: 'in 1945' → '1945', and 'in what month …?' by the month: 'Every
    May' → 'May'; any other by the expression without its "in" or "on" (the sentence's words, all of them)."""
    m = _IN_YEAR.fullmatch(expression)
    if m and _YEAR_ASKED.search(question):
        return m.group(1)
    m = re.search(MONTH_NAME, expression)
    return m.group(0) if m and _MONTH_ASKED.search(question) else _BARE.sub("", expression)


_BARE = re.compile(r"^(?:in|on)\s+(?=\S)", re.I)  # 'on Thursday' → 'Thursday': the question's "when" says it


def _tense(expression: str, c: Candidate, ahead: bool) -> bool:
    """The date lies on the side of the article's day that the question looks to ("when will …": after it)."""
    pub = c.article.published_at
    day = resolve_date(expression, pub, c.text)
    if day is None or pub is None:  # no calendar day: its words may still say which side it lies on
        return bool(_AHEAD_WORDS.search(expression)) if ahead else bool(_BEHIND_WORDS.search(expression))
    return day >= pub.date() if ahead else day <= pub.date()


def _mentions(c: Candidate, event: set[str]) -> bool:
    return bool(event & (c.terms | set(terms(c.sentence(c.index - 1) or ""))))


def _reporting(sentence: str, start: int) -> bool:
    """The date says when something was said ('…, officials said on Sunday'), not when it happened."""
    return bool(_REPORTING.search(sentence[max(0, start - t.DATE_REPORTING_WINDOW) : start]))


def _undated(c: Candidate) -> Built:
    """'When?' about a sentence that names no date: say so, with the day its article was published."""
    cites = Citations()
    mark = cites.cite(c)
    day = format_date(c.article.published_at.date()) if c.article.published_at else None
    text = (f"That sentence does not say when; its article was published on {day} {mark}" if day
            else f"That sentence does not say when, and its article has no date {mark}")
    return Built(f"{text}\n\n{quote(c)} {mark}", None, cites)

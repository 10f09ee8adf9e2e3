"""Numbering cited sentences, and the phrases answers are written with: a quoted sentence, who said it and when."""

from __future__ import annotations

from assistant.candidates import Candidate
from assistant.spans import attribution, dates
from common.dates import format_date, resolve_date
from common.records import Citation, Statement


class Citations:
    """Numbers cited sentences in order of first use: cite(c) → its [n] marker."""

    def __init__(self) -> None:
        self.items: list[Citation] = []
        self._index: dict[tuple[str, int], int] = {}
        self.support = 0.0  # the best support among the candidate sentences cited: what the answer rests on
        self.statements: list[Statement] = []  # a quote answer's statements (assistant/quotes/statements.py)

    def cite(self, cand: Candidate, index: int | None = None) -> str:
        """The marker of the candidate's sentence (or of sentence `index` of its article), numbering it if new."""
        index = cand.index if index is None else index
        self.support = max(self.support, cand.support)
        key = (cand.article.id, index)
        if key not in self._index:
            self._index[key] = len(self.items) + 1
            self.items.append(cand.citation(index))
        return f"[{self._index[key]}]"


    def state(self, cand: Candidate, quotes: list, index: int | None = None) -> str:
        """The marker of the sentence holding `quotes` (common.analysis.Quote), each recorded as a statement."""
        from assistant.quotes.statements import record

        mark = self.cite(cand, index)
        self.statements.extend(record(cand, quotes, int(mark[1:-1])))
        return mark


_QUOTE_MARKS = ("“", "”", '"', "‘", "’")


def quote(c: Candidate, index: int | None = None) -> str:
    """The sentence (or sentence `index` of its article) in quotation marks, unless it opens or closes with one
    itself (“““We will …,” she said.”” reads as a stutter)."""
    text = c.text if index is None else c.sentence(index) or ""
    return text if text.startswith(_QUOTE_MARKS) or text.endswith(_QUOTE_MARKS) else f"“{text}”"


def on_day(expression: str, c: Candidate) -> str:
    """' (Thursday 5 March 2026; the article is from Saturday 7 March 2026)' for a relative date expression,
    ' (the day the article was published)' when it names that day; '' when it already says its date."""
    when = absolute(expression, c)
    pub = c.article.published_at
    if not when or pub is None:
        return when
    day = when.strip(" ()")
    if day == format_date(pub.date()):
        return f" ({day}, the day the article was published)"
    return f" ({day}; the article is from {format_date(pub.date())})"


def dated(c: Candidate) -> str:
    """' (Ostrakand Wire, 7 March 2026)': the outlet and day of the sentence's article."""
    a = c.article
    bits = [b for b in (a.source, a.published_at.strftime("%-d %B %Y") if a.published_at else None) if b]
    return f" ({', '.join(bits)})" if bits else ""


def outlet(c: Candidate) -> str:
    """' (Ostrakand Wire)': the outlet of the sentence's article, or ''."""
    return f" ({c.article.source})" if c.article.source else ""


def absolute(expression: str, c: Candidate) -> str:
    """' (Sunday 23 January 2022)' for a relative date expression in the sentence, '' when it says it already."""
    d = resolve_date(expression, c.article.published_at, c.text)
    if d is None:
        return ""
    formatted = format_date(d)
    return "" if formatted.lower() in expression.lower() else f" ({formatted})"


def reported(c: Candidate, when: bool = True) -> str:
    """', according to the SOHR, on Sunday (Sunday 23 January 2022)' when the sentence says who and when (`when`
    False: who only, for a line that already leads with its date)."""
    att = attribution(c.text)
    out = ""
    if att and att.speaker:
        out += f", according to {att.speaker}"
    said = dates(c.text) if when else []
    if said:
        out += f", {said[0].text}{absolute(said[0].text, c)}"
    return out

"""Extractive answers by question type, built only from exact sentences, each claim marked [n]."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from assistant.extract import Span, attribution, dates, figures, means, reason
from assistant.questions import Query, required_words
from common.dates import format_date, resolve_date
from common.records import Answer, Citation
from common.text import STOPWORDS, occurs_in, terms, words

if TYPE_CHECKING:
    from assistant.core import Candidate

RANKED = 10
LOOKBACK = 3  # sentences searched backwards for the speaker of "He also said …"
NOT_FOUND = "The articles don't say."


class Citations:
    """Numbers cited sentences in order of first use: cite(c) → its [n] marker."""

    def __init__(self) -> None:
        self.items: list[Citation] = []
        self._index: dict[tuple[str, int], int] = {}

    def cite(self, cand: Candidate, index: int | None = None) -> str:
        index = cand.index if index is None else index
        key = (cand.article.id, index)
        if key not in self._index:
            self._index[key] = len(self.items) + 1
            if index == cand.index:
                self.items.append(cand.citation())
            else:
                a, (s, e) = cand.article, cand.stored.sentence_spans[index]
                self.items.append(Citation(a.id, a.title, a.source, a.published_at_iso, index, s, e, a.text[s:e],
                                           round(float(cand.score), 4)))
        return f"[{self._index[key]}]"


def compose(query: Query, cands: list[Candidate], abstain_below: float, sides: tuple[str, ...] = ()) -> Answer:
    """The answer to `query` from scored candidate sentences; `sides` are the outlets a comparison names."""
    ranked = tuple(_diverse(cands, RANKED))
    ranked_cites = tuple(c.citation() for c in ranked)
    support = max((c.support for c in cands), default=0.0)
    if support < abstain_below:
        return _abstain(ranked_cites, support)
    if query.required:  # "who is the manager of X": only sentences naming both the role and X can answer
        cands = [c for c in cands if all(group & c.terms for group in query.required)]
        support = max((c.support for c in cands), default=0.0)
        if support < abstain_below:
            return _abstain(ranked_cites, support)
    builder = {"figure": _figure, "date": _date, "who_said": _who_said, "what_said": _what_said,
               "why": _why, "how": _how}.get(query.kind)
    result = builder(query, cands) if builder else None
    if result is None and ((query.kind == "figure" and query.focus)
                           or (query.kind == "date" and query.predicate and not _mention_event(query, cands))):
        return _abstain(ranked_cites, support)  # figures or dates are there, but none about what was asked
    if result is None:
        result = _best_sentences(query, cands, sides)
    text, short, cites = result
    if short is not None and not any(occurs_in(short, c.text) for c in cites.items):
        short = None  # never show a short answer that its cited sentences do not contain
    # the sentences the answer rests on come first in the ranking, then the rest by score
    cited = {(c.article_id, c.sentence_index) for c in cites.items}
    ranked_cites = tuple(cites.items) + tuple(c for c in ranked_cites if (c.article_id, c.sentence_index) not in cited)
    return Answer(text, short, False, tuple(cites.items), (), ranked_cites[:RANKED], support)


def _abstain(related: tuple[Citation, ...], support: float) -> Answer:
    return Answer(NOT_FOUND, None, True, (), related[:3], related, support)


def _diverse(cands: list[Candidate], k: int) -> list[Candidate]:
    """Top sentences, letting a second article in before a fifth sentence of the first."""
    picked, per_article = [], {}
    pool = list(cands[: k * 4])
    while pool and len(picked) < k:
        best = max(pool, key=lambda c: c.score - 0.04 * per_article.get(c.article.id, 0))
        pool.remove(best)
        picked.append(best)
        per_article[best.article.id] = per_article.get(best.article.id, 0) + 1
    return picked


def _quote(c: Candidate) -> str:
    return f"“{c.text}”"


def _dated(c: Candidate) -> str:
    a = c.article
    bits = [b for b in (a.source, a.published_at.strftime("%-d %B %Y") if a.published_at else None) if b]
    return f" ({', '.join(bits)})" if bits else ""


# -- figures ----------------------------------------------------------------------------------------------
DEATH = {"die", "dead", "kill", "death", "toll", "fatal", "live", "bodi", "perish"}


def _figure(query: Query, cands: list[Candidate]):
    focus = set(query.focus)
    # the modifiers of "how many Kurdish fighters" pick the subset; the head noun often comes as a synonym
    # ("39 members of Kurdish forces"), so a figure with the modifier beats one with only the head ("77 ISIS fighters")
    weight = {t: 1.0 if t == query.focus[-1] else 1.5 for t in focus}
    total = sum(weight.values()) or 1.0
    qterms = set(terms(query.search_text))
    predicate = set(query.predicate)
    if predicate & DEATH:
        predicate |= DEATH
    best_per_article: dict[str, tuple[float, Candidate, Span]] = {}
    top = cands[0].score
    for c in cands[:15]:
        if c.score < 0.6 * top:
            break
        for f in figures(c.text):
            noun = set(terms(f.text))
            # every word of "how many X" must be in the sentence, and one of them with the number
            if focus and not (focus <= c.terms and (noun & focus or focus & set(terms(c.text[max(0, f.start - 40) : f.end + 40])))):
                continue
            near = set(terms(c.text[max(0, f.start - 60) : f.end + 60]))
            fit = (c.score - 0.3 * _other_year(c, query) + 0.3 * sum(weight[t] for t in noun & focus) / total
                   + 0.1 * len(near & qterms) / (len(qterms) or 1) + 0.2 * bool(near & predicate))
            prev = best_per_article.get(c.article.id)
            if prev is None or fit > prev[0]:
                best_per_article[c.article.id] = (fit, c, f)
    if not best_per_article:
        return None
    picks = sorted(best_per_article.values(), key=lambda t: -t[0])
    best_fit, best_c, best_f = picks[0]
    cites = Citations()
    # other articles' figures for the same thing (same topic words around them), e.g. an updated toll
    topic = qterms - focus - predicate
    need = 0.8 * _topic_cover(best_c, topic)
    others = [p for p in picks[1:4] if p[0] >= best_fit - 0.25 and _value(p[2]) != _value(best_f)
              and _topic_cover(p[1], topic) >= need]
    if others and all(p[1].article.published_at for p in [picks[0], *others]):
        # articles disagree (a toll updated over time): give each, newest first
        rows = sorted([picks[0], *others], key=lambda p: p[1].article.published_at, reverse=True)
        lines = []
        for n, (_, c, f) in enumerate(rows):
            mark = cites.cite(c)
            label = "latest" if n == 0 else "earlier"
            lines.append(f"- {f.text}{_reported(c)}{_dated(c)} {mark} ({label})")
        latest = rows[0]
        text = f"The articles give different figures; the latest is {latest[2].text}{_dated(latest[1])}:\n" + "\n".join(lines)
        return text, latest[2].text, cites
    mark = cites.cite(best_c)
    text = f"{best_f.text}{_reported(best_c)} {mark}\n\n{_quote(best_c)} {mark}"
    return text, best_f.text, cites


def _topic_cover(c: Candidate, topic: set[str]) -> float:
    """Share of the question's topic words found in the sentence, its neighbours or the article's title."""
    if not topic:
        return 1.0
    seen = set(c.terms) | set(terms(c.article.title or ""))
    for j in (c.index - 1, c.index + 1):
        seen |= set(terms(c.sentence(j) or ""))
    return len(topic & seen) / len(topic)


def _other_year(c: Candidate, query: Query) -> bool:
    """The sentence dates its figure to another year than the article's, and the question names no year:
    likely a past figure ('in 1987, when five people died'), not the one asked about."""
    pub = c.article.published_at
    if pub is None:
        return False
    asked = set(re.findall(r"\b(?:1[89]|20)\d\d\b", query.text))
    years = set(re.findall(r"\b(?:1[89]|20)\d\d\b", c.text))
    return bool(years) and not asked and str(pub.year) not in years


def _value(span: Span) -> str:
    return "".join(ch for ch in str(span.value) if ch.isalnum()).lower()


def _reported(c: Candidate) -> str:
    """', according to the SOHR, on Sunday (Sunday 23 January 2022)' when the sentence says who and when."""
    att = attribution(c.text)
    out = ""
    if att and att.speaker:
        out += f", according to {att.speaker}"
    when = dates(c.text)
    if when:
        out += f", {when[0].text}{_absolute(when[0].text, c)}"
    return out


def _absolute(expression: str, c: Candidate) -> str:
    d = resolve_date(expression, c.article.published_at, c.text)
    if d is None:
        return ""
    formatted = format_date(d)
    return "" if formatted.lower() in expression.lower() else f" ({formatted})"


# -- dates ------------------------------------------------------------------------------------------------
def _date(query: Query, cands: list[Candidate]):
    qterms = set(terms(query.search_text))
    event = set(query.predicate)
    asks_said = bool(re.search(r"\b(say|said|announce|report|tell|told|confirm)", query.text, re.I))
    best = None
    top = cands[0].score
    for rank, c in enumerate(cands[:8]):
        if c.score < 0.75 * top:
            break
        if event and not _mentions(c, event):
            continue  # "when was the prison built?": a date of something else in the sentence is no answer
        for d in dates(c.text):
            near = set(terms(c.text[max(0, d.start - 50) : d.end + 50]))
            possessive = bool(re.match(r"[’']s\b", c.text[d.end : d.end + 3]))  # "last week's flood" names it
            fit = (c.score + 0.25 * len(near & qterms) / (len(qterms) or 1) - 0.01 * rank
                   + 0.08 * _specific(d.text) - 0.12 * (not asks_said and _reporting(c.text, d.start))
                   - 0.1 * possessive)
            if best is None or fit > best[0]:
                best = (fit, c, d)
    if best is None:
        return None
    _, c, d = best
    cites = Citations()
    mark = cites.cite(c)
    absolute = _absolute(d.text, c)
    published = ""
    if absolute and c.article.published_at:
        published = f", counting from the article's date, {format_date(c.article.published_at.date())}"
    text = f"{d.text}{absolute[:-1] + published + ')' if absolute else ''} {mark}\n\n{_quote(c)} {mark}"
    return text, d.text, cites


def _mentions(c: Candidate, event: set[str]) -> bool:
    return bool(event & (c.terms | set(terms(c.sentence(c.index - 1) or ""))))


def _mention_event(query: Query, cands: list[Candidate]) -> bool:
    """Some top sentence speaks of the event asked about, even if no date expression was found in it."""
    top = cands[0].score
    return any(_mentions(c, set(query.predicate)) for c in cands[:8] if c.score >= 0.75 * top)


_SPECIFIC = re.compile(r"\d|\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|"
                       r"tonight|tomorrow)\b", re.I)


def _specific(expression: str) -> bool:
    """A day, a date or a clock time, rather than 'this year' or 'last week'."""
    return bool(_SPECIFIC.search(expression))


def _reporting(sentence: str, start: int) -> bool:
    """The date says when something was said ('…, officials said on Sunday'), not when it happened."""
    return bool(re.search(r"\b(?:said|says|told|announced|reported|confirmed|added|stated|warned)\s*$",
                          sentence[max(0, start - 30) : start], re.I))


# -- who said what ----------------------------------------------------------------------------------------
def speaker_of(c: Candidate) -> tuple[str | None, str | None, int]:
    """(speaker, role, index of the sentence that names them) for a candidate sentence, looking back over
    a few sentences when it begins "He also said …"."""
    att = attribution(c.text)
    if att and att.speaker:
        return att.speaker, att.role, c.index
    for j in range(c.index + 1, c.index + 9):  # a post's text is followed by "— Name (@handle) date"
        nxt = attribution(c.sentence(j) or "")
        if nxt and nxt.speaker:
            if nxt.role and nxt.role.startswith("@"):
                return nxt.speaker, nxt.role, j
            break
    if att is None or att.pronoun or att.quote:
        for j in range(c.index - 1, max(-1, c.index - 1 - LOOKBACK), -1):
            prev = attribution(c.sentence(j) or "")
            if prev and prev.speaker:
                return prev.speaker, prev.role, j
    return None, None, c.index


def _who_said(query: Query, cands: list[Candidate]):
    for c in cands[:3]:
        speaker, role, where = speaker_of(c)
        if speaker:
            cites = Citations()
            mark = cites.cite(c)
            extra = f" {cites.cite(c, where)}" if where != c.index else ""
            who = f"{speaker} ({role})" if role else speaker
            text = f"{who} {mark}{extra}\n\n{_quote(c)} {mark}"
            return text, speaker, cites
    return None


def _what_said(query: Query, cands: list[Candidate]):
    person_words = {w for w in words(query.person or "") if w not in STOPWORDS}
    top = cands[0].score
    picked = []
    for c in cands[:15]:
        if c.score < 0.6 * top:
            break
        speaker, role, where = speaker_of(c)
        if speaker and person_words and not (set(words(speaker)) & person_words):
            continue
        if speaker is None:
            continue
        picked.append((c, speaker, role, where))
        if len(picked) == 3:
            break
    if not picked:
        return None
    cites = Citations()
    lines = []
    shown = set()
    for c, _speaker, _role, where in picked:
        if (c.article.id, c.index) in shown:
            continue
        mark = cites.cite(c)
        if where != c.index:
            mark += cites.cite(c, where)
        lines.append(f"- {_quote(c)} {mark}")
        shown.update({(c.article.id, c.index), (c.article.id, where)})
        # "He also said …" right after: the same speaker goes on
        for j in range(c.index + 1, c.index + 1 + LOOKBACK):
            nxt = c.sentence(j)
            att = attribution(nxt or "")
            if not att or not att.pronoun or (c.article.id, j) in shown or (c.article.id, j) in query.exclude:
                break
            lines.append(f"- “{nxt}” {cites.cite(c, j)}")  # noqa: RUF001
            shown.add((c.article.id, j))
    speaker, role = picked[0][1], picked[0][2]
    who = f"{speaker} ({role})" if role else speaker
    quotes = [attribution(c.text) for c in cites.items]
    short = next((q.quote for q in quotes if q and q.quote), None)
    return f"{who} said:\n" + "\n".join(lines), short, cites


# -- why and how -----------------------------------------------------------------------------------------
def _why(query: Query, cands: list[Candidate]):
    return _clause_answer(cands, reason)


def _how(query: Query, cands: list[Candidate]):
    return _clause_answer(cands, means)


def _clause_answer(cands: list[Candidate], find):
    """The best sentence that gives a reason (or a means), with that clause as the short answer."""
    top = cands[0].score
    for c in cands[:6]:
        if c.score < 0.75 * top:  # a sentence without a reason or means does not answer why or how
            break
        span = find(c.text)
        if span is not None:
            cites = Citations()
            mark = cites.cite(c)
            return f"{span.text} {mark}\n\n{_quote(c)} {mark}{_dated(c)}", span.text, cites
    return None


# -- anything else ----------------------------------------------------------------------------------------
_NAME_SPAN = re.compile(r"(?:[A-Z][\w'’.-]*(?:\s+(?:of|the|de|van|von|and|for|al-)\s+|\s+)?)*[A-Z][\w'’.-]*")
_YEAR = re.compile(r"\b(?:1[0-9]|20)\d\d\b")


def short_span(question: str, sentence: str) -> str | None:
    """A short answer inside the sentence for who / where / what-year questions: the name, place or year
    that the question itself does not already contain."""
    q = question.lower()
    asked = set(words(question))
    if re.match(r"\W*(in )?(what|which) year\b", q) or (q.startswith("when") and not dates(sentence)):
        years = [y for y in _YEAR.findall(sentence) if y not in question]
        return years[0] if years else None
    if re.match(r"\W*(who|whom|whose)\b", q):
        kind = "name"
    elif re.match(r"\W*where\b", q):
        kind = "place"
    else:
        return None
    spans = list(_NAME_SPAN.finditer(sentence))
    role = required_words(question)[:1]
    if kind == "name" and role:  # "who is the manager of …": the name right after "manager", if there is one
        after_role = [m for m in spans if re.search(r"(\w+)\W{1,3}$", sentence[: m.start()])
                      and set(terms(re.search(r"(\w+)\W{1,3}$", sentence[: m.start()]).group(1))) & role[0]]
        spans = after_role + spans
    for m in spans:
        span = m.group(0).strip(" .,")
        if not span or set(words(span)) <= asked or span in {"The", "A", "An", "He", "She", "It", "They", "In"}:
            continue
        if len(span.split()) == 1 and (span.lower() in STOPWORDS or span == "I"):
            continue
        if kind == "place" and not re.search(r"\b(in|at|from|near|to)\s+(the\s+)?$", sentence[: m.start()]):
            continue
        return span
    return None


def _best_sentences(query: Query, cands: list[Candidate], sides: tuple[str, ...] = ()):
    cites = Citations()
    top = cands[0]
    short = short_span(query.text, top.text)
    lines = [f"{_quote(top)} {cites.cite(top)}{_dated(top)}"]
    if short:
        lines.insert(0, f"{short} {cites.cite(top)}")
    shown = [top]
    for c in cands[1:3]:
        if c.score >= 0.9 * top.score and c.article.id != top.article.id:
            shown.append(c)
            lines.append(f"{_quote(c)} {cites.cite(c)}{_dated(c)}")
    # a question comparing outlets gets the best sentence of each side it names
    for source in sides:
        if any(c.article.source == source for c in shown):
            continue
        side = next((c for c in cands[:40] if c.article.source == source), None)
        if side is not None and side.score >= 0.6 * top.score:
            shown.append(side)
            lines.append(f"{_quote(side)} {cites.cite(side)}{_dated(side)}")
    return "\n\n".join(lines), short, cites

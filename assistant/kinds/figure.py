"""Figures: "how many / how much / what share …" answered with the number and its noun, newest first when articles differ."""

from __future__ import annotations

import re
from dataclasses import replace

from assistant import tuning as t
from assistant.candidates import Candidate
from assistant.citing import Citations, dated, quote, reported
from assistant.kinds.base import Built, Kind
from assistant.query import Query, Turn
from assistant.spans import Span, figures
from common.dates import YEAR_RE
from common.text import terms

_ASKS = re.compile(r"\bhow (many|much)\b|\bwhat (number|percentage|share|proportion|amount)\b|\b(death )?toll\b",
                   re.I)
_STOP_NOUN = {"in", "at", "on", "during", "from", "by", "for", "to", "since", "after", "before", "that", "who",
              "die", "died", "dead", "killed", "fled", "escaped", "left", "remain", "remained", "live", "lived",
              # irregular past tenses end the counted noun too ("how many militants took part")
              "took", "made", "gave", "got", "went", "came", "saw", "said", "held", "lost", "won", "built",
              "fought", "ran", "became", "began", "sent", "brought", "kept", "met", "struck", "hit", "fell"}
_AUX = r"\b(?:did|do|does|were|was|are|is|have|has|had|will|would|can|could|been)\b"
DEATH = {"die", "dead", "kill", "death", "toll", "fatal", "live", "bodi", "perish"}


def figure_focus(question: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """('how many Kurdish fighters died?') → (('kurdish', 'fighter'), ('die',)): the counted noun and the
    predicate words that follow it."""
    cost = re.search(r"\bhow much\s+(?:will|would|did|does|do|could|is|was|has|have)\s+(?:it\s+)?(?P<what>.+?)\s+"
                     r"(?P<verb>cost|spend|pay|raise|earn|charge|save|lose)\b", question, re.I)
    if cost:  # "how much will the inquiry into the levees cost?": a sum about the inquiry
        what = re.split(r"\s+(?:into|of|for|on|in|at|to|by|with|from)\s+", cost.group("what"), maxsplit=1)[0]
        return tuple(terms(what)[:3]), tuple(terms(cost.group("verb")))
    m = re.search(r"\bhow (?:many|much)\s+(.*)", question, re.I)
    if not m:
        return (), ()
    tokens = m.group(1).rstrip("?.! ").split()
    of = re.match(r"of (?:the |these |those )?(.*?)" + _AUX + r"\s+(.*)", " ".join(tokens), re.I)
    if of:  # "how many of the escaped prisoners were foreign nationals": count the nationals
        return tuple(terms(of.group(2))[:3]), tuple(terms(of.group(1))[:2])
    head: list[str] = []
    for tok in tokens:
        bare = tok.lower().strip(",;:?")
        if re.fullmatch(_AUX, bare) or bare in _STOP_NOUN or (head and re.fullmatch(r"[a-z]+ed", bare)):
            break
        head.append(tok)
    rest = " ".join(tokens[len(head):])
    focus = tuple(terms(" ".join(head[:4])))
    return focus, tuple(terms(rest)[:1])


class Figure(Kind):
    name = "figure"

    def matches(self, question: str) -> bool:
        return bool(_ASKS.search(question))

    def enrich(self, query: Query, previous: Turn | None) -> Query:
        focus, predicate = figure_focus(query.text)
        return replace(query, focus=focus, predicate=predicate)

    def fits(self, sentence: str) -> float:
        return 1.0 if figures(sentence) else 0.0

    def strict(self, query: Query, cands: list[Candidate]) -> bool:
        return bool(query.focus)  # figures are there, but none about what was asked

    def build(self, query: Query, cands: list[Candidate], sides: tuple[str, ...] = ()) -> Built | None:
        focus = set(query.focus)
        # the modifiers of "how many Kurdish fighters" pick the subset; the head noun often comes as a synonym
        # ("39 members of Kurdish forces"), so a figure with the modifier beats one with only the head
        weight = {w: t.FIGURE_HEAD_WEIGHT if w == query.focus[-1] else t.FIGURE_MODIFIER_WEIGHT for w in focus}
        total = sum(weight.values()) or 1.0
        qterms = set(terms(query.search_text))
        predicate = set(query.predicate)
        if predicate & DEATH:
            predicate |= DEATH
        best_per_article: dict[str, tuple[float, Candidate, Span]] = {}
        top = cands[0].score
        for c in cands[: t.FIGURE_CANDIDATES]:
            if c.score < t.FIGURE_SHARE_OF_TOP * top:
                break
            for f in figures(c.text):
                noun = set(terms(f.text))
                # every word of "how many X" must be in the sentence, and one of them with the number
                around = c.text[max(0, f.start - t.FIGURE_FOCUS_WINDOW) : f.end + t.FIGURE_FOCUS_WINDOW]
                if focus and not (focus <= c.terms and (noun & focus or focus & set(terms(around)))):
                    continue
                near = set(terms(c.text[max(0, f.start - t.FIGURE_NEAR_WINDOW) : f.end + t.FIGURE_NEAR_WINDOW]))
                fit = (c.score - t.FIGURE_OTHER_YEAR * _other_year(c, query)
                       + t.FIGURE_FOCUS_FIT * sum(weight[w] for w in noun & focus) / total
                       + t.FIGURE_NEAR_FIT * len(near & qterms) / (len(qterms) or 1)
                       + t.FIGURE_PREDICATE_FIT * bool(near & predicate))
                prev = best_per_article.get(c.article.id)
                if prev is None or fit > prev[0]:
                    best_per_article[c.article.id] = (fit, c, f)
        if not best_per_article:
            return None
        picks = sorted(best_per_article.values(), key=lambda p: -p[0])
        best_fit, best_c, best_f = picks[0]
        cites = Citations()
        # other articles' figures for the same thing (same topic words around them), e.g. an updated toll
        topic = qterms - focus - predicate
        need = t.FIGURE_RIVAL_TOPIC * _topic_cover(best_c, topic)
        others = [p for p in picks[1 : 1 + t.FIGURE_RIVALS] if p[0] >= best_fit - t.FIGURE_RIVAL_MARGIN
                  and _value(p[2]) != _value(best_f) and _topic_cover(p[1], topic) >= need]
        if others and all(p[1].article.published_at for p in [picks[0], *others]):
            # articles disagree (a toll updated over time): give each, newest first
            rows = sorted([picks[0], *others], key=lambda p: p[1].article.published_at, reverse=True)
            lines = []
            for n, (_, c, f) in enumerate(rows):
                mark = cites.cite(c)
                label = "latest" if n == 0 else "earlier"
                lines.append(f"- {f.text}{reported(c)}{dated(c)} {mark} ({label})")
            latest = rows[0]
            text = (f"The articles give different figures; the latest is {latest[2].text}{dated(latest[1])}:\n"
                    + "\n".join(lines))
            return Built(text, latest[2].text, cites)
        mark = cites.cite(best_c)
        return Built(f"{best_f.text}{reported(best_c)} {mark}\n\n{quote(best_c)} {mark}", best_f.text, cites)


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
    asked = set(re.findall(rf"\b{YEAR_RE}\b", query.text))
    years = set(re.findall(rf"\b{YEAR_RE}\b", c.text))
    return bool(years) and not asked and str(pub.year) not in years


def _value(span: Span) -> str:
    return "".join(ch for ch in str(span.value) if ch.isalnum()).lower()

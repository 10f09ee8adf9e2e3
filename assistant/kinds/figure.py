"""Figures: "how many / how much / what share …" answered with the number (its noun too unless asked), newest first."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from assistant import tuning as t
from assistant.candidates import Candidate
from assistant.citing import Citations, outlet, quote, reported
from assistant.kinds.base import Built, Kind
from assistant.kinds.quantity import MONEY, asks_sum
from assistant.query import Query, Turn
from assistant.spans import HOW_MANY, Span, count_alone, dates, figures
from assistant.typed import clause_words
from common.dates import YEAR_RE, format_date, resolve_date
from common.records import TimelineEntry
from common.text import NUMBER_WORDS, SCALES, VAGUE_NUMBERS, terms

_ASKS = re.compile(r"\bhow (many|much)\b|\bwhat (number|percentage|share|proportion|amount)\b|\b(death )?toll\b"
                   r"|\bhow (?:did|has|have) (?:the )?(?:number|count|figure|total)\b", re.I)
_NUMBER_TERMS = frozenset(terms(" ".join([*NUMBER_WORDS, *SCALES, "more than over at least nearly almost about around "
                                                "approximately up to fewer less some roughly estimated as many only"])))
_SUM_OR_SHARE = re.compile(rf"{MONEY.pattern}|%|\bper ?cent\b|\bpercent\b", re.I)
_STOP_NOUN = {"in", "at", "on", "during", "from", "by", "for", "to", "since", "after", "before", "that", "who",
              "die", "died", "dead", "killed", "fled", "escaped", "left", "remain", "remained", "live", "lived",
              # irregular past tenses end the counted noun too ("how many militants took part")
              "took", "made", "gave", "got", "went", "came", "saw", "said", "held", "lost", "won", "built",
              "fought", "ran", "became", "began", "sent", "brought", "kept", "met", "struck", "hit", "fell"}
_AUX = r"\b(?:did|do|does|were|was|are|is|have|has|had|will|would|can|could|been)\b"
DEATH = {"die", "dead", "kill", "death", "toll", "fatal", "live", "bodi", "perish"}
_CHANGE_WORDS = {"chang", "rise", "rose", "risen", "grow", "grew", "grown", "increas", "fell", "fall", "number"}
DEATH_WORDS = ("killed", "died", "dead", "toll")  # added to the search for a death toll, each once
# "how many casualties …?": a sentence of people killed or hurt names them ("1,000 soldiers were killed or injured")
TOLL_NOUNS = frozenset(terms("casualties deaths fatalities victims dead injured injuries wounded"))
_INJURY = frozenset(terms("injured injuries wounded hurt"))
_HURT = DEATH | _INJURY
_CHANGE = re.compile(r"\bhow (?:did|has|have|does|do) .*\b(?:chang|ris|rose|grow|grew|evolv|develop|increas|fell|fall)",
                     re.I)


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
    second_opinion = True
    ranked = False  # its timeline keeps figures fitting near the best; the ranker's bonus on one sentence emptied it

    def accepts(self, span: str) -> bool:
        return bool(re.search(r"\d", span)) or any(w.lower().strip(",.") in NUMBER_WORDS for w in span.split())

    def matches(self, question: str) -> bool:
        return bool(_ASKS.search(question))

    def enrich(self, query: Query, previous: Turn | None) -> Query:
        """The counted noun and predicate; a death toll is searched for in all the words news uses for one."""
        focus, predicate = figure_focus(query.text)
        search = query.search_text
        if set(predicate) & DEATH or _CHANGE.search(query.text) or re.search(r"\btoll\b", query.text, re.I):
            have = set(terms(search))
            extra = [w for w in DEATH_WORDS if not set(terms(w)) & have]
            search = f"{search} {' '.join(extra)}" if extra else search
        return replace(query, focus=focus, predicate=predicate, search_text=search)

    def fits(self, c: Candidate, query: Query) -> float:
        return 1.0 if figures(c.text) else 0.0

    def strict(self, query: Query, cands: list[Candidate]) -> bool:
        return bool(query.focus)  # figures are there, but none about what was asked

    def vouch(self, query: Query, cands: list[Candidate], c: Candidate, start: int, end: int) -> tuple[int, int] | None:
        """The figure holding the reader's span ('eight' of 'eight U.S. presidents' for 'how many US presidents …?');
        a share or a sum never answers 'how many' ('$22 million' for 'how many employees …?'), nor a count of another
        noun ('165 cases' for 'how many users …?'); the sentence must name what the question counts or prices."""
        if _other_harm(query, c) or query.focus and not set(query.focus) & _named(c.terms):
            return None  # "how much will the inquiry cost?" and a sentence of what the repairs cost
        many, sum_asked = HOW_MANY.search(query.text), asks_sum(query.text)
        for f in figures(c.text):
            if f.start <= start < f.end or start <= f.start < end:
                nouns = {w for w in terms(f.text) if not w[0].isdigit()} - _NUMBER_TERMS
                # a count of something else: '165 cases' for 'how many users …?'
                other = bool(many and query.focus and nouns and query.focus[-1] not in _named(nouns | c.terms & _HURT))
                if other or (many and _SUM_OR_SHARE.search(f.text)) or (sum_asked and not MONEY.search(f.text)):
                    return None
                a = min(f.start, start)  # the figure, its noun off when the question names it ('eight')
                return a, max(a + len(count_alone(c.text[a:f.end], query.text, query.focus)), end)
        return None

    def build(self, query: Query, cands: list[Candidate], sides: tuple[str, ...] = ()) -> Built | None:
        rows = _rows(query, cands)
        if not rows:
            return None
        best_per_article: dict[str, Row] = {}
        for r in rows:
            if r.c.article.id not in best_per_article or r.fit > best_per_article[r.c.article.id].fit:
                best_per_article[r.c.article.id] = r
        picks = sorted(best_per_article.values(), key=lambda r: -r.fit)
        best = picks[0]
        # the same count given again, later or more exactly, in the best figure's article ("over 100 … on
        # Thursday", then "123 … the SOHR said on Sunday"): the later, more specific one answers
        updates = [r for r in rows if r.c.article.id == best.c.article.id and r.value != best.value
                   and r.fit >= best.fit - t.FIGURE_RIVAL_MARGIN and r.noun & best.noun and same_count(r, best)]
        # other articles' figures for the same thing (same topic words around them), e.g. an updated toll
        topic = set(terms(query.text)) - set(query.focus) - set(query.predicate) - DEATH - _CHANGE_WORDS
        # "how did the death toll change?" names no story: the best figure's own headline says which one
        topic = topic or {w for w in terms(best.c.article.title or "") if not w.isdigit()} - DEATH - _CHANGE_WORDS
        need = t.FIGURE_RIVAL_TOPIC * _topic_cover(best, topic)
        # (no topic even so: no telling they agree)
        others = [r for r in picks[1 : 1 + t.FIGURE_RIVALS] if topic and r.fit >= best.fit - t.FIGURE_RIVAL_MARGIN
                  and r.value != best.value and _topic_cover(r, topic) >= need and same_count(r, best)]
        if set(terms(query.text)) & DEATH:  # a death toll changes only by counts of the dead, not of the treated
            updates, others = ([r for r in rows_ if set(terms(r.c.text)) & DEATH] for rows_ in (updates, others))
        series = _distinct([best, *updates, *others])
        # a change over time needs two days: figures of one day are different counts, and the best one answers
        if len(series) > 1 and all(r.day for r in series) and len({r.day for r in series}) > 1:
            return timeline(series, query)
        cites = Citations()
        marks = best.marks(cites)
        mark = marks[: marks.index("]") + 1]
        short = count_alone(best.f.text, query.text, query.focus)
        return Built(f"{best.f.text}{reported(best.c)} {marks}\n\n{quote(best.c)} {mark}", short, cites)


def _other_harm(query: Query, c: Candidate) -> bool:
    """'How many people were injured?' and a sentence of the dead only: a count of the dead is not of the hurt."""
    return bool(set(query.predicate) & _INJURY) and not c.terms & _INJURY


def _named(words: set[str]) -> set[str]:
    """The words, with every toll noun when they say that people died or were hurt (TOLL_NOUNS)."""
    return words | TOLL_NOUNS if words & _HURT else words


def same_count(r: Row, best: Row) -> bool:
    """Not two different counts: when the best figure's own clause says what the question asks ('are being
    held') and the other's clause says something else ('managed to escape'), the other counts another thing."""
    return not (best.clause and r.clause is False)


def _topic_cover(r: Row, topic: set[str]) -> float:
    """Share of the question's topic words found in the sentence (outside the figure itself: "Town 5 approved 7
    homes" does not cover the "7" of "Town 7"), its neighbours or the article's title."""
    if not topic:
        return 1.0
    c, f = r.c, r.f
    seen = set(terms(f"{c.text[: f.start]} {c.text[f.end :]}")) | set(terms(c.article.title or ""))
    for j in (c.index - 1, c.index + 1):
        seen |= set(terms(c.sentence(j) or ""))
    return len(topic & seen) / len(topic)


def _other_year(c: Candidate, query: Query) -> bool:
    """The sentence dates its figure to another year than the article's, the question none: a past figure."""
    pub = c.article.published_at
    if pub is None:
        return False
    asked = set(re.findall(rf"\b{YEAR_RE}\b", query.text))
    years = set(re.findall(rf"\b{YEAR_RE}\b", c.text))
    return bool(years) and not asked and str(pub.year) not in years


def _value(span: Span) -> str:
    return "".join(ch for ch in str(span.value) if ch.isalnum()).lower()


@dataclass(frozen=True)
class Row:
    """A figure that may answer: how well it fits, its sentence, when it was given and whether it is exact."""

    fit: float
    c: Candidate
    f: Span
    value: str
    noun: frozenset[str]
    day: date | None
    specific: bool
    clause: bool | None = None  # its own clause's verb is the question's predicate (None: no parse or no verb)
    # other sentences of its article it rests on: the best-fitting one when a worded one is shown ('has risen to
    # 14' behind '14 people had died'), the one naming its day ('the office said on Sunday')
    backing: tuple[tuple[Candidate, int], ...] = ()

    def marks(self, cites: Citations) -> str:
        """'[1]', or '[1][3]' when other sentences back the figure's unit or day."""
        return "".join([cites.cite(self.c), *(cites.cite(c, i) for c, i in self.backing)])


def _rows(query: Query, cands: list[Candidate]) -> list[Row]:
    """Every figure in the best sentences that counts what was asked, with how well it fits the question."""
    focus = set(query.focus)
    # the modifiers of "how many Kurdish fighters" pick the subset; the head noun often comes as a synonym
    # ("39 members of Kurdish forces"), so a figure with the modifier beats one with only the head
    weight = {w: t.FIGURE_HEAD_WEIGHT if w == query.focus[-1] else t.FIGURE_MODIFIER_WEIGHT for w in focus}
    total = sum(weight.values()) or 1.0
    qterms = set(terms(query.search_text))
    predicate = set(query.predicate)
    if predicate & DEATH:
        predicate |= DEATH
    rows: dict[tuple[str, str], list[Row]] = {}
    top = cands[0].score
    many = bool(HOW_MANY.search(query.text))
    sum_asked = asks_sum(query.text)
    for c in cands[: t.FIGURE_CANDIDATES]:
        if c.score < t.FIGURE_SHARE_OF_TOP * top:
            break
        if _other_harm(query, c):
            continue
        for f in figures(c.text):
            if many and _SUM_OR_SHARE.search(f.text):
                continue  # "how many season tickets …?" is not answered by "$867"
            if sum_asked and not MONEY.search(f.text):
                continue  # "how much did ASOS lose?" is not answered by "23 years"
            noun = set(terms(f.text))
            # every word of "how many X" must be in the sentence, and one of them with the number
            around = c.text[max(0, f.start - t.FIGURE_FOCUS_WINDOW) : f.end + t.FIGURE_FOCUS_WINDOW]
            if focus and not (focus <= _named(c.terms) and focus & _named(noun | set(terms(around)))):
                continue
            near = set(terms(c.text[max(0, f.start - t.FIGURE_NEAR_WINDOW) : f.end + t.FIGURE_NEAR_WINDOW]))
            fit = (c.score - t.FIGURE_OTHER_YEAR * _other_year(c, query)
                   + t.FIGURE_FOCUS_FIT * sum(weight[w] for w in noun & focus) / total
                   + t.FIGURE_NEAR_FIT * len(near & qterms) / (len(qterms) or 1)
                   + t.FIGURE_PREDICATE_FIT * bool(near & predicate))
            # the parse: is the predicate the verb of the figure's own clause ('where 3,500 prisoners are being
            # held'), not of another clause of the sentence ('Hundreds of prisoners managed to escape')?
            verbs = clause_words(c, c.span[0] + f.start, c.span[0] + f.end) if predicate else None
            clause = None if verbs is None else bool(verbs & predicate)
            fit += t.FIGURE_CLAUSE_FIT * bool(clause)
            key = (c.article.id, _value(f))
            rows.setdefault(key, []).append(Row(fit, c, f, key[1], frozenset(noun - {key[1]}), _day(c),
                                                not (_VAGUE.match(f.text) or f.value in VAGUE_NUMBERS), clause))
    return [_one_figure(found) for found in rows.values()]


def _one_figure(found: list[Row]) -> Row:
    """One article's sentences giving the same number are one figure, however the question was phrased: it
    fits as its best sentence does, is shown with its unit where a nearly as good sentence gives one ('14 people',
    not '14'), and is dated by the day a sentence names for it ('said on Sunday') before the article's date."""
    best = max(found, key=lambda r: r.fit)
    worded = [r for r in found if r.noun and r.fit >= best.fit - t.FIGURE_RIVAL_MARGIN]
    shown = best if best.noun or not worded else max(worded, key=lambda r: r.fit)
    named = _figure_day(best)
    day, day_index = named if named else (shown.day, shown.c.index)
    backing = tuple((best.c, i) for i in dict.fromkeys((best.c.index, day_index)) if i != shown.c.index)
    return replace(shown, fit=best.fit, day=day, backing=backing)


def _figure_day(r: Row) -> tuple[date, int] | None:
    """The day a sentence of the figure's article names for this same number ("has risen to 14, the office said
    on Sunday"), the first in the article, and that sentence's index; None when no sentence giving it names one."""
    c = r.c
    for j in range(len(c.stored.sentence_spans)):
        text = c.sentence(j) or ""
        if any(_value(f) == r.value for f in figures(text)):
            for d in dates(text):
                day = resolve_date(d.text, c.article.published_at, text)
                if day is not None:
                    return day, j
    return None


_VAGUE = re.compile(r"(?:more than|over|at least|nearly|almost|about|around|approximately|up to|some|roughly|"
                    r"an estimated|as many as|fewer than|less than)\b", re.I)


def _day(c: Candidate) -> date | None:
    """When the sentence's figure was given: the day it says ("said on Sunday"), else its article's date."""
    for d in dates(c.text):
        day = resolve_date(d.text, c.article.published_at, c.text)
        if day is not None:
            return day
    return c.article.published_at.date() if c.article.published_at else None


def _distinct(rows: list[Row]) -> list[Row]:
    """One row per value (the best-fitting), oldest first; a later exact figure after an earlier vague one."""
    by_value: dict[str, Row] = {}
    for r in rows:
        if r.value not in by_value or r.fit > by_value[r.value].fit:
            by_value[r.value] = r
    return sorted(by_value.values(), key=lambda r: (r.day or date.min, r.specific))


def timeline(series: list[Row], query: Query) -> Built:
    """'The figure changed: the latest is 14 people (Ostrakand Wire, Monday 9 March 2026)', then every value
    oldest first, each dated and cited; the same values as Answer.timeline for a dated view."""
    cites = Citations()
    latest, latest_mark = series[-1], series[-1].marks(cites)  # the answer rests on the latest: it is [1]
    marks = [r.marks(cites) for r in series]
    # each line leads with its day: the outlet follows, never the day again ('on Saturday (Saturday 7 March …)')
    lines = [f"- {format_date(r.day)}: {r.f.text}{reported(r.c, when=False)}{outlet(r.c)} {mark}"
             for r, mark in zip(series, marks)]
    text = (f"The figure changed over time; the latest is {latest.f.text} ({format_date(latest.day)}) "
            f"{latest_mark}:\n" + "\n".join(lines))
    entries = tuple(TimelineEntry(r.f.text, r.day.isoformat(), r.c.article.source, int(mark[1 : mark.index("]")]))
                    for r, mark in zip(series, marks))
    return Built(text, count_alone(latest.f.text, query.text, query.focus), cites, entries)

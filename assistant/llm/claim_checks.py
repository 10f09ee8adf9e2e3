"""What one claim of an LLM answer must find in its cited sentences: its figures, dates, quotes, names and words."""

from __future__ import annotations

import math
import re
from datetime import date, datetime

from assistant import tuning as t
from assistant.spans import dates
from common.dates import MONTHS, WEEKDAYS, resolve_date
from common.records import Citation
from common.text import EXACT_NUMBER_WORDS, SCALES, STOPWORDS, VAGUE_NUMBERS, fold, occurs_in, terms

# Text that addresses the model rather than reporting news: never shown as an answer, never put in a prompt.
INJECTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+|the\s+|your\s+|these\s+)?(?:(?:previous|prior|above|"
    r"earlier|preceding|system)\s+(?:instructions?|rules|prompts?|directions)|instructions|prompts?)\b|\bsystem\s+prompt\b|"
    r"\byou\s+are\s+now\b|\bas\s+instructed\b|\bnew\s+instructions?\b|\bcite\s+\[?\s*S?\d+\s*\]?\s+for\s+every|"
    r"\b(?:note|message|instructions?)\s+(?:to|for)\s+(?:the\s+|any\s+|all\s+)?(?:AI|assistants?|language\s+models?|"
    r"LLMs?|chatbots?)\b",
    re.I,
)
_SMALL = {w: v for w, v in EXACT_NUMBER_WORDS.items() if w != "hundred"}
_VAGUE = (*sorted(VAGUE_NUMBERS), "millions")
_WORDNUM = "|".join(sorted([*EXACT_NUMBER_WORDS, *SCALES], key=len, reverse=True))
NUMBER = re.compile(
    rf"(?<![\w.,])(?P<digits>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?)(?:st|nd|rd|th|s)?(?![\w])"
    rf"(?:\s*(?P<scale>{'|'.join(SCALES)})\b)?"
    rf"|\b(?P<words>(?:{_WORDNUM})(?:(?:[-\s]+|\s+and\s+)(?:{_WORDNUM}))*)\b",
    re.I,
)



def problems_of(body: str, cites: list[Citation]) -> list[str]:
    """Why a claim (its text without markers) is not backed by the sentences it cites; empty when it is."""
    problems = []
    if INJECTION.search(body):
        problems.append("repeats an instruction instead of reporting")
    date_spans, date_problems = check_dates(body, cites)
    problems += date_problems
    problems += _check_numbers(body, cites, date_spans)
    problems += _check_quotes(body, cites)
    problems += _check_names(body, cites)
    rest = body
    for a, b in date_spans:  # checked as dates: their words are not asked for again
        rest = rest[:a] + " " * (b - a) + rest[b:]
    if not problems and _support(rest, cites) < t.VERIFY_SUPPORT:
        problems.append("its words are not in the cited sentences")
    return problems


# -- figures ----------------------------------------------------------------------------------------------
def numbers(text: str) -> list[tuple[int, int, float]]:
    """(start, end, value) of every number in the text: '3,500' → 3500, 'seven' → 7, 'twenty-five' → 25,
    '2.5 million' → 2500000, '12%' → 12; 'one of' and vague words ('dozens') are not numbers."""
    out = []
    for m in NUMBER.finditer(text):
        if m.group("digits"):
            value = float(m.group("digits").replace(",", ""))
            if m.group("scale"):
                value *= SCALES[m.group("scale").lower()]
        else:
            phrase = m.group("words").lower()
            if phrase == "one" and re.match(r"\s+(?:of|another)\b", text[m.end():], re.I):
                continue
            if phrase == "one" and re.search(r"\bno\s+$", text[: m.start()], re.I):
                continue
            value = _words_value(phrase)
            if value is None:
                continue
        out.append((m.start(), m.end(), value))
    return out


def _words_value(phrase: str) -> float | None:
    total, current, seen = 0.0, 0.0, False
    for w in re.split(r"[-\s]+", phrase):
        if w == "and" or not w:
            continue
        if w in _SMALL:
            current += _SMALL[w]
        elif w == "hundred":
            current = (current or 1) * 100
        elif w in SCALES:
            total += (current or 1) * SCALES[w]
            current = 0.0
        else:
            return None
        seen = True
    return total + current if seen else None


def _check_numbers(body: str, cites: list[Citation], skip: list[tuple[int, int]]) -> list[str]:
    have = [v for c in cites for *_, v in numbers(c.text)]
    problems = []
    for s, e, value in numbers(body):
        if any(a <= s and e <= b for a, b in skip):
            continue  # part of a date that was checked as a date
        if not any(math.isclose(value, h, rel_tol=1e-9) for h in have):
            problems.append(f"the figure {body[s:e].strip()!r} is not in the cited sentences")
    cited_words = set(fold(" ".join(c.text for c in cites)).split())
    for w in _VAGUE:
        if re.search(rf"\b{w}\b", body, re.I) and w not in cited_words:
            problems.append(f"'{w}' is not in the cited sentences")
    return problems


# -- dates ------------------------------------------------------------------------------------------------
def _published(c: Citation) -> datetime | None:
    try:
        return datetime.fromisoformat(c.published_at) if c.published_at else None
    except ValueError:
        return None


def _cited_dates(cites: list[Citation]) -> set[date]:
    out = set()
    for c in cites:
        pub = _published(c)
        if pub is not None:
            out.add(pub.date())  # the article's own date is shown with every citation
        for d in dates(c.text):
            when = resolve_date(d.text, pub, c.text)
            if when is not None:
                out.add(when)
    return out


def check_dates(body: str, cites: list[Citation]) -> tuple[list[tuple[int, int]], list[str]]:
    """Each date the claim names must be a date its cited sentences name (relative ones such as 'on Sunday'
    counted from each article's publication date), or be written in them."""
    spans = dates(body)
    if not spans:
        return [], []
    known = _cited_dates(cites)
    checked, problems = [], []
    joined = " ".join(c.text for c in cites)
    for d in spans:
        resolved = {resolve_date(d.text, _published(c), body) for c in cites} - {None}
        if resolved and resolved & known:
            checked.append((d.start, d.end))
            continue
        core = re.sub(r"^(?:on|in|since|by|until|from|during)\s+", "", d.text, flags=re.I)
        if occurs_in(core, joined):
            checked.append((d.start, d.end))
            continue
        if not resolved and _month_year_known(core, known, joined):
            continue  # 'in March 2026': its month is a cited date's, and its year is checked as a number
        problems.append(f"the date {d.text!r} is not in the cited sentences")
    return checked, problems


def _month_year_known(expression: str, known: set[date], joined: str) -> bool:
    named = [i + 1 for i, m in enumerate(MONTHS) if re.search(rf"\b{m[:3]}", expression, re.I)]
    if not named:
        return False
    text = fold(joined)
    return all(any(k.month == m for k in known) or MONTHS[m - 1] in text for m in named)


# -- quotes -----------------------------------------------------------------------------------------------
_QUOTED = re.compile(r"[\"“”]([^\"“”]{2,})[\"“”]|(?:^|(?<=[\s(]))‘([^‘’]{2,})’(?=[\s.,;:!?)]|$)")


def _check_quotes(body: str, cites: list[Citation]) -> list[str]:
    joined = " ".join(c.text for c in cites)
    problems = []
    for m in _QUOTED.finditer(body):
        quote = (m.group(1) or m.group(2) or "").strip(" ,.")
        if quote and not occurs_in(quote, joined):
            problems.append(f"the quote {quote[:60]!r} is not in the cited sentences")
    return problems


# -- names and support ------------------------------------------------------------------------------------
_CAPITALISED = re.compile(r"(?<![.!?:;\"“‘(\[\-–—]\s)(?<!^)\b(?:[A-Z][\w'’-]*[a-z][\w'’-]*|[A-Z]{2,}\b)")
_CALENDAR = {w.capitalize() for w in (*MONTHS, *WEEKDAYS)}


def _check_names(body: str, cites: list[Citation]) -> list[str]:
    """Capitalised words inside the claim (names of people, places, bodies) must be in a cited sentence,
    its article's title or its source."""
    seen = set(fold(" ".join(f"{c.text} {c.title or ''} {c.source or ''}" for c in cites)).replace("'", " ").split())
    seen |= {w.strip(".,;:!?\"()") for w in list(seen)}
    problems = []
    for m in _CAPITALISED.finditer(body.strip().lstrip("-*• ")):
        word = m.group(0)
        if word in _CALENDAR or word.lower() in STOPWORDS:
            continue
        if not all(part in seen for part in fold(word).replace("'", " ").replace("-", " ").split()):
            problems.append(f"the name {word!r} is not in the cited sentences")
    return problems


def _support(body: str, cites: list[Citation]) -> float:
    """Share of the claim's content words (those its articles' titles do not already explain) that its cited
    sentences contain."""
    topic, said = set(), set()
    for c in cites:
        said |= set(terms(c.text))
        topic |= set(terms(c.title or "")) | set(terms(c.source or ""))
    words = {t for t in terms(body) if not t[0].isdigit()} - topic
    return len(words & said) / len(words) if words else 1.0

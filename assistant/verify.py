"""Checks an LLM answer against the sentences it cites: markers, figures, dates, quotes → verified claims only."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from assistant.extract import dates
from common.dates import MONTHS, WEEKDAYS, resolve_date
from common.records import Citation
from common.text import EXACT_NUMBER_WORDS, SCALES, STOPWORDS, VAGUE_NUMBERS, fold, occurs_in, terms
from index.sentences import split_sentences

# [S3], [S3, S5], [s3], and the plain [3] a model (or our own renumbered answer) writes
MARKER = re.compile(r"\[\s*[Ss]?(\d{1,4})(?:\s*[,;]\s*[Ss]?\d{1,4})*\s*\]")
_MARKER_NUM = re.compile(r"\d+")
_LEADING_MARKERS = re.compile(rf"^\s*(?:{MARKER.pattern}\s*)+")
_ECHOED_META = re.compile(rf"^((?:\s*{MARKER.pattern})*)\s*\([^()]*\b\d{{4}}-\d{{2}}-\d{{2}}\b[^()]*\)\s*")
# Text that addresses the model rather than reporting news: never shown as an answer, never put in a prompt.
INJECTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+|the\s+|your\s+|these\s+)?(?:(?:previous|prior|above|"
    r"earlier|preceding|system)\s+(?:instructions?|rules|prompts?|directions)|instructions|prompts?)\b|\bsystem\s+prompt\b|"
    r"\byou\s+are\s+now\b|\bas\s+instructed\b|\bnew\s+instructions?\b|\bcite\s+\[?\s*S?\d+\s*\]?\s+for\s+every|"
    r"\b(?:note|message|instructions?)\s+(?:to|for)\s+(?:the\s+|any\s+|all\s+)?(?:AI|assistants?|language\s+models?|"
    r"LLMs?|chatbots?)\b",
    re.I,
)
SUPPORT = 0.75  # share of a claim's content words (beyond its articles' titles) its cited sentences must contain
NOTE_PREFIX = "(Checked against the articles:"

_SMALL = {w: v for w, v in EXACT_NUMBER_WORDS.items() if w != "hundred"}
_VAGUE = (*sorted(VAGUE_NUMBERS), "millions")
_WORDNUM = "|".join(sorted([*EXACT_NUMBER_WORDS, *SCALES], key=len, reverse=True))
NUMBER = re.compile(
    rf"(?<![\w.,])(?P<digits>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?)(?:st|nd|rd|th|s)?(?![\w])"
    rf"(?:\s*(?P<scale>{'|'.join(SCALES)})\b)?"
    rf"|\b(?P<words>(?:{_WORDNUM})(?:(?:[-\s]+|\s+and\s+)(?:{_WORDNUM}))*)\b",
    re.I,
)


@dataclass(frozen=True)
class Claim:
    """One sentence of the model's answer: its text (markers as written), the sources it cites, and why it
    fails, if it does."""

    text: str
    cited: tuple[int, ...]  # 1-based numbers of the sources it cites (only numbers that name a source)
    bad_markers: int  # markers naming no source (e.g. [S99])
    problems: tuple[str, ...]
    separator: str = " "  # what stood before it in the answer (a space, a line break, a blank line)

    @property
    def verified(self) -> bool:
        return bool(self.cited) and not self.problems


@dataclass(frozen=True)
class Verification:
    claims: tuple[Claim, ...]
    text: str  # the verified claims only, markers renumbered [1], [2], … onto `citations`
    citations: tuple[Citation, ...]

    @property
    def verified(self) -> int:
        return sum(c.verified for c in self.claims)

    @property
    def dropped(self) -> int:
        return len(self.claims) - self.verified

    @property
    def bad_markers(self) -> int:
        return sum(c.bad_markers for c in self.claims)


def verify(answer: str, sources: Sequence[Citation]) -> Verification:
    """Split the answer into claims, keep those whose cited sources contain every figure, date, quote and name
    in them (and most of their words), and renumber the kept markers onto the cited Citation objects. The
    text returned passes verify() again as it is (checked here: a sentence split differently once its
    markers moved loses what no longer verifies)."""
    first = _verify_once(answer, sources)
    text, citations = first.text, first.citations
    for _ in range(3):
        again = _verify_once(text, citations)
        if again.dropped == 0:
            break
        text, citations = again.text, again.citations
    return Verification(first.claims, text, citations)


def _verify_once(answer: str, sources: Sequence[Citation]) -> Verification:
    claims = [_check(text, sep, sources) for text, sep in split_claims(answer)]
    order: dict[int, int] = {}
    parts: list[str] = []
    for claim in claims:
        if not claim.verified:
            continue
        for n in claim.cited:
            order.setdefault(n, len(order) + 1)
        text = _renumber(claim.text, [order[n] for n in claim.cited])
        parts.append((claim.separator if parts and "\n" in claim.separator else " " if parts else "") + text)
    citations = tuple(sources[n - 1] for n in order)
    return Verification(tuple(claims), "".join(parts).strip(), citations)


def split_claims(answer: str) -> list[tuple[str, str]]:
    """(claim text, separator before it): sentences of the answer. A marker group that opens a sentence on
    the same line ("… 14. [S1] Five …") is given back to the sentence before it; one that opens a line
    ("[S1] The toll …") belongs to that line's sentence."""
    out: list[list[str]] = []
    prev_end = 0
    for s, e in split_sentences(answer):
        seg = answer[s:e]
        sep = answer[prev_end:s]
        prev_end = e
        lead = _LEADING_MARKERS.match(seg)
        if lead and out and "\n" not in sep:
            out[-1][0] = out[-1][0].rstrip() + " " + lead.group(0).strip()
            seg = seg[lead.end():]
        seg = _ECHOED_META.sub(lambda m: m.group(1) + " ", seg)  # "[S2] (2022-01-24) The …": the prompt's metadata
        if seg.strip():
            out.append([seg.strip(), sep or " "])
    return [(text, sep) for text, sep in out]


def _markers(text: str) -> list[int]:
    return [int(n) for m in MARKER.finditer(text) for n in _MARKER_NUM.findall(m.group(0))]


def _renumber(text: str, numbers_: list[int]) -> str:
    """The claim with its markers replaced by its (renumbered) citations at its end: 'The toll rose to 14 [1][3].'"""
    marks = "".join(f"[{n}]" for n in numbers_)
    body = re.sub(r"[ \t]{2,}", " ", re.sub(r"[ \t]+([.,;:!?])", r"\1", MARKER.sub(" ", text))).strip()
    end = re.search(r"[.!?][\"”’)]*$", body)
    return f"{body[: end.start()]} {marks}{end.group(0)}" if end else f"{body} {marks}"


def _check(text: str, separator: str, sources: Sequence[Citation]) -> Claim:
    nums = _markers(text)
    cited = tuple(dict.fromkeys(n for n in nums if 1 <= n <= len(sources)))
    bad = sum(1 for n in nums if not 1 <= n <= len(sources))
    problems: list[str] = []
    if not cited:
        problems.append("cites no provided sentence" if bad else "cites nothing")
        return Claim(text, cited, bad, tuple(problems), separator)
    body = MARKER.sub(" ", text)
    rest = body
    for a, b in _check_dates(body, [sources[n - 1] for n in cited])[0]:
        rest = rest[:a] + " " * (b - a) + rest[b:]
    if not re.search(r"\w", rest) or (not terms(body) and not numbers(body)):  # "(2022-01-24": a bare date
        return Claim(text, cited, bad, ("says nothing that can be checked",), separator)
    problems = _problems(body, [sources[n - 1] for n in cited])
    if not problems:  # keep only the citations the claim needs: a sentence cited along for the ride goes
        for n in list(cited):
            rest = tuple(m for m in cited if m != n)
            if rest and not _problems(body, [sources[m - 1] for m in rest]):
                cited = rest
    return Claim(text, cited, bad, tuple(problems), separator)


def _problems(body: str, cites: list[Citation]) -> list[str]:
    problems = []
    if INJECTION.search(body):
        problems.append("repeats an instruction instead of reporting")
    date_spans, date_problems = _check_dates(body, cites)
    problems += date_problems
    problems += _check_numbers(body, cites, date_spans)
    problems += _check_quotes(body, cites)
    problems += _check_names(body, cites)
    rest = body
    for a, b in date_spans:  # checked as dates: their words are not asked for again
        rest = rest[:a] + " " * (b - a) + rest[b:]
    if not problems and _support(rest, cites) < SUPPORT:
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


def _check_dates(body: str, cites: list[Citation]) -> tuple[list[tuple[int, int]], list[str]]:
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


def strip_note(text: str) -> str:
    """The answer without the note the LLM path appends (for re-checking a shown answer)."""
    return "\n".join(line for line in text.splitlines() if not line.startswith(NOTE_PREFIX)).strip()

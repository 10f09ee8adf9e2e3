"""Word-level text tools shared by retrieval and answering: tokens, stems, number words, normalisation."""

from __future__ import annotations

import re
import string
import unicodedata
from functools import lru_cache

STOPWORDS = frozenset(
    """a an and are as at be been being but by did do does for from had has have he her his how i if in into
    is it its of on or our she so than that the their them then there these they this those to was we were
    what when where which while who whom whose why will with would you your about after before also any can
    could did does doing during each few more most other over same should some such through under until up
    very just own only not no nor s t don now article articles according report reported reports say said says
    tell told""".split()
)
# Words that carry the question's intent, not its topic: kept out of lexical matching.
QUESTION_WORDS = frozenset("how many much when what which who whom whose where why name date day time".split())

_WORD = re.compile(r"[0-9]+(?:[.,][0-9]+)*|[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)

NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "dozen": 12,
    "dozens": 24, "hundreds": 200, "thousands": 2000,
}
VAGUE_NUMBERS = frozenset({"dozens", "hundreds", "thousands"})  # approximate: never written as digits
EXACT_NUMBER_WORDS = {w: v for w, v in NUMBER_WORDS.items() if w not in VAGUE_NUMBERS}
SCALES = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000, "trillion": 1_000_000_000_000}


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def fold(text: str) -> str:
    """Lower-case, accents removed, curly quotes made straight."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.lower().replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def terms(text: str, keep_question_words: bool = False) -> list[str]:
    """Stemmed content words (stopwords dropped, numbers kept without separators) for lexical matching."""
    out = []
    for w in words(text):
        if w in STOPWORDS or (not keep_question_words and w in QUESTION_WORDS):
            continue
        if w[0].isdigit():
            out.append(w.replace(",", ""))
        elif len(w) > 1:
            out.append(w.replace("'", ""))
    return _stemmer().stemWords(out) if out else []


def normalize_for_match(text: str) -> str:
    """For checking that a short answer occurs in a sentence: fold, drop punctuation (but keep digits'
    separators out), collapse spaces, and write number words as digits."""
    t = fold(text)
    t = re.sub(r"(?<=\d),(?=\d{3}\b)", "", t)
    t = t.translate(str.maketrans({c: " " for c in string.punctuation + "—–…"}))
    out = []
    for w in t.split():
        n = NUMBER_WORDS.get(w)
        out.append(str(n) if n is not None and w not in VAGUE_NUMBERS else w)
    return " ".join(out)


def occurs_in(short: str, sentence: str) -> bool:
    """True if the short answer, normalised, is a whole-word substring of the normalised sentence."""
    s, h = normalize_for_match(short), normalize_for_match(sentence)
    return bool(s) and f" {s} " in f" {h} "


def or_list(items: list[str]) -> str:
    """'a, b, c or d': a choice as messages and help texts name it."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"

"""Finds sentence ends glued to the next sentence (`…"hold for now."But engineers…`) in copied feed text."""

from __future__ import annotations

import bisect
import re

# A sentence end with no space after it: a word, then . ? ! or … (a run), then closing quotes or brackets,
# then (perhaps after an opening quote) a capital that starts a word: `now."But`, `died.The`, `why?He`.
_GLUED = re.compile(
    r"(?<=[^\s“‘«(\[])"
    r"(?P<end>[.!?…]+)"
    r"(?P<close>[\"”’»)\]]*)"
    r"(?P<open>[\"“‘«(]?)"
    r"(?=[A-Z](?![A-Z]*[,.;]))"
)
_SINGLE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9’'\-]*$")
_STRAIGHT = '"'
_ZONE = re.compile(r"(?:[ECMP][SD]?T|GMT|UTC|BST|CES?T|AE[SD]T|IST)\b")
# Endings after which a capital is a name, not a new sentence: titles and short forms (Mr.Smith, St.Louis, Gen.Lee).
_NEVER_BEFORE_NAME = frozenset(
    "mr mrs ms dr drs prof gen col capt lt sgt maj adm gov sen rep rev st mt ft jr sr inc ltd corp co bros vs no".split()
)


def glued_starts(line: str, is_abbreviation) -> list[int]:
    """Offsets in `line` where a sentence starts right after the previous one's end with no whitespace between.
    `is_abbreviation(word)` says whether `word.` is a short form that does not end a sentence (pysbd's list)."""
    starts = []
    quotes = None  # offsets of the straight double quotes, found on first need
    for m in _GLUED.finditer(line):
        w = _WORD.search(line, max(0, m.start() - 30), m.start())
        word = w.group() if w else ""
        if m.group("end") == "." and word and not _clock(line, m.start()):
            if word.rsplit("-", 1)[-1] in _SINGLE or _short_form(word, is_abbreviation):
                continue  # J.Smith, U.S.The, e.g.The, Mr.Smith, Jan.The
        if _in_url_or_handle(line, m.start(), m.end()):
            continue  # www.x.Com, user@mail.Com, https://x.org/A.B
        start = m.start("open") if m.group("open") else m.end()
        close = m.group("close")
        if not m.group("open") and close.endswith(_STRAIGHT):
            quotes = quotes if quotes is not None else [i for i, ch in enumerate(line) if ch == _STRAIGHT]
            if bisect.bisect_left(quotes, m.end() - 1) % 2 == 0:
                start -= 1  # `said."But` after an even number of straight quotes: it opens the next sentence
        starts.append(start)
    return starts


def _clock(line: str, end: int) -> bool:
    """`at 11:40 p.m.By dawn`: a.m./p.m. ends a sentence before a capital that is not a time zone (p.m.ET)."""
    return line[max(0, end - 3) : end + 1].lower() in ("a.m.", "p.m.") and not _ZONE.match(line, end + 1)


def _short_form(word: str, is_abbreviation) -> bool:
    return word.lower() in _NEVER_BEFORE_NAME or is_abbreviation(word)


def _in_url_or_handle(line: str, pos: int, end: int) -> bool:
    left = line.rfind(" ", 0, pos) + 1
    token = line[left:end]
    return "://" in token or "www." in token.lower() or "@" in token or "/" in token


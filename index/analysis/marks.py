"""Quotation-mark spans and social-media post bylines in article text, as character offsets (no parse needed)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_OPEN = "“„«"
_CLOSE = "”»"
_STRAIGHT = '"'
_SINGLE = "‘’'"  # single quotation marks ‘…’ and '…'; the closing one is also the apostrophe
_BEFORE_OPEN = "([{—–-/:;,"  # a straight quote right after one of these (or a space) opens a quotation
_LINE = re.compile(r"[^\n\r\u2028\u2029]+")
# "— Liz Sly (@LizSly) January 22, 2022": an embedded post's byline (the text before it is the post)
_BYLINE = re.compile(
    r"(?P<dash>[—–])\s*(?P<name>[^\n()—–@]{2,80}?)\s*\((?P<handle>@\w{1,30})\)\s*"
    r"(?:[A-Z][a-z]{2,8}\.? \d{1,2},? \d{4}|\d{1,2} [A-Z][a-z]{2,8} \d{4})"
)
_POST_TAIL = re.compile(r"(?:\s*(?:pic\.twitter\.com/\S+|https?://\S+|[^\w\s.!?,;:’'\"”)\]]+))+\s*$")


@dataclass(frozen=True)
class Marked:
    """The words between a pair of quotation marks (without the cue comma or a final full stop)."""

    start: int
    end: int
    open_at: int  # offset of the opening mark, -1 when the paragraph continues a quotation without one
    close_at: int  # offset of the closing mark, -1 when the paragraph ended first

    @property
    def closed(self) -> bool:
        return self.close_at >= 0


@dataclass(frozen=True)
class Post:
    """A social-media post quoted in the article: its text, the byline dash, the author's name and handle."""

    start: int
    end: int
    dash: int
    name_start: int
    name_end: int
    handle: str


def quotations(text: str) -> list[Marked]:
    """Every quotation in `text`, paragraph by paragraph; one left open at a paragraph's end runs to it."""
    out: list[Marked] = []
    for line in _LINE.finditer(text):
        out.extend(_line_quotations(text, line.start(), line.end(), bool(out) and not out[-1].closed))
    return [m for m in out if m.end > m.start]


def _line_quotations(text: str, ls: int, le: int, continues: bool) -> list[Marked]:
    out = []
    open_at: int | None = None
    first = True
    for i in range(ls, le):
        ch = text[i]
        if ch in _SINGLE:
            if open_at is not None and text[open_at] not in _SINGLE:
                continue  # ‘…’ inside “…”: part of the quotation
            role = _single(text, i, ls, le, open_at) if ch != "'" else _straight_single(text, i, ls, le, open_at)
            if role is None:
                continue
        elif ch not in _OPEN and ch not in _CLOSE and ch != _STRAIGHT:
            continue
        elif open_at is not None and text[open_at] in _SINGLE:
            continue  # “…” inside ‘…’
        else:
            role = _role(text, i, ls, le, open_at is not None)
        if role == "open" and open_at is None:
            open_at = i
        elif role == "close" and open_at is not None:
            out.append(_trimmed(text, open_at + 1, i, open_at, i))
            open_at = None
        elif role == "close" and first and continues:  # the rest of a quotation from the paragraph before
            out.append(_trimmed(text, ls, i, -1, i))
        first = False
    if open_at is not None:
        out.append(_trimmed(text, open_at + 1, le, open_at, -1))
    return out


def _single(text: str, i: int, ls: int, le: int, open_at: int | None) -> str | None:
    """‘ opens a quotation after a space or a bracket; ’ closes one unless it is an apostrophe: inside a word
    ("it’s"), or after a plural before a lower-case word ("the players’ union") with a closing mark still to come."""
    before = text[i - 1] if i > ls else " "
    after = text[i + 1] if i + 1 < le else " "
    inside, opened = open_at is not None, open_at is not None and text[open_at] == "'"
    if opened:
        return None  # '…' closes only with its own mark
    if text[i] == "‘":
        return "open" if not inside and (before.isspace() or before in _BEFORE_OPEN) and not after.isspace() else None
    if not inside or (before.isalnum() and after.isalpha()):
        return None
    if before == "s" and after == " " and text[i + 2:i + 3].islower() and "’" in text[i + 1:le]:
        return None
    return "close"


def _straight_single(text: str, i: int, ls: int, le: int, open_at: int | None) -> str | None:
    """' opens a quotation after a space or a bracket before a capital with a closing ' still to come on the line
    ("'That tree will be gone by Monday,' he said."), never in a line in capitals (a link's headline: "… AT AGE 29:
    'I'LL BE …'"); it closes one it opened after the words, before a space or a punctuation mark, unless it is an
    apostrophe ("the keepers' hut", "centre's")."""
    before = text[i - 1] if i > ls else " "
    after = text[i + 1] if i + 1 < le else " "
    if open_at is None:
        return "open" if (before.isspace() or before in _BEFORE_OPEN) and after.isupper() and any(
            _closes(text, j, le) for j in range(i + 2, le) if text[j] == "'") and not text[ls:le].isupper() else None
    return "close" if text[open_at] == "'" and _closes(text, i, le) else None


def _closes(text: str, i: int, le: int) -> bool:
    """A straight ' that can close a quotation: after a word or its punctuation, before a space, a punctuation mark
    or the line's end, and no plural's apostrophe before a lower-case word ("the keepers' hut")."""
    before, after = text[i - 1], text[i + 1] if i + 1 < le else " "
    if before.isspace() or not (after.isspace() or after in ".,;:!?)]—–"):
        return False
    return not (before == "s" and after == " " and text[i + 2:i + 3].islower())


def _role(text: str, i: int, ls: int, le: int, inside: bool) -> str:
    ch = text[i]
    if ch in _OPEN:  # an opening mark typed for the closing one ('in genre only. “' at a paragraph's end)
        return "close" if inside and (i + 1 >= le or text[i + 1].isspace()) else "open"
    if ch in _CLOSE:
        return "close"
    before_free = i == ls or text[i - 1].isspace() or text[i - 1] in _BEFORE_OPEN
    after_free = i + 1 >= le or text[i + 1].isspace() or text[i + 1] in ".,;:!?)]—–-"
    if before_free and not after_free:
        return "open"
    if after_free and not before_free:
        return "close"
    return "close" if inside else "open"


def _trimmed(text: str, start: int, end: int, open_at: int, close_at: int) -> Marked:
    """The quoted words without surrounding spaces, the cue comma or a final full stop."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",."):
        if text[end - 1] == "." and text[end - 3:end] == "...":
            break
        end -= 1
    return Marked(start, end, open_at, close_at)


def posts(text: str) -> list[Post]:
    """Posts embedded with their byline ("… pic.twitter.com/… — Name (@handle) Month D, YYYY"): the post is the
    text before the dash on its line, or the line before when the byline stands alone."""
    out = []
    for m in _BYLINE.finditer(text):
        ls = text.rfind("\n", 0, m.start()) + 1
        start, end = ls, m.start()
        if not text[ls:m.start()].strip():  # the byline is a line of its own: the post is the line above
            end = ls - 1
            while end > 0 and text[end - 1] in "\n\r ":
                end -= 1
            start = text.rfind("\n", 0, end) + 1
        tail = _POST_TAIL.search(text, start, end)
        if tail and tail.start() > start:
            end = tail.start()
        while start < end and text[start].isspace():
            start += 1
        if end - start >= 3:
            out.append(Post(start, end, m.start("dash"), m.start("name"), m.end("name"), m.group("handle")))
    return out

"""Cutting over-long runs of text at whitespace, keeping exact character offsets."""

from __future__ import annotations


def bound(text: str, start: int, end: int, limit: int, prefer=None, hard: int | None = None):
    """[start, end) cut into stripped pieces of at most `limit` chars: where `prefer(start)` says (-1: nowhere),
    else at the last whitespace within each `limit` chars, else hard after `hard` (default `limit`) chars."""
    while end - start > limit:
        cut = prefer(start) if prefer else -1
        if cut < 0:
            cut = last_space(text, start, start + limit)
        if cut < 0:
            cut = start + (limit if hard is None else hard)
        s, e = strip(text, start, cut)
        if s < e:
            yield s, e
        start, _ = strip(text, cut, end)
    if start < end:
        yield start, end


def last_space(text: str, start: int, stop: int) -> int:
    """Index of the last whitespace character in text[start + 1 : stop + 1], or -1."""
    for i in range(min(stop, len(text) - 1), start, -1):
        if text[i].isspace():
            return i
    return -1


def strip(text: str, s: int, e: int) -> tuple[int, int]:
    """[s, e) without the whitespace at either end."""
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e

"""A title from the first line of a .txt or .md file that has none in front matter: a heading, not a sentence."""

from __future__ import annotations

import re

MAX_TITLE_CHARS = 150
MAX_TITLE_WORDS = 25
# A line of prose, or one that leads into the next, ends so; a headline does not (this refuses questions too).
SENTENCE_END = ".!?…:;,"
CLOSERS = "\"'”’»)]*_"  # quotes, brackets and emphasis that may follow a line's last punctuation mark
# When the next line follows without a blank line, the first is a title only if it is at most this share of the
# next line's length: lines of a hard-wrapped paragraph are about equally long.
WRAPPED_RATIO = 0.8

_ATX = re.compile(r"^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")  # "# Heading" (closing #s allowed)
_SETEXT = re.compile(r"^ {0,3}(?:=+|-{2,})[ \t]*$")  # "Heading" underlined by "====" or "----"
_NOT_PROSE = ("- ", "* ", "+ ", "> ", "|", "```", "~~~", "<")  # list items, quotes, tables, fences, markup


def first_line_title(text: str) -> str | None:
    """The first non-blank line of `text` as a title when it looks like one, else None. A Markdown heading
    (`# Title`, or a line underlined by `===`/`---`) is one; a plain line is one when it is short, has letters,
    does not end in sentence punctuation and is followed by more text: after a blank line, or directly when the
    next line does not continue it (starts in lower case, or is about as long: a hard-wrapped paragraph). A file
    that is one line long has no title line. The text itself is not changed: the line stays its first sentence."""
    lines = text.split("\n")
    first = next((n for n, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return None
    line, rest = lines[first], lines[first + 1 :]
    if not any(r.strip() for r in rest):
        return None
    heading = _ATX.match(line)
    if heading:
        return _usable(heading.group(1))
    following = rest[0].strip()
    if _SETEXT.match(rest[0]) and any(r.strip() for r in rest[1:]):
        return _usable(line)
    if following and (following[:1].islower() or len(line.strip()) > WRAPPED_RATIO * len(following)):
        return None
    candidate = _usable(line)
    if candidate is None or candidate.startswith(_NOT_PROSE):
        return None
    if candidate.rstrip(CLOSERS)[-1:] in SENTENCE_END:
        return None
    return candidate


def _usable(line: str) -> str | None:
    """The line, stripped, when it is short enough for a title and has a letter in it."""
    title = " ".join(line.split())
    if not title or len(title) > MAX_TITLE_CHARS or len(title.split()) > MAX_TITLE_WORDS:
        return None
    if not any(c.isalpha() for c in title):
        return None
    return title

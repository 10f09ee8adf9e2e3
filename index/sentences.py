"""Splits article text into sentences with exact character offsets."""

from __future__ import annotations

import re
import threading

# No sentence is longer than this many characters: a longer run (a table flattened into one line, a text without
# punctuation) is cut further at whitespace, or hard-cut where there is no whitespace for this long.
MAX_SENTENCE_CHARS = 2000
# pysbd's regexes slow down on very long lines, so a line longer than this is first cut into pieces (each
# ending at a likely sentence end, else at whitespace) that are segmented separately.
PYSBD_MAX_CHARS = 10_000

# Hard boundaries: every line break str.splitlines() knows (\r\n is two of them, harmless: empty lines vanish).
_LINE = re.compile(r"[^\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]+")

# Double quotes are hidden from pysbd (see SentenceSplitter._split_line); a closing quote is then re-attached.
_DOUBLE_QUOTES = frozenset('"“”„«»')
_CLOSERS = frozenset('"”’\'»)]')

# Abbreviations after which a sentence never ends when the next word is a name (titles) or a number.
_TITLES = frozenset(
    "adm amb atty attys brig capt cmdr col comdr cpl det dr drs fr gen gov hon insp lt maj messrs mr mrs ms msgr "
    "mt pres prof rep reps rev sen sens sgt supt vs v".split()
)
_BEFORE_NUMBER = frozenset(
    "no nos vol vols pp p art sec fig ch jan feb mar apr jun jul aug sep sept oct nov dec rt".split()
)
_WORD_BEFORE_PERIOD = re.compile(r"([A-Za-z]+)\.\W*$")
_LOWER_START = re.compile(r"^\W*[a-z]")
_CAMEL_START = re.compile(r"^\W*[a-z]+[A-Z]")  # iPhone, eBay: a sentence may start with these
_LIKELY_END = re.compile(r"[.!?…][\"”’)\]]*\s+")


class SentenceSplitter:
    """pysbd on each line of the text, with the post-processing rules news text needs; thread-safe."""

    def __init__(self) -> None:
        self._segmenter = None
        self._lock = threading.Lock()

    def split(self, text: str) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        for m in _LINE.finditer(text):
            s, e = _strip(text, m.start(), m.end())
            for ps, pe in _pieces(text, s, e, PYSBD_MAX_CHARS):
                for ss, se in self._split_line(text[ps:pe]):
                    out.extend(_bound(text, ps + ss, ps + se, MAX_SENTENCE_CHARS))
        return out

    def _segment(self, line: str) -> list[str]:
        with self._lock:  # pysbd keeps per-call state on the Segmenter
            if self._segmenter is None:
                import pysbd

                self._segmenter = pysbd.Segmenter(language="en", clean=False)
            return self._segmenter.segment(line)

    def _split_line(self, line: str) -> list[tuple[int, int]]:
        """Sentence spans of one stripped, non-empty line (offsets into the line)."""
        # pysbd refuses to split inside a quotation, so a five-sentence quote would be one "sentence"; with the
        # double quotes removed it splits there as elsewhere. `keep` maps the reduced text back to the line.
        keep = [i for i, ch in enumerate(line) if ch not in _DOUBLE_QUOTES]
        if not keep:
            return [(0, len(line))]
        reduced = "".join(line[i] for i in keep) if len(keep) < len(line) else line
        try:
            segments = self._segment(reduced)
        except Exception:  # noqa: BLE001 - a pysbd bug on odd input must not lose the article
            segments = [reduced]
        cuts = []
        for end in _align(reduced, segments):
            cut = keep[end - 1] + 1
            cut = _attach_closers(line, cut)
            if 0 < cut < len(line):
                cuts.append(cut)
        spans = []
        prev = 0
        for cut in sorted(set(cuts)) + [len(line)]:
            s, e = _strip(line, prev, cut)
            if s < e:
                spans.append((s, e))
            prev = max(prev, cut)
        return _merge(line, spans)


def _align(text: str, segments: list[str]) -> list[int]:
    """End offset in `text` of each segment, by a forward search from the previous end (never from 0, so a
    repeated sentence maps to its own place); if pysbd altered a segment, by counting non-space characters."""
    ends = []
    cursor = 0
    for seg in segments:
        core = seg.strip()
        if not core:
            continue
        idx = text.find(core, cursor, cursor + len(seg) + len(core) + 64)
        if idx >= 0 and (idx == cursor or text[cursor:idx].isspace()):
            cursor = idx + len(core)
        else:
            n = sum(1 for ch in core if not ch.isspace())
            while cursor < len(text) and n:
                if not text[cursor].isspace():
                    n -= 1
                cursor += 1
        if cursor > 0:
            ends.append(cursor)
    return ends


def _attach_closers(line: str, cut: int) -> int:
    """Moves a cut past closing quotes and brackets that follow it: `He said "stop."| Then` → after the quote.
    A straight quote (") or apostrophe counts as closing only when whitespace or the line end follows."""
    j = cut
    while j < len(line) and line[j] in _CLOSERS:
        j += 1
    if j > cut and (j == len(line) or line[j].isspace()):
        return j
    if j > cut:  # closers then text: keep only the unambiguous curly/bracket closers
        k = cut
        while k < len(line) and line[k] in "”)]»":
            k += 1
        return k
    return cut


def _merge(line: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Joins neighbours that pysbd split wrongly on news text."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if out and _joins(line, out[-1], (s, e)):
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _joins(line: str, left: tuple[int, int], right: tuple[int, int]) -> bool:
    a, b = line[left[0] : left[1]], line[right[0] : right[1]]
    if right[0] == left[1]:
        return True  # split inside a token (URL, handle, "x=1"): never a sentence end
    if _LOWER_START.match(b) and not _CAMEL_START.match(b):
        return True  # `"Will they come back?" asked Smith.`, `Wait… what?`
    if _inside_brackets(line, left[1]):
        return True  # "[…]", "[of]", "(vs. Buccaneers)"
    m = _WORD_BEFORE_PERIOD.search(a[-12:])
    if m and a.endswith("."):
        word = m.group(1).lower()
        if word in _TITLES and b[:1].isupper():
            return True  # "Maj. Gen. John", "Dr. Smith"
        if word in _BEFORE_NUMBER and b[:1].isdigit():
            return True  # "No. 3", "Jan. 5"
    return False


def _inside_brackets(line: str, pos: int) -> bool:
    for open_, close in (("[", "]"), ("(", ")")):
        i = line.rfind(open_, max(0, pos - 300), pos)
        if i >= 0 and line.find(close, i, pos) < 0:
            j = line.find(close, pos, pos + 300)
            if j >= 0 and line.find(open_, pos, j) < 0:
                return True
    return False


def _pieces(text: str, start: int, end: int, limit: int):
    """[start, end) cut into stripped pieces of at most `limit` chars, preferably after a sentence end."""
    while end - start > limit:
        window = text[start : start + limit]
        cut = -1
        for m in _LIKELY_END.finditer(window, limit // 2):
            cut = m.end()
        if cut < 0:
            cut = max(window.rfind(" "), window.rfind("\t"), window.rfind("\xa0"))
        if cut <= 0:
            cut = limit
        s, e = _strip(text, start, start + cut)
        if s < e:
            yield s, e
        start, _ = _strip(text, start + cut, end)
    if start < end:
        yield start, end


def _bound(text: str, start: int, end: int, limit: int):
    """A sentence longer than `limit` cut at its last whitespace before each `limit` chars (hard cut if none)."""
    while end - start > limit:
        cut = -1
        for i in range(start + limit, start, -1):
            if text[i].isspace():
                cut = i
                break
        if cut < 0:
            cut = start + limit
        s, e = _strip(text, start, cut)
        if s < e:
            yield s, e
        start, _ = _strip(text, cut, end)
    if start < end:
        yield start, end


def _strip(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


_SPLITTER = SentenceSplitter()


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(char_start, char_end) of each sentence, in order."""
    return _SPLITTER.split(text)

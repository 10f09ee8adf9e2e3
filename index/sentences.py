"""Splits article text into sentences with exact character offsets."""

from __future__ import annotations

import functools
import re
import threading
import unicodedata

from index.cuts import bound as _bound
from index.cuts import strip as _strip
from index.glued import glued_starts

# No sentence is longer than this many characters: a longer run (a table flattened into one line, a text
# without punctuation) is cut further at whitespace, or hard-cut where there is no whitespace for this long.
MAX_SENTENCE_CHARS = 2000
# pysbd's regexes slow down on very long lines, so a line longer than this is first cut into pieces (each
# ending at a likely sentence end, else at whitespace) that are segmented separately.
PYSBD_MAX_CHARS = 3000

# Hard boundaries: every line break str.splitlines() knows (\r\n is two; the empty line between vanishes).
_LINE = re.compile(r"[^\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]+")

# Quotation marks are hidden from pysbd (see SentenceSplitter._split_line); a closing one is then re-attached.
_QUOTES = frozenset('"“”„«»‘')
# Characters pysbd uses as placeholders internally; hidden too, or pysbd would "restore" them into other text.
_PYSBD_PLACEHOLDERS = frozenset("∯∮ȸȹ☉☈☇☄♬♭ᓰᓱᓳᓴᓷᓸ✂⌬⎋♨☝♟♝ƪ☏")
_CLOSERS = frozenset("\"”’'»)]")

# Abbreviations after which a sentence never ends when the next word is a name (titles) or a number.
_TITLES = frozenset(
    "adm amb atty attys brig capt cmdr col comdr cpl det dr drs fr gen gov hon insp lt maj messrs mr mrs ms "
    "msgr mt pres prof rep reps rev sen sens sgt supt vs v".split()
)
_BEFORE_NUMBER = frozenset(
    "no nos vol vols pp p art sec fig ch jan feb mar apr jun jul aug sep sept oct nov dec rt".split()
)
_WORD_BEFORE_PERIOD = re.compile(r"([A-Za-z]+)\.\W*$")
_LOWER_START = re.compile(r"^\W*[a-z]")
_UPPER_START = re.compile(r"^[\"“‘(\[]*[A-Z]")
_CAMEL_START = re.compile(r"^\W*[a-z]+[A-Z]")  # iPhone, eBay: a sentence may start with these
# Sentence starts pysbd misses: a number ("…in a season. 152.67 -- After missing…"), and "I" after a word that
# is also in its abbreviation list ("Tan told me. I have…", "It is what it is. I know.").
_MISSED_START = re.compile(r"(\b([A-Za-z]{2,})[.!?][\"”’)]*)\s+(?=\d|I\b)")
# Lower-case words that pysbd's abbreviation list holds as abbreviations ("Me.", "Mass.", "Wash.", "Is.").
_COMMON_WORDS = frozenset("me is man miss may ill mass wash id ok con ken ind pa mo la".split())
# A cut for pre-splitting very long lines: sentence punctuation after a word, then space and a capital.
_LIKELY_END = re.compile(r"\b([A-Za-z]{2,})[.!?…][\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z])")
_TIME_ZONE = re.compile(r"(?:[ECMP][SD]?T|GMT|UTC|BST|CES?T|AE[SD]T|IST)\b")


class SentenceSplitter:
    """pysbd on each line of the text, plus the rules news text needs; one pysbd Segmenter, made on first use.
    Thread-safe: pysbd keeps per-call state only in the Processor it makes for each call."""

    def __init__(self) -> None:
        self._segmenter = None
        self._lock = threading.Lock()

    def split(self, text: str) -> list[tuple[int, int]]:
        """(char_start, char_end) of each sentence, in order; see split_sentences."""
        out: list[tuple[int, int]] = []
        for m in _LINE.finditer(text):
            s, e = _strip(text, m.start(), m.end())
            cuts = [s + c for c in glued_starts(text[s:e], _is_abbreviation)]  # `now."But`: no space after
            for gs, ge in zip([s, *cuts], [*cuts, e], strict=True):
                for ps, pe in _pieces(text, gs, ge, PYSBD_MAX_CHARS):
                    for ss, se in self._split_line(text[ps:pe]):
                        out.extend(_bound(text, ps + ss, ps + se, MAX_SENTENCE_CHARS))
        return out

    def _segment(self, line: str) -> list[str]:
        if self._segmenter is None:
            with self._lock:
                if self._segmenter is None:
                    import pysbd

                    self._segmenter = pysbd.Segmenter(language="en", clean=False)
        # Segmenter.segment() ends by locating every sentence with a fresh regex searched over the whole
        # input, which is quadratic on long lines and silently drops a sentence it cannot find; we align
        # ourselves, so only its Processor is used (pysbd 0.3.4; another version falls back to segment()).
        processor = getattr(self._segmenter, "processor", None)
        if processor is None:
            return self._segmenter.segment(line)
        return processor(line).process() or []

    def _split_line(self, line: str) -> list[tuple[int, int]]:
        """Sentence spans of one stripped, non-empty line (offsets into the line)."""
        # pysbd refuses to split inside a quotation, so a five-sentence quote would be one "sentence"; with
        # the quotation marks removed it splits there as elsewhere (and `"Why?" asked Smith` stays whole, see
        # _joins). `keep` maps each character of the reduced text back to its offset in the line.
        keep, chars = _reduce(line)
        if not keep:
            return [(0, len(line))]
        reduced = "".join(chars)
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
        cuts.extend(m.end(1) for m in _MISSED_START.finditer(line) if not _is_abbreviation(m.group(2)))
        spans = []
        prev = 0
        for cut in sorted(set(cuts)) + [len(line)]:
            s, e = _strip(line, prev, cut)
            if s < e:
                spans.append((s, e))
            prev = max(prev, cut)
        return _merge(line, spans)


@functools.cache
def _abbreviations() -> frozenset[str]:
    from pysbd.lang.common.standard import Standard

    return frozenset(Standard.Abbreviation.ABBREVIATIONS) | _TITLES | _BEFORE_NUMBER | {"bros", "al", "co"}


def _is_abbreviation(word: str) -> bool:
    return word.lower() in _abbreviations() and not (word.islower() and word in _COMMON_WORDS)


def _reduce(line: str) -> tuple[list[int], list[str]]:
    """The line without its quotation marks (and pysbd placeholder characters), as (offsets kept, characters).
    A quote glued between a sentence end and the next word (`six years.“It’s`) becomes a space instead."""
    keep: list[int] = []
    chars: list[str] = []
    n = len(line)
    for i, ch in enumerate(line):
        if not _hidden(line, i):
            keep.append(i)
            chars.append(ch)
        elif (
            chars
            and chars[-1] in ".!?…"
            and i + 1 < n
            and not line[i + 1].isspace()
            and not _hidden(line, i + 1)
        ):
            keep.append(i)
            chars.append(" ")
    return keep, chars


def _hidden(line: str, i: int) -> bool:
    """A quotation mark: any double quote, an opening ‘, or a ’ that is not an apostrophe inside a word."""
    ch = line[i]
    if ch in _QUOTES or ch in _PYSBD_PLACEHOLDERS:
        return True
    return ch == "’" and not (i + 1 < len(line) and line[i + 1].isalnum())


def _align(text: str, segments: list[str]) -> list[int]:
    """End offset in `text` of each segment. Each segment is matched where the previous one ended (after
    whitespace), never searched for from the start, so a repeated sentence maps to its own place; if pysbd
    altered a segment (it rewrites some whitespace), its end is found by counting non-space characters."""
    ends = []
    cursor = 0
    n = len(text)
    for seg in segments:
        core = seg.strip()
        if not core:
            continue
        while cursor < n and text[cursor].isspace():
            cursor += 1
        if text.startswith(core, cursor):
            cursor += len(core)
        else:
            left = sum(1 for ch in core if not ch.isspace())
            while cursor < n and left:
                if not text[cursor].isspace():
                    left -= 1
                cursor += 1
        if cursor > 0:
            ends.append(cursor)
    return ends


def _attach_closers(line: str, cut: int) -> int:
    """Moves a cut past the closing quotes and brackets that follow it, so they end the sentence they close:
    `He said "stop."| Then` → `He said "stop."|`. A straight quote or ’ counts as closing only when whitespace
    or the line end follows it; a ” or » also after a space (`‘Wow. This is it.’ ” Edenglassie…`)."""
    n = len(line)
    j = cut
    while j < n and line[j] in _CLOSERS:
        j += 1
    if j > cut and not (j == n or line[j].isspace()):
        j = cut  # closers glued to the next word: only the unambiguous curly and bracket closers go left
        while j < n and line[j] in "”)]»":
            j += 1
        return j
    k = j
    while k < n and k - j < 3 and line[k].isspace():
        k += 1
    if k > j and k < n and line[k] in "”»" and (k + 1 == n or line[k + 1].isspace()):
        return k + 1
    return j


def _merge(line: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Joins neighbours that pysbd split wrongly on news text."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if out:
            # "What a goal! ???? Watch it again.": a run of ?!… or emoji after a sentence end belongs to it
            j = _trailer_end(line, s, e)
            if j > s:
                out[-1] = (out[-1][0], j)
                s, e = _strip(line, j, e)
                if s == e:
                    continue
        if out and _joins(line, out[-1], (s, e)):
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _trailer_end(line: str, s: int, e: int) -> int:
    """End of the runs of ?!… and emoji (each followed by whitespace or `e`) that start line[s:e], or s."""
    end = j = s
    while j < e:
        k = j
        while k < e and (line[k] in "?!.…" or unicodedata.category(line[k]) in ("So", "Sk", "Mn", "Cf")):
            k += 1
        if k == j or (k < e and not line[k].isspace()):
            break
        end = k
        j, _ = _strip(line, k, e)
    return end


def _joins(line: str, left: tuple[int, int], right: tuple[int, int]) -> bool:
    a, b = line[left[0] : left[1]], line[right[0] : right[1]]
    if not any(ch.isalnum() for ch in b) or not any(ch.isalnum() for ch in a):
        return True  # a trailing emoji or "????" after "!", a lone bullet or dash: not a sentence of its own
    if right[0] == left[1] and not _glued_quote_boundary(a, b):
        return True  # split inside a token (URL, handle, "x=1"): not a sentence end
    if _LOWER_START.match(b) and not _CAMEL_START.match(b):
        return True  # `"Will they come back?" asked Smith.`, `Wait… what?`
    if _inside_brackets(line, left[1]):
        return True  # "[…]", "[of]", "(vs. Buccaneers)"
    m = _WORD_BEFORE_PERIOD.search(a[-12:])
    if m and a.endswith("."):
        word = m.group(1)
        if word.lower() in _TITLES and (word[0].isupper() or word in ("v", "vs")) and b[:1].isupper():
            return True  # "Maj. Gen. John", "Dr. Smith", "Smith v. Jones"
        if word.lower() in _BEFORE_NUMBER and b[:1].isdigit():
            return True  # "No. 3", "Jan. 5"
    if a.lower().endswith(("a.m.", "p.m.")) and _TIME_ZONE.match(b):
        return True  # "At 9 a.m. ET the market opened."
    return False


def _glued_quote_boundary(a: str, b: str) -> bool:
    """`…six years.“It’s what…`, `…of ownership.”Music Business…`: a sentence end, unspaced, at a quote."""
    if not (a[-1:] in '"”’»' or b[:1] in '"“‘«'):
        return False
    return a.rstrip('"”’»')[-1:] in (".", "!", "?", "…") and _UPPER_START.match(b) is not None


def _inside_brackets(line: str, pos: int) -> bool:
    for open_, close in (("[", "]"), ("(", ")")):
        i = line.rfind(open_, max(0, pos - 300), pos)
        if i >= 0 and line.find(close, i, pos) < 0:
            j = line.find(close, pos, pos + 300)
            if j >= 0 and line.find(open_, pos, j) < 0:
                return True
    return False


def _pieces(text: str, start: int, end: int, limit: int):
    """[start, end) (stripped) cut into stripped pieces of at most `limit` chars: after the last likely
    sentence end in the second half of each window, else at its last whitespace, else hard."""

    def after_sentence_end(s: int) -> int:
        cut = -1
        for m in _LIKELY_END.finditer(text, s + limit // 2, s + limit):
            if not _is_abbreviation(m.group(1)):
                cut = m.end()
        return cut

    return _bound(text, start, end, limit, after_sentence_end, min(limit, MAX_SENTENCE_CHARS))


_SPLITTER = SentenceSplitter()


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(char_start, char_end) of each sentence, in order."""
    return _SPLITTER.split(text)

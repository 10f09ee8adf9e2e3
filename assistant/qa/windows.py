"""Reader windows: a candidate sentence with as much of its neighbours as fits, as tokens with exact char offsets.

Shared by training (training/reader_data.py) and answering (assistant/qa/reader.py), so the model reads at answer
time exactly the kind of window it was trained on."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

MAX_TOKENS = 128  # a window with its question, [CLS] and two [SEP] (training speed: 11.7 examples/s here)
MAX_QUESTION_TOKENS = 32  # longer questions are cut (SQuAD train: 99.6 % are shorter)
MAX_ANSWER_TOKENS = 30  # longest span the reader may pick
MAX_RANK_TOKENS = 96  # the ranker's input: a question, one sentence (squad_train: 94 % of answers' sentences fit whole)
# and its neighbours' nearest pieces in what is left
CLS, SEP = 101, 102  # bert-base-uncased ids, as in the shipped tokenizer.json


@dataclass(frozen=True)
class Tokens:
    """An article's word pieces: ids, each piece's (start, end) in the text, and the sentence it falls in."""

    ids: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    sentence: np.ndarray  # index of the sentence holding each piece (-1: between sentences)
    first: np.ndarray  # first piece of each sentence
    stop: np.ndarray  # one past the last piece of each sentence


@dataclass(frozen=True)
class Window:
    """Pieces [lo, hi) of an article around sentence `center`, ready to pair with a question."""

    center: int
    lo: int
    hi: int


def tokenizer_path() -> Path:
    from index.embedders import minilm_path

    return minilm_path() / "tokenizer.json"


@lru_cache(maxsize=1)
def tokenizer():
    """The shipped MiniLM word-piece tokenizer (lower-cased), without its truncation and padding."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(tokenizer_path()))
    tok.no_truncation()
    tok.no_padding()
    return tok


def article_tokens(text: str, spans: list[tuple[int, int]] | tuple[tuple[int, int], ...]) -> Tokens:
    """Tokenise a whole article once; each piece keeps its exact offsets and its sentence."""
    enc = tokenizer().encode(text, add_special_tokens=False)
    ids = np.asarray(enc.ids, dtype=np.int64)
    offs = np.asarray(enc.offsets, dtype=np.int64).reshape(-1, 2)
    starts, ends = offs[:, 0], offs[:, 1]
    sent_starts = [s for s, _ in spans]
    sentence = np.full(len(ids), -1, dtype=np.int64)
    for k, st in enumerate(starts):
        j = bisect.bisect_right(sent_starts, int(st)) - 1
        if j >= 0 and st < spans[j][1]:
            sentence[k] = j
    first = np.searchsorted(starts, [s for s, _ in spans], side="left")
    stop = np.searchsorted(starts, [e for _, e in spans], side="left")
    return Tokens(ids, starts, ends, sentence, first, stop)


def question_ids(question: str) -> list[int]:
    return tokenizer().encode(question, add_special_tokens=False).ids[:MAX_QUESTION_TOKENS]


def window_around(tokens: Tokens, center: int, budget: int) -> Window:
    """Sentence `center` whole (its start, if longer than the budget), then neighbours' pieces on both sides in
    turn until `budget` pieces: the reader sees the sentence in its context."""
    n = len(tokens.ids)
    a, b = int(tokens.first[center]), int(tokens.stop[center])
    if b - a >= budget:
        return Window(center, a, a + budget)
    left, right = sides(a, n - b, budget - (b - a))
    return Window(center, a - left, b + right)


def sides(before: int, after: int, extra: int) -> tuple[int, int]:
    """How many of `extra` pieces to take before and after a sentence with `before` and `after` pieces around it:
    half each, and what one side lacks goes to the other."""
    left = min(before, extra // 2)
    right = min(after, extra - left)
    return min(before, extra - right), right


def sentence_window(tokens: Tokens, index: int, budget: int) -> Window:
    """Sentence `index` alone (its start, if longer than the budget): what the ranker reads."""
    a, b = int(tokens.first[index]), int(tokens.stop[index])
    return Window(index, a, min(b, a + budget))


def ranker_input(q_ids: list[int], tokens: Tokens, index: int, total: int = MAX_RANK_TOKENS):
    """[CLS] question [SEP] sentence [SEP] context [SEP] as ids, token types and the sentence's window: sentence
    `index` first (its start, if longer than the budget), then the previous sentence's last pieces and the next one's
    first in what is left, so the ranker scores this sentence read in its context ("He played Gordon Clegg" after the
    sentence naming him). The sentence sits where encode() puts a window: answer_positions() holds for it."""
    budget = total - len(q_ids) - 4
    w = sentence_window(tokens, index, budget)
    a, b = int(tokens.first[index]), int(tokens.stop[index])
    left, right = sides(a, len(tokens.ids) - b, budget - (w.hi - w.lo))
    context = [*tokens.ids[a - left : a].tolist(), *tokens.ids[b : b + right].tolist()]
    ids = [CLS, *q_ids, SEP, *tokens.ids[w.lo : w.hi].tolist(), SEP, *context, SEP]
    return ids, [0] * (len(q_ids) + 2) + [1] * (len(ids) - len(q_ids) - 2), w


def encode(q_ids: list[int], tokens: Tokens, window: Window) -> tuple[list[int], list[int]]:
    """[CLS] question [SEP] window [SEP] as ids and token types; window piece k sits at 2 + len(q) + k."""
    ids = [CLS, *q_ids, SEP, *tokens.ids[window.lo : window.hi].tolist(), SEP]
    types = [0] * (len(q_ids) + 2) + [1] * (window.hi - window.lo + 1)
    return ids, types


def budget_for(q_ids: list[int], total: int = MAX_TOKENS) -> int:
    return total - len(q_ids) - 3


def answer_positions(q_ids: list[int], tokens: Tokens, window: Window, start: int, end: int) -> tuple[int, int]:
    """Input positions of the first and last piece of the answer text[start:end], or (0, 0) ([CLS]: this window
    does not hold the answer) when the window does not hold it whole."""
    inside = np.nonzero((tokens.ends[window.lo : window.hi] > start) & (tokens.starts[window.lo : window.hi] < end))[0]
    if len(inside) == 0:
        return 0, 0
    s, e = int(inside[0]) + window.lo, int(inside[-1]) + window.lo
    if tokens.starts[s] > start or tokens.ends[e] < end:
        return 0, 0  # the answer runs past the window's edge
    offset = len(q_ids) + 2 - window.lo
    return s + offset, e + offset


def _in_word(text: str, i: int) -> bool:
    """A letter or digit, or a hyphen joining two ("co-defendant" is one word: a span may start at its hyphen)."""
    return text[i].isalnum() or (text[i] == "-" and 0 < i < len(text) - 1 and text[i - 1].isalnum()
                                 and text[i + 1].isalnum())


def widen_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """A span picked from word pieces, widened to whole words (never a fragment of one) and trimmed of the
    punctuation a piece boundary leaves at its edges."""
    while start > 0 and _in_word(text, start - 1) and _in_word(text, start):
        start -= 1
    while end < len(text) and text[end].isalnum() and text[end - 1].isalnum():  # not on into "-based"
        end += 1
    while end > start and text[end - 1] in " ,;:.\u201d\"'(":
        if text[end - 1] == "." and end - start > 1 and text[end - 2].isupper():
            break  # "U.S." keeps its full stop
        end -= 1
    while start < end and text[start] in " ,;:)\u201c\"'":
        start += 1
    return start, end


def quotes_closed(text: str, start: int, end: int) -> tuple[int, int]:
    """A span whose quotation mark's partner lies outside it: a mark at its start goes ('“Scary Fast' → 'Scary
    Fast'), and one opened inside it is closed by the mark right after it ('Michael Jackson’s "Thriller' → '…
    "Thriller"'), and so is a bracket ('the Digital Services Act (DSA' → '… (DSA)'): a short answer never shows half a
    quotation."""
    if end - start > 1 and text[start] in "“\"" and not any(ch in "”\"" for ch in text[start + 1 : end]):
        start += 1
        while start < end and text[start].isspace():
            start += 1
    span = text[start:end]
    if (span.count("“") > span.count("”") or span.count('"') % 2) and end < len(text) and text[end] in "”\"":
        end += 1
    if text.count("(", start, end) > text.count(")", start, end) and end < len(text) and text[end] == ")":
        end += 1  # "the Digital Services Act (DSA" closes its bracket too
    return start, end


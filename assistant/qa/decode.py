"""The best answer span in a window from the reader's start and end logits: inside one sentence, at most
MAX_ANSWER_TOKENS pieces, scored against the window's "no answer" score ([CLS])."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assistant.qa.windows import MAX_ANSWER_TOKENS


@dataclass(frozen=True)
class Span:
    piece_start: int  # article piece indices, inclusive
    piece_end: int
    score: float  # start + end logit of the span
    null: float  # start + end logit of [CLS]: the window does not answer

    @property
    def margin(self) -> float:
        return self.score - self.null


def best_span(start: np.ndarray, end: np.ndarray, first: int, lo: int, sentence: np.ndarray,
              only: int | None = None) -> Span | None:
    """`start`/`end`: one window's logits over its input positions; window pieces begin at input position `first`
    and are article pieces lo, lo+1, …; `sentence`: the sentence of each of those pieces (-1: between sentences);
    `only`: a sentence the span must lie in (the neighbours are context). None when no span fits."""
    n = len(sentence)
    s = start[first : first + n].astype(np.float64)
    e = end[first : first + n].astype(np.float64)
    grid = s[:, None] + e[None, :]
    i, j = np.indices(grid.shape)
    ok = (j >= i) & (j - i < MAX_ANSWER_TOKENS) & (sentence[:, None] == sentence[None, :]) & (sentence[:, None] >= 0)
    if only is not None:
        ok &= sentence[:, None] == only
    if not ok.any():
        return None
    grid = np.where(ok, grid, -np.inf)
    k = int(np.argmax(grid))
    a, b = divmod(k, n)
    return Span(lo + a, lo + b, float(grid[a, b]), float(start[0] + end[0]))

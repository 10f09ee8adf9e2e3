"""Stage 3a, rank: the trained sentence ranker re-orders the best-scored sentences by how well each, read after the
question in its context, answers it (assistant/qa/ranker.onnx, trained by training/train_ranker.py)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from assistant import tuning as t
from assistant.candidates import Candidate
from assistant.qa.reader import Logits
from assistant.qa.windows import Tokens, question_ids, ranker_input


class Ranker:
    """order(question, ranked): the first `sentences` candidates re-scored with the ranker's word, best first."""

    def __init__(self, model: Logits, tokens: Callable[[Candidate], Tokens], sentences: int = t.RANKER_SENTENCES):
        self.model = model
        self.tokens = tokens
        self.sentences = sentences

    def order(self, question: str, ranked: list[Candidate]) -> list[Candidate]:
        """Each of the first `sentences` candidates gains RANKER_WEIGHT x its share of the ranker's softmax over
        them (the ranker was trained listwise: its logits compare sentences, they are not probabilities)."""
        top = ranked[: self.sentences]
        if len(top) < 2:
            return ranked
        q_ids = question_ids(question)
        pairs = [ranker_input(q_ids, self.tokens(c), c.index)[:2] for c in top]
        logits = np.asarray(self.model.logits(pairs)[2], dtype=np.float64)
        share = np.exp(logits - logits.max())
        share /= share.sum()
        for c, p in zip(top, share):
            c.ranker = float(p)
            c.score += t.RANKER_WEIGHT * float(p)
        return sorted(top, key=lambda c: -c.score) + ranked[len(top):]

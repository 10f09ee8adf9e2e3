"""A sentence that may answer the question, in its article, with the signals it was scored on."""

from __future__ import annotations

from dataclasses import dataclass, field

from common.records import Citation, StoredArticle


@dataclass
class Candidate:
    stored: StoredArticle
    index: int
    passage: float = 0.0  # the best fused score of a passage it was found in, as a share of the top passage's
    dense: float = 0.0
    lexical: float = 0.0
    context: float = 0.0
    statement: float = 0.0  # 1: a sentence that states something (not a heading or a question)
    type_fit: float = 0.0
    score: float = 0.0  # ranks sentences
    support: float = 0.0  # how well the sentence supports any answer (abstention)
    reader: float = 0.0  # the trained reader's confidence in the answer span it found in this sentence (0: none)
    ranker: float = 0.0  # the trained ranker's share of the first candidates (0: not ranked)
    terms: set = field(default_factory=set)

    @property
    def article(self):
        return self.stored.article

    @property
    def key(self) -> tuple[str, int]:
        return self.stored.article.id, self.index

    @property
    def span(self) -> tuple[int, int]:
        return self.stored.sentence_spans[self.index]

    @property
    def text(self) -> str:
        s, e = self.span
        return self.stored.article.text[s:e]

    def sentence(self, index: int) -> str | None:
        """Another sentence of the same article (None past either end)."""
        if 0 <= index < len(self.stored.sentence_spans):
            s, e = self.stored.sentence_spans[index]
            return self.stored.article.text[s:e]
        return None

    def citation(self, index: int | None = None) -> Citation:
        """This sentence (or sentence `index` of its article) as a citation carrying this candidate's score."""
        return self.stored.citation(self.index if index is None else index, self.score)


def collect(passages, stored: dict[str, StoredArticle]) -> dict[tuple[str, int], Candidate]:
    """Every sentence of the retrieved passages as a candidate, carrying the best share of the top passage's
    fused score it was found with. Passages of an article replaced since it was read are skipped (their offsets
    may not match the stored text), and so are those of an article whose vectors were lost (a crash): until it is
    embedded again it is not searched at all, never by its words alone."""
    if not passages:
        return {}
    top = passages[0].score
    cands: dict[tuple[str, int], Candidate] = {}
    for p in passages:
        art = stored.get(p.article_id)
        if art is None or art.content_hash != p.meta.get("content_hash") or art.vectors_pending:
            continue
        for i in range(p.sentence_start, min(p.sentence_end, len(art.sentence_spans))):
            c = cands.setdefault((p.article_id, i), Candidate(art, i))
            c.passage = max(c.passage, p.score / top)
    return cands

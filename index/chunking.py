"""Groups sentences into overlapping windows of whole sentences, sized in tiktoken tokens."""

from __future__ import annotations

from collections.abc import Sequence

from common.records import Article, Chunk, Sentence
from common.tokens import count_tokens


def chunk_sentences(
    article: Article, sentences: Sequence[Sentence], chunk_tokens: int, overlap_tokens: int
) -> list[Chunk]:
    """Windows of consecutive sentences of at most `chunk_tokens` tokens (a longer sentence is a window of
    its own); each next window starts so that it repeats about `overlap_tokens` tokens of the previous."""
    if not sentences:
        return []
    sizes = count_tokens([s.text for s in sentences])
    chunks: list[Chunk] = []
    start = 0
    n = len(sentences)
    while start < n:
        end, total = start + 1, sizes[start]
        while end < n and total + sizes[end] <= chunk_tokens:
            total += sizes[end]
            end += 1
        first, last = sentences[start], sentences[end - 1]
        chunks.append(
            Chunk(
                article_id=article.id,
                index=len(chunks),
                sentence_start=start,
                sentence_end=end,
                char_start=first.char_start,
                char_end=last.char_end,
                text=article.text[first.char_start : last.char_end],
                n_tokens=total,
            )
        )
        if end >= n:
            break
        # step back over trailing sentences while they fit in the overlap, but always move forward, and only
        # as far as the next window still reaches sentence `end` (else it would repeat this one's tail only)
        next_start, overlap = end, 0
        while (next_start - 1 > start and overlap + sizes[next_start - 1] <= overlap_tokens
               and overlap + sizes[next_start - 1] + sizes[end] <= chunk_tokens):
            next_start -= 1
            overlap += sizes[next_start]
        start = next_start
    return chunks

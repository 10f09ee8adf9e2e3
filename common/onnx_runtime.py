"""ONNX Runtime for the project's models: graphs built once into a cache and checked by sha256, CPU sessions."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from common.errors import EmbeddingError

GRAPH_SUFFIX = ".onnx"
SHA_SUFFIX = ".sha256"  # the graph's sha256 (hex), written after the graph, when it was built


def default_cache_dir() -> Path:
    """Where built graphs live unless the config names a folder: the user cache dir (never the repository)."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("newsroom-assistant", appauthor=False)) / "onnx"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def cached_graph(cache_dir: Path, name: str, build: Callable[[], bytes], error=EmbeddingError) -> bytes:
    """The bytes of graph `name` (a file name that names what it was built from: a new source, a new name) in
    `cache_dir`, checked against the sha256 written when it was built; built by `build()` (and written atomically,
    graph first, then its sha256) when missing, torn or altered. `error` is the AssistantError raised when the folder
    cannot be written."""
    path = cache_dir / (name + GRAPH_SUFFIX)
    sha_path = cache_dir / (name + GRAPH_SUFFIX + SHA_SUFFIX)
    try:
        data = path.read_bytes()
        if sha_path.read_text().strip() == sha256_hex(data):
            return data
    except OSError:
        pass  # not built yet (or half of it): build it below
    data = build()
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        _write_atomically(path, data)
        _write_atomically(sha_path, (sha256_hex(data) + "\n").encode())
    except OSError as exc:
        raise error(f"cannot write the model graph cache {path}: {exc}",
                    "make the folder writable or point ASSISTANT_MODEL_CACHE at a writable folder") from exc
    return data


def _write_atomically(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def session(graph: bytes, threads: int = 0, sha256: str | None = None, error=EmbeddingError):
    """A CPU InferenceSession of `graph` (serialized ONNX): all graph optimisations, `threads` intra-op threads
    (0: one per core), no telemetry, no spinning threads between calls. With `sha256`, the graph must hash to it."""
    os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
    if sha256 is not None and sha256_hex(graph) != sha256:
        raise error("the model graph does not match its sha256", "delete the cached graph: it is built again")
    import onnxruntime as ort

    ort.disable_telemetry_events()
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.log_severity_level = 3  # errors only
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")  # idle between questions: no busy wait
    try:
        return ort.InferenceSession(graph, sess_options=options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # noqa: BLE001 - any load failure is reported the same way
        raise error(f"ONNX Runtime cannot load the model graph: {exc}",
                    "delete the cached graph (it is built again) or reinstall onnxruntime") from exc

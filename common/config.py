"""The one configuration object, built at the entry point from environment and CLI flags."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from .embedder_kinds import DEFAULT_EMBEDDER, embedder_choices
from .embedder_kinds import KINDS as EMBEDDER_KINDS
from .errors import ConfigError

ENV_PREFIX = "ASSISTANT_"


def default_index_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("newsroom-assistant", appauthor=False)) / "index"


@dataclass(frozen=True)
class Config:
    index_dir: Path
    # Chroma server mode: set chroma_host to use a `chroma run` server instead of index_dir.
    chroma_host: str | None = None
    chroma_port: int = 8000
    chroma_ssl: bool = False
    chroma_token: str | None = field(default=None, repr=False)
    chroma_timeout: float = 30.0  # seconds one Chroma server request may take before StoreUnavailable
    collection_prefix: str = "news"
    # Chroma server mode: where this process keeps its local copy of the lexical index, caught up from the server
    # (default: the user cache dir, one folder per server and prefix). A local index keeps it in index_dir.
    lexical_cache: str | None = None
    # one of common/embedder_kinds.py's EMBEDDERS: minilm, st:MODEL_PATH, openai:MODEL or hash
    embedder: str = DEFAULT_EMBEDDER
    embed_base_url: str | None = None
    embed_api_key_env: str = "OPENAI_API_KEY"
    embed_batch_size: int = 64
    # minilm: ONNX Runtime threads per process (0: one per core); its graph is built once from the shipped weights
    # into this folder (default: the user cache dir) and checked by sha256 at every load
    embed_threads: int = 0
    model_cache: str | None = None
    chunk_tokens: int = 200
    chunk_overlap_tokens: int = 50
    sentence_vectors: bool = True
    # analyse every article at ingest with spaCy's en_core_web_sm (entities, noun phrases, parse, quotes):
    # answers use it; off, ingest is faster and answers fall back to patterns
    analysis: bool = True
    # processes that analyse while the ingest embeds, when an ingest has more than one group of articles
    # (0: one per core but one; -1, the default: none, the ingest process analyses between embeddings). Off by default:
    # no gain measured yet on this 2-core machine, and an ingest whose Chroma server died under it left journalled
    # writes behind with workers on (tests/test_chroma_restart.py), not with them off
    analysis_workers: int = -1
    # Chroma saves a collection's HNSW files after this many writes to it (its `sync_threshold`, fixed when the
    # collection is created): fewer saves make large ingests faster, more of them leave less log to replay on open.
    hnsw_sync_threshold: int = 1000
    max_file_mb: float = 20.0
    # the trained extractive reader (assistant/qa/): short answers, sentence order and declining; off: the hand rules
    reader: bool = True
    # with the reader, the trained sentence ranker (assistant/qa/ranker.onnx) re-orders the best-scored sentences first
    ranker: bool = True
    # a folder holding reader.json and reader.onnx (a retrained reader); default: the one shipped in assistant/qa/
    reader_dir: str | None = None
    top_k: int = 8  # passages retrieved (fused dense + BM25) whose sentences are scored, per question
    # An answer needs a best sentence scoring at least this (0..1); below it the assistant abstains.
    abstain_below: float = 0.36
    # `assistant serve`: address, limits, auth and embedding origins. Secrets stay out of repr (and logs).
    host: str = "127.0.0.1"
    port: int = 7860
    max_question_chars: int = 2000
    max_history_turns: int = 20
    example_questions: str | None = None  # "|"-separated; unset: made from the index (assistant/web/examples.py)
    # questions answered at once per process (0: one per CPU core); more wait their turn, so that an upload's
    # ingest in the same process is not starved of the interpreter by many askers
    ask_workers: int = 0
    max_request_kb: int = 1000  # an /api request body larger than this is refused with 413 (also when chunked)
    api_keys: str | None = field(default=None, repr=False)  # comma-separated Bearer keys for /api/*
    ui_user: str | None = None
    ui_password: str | None = field(default=None, repr=False)
    allowed_origins: str | None = None  # comma-separated origins for CORS and widget frame-ancestors
    # comma-separated host names a proxy serves this server under (the browser's address bar): requests naming any
    # other Host are refused (DNS rebinding); loopback names and IP addresses are always accepted
    public_hosts: str | None = None
    # delete and upload in the chat without a log-in (loopback servers only): off, only the logged-in user may
    ui_edit_without_login: bool = False
    client_timeout: float = 30.0  # seconds a client may take to send a request's head or the next part of its body
    # Optional LLM answers (off by default): any OpenAI-compatible chat endpoint phrases the answer from the
    # retrieved sentences; every figure, date and quote is checked against the cited sentences (llm/verify.py).
    llm: bool = False  # ASSISTANT_LLM=1 or --llm; needs llm_base_url and llm_model
    llm_base_url: str | None = None  # e.g. http://127.0.0.1:8080/v1 (llama.cpp, vLLM, Ollama's /v1)
    llm_model: str | None = None
    llm_api_key_env: str = "ASSISTANT_LLM_API_KEY"  # the *name* of the variable holding the key (never logged)
    llm_timeout: float = 60.0  # seconds for the whole completion
    llm_max_context_tokens: int = 2000  # prompt budget (system + conversation + sentences), tiktoken cl100k
    llm_max_answer_tokens: int = 400
    # "answer": the model phrases a cited answer (assistant/llm/answer.py); "reader": it reads only the top evidence
    # passages and replies with the shortest exact phrase, kept as the short answer only when a cited sentence
    # contains it verbatim (assistant/llm/reader.py).
    llm_mode: str = "answer"
    llm_reader_passages: int = 2  # evidence sentences (each with its neighbours) the reader sees: 1 or 2
    llm_reader_max_tokens: int = 32  # the reply is one phrase

    @property
    def index_dir_explicit(self) -> bool:
        """True when the index directory was chosen (flag or env), not defaulted."""
        return self.index_dir != default_index_dir()

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1_000_000)

    @property
    def chroma_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.chroma_token}"} if self.chroma_token else {}

    def describe_store(self) -> str:
        if self.chroma_host:
            scheme = "https" if self.chroma_ssl else "http"
            return f"Chroma server {scheme}://{self.chroma_host}:{self.chroma_port}"
        return f"local index {self.index_dir}"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides) -> Config:
        """Defaults < ASSISTANT_* environment variables < explicit overrides (CLI flags); None means unset."""
        env = os.environ if env is None else env
        values: dict = {"index_dir": default_index_dir()}
        for f in fields(cls):
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is not None and raw != "":
                values[f.name] = _coerce(f.name, f.type, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        values["index_dir"] = Path(values["index_dir"]).expanduser()
        config = cls(**values)
        config.validate()
        return config

    def with_(self, **changes) -> Config:
        return replace(self, **changes)

    def validate(self) -> None:
        if self.chunk_tokens < 16:
            raise ConfigError(f"chunk_tokens={self.chunk_tokens} is too small", "use at least 16 (default 200)")
        if not 0 <= self.chunk_overlap_tokens < self.chunk_tokens:
            raise ConfigError(
                f"chunk_overlap_tokens={self.chunk_overlap_tokens} must be >= 0 and < chunk_tokens",
                "set ASSISTANT_CHUNK_OVERLAP_TOKENS below ASSISTANT_CHUNK_TOKENS",
            )
        kind = self.embedder.split(":", 1)[0]
        if kind not in EMBEDDER_KINDS:
            raise ConfigError(f"unknown embedder {self.embedder!r}", f"use {embedder_choices(quoted=True)}")
        if kind == "openai" and not self.embed_base_url:
            raise ConfigError(
                "embedder 'openai:...' needs an endpoint", "set ASSISTANT_EMBED_BASE_URL (e.g. http://127.0.0.1:8080/v1)"
            )
        if self.chroma_timeout <= 0:
            raise ConfigError("chroma_timeout must be positive", "set ASSISTANT_CHROMA_TIMEOUT to e.g. 30 (seconds)")
        if self.max_file_mb <= 0:
            raise ConfigError("max_file_mb must be positive", "set ASSISTANT_MAX_FILE_MB to e.g. 20")
        if self.hnsw_sync_threshold < 2:
            raise ConfigError("hnsw_sync_threshold must be at least 2", "set ASSISTANT_HNSW_SYNC_THRESHOLD to e.g. 1000")
        if self.embed_threads < 0:
            raise ConfigError("embed_threads must be 0 (one per CPU core) or more", "set ASSISTANT_EMBED_THREADS to e.g. 2")
        if self.ask_workers < 0:
            raise ConfigError("ask_workers must be 0 (one per CPU core) or more", "set ASSISTANT_ASK_WORKERS to e.g. 2")
        if self.client_timeout <= 0:
            raise ConfigError("client_timeout must be positive", "set ASSISTANT_CLIENT_TIMEOUT to e.g. 30 (seconds)")
        if self.max_request_kb <= 0:
            raise ConfigError("max_request_kb must be positive", "set ASSISTANT_MAX_REQUEST_KB to e.g. 1000")
        if self.llm and not (self.llm_base_url and self.llm_model):
            raise ConfigError("LLM answers are on but the endpoint or model is not set",
                              "set ASSISTANT_LLM_BASE_URL (e.g. http://127.0.0.1:8080/v1) and ASSISTANT_LLM_MODEL, "
                              "or turn LLM answers off (unset ASSISTANT_LLM, drop --llm)")
        if self.llm_mode not in {"answer", "reader"}:
            raise ConfigError(f"unknown LLM mode {self.llm_mode!r}", "set ASSISTANT_LLM_MODE (--llm-mode) to "
                              "'answer' (the model phrases the answer) or 'reader' (it picks the exact phrase)")
        if self.llm_reader_passages not in {1, 2} or self.llm_reader_max_tokens < 4:
            raise ConfigError("llm_reader_passages must be 1 or 2 and llm_reader_max_tokens at least 4",
                              "fix ASSISTANT_LLM_READER_PASSAGES / ASSISTANT_LLM_READER_MAX_TOKENS")
        if self.llm_timeout <= 0 or self.llm_max_context_tokens < 256 or self.llm_max_answer_tokens < 16:
            raise ConfigError("llm_timeout must be positive, llm_max_context_tokens at least 256 and "
                              "llm_max_answer_tokens at least 16", "fix ASSISTANT_LLM_TIMEOUT / _MAX_CONTEXT_TOKENS / "
                              "_MAX_ANSWER_TOKENS")


def _coerce(name: str, type_: object, raw: str):
    type_name = str(type_)
    try:
        if "bool" in type_name:
            if raw.lower() in {"1", "true", "yes", "on"}:
                return True
            if raw.lower() in {"0", "false", "no", "off"}:
                return False
            raise ValueError(raw)
        if "int" in type_name:
            return int(raw)
        if "float" in type_name:
            return float(raw)
    except ValueError:
        raise ConfigError(
            f"{ENV_PREFIX}{name.upper()}={raw!r} is not a valid {type_name}", "fix or unset the variable"
        ) from None
    return raw

"""Keeps the process offline: local tiktoken files, no hub lookups, no telemetry."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path


def tiktoken_cache_dir() -> Path | None:
    """The cl100k_base/o200k_base files that llama-index-core ships, found without importing it."""
    spec = importlib.util.find_spec("llama_index.core")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / "_static" / "tiktoken_cache"
    return path if path.is_dir() else None


def configure_environment(env: dict | None = None) -> None:
    """Set (only where unset) the variables that stop downloads and telemetry; call before heavy imports."""
    env = os.environ if env is None else env
    defaults = {
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "ORT_DISABLE_TELEMETRY": "1",
        "ANONYMIZED_TELEMETRY": "False",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "TOKENIZERS_PARALLELISM": "false",
    }
    cache = tiktoken_cache_dir()
    if cache is not None:
        defaults["TIKTOKEN_CACHE_DIR"] = str(cache)
    for key, value in defaults.items():
        env.setdefault(key, value)

"""Text generation seam: the Generator protocol and an OpenAI-compatible chat client (httpx, SSE streaming)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator, Mapping
from typing import Protocol

import httpx

from common.config import Config
from common.errors import LLMError

FIX = "check that the LLM server runs and ASSISTANT_LLM_BASE_URL / ASSISTANT_LLM_MODEL are right, or drop --llm"


class Generator(Protocol):
    """Streams the reply to chat messages ([{"role", "content"}, ...]) as text pieces; raises LLMError."""

    def stream(self, messages: list[dict]) -> Iterator[str]: ...


class OpenAICompatible:
    """POST {base_url}/chat/completions with stream=true, as served by OpenAI, vLLM, llama.cpp, Ollama (/v1).
    `timeout` bounds the whole completion; the API key is sent as a Bearer header and never shown."""

    def __init__(self, base_url: str, model: str, api_key: str | None = None, timeout: float = 60.0,
                 max_tokens: int = 400, temperature: float = 0.0):
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self._api_key = api_key
        self.timeout = timeout
        self.max_tokens = max_tokens
        self.temperature = temperature

    def __repr__(self) -> str:
        key = "set" if self._api_key else "unset"
        return f"OpenAICompatible(url={display_url(self.url)!r}, model={self.model!r}, api_key={key})"

    def stream(self, messages: list[dict]) -> Iterator[str]:
        body = {"model": self.model, "messages": messages, "stream": True, "max_tokens": self.max_tokens,
                "temperature": self.temperature}
        headers = {"Accept": "text/event-stream"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        deadline = time.monotonic() + self.timeout
        try:
            with httpx.stream("POST", self.url, json=body, headers=headers, timeout=self.timeout) as response:
                if response.status_code >= 400:
                    detail = response.read().decode("utf-8", "replace")[:200].strip()
                    raise LLMError(f"the LLM endpoint answered HTTP {response.status_code}"
                                   + (f": {detail}" if detail else ""), FIX)
                if "text/event-stream" not in response.headers.get("content-type", ""):
                    yield _whole_reply(response.read())  # a server that ignores stream=true
                    return
                for line in response.iter_lines():
                    if time.monotonic() > deadline:
                        raise LLMError(f"the LLM did not finish within {self.timeout:g} s",
                                       "raise ASSISTANT_LLM_TIMEOUT or use a faster model")
                    piece = _sse_piece(line)
                    if piece is None:
                        return
                    if piece:
                        yield piece
        except httpx.TimeoutException:
            raise LLMError(f"the LLM endpoint did not answer within {self.timeout:g} s",
                           "raise ASSISTANT_LLM_TIMEOUT or use a faster model") from None
        except httpx.HTTPError as exc:
            raise LLMError(f"cannot reach the LLM endpoint {display_url(self.url)} ({type(exc).__name__})", FIX) from None


def _sse_piece(line: str) -> str | None:
    """The text of one SSE line of a chat.completion.chunk stream: '' for lines without text, None at [DONE]."""
    if not line.startswith("data:"):
        return ""  # blank separators, comments (": ping"), event:/id: lines
    data = line[5:].strip()
    if data == "[DONE]":
        return None
    try:
        chunk = json.loads(data)
    except json.JSONDecodeError:
        raise LLMError("the LLM endpoint sent a stream line that is not JSON", FIX) from None
    if not isinstance(chunk, Mapping):
        raise LLMError("the LLM endpoint sent a stream line that is not a completion chunk", FIX)
    if chunk.get("error"):
        raise LLMError(f"the LLM endpoint reported an error: {str(chunk['error'])[:200]}", FIX)
    choices = chunk.get("choices")
    if not isinstance(choices, list):
        raise LLMError("the LLM endpoint sent a stream chunk without choices", FIX)
    if not choices or not isinstance(choices[0], Mapping):
        return ""
    delta = choices[0].get("delta") or {}
    content = delta.get("content") if isinstance(delta, Mapping) else None
    return content if isinstance(content, str) else ""


def _whole_reply(raw: bytes) -> str:
    try:
        content = json.loads(raw)["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise LLMError("the LLM endpoint's reply is neither an event stream nor a chat completion", FIX) from None
    if not isinstance(content, str):
        raise LLMError("the LLM endpoint's reply has no text", FIX)
    return content


def display_url(url: str) -> str:
    """The URL without user:password@ or query string, for messages and logs."""
    parsed = httpx.URL(url)
    return str(parsed.copy_with(username=None, password=None, query=None, fragment=None))


def make_generator(config: Config, env: Mapping[str, str] | None = None) -> Generator | None:
    """The configured generator, or None when LLM answers are off. The key comes from the variable named by
    llm_api_key_env (no key: no Authorization header, as local servers want)."""
    if not config.llm:
        return None
    env = os.environ if env is None else env
    key = env.get(config.llm_api_key_env) or None
    max_tokens = config.llm_reader_max_tokens if config.llm_mode == "reader" else config.llm_max_answer_tokens
    return OpenAICompatible(config.llm_base_url, config.llm_model, key, config.llm_timeout, max_tokens)

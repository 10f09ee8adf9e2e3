"""The project's own exceptions; the CLI and UI turn them into messages that name the fix."""

from __future__ import annotations


class AssistantError(Exception):
    """Base class: a problem the user can fix; `fix` says how."""

    def __init__(self, message: str, fix: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.message} — {self.fix}" if self.fix else self.message


class ConfigError(AssistantError):
    """A setting (env var, CLI flag) has a value we cannot use."""


class InputError(AssistantError):
    """One input file, or one line of it, cannot be ingested."""

    def __init__(self, path: str, reason: str, fix: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.reason = reason
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {reason}", fix)

    def to_dict(self) -> dict:
        return {"file": self.path, "line": self.line, "reason": self.reason, "fix": self.fix}


class StoreUnavailable(AssistantError):
    """The vector store (local Chroma directory or Chroma server) cannot be reached or opened."""


class ArticleNotFound(AssistantError):
    """An article id that is not in the index."""


class EmbeddingError(AssistantError):
    """The embedding model cannot be loaded or an embeddings endpoint failed."""


class LLMError(AssistantError):
    """The language-model endpoint failed (timeout, refused, HTTP error, unreadable reply); answers fall back."""


class PromptError(AssistantError):
    """A prompt template is missing, or rendering it lacks (or gets an unknown) variable."""

"""Every error of the project, with its HTTP status; the CLI, the chat and the API translate them in one place each."""

from __future__ import annotations


class AssistantError(Exception):
    """Base class: a problem the user can fix; `fix` says how. `status`/`code`: how the JSON API reports it."""

    status = 500
    code = "server_error"

    def __init__(self, message: str, fix: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.message} — {self.fix}" if self.fix else self.message


class ConfigError(AssistantError):
    """A setting (env var, CLI flag) has a value we cannot use."""


class InvalidRequest(AssistantError):
    """A request the server cannot use as sent (HTTP 400)."""

    status, code = 400, "bad_request"


class Unauthorized(AssistantError):
    """A missing or wrong API key (HTTP 401)."""

    status, code = 401, "unauthorized"


class Forbidden(AssistantError):
    """A request refused for where it comes from: a foreign web page or a Host name this server is not (HTTP 403)."""

    status, code = 403, "forbidden"


class TooManyRequests(AssistantError):
    """Too many failed log-ins for one user name: wait before the next (HTTP 429)."""

    status, code = 429, "too_many_requests"


class TooLarge(AssistantError):
    """A question or history over the configured limits (HTTP 413)."""

    status, code = 413, "too_large"


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

    status, code = 503, "store_unavailable"


class IndexMissing(AssistantError):
    """A reading command (ask, chat, serve, list, check, eval without --articles) named an index that does not
    exist or holds no articles: only `assistant ingest` creates one (a mistyped --index must not answer)."""

    status, code = 503, "no_index"


class ArticleNotFound(AssistantError):
    """An article id that is not in the index."""

    status, code = 404, "not_found"


class EmbeddingError(AssistantError):
    """The embedding model cannot be loaded or an embeddings endpoint failed."""

    status, code = 503, "embedder_unavailable"


class LLMError(AssistantError):
    """The language-model endpoint failed (timeout, refused, HTTP error, unreadable reply); answers fall back."""


class PromptError(AssistantError):
    """A prompt template is missing, or rendering it lacks (or gets an unknown) variable."""


class ReaderUnavailable(AssistantError):
    """The trained reader's files are missing or not the ones it was built from; answers go on without it."""

    status, code = 503, "reader_unavailable"

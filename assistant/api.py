"""JSON API (/api/ask, /api/articles/{id}, /api/health): Bearer keys, and AssistantError → HTTP in one handler."""

from __future__ import annotations

import hmac
import logging
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field

from assistant.errors import ArticleNotFound, AssistantError, EmbeddingError, StoreUnavailable
from assistant.records import Citation
from assistant.web_input import InvalidRequest, TooLarge, Unauthorized, check_history, check_question, parse_filters

log = logging.getLogger("assistant.api")
STATUS: list[tuple[type[AssistantError], int, str]] = [
    (InvalidRequest, 400, "bad_request"),
    (Unauthorized, 401, "unauthorized"),
    (ArticleNotFound, 404, "not_found"),
    (TooLarge, 413, "too_large"),
    (StoreUnavailable, 503, "store_unavailable"),
    (EmbeddingError, 503, "embedder_unavailable"),
]


class FiltersIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sources: list[str] | None = Field(None, description="only articles from these sources")
    date_from: str | None = Field(None, description="published on or after (YYYY-MM-DD or ISO timestamp)")
    date_to: str | None = Field(None, description="published on or before (a plain date includes that day)")


class CitationIn(BaseModel):
    model_config = ConfigDict(extra="allow")
    article_id: str
    sentence_index: int
    text: str = ""


class TurnIn(BaseModel):
    """An earlier turn: {"question", **answer} exactly as /api/ask returned it."""

    model_config = ConfigDict(extra="allow")
    question: str
    answer: str = ""
    short_answer: str | None = None
    abstained: bool = False
    citations: list[CitationIn] = []


class AskIn(BaseModel):
    question: str = Field(description="the question (at most ASSISTANT_MAX_QUESTION_CHARS characters)")
    history: list[TurnIn] | None = Field(None, description="earlier turns, oldest first, for follow-up questions")
    filters: FiltersIn | None = None


class AnswerOut(BaseModel):
    answer: str
    short_answer: str | None
    abstained: bool
    citations: list[Citation]  # the stdlib dataclass: pydantic takes its fields for the schema


class SentenceOut(BaseModel):
    index: int
    char_start: int
    char_end: int


class ArticleOut(BaseModel):
    id: str
    title: str | None
    source: str | None
    published_at: str | None
    url: str | None
    text: str
    sentences: list[SentenceOut]


class ErrorOut(BaseModel):
    error: str
    message: str
    fix: str


BEARER = HTTPBearer(auto_error=False, description="an API key from ASSISTANT_API_KEYS")
ERRORS = {code: {"model": ErrorOut} for code in (400, 401, 413, 503)}


def error_response(exc: AssistantError) -> JSONResponse:
    status, code = next(((s, c) for kind, s, c in STATUS if isinstance(exc, kind)), (500, "server_error"))
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse({"error": code, "message": exc.message, "fix": exc.fix}, status_code=status, headers=headers)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        if err.get("type") == "json_invalid":
            return "the request body is not valid JSON"
        loc = ".".join(str(x) for x in err.get("loc", ()) if x != "body") or "body"
        parts.append(f"{loc}: {err.get('msg')}")
    return "; ".join(parts) or "malformed request"


def install_error_handlers(app: FastAPI) -> None:
    """The one place where AssistantErrors (and malformed requests) become JSON with an HTTP status."""

    async def on_assistant_error(_request: Request, exc: AssistantError) -> JSONResponse:
        return error_response(exc)

    async def on_validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        fix = 'send JSON like {"question": "...", "history": [], "filters": {"sources": [], "date_from": null}}'
        return error_response(InvalidRequest(_validation_message(exc), fix))

    async def on_unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error answering a request", exc_info=exc)
        return error_response(AssistantError("the server failed to answer (a bug); the error is in its log",
                                             "try again, or report it with the server log"))

    app.add_exception_handler(AssistantError, on_assistant_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(Exception, on_unexpected)


def build_router(assistant, api_keys: tuple[str, ...]) -> APIRouter:
    """Routes over one Assistant; `api_keys` non-empty means /api/ask and /api/articles need a Bearer key."""
    config = assistant.config

    def require_key(creds: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)]) -> None:
        if not api_keys:
            return
        token = (creds.credentials if creds else "").encode()
        if not any(hmac.compare_digest(token, k.encode()) for k in api_keys):
            raise Unauthorized("missing or wrong API key",
                               "send the header 'Authorization: Bearer KEY' with a key from ASSISTANT_API_KEYS")

    router = APIRouter(prefix="/api")
    guarded = [Depends(require_key)]

    @router.post("/ask", response_model=AnswerOut, dependencies=guarded, responses=ERRORS)
    def ask(body: AskIn) -> dict:
        """Answer a question with exact-sentence citations: `Answer.to_dict()`."""
        question = check_question(body.question, config)
        turns = check_history(body.history or [], config)
        f = body.filters or FiltersIn()
        filters = parse_filters(f.sources, f.date_from, f.date_to)
        answer = assistant.ask(question, history=[t.model_dump() for t in turns], filters=filters)
        return answer.to_dict()

    @router.get("/articles/{article_id:path}", response_model=ArticleOut, dependencies=guarded,
                responses={**ERRORS, 404: {"model": ErrorOut}})
    def article(article_id: str) -> dict:
        """One article with its sentence offsets (ids may contain '/')."""
        stored = assistant.store.get_article(article_id)
        a = stored.article
        return {
            "id": a.id, "title": a.title, "source": a.source, "published_at": a.published_at_iso, "url": a.url,
            "text": a.text,
            "sentences": [{"index": i, "char_start": s, "char_end": e} for i, (s, e) in enumerate(stored.sentence_spans)],
        }

    @router.get("/health", responses={503: {"model": ErrorOut}})
    def health() -> dict:
        """Counts of articles, chunks and sentence vectors, and which store is used (no key needed)."""
        counts = assistant.store.count()
        return {"status": "ok", **counts, "store": config.describe_store(),
                "embedder": assistant.store.embedder_name() or config.embedder,
                "auth": {"api_keys": bool(api_keys)}}

    return router

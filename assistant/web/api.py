"""JSON API (/api/ask, /api/articles/{id}, /api/health): Bearer keys, and AssistantError → HTTP in one handler."""

from __future__ import annotations

import hmac
import itertools
import json
import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.web.examples import ExampleQuestions
from assistant.web.input import check_history, check_question, lone_surrogate, parse_filters
from common.errors import AssistantError, InvalidRequest, Unauthorized
from common.records import Citation, Filters, Statement, TimelineEntry

if TYPE_CHECKING:
    from assistant.core import Assistant
    from assistant.llm.answer import Answerer
    from common.config import Config

log = logging.getLogger("assistant.api")


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

    @model_validator(mode="before")
    @classmethod
    def text_is_unicode(cls, data):
        """JSON may escape half a UTF-16 pair ("\\ud800"): not a character, refused before anything uses it."""
        where = lone_surrogate(data)
        if where is not None:
            raise ValueError(f"{where or 'a value'} holds a lone UTF-16 surrogate (\\ud800-\\udfff), not text")
        return data


class AnswerOut(BaseModel):
    answer: str
    short_answer: str | None
    abstained: bool
    citations: list[Citation]  # the stdlib dataclass: pydantic takes its fields for the schema
    timeline: list[TimelineEntry] = []  # a figure given differently over time, oldest first (usually empty)
    statements: list[Statement] = []  # a quote answer's statements: kind direct|reported, speaker, exact span


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


HTTP_ERRORS = {  # status → (error, fix) for the HTTPExceptions Starlette and FastAPI raise themselves
    400: ("bad_request", 'send UTF-8 JSON like {"question": "..."}'),
    404: ("not_found", "see the routes at /docs"),
    405: ("method_not_allowed", "see the routes at /docs"),
    413: ("too_large", "send a shorter question and fewer history turns"),
}
BEARER = HTTPBearer(auto_error=False, description="an API key from ASSISTANT_API_KEYS")
ERRORS = {code: {"model": ErrorOut} for code in (400, 401, 413, 503)}


def error_response(exc: AssistantError) -> JSONResponse:
    status, code = exc.status, exc.code
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


def _sse(events) -> Iterator[str]:
    """Events of Answerer.stream() as server-sent events; an error mid-stream becomes an `error` event."""
    try:
        for event in events:
            if event.kind == "token":
                yield f"event: token\ndata: {json.dumps({'text': event.text}, ensure_ascii=False)}\n\n"
            else:
                yield f"event: answer\ndata: {json.dumps(event.answer.to_dict(), ensure_ascii=False)}\n\n"
    except Exception as exc:  # noqa: BLE001 - the status line is sent already: report in the stream
        if not isinstance(exc, AssistantError):
            log.error("unexpected error while streaming an answer", exc_info=exc)
            exc = AssistantError("the server failed to answer (a bug); the error is in its log",
                                 "try again, or report it with the server log")
        code = exc.code
        yield f"event: error\ndata: {json.dumps({'error': code, 'message': exc.message, 'fix': exc.fix})}\n\n"


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

    async def on_http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # e.g. FastAPI's "There was an error parsing the body" (not UTF-8, nested too deep), a body over the limit
        code, fix = HTTP_ERRORS.get(exc.status_code, ("http_error", "see the routes at /docs"))
        message = "the request body is not valid UTF-8 JSON" if code == "bad_request" else str(exc.detail)
        return JSONResponse({"error": code, "message": message, "fix": fix}, status_code=exc.status_code,
                            headers=exc.headers)

    app.add_exception_handler(AssistantError, on_assistant_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected)


def build_router(assistant: Assistant, api_keys: tuple[str, ...], answerer: Answerer | None = None,
                 reuse_secret: bytes | None = None) -> APIRouter:
    """Routes over one Assistant; `api_keys` non-empty means /api/ask and /api/articles need a Bearer key.
    `answerer` (assistant.llm.answer.Answerer) answers in LLM mode when the server has it on; default: extractive.
    `reuse_secret`: this server's announcement secret, proved at /api/serve-proof (serve_reuse)."""
    from assistant.llm.answer import Answerer

    def key_ok(creds: HTTPAuthorizationCredentials | None) -> bool:
        token = (creds.credentials if creds else "").encode()
        return not api_keys or any(hmac.compare_digest(token, k.encode()) for k in api_keys)

    def require_key(creds: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)]) -> None:
        if not key_ok(creds):
            raise Unauthorized("missing or wrong API key",
                               "send the header 'Authorization: Bearer KEY' with a key from ASSISTANT_API_KEYS")

    router = APIRouter(prefix="/api")
    guarded = [Depends(require_key)]
    _answer_routes(router, guarded, answerer or Answerer(assistant, None, assistant.config), assistant.config)
    _library_routes(router, guarded, assistant, key_ok, bool(api_keys))
    if reuse_secret is not None:
        _proof_route(router, reuse_secret)
    _add_fallback(router)
    return router


def _asked(body: AskIn, config: Config) -> tuple[str, list[dict], Filters]:
    """The question, history and filters of an /api/ask body, checked as the CLI and the chat check them."""
    question = check_question(body.question, config)
    turns = check_history(body.history or [], config)
    f = body.filters or FiltersIn()
    return question, [t.model_dump() for t in turns], parse_filters(f.sources, f.date_from, f.date_to)


def _answer_routes(router: APIRouter, guarded: list, answerer: Answerer, config: Config) -> None:
    """/api/ask, /api/ask/stream and /api/quotes."""

    @router.post("/ask", response_model=AnswerOut, dependencies=guarded, responses=ERRORS)
    def ask(body: AskIn) -> dict:
        """Answer a question with exact-sentence citations: `Answer.to_dict()`."""
        question, history, filters = _asked(body, config)
        answer = answerer.ask(question, history=history, filters=filters)
        return answer.to_dict()

    @router.post("/ask/stream", dependencies=guarded, responses={
        **ERRORS, 200: {"content": {"text/event-stream": {}},
                        "description": "server-sent events: `token` (raw model text, unverified) then one `answer`"}})
    def ask_stream(body: AskIn) -> StreamingResponse:
        """The same answer as /api/ask, streamed as server-sent events: `event: token` with `{"text"}` while an
        LLM writes (a draft, not yet checked), then one `event: answer` with exactly the /api/ask JSON (verified;
        replace the draft with it), or `event: error` with `{"error", "message", "fix"}`."""
        question, history, filters = _asked(body, config)
        events = answerer.stream(question, history=history, filters=filters)
        first = next(events)  # retrieval runs here, so a store error is still an HTTP status, not a stream event
        return StreamingResponse(_sse(itertools.chain([first], events)), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    @router.get("/quotes", response_model=AnswerOut, dependencies=guarded, responses=ERRORS)
    def quotes(speaker: str, about: str = "") -> dict:
        """Every statement the articles attribute to `speaker` (those about `about` first), newest first, each
        cited: the same answer as asking "What has SPEAKER said about ABOUT?"."""
        name = check_question(speaker, config)
        topic = f" about {check_question(about, config)}" if about.strip() else ""
        return answerer.assistant.quotes(name, topic).to_dict()


def _library_routes(router: APIRouter, guarded: list, assistant: Assistant, key_ok, has_keys: bool) -> None:
    """/api/articles/ID, /api/examples and /api/health."""
    example_questions = ExampleQuestions(assistant)

    @router.get("/articles/{article_id:path}", response_model=ArticleOut, dependencies=guarded,
                responses={**ERRORS, 404: {"model": ErrorOut}})
    def article(article_id: str) -> dict:
        """One article with its sentence offsets (ids may contain '/')."""
        stored = assistant.library.article(article_id)
        a = stored.article
        return {
            "id": a.id, "title": a.title, "source": a.source, "published_at": a.published_at_iso, "url": a.url,
            "text": a.text,
            "sentences": [{"index": i, "char_start": s, "char_end": e} for i, (s, e) in enumerate(stored.sentence_spans)],
        }

    @router.get("/examples", dependencies=guarded, responses=ERRORS)
    def examples() -> dict:
        """Example questions, as the chat offers them; the empty widget shows them (none on an empty index)."""
        return {"examples": example_questions.get()}

    @router.get("/health", responses={503: {"model": ErrorOut}})
    def health(creds: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)]) -> dict:
        """Counts of articles, chunks and sentence vectors, and whether the trained reader answers ("on", or "off:"
        and why) (no key needed); which store is used only with a key (when the server has keys)."""
        status = assistant.library.status()
        if not key_ok(creds):
            status.pop("store", None)  # the index path or Chroma address is nobody's business without a key
        return {"status": "ok", **status, "reader": assistant.reader_status, "auth": {"api_keys": has_keys}}


def _proof_route(router: APIRouter, reuse_secret: bytes) -> None:
    from assistant.web.serve_reuse import proof

    @router.get("/serve-proof", include_in_schema=False)
    def serve_proof(challenge: str) -> dict:
        """That this server wrote its announcement: an HMAC of the caller's challenge with its secret."""
        if not 16 <= len(challenge) <= 128:
            raise InvalidRequest("challenge must have 16 to 128 characters", "send a fresh random challenge")
        return {"proof": proof(reuse_secret, challenge)}


def _add_fallback(router: APIRouter) -> None:
    """Every other request under /api gets the JSON error shape too: 405 with `Allow` for a known path asked with
    another method (`GET /api/ask`), else 404 (without this the chat mounted at / would answer Gradio's 404)."""
    routes = list(router.routes)

    @router.api_route("/{rest:path}", methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
                      include_in_schema=False)
    def fallback(rest: str, request: Request) -> JSONResponse:
        path = request.url.path
        allowed = sorted({m for r in routes if r.path_regex.match(path) for m in r.methods or ()})
        if allowed:
            return JSONResponse({"error": "method_not_allowed",
                                 "message": f"{path} does not take {request.method} requests",
                                 "fix": f"send {' or '.join(allowed)} {path} (see the routes at /docs)"},
                                status_code=405, headers={"Allow": ", ".join(allowed)})
        return JSONResponse({"error": "not_found", "message": f"there is no API route {path}",
                             "fix": "see the routes at /docs"}, status_code=404)

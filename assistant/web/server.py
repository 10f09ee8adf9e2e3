"""`assistant serve`: one FastAPI app with the JSON API, the embeddable widget, offline /docs and the Gradio chat."""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

from assistant.web.api import build_router, error_response, install_error_handlers
from assistant.web.assets import READ_PAGE, STATIC, WIDGET_PAGE
from assistant.web.http_guard import LoginThrottle, RequestGuard
from assistant.web.http_limits import ApiBodyLimit, RedactSecrets, RefusedOrigins, slow_client_protocol
from assistant.web.input import split_list
from common.config import Config
from common.errors import ConfigError, TooLarge

if TYPE_CHECKING:
    from assistant.core import Assistant
    from index.pipeline import Ingestor

log = logging.getLogger("assistant.server")


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_exposure(config: Config, allow_insecure: bool = False) -> None:
    """Refuse a server others can reach (a non-loopback address, or public names behind a proxy) unless both the
    API and the UI need credentials (or the user insists)."""
    if bool(config.ui_user) != bool(config.ui_password):
        raise ConfigError("only one of ASSISTANT_UI_USER and ASSISTANT_UI_PASSWORD is set", "set both, or neither")
    public = split_list(config.public_hosts)
    if allow_insecure or (is_loopback(config.host) and not public):
        return
    where = (f"listen on {config.host}" if not is_loopback(config.host)
             else f"serve {', '.join(public)} (ASSISTANT_PUBLIC_HOSTS) through a proxy")
    if config.ui_edit_without_login and not config.ui_user:
        raise ConfigError(f"refusing to {where} with ASSISTANT_UI_EDIT_WITHOUT_LOGIN (anyone could delete and add "
                          "articles)",
                          "set ASSISTANT_UI_USER and ASSISTANT_UI_PASSWORD instead of ASSISTANT_UI_EDIT_WITHOUT_LOGIN")
    missing = [] if split_list(config.api_keys) else ["ASSISTANT_API_KEYS"]
    if not config.ui_user:
        missing.append("ASSISTANT_UI_USER and ASSISTANT_UI_PASSWORD")
    if missing:
        raise ConfigError(
            f"refusing to {where} (reachable from other machines) without authentication",
            f"set {' and '.join(missing)}, or serve on --host 127.0.0.1 without ASSISTANT_PUBLIC_HOSTS, "
            "or pass --allow-insecure",
        )


def create_app(config: Config, assistant: Assistant, ingestor: Ingestor | None = None, chat=None,
               reuse_secret: bytes | None = None, warm=None) -> FastAPI:
    """The whole server; the Assistant and the Ingestor share one store (one client per path), which serve() opens.
    `chat`: a function that imports the Gradio chat module (ui.py: build_ui, theme, CSS), with the `ingestor` its
    upload and delete use, or None for the API and widget only. The chat is built and mounted at / in a thread
    once the server runs (importing Gradio and building the page take seconds); until then / says it is starting.
    `warm`: run in a thread once the server runs (alongside the chat's import; the chat is built after it).
    `reuse_secret`: the secret of this server's announcement (serve_reuse), which /api/serve-proof proves."""
    from assistant.llm.answer import Answerer
    from assistant.web.late_chat import LateChat

    answerer = Answerer.from_config(assistant, config)  # LLM mode when config.llm, else extractive
    if chat is not None and ingestor is None:
        raise ValueError("the chat needs the Ingestor that shares the assistant's store")
    late = LateChat() if chat is not None else None

    def build():
        warming = threading.Thread(target=warm, name="warm", daemon=True) if warm is not None else None
        if warming is not None:
            warming.start()
        module = chat()
        if warming is not None:
            warming.join()
        auth = (config.ui_user, config.ui_password) if config.ui_user else None
        return module.build_ui(assistant, ingestor, answerer), dict(
            auth=auth, ssr_mode=False, theme=module.theme(), css=module.CSS,
            max_file_size=int(config.max_file_bytes), footer_links=[], show_error=True)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        async with contextlib.AsyncExitStack() as stack:
            if late is not None:
                late.start(app, build, stack)
            elif warm is not None:
                threading.Thread(target=warm, name="warm", daemon=True).start()
            yield

    app = _api_app(config, assistant, answerer, reuse_secret, lifespan)
    if late is not None:
        app.mount("/", late)
    return app


def _api_app(config: Config, assistant: Assistant, answerer, reuse_secret: bytes | None, lifespan) -> FastAPI:
    """The JSON API, the widget, the article page and /docs, with the limits, headers and origin checks."""
    origins = split_list(config.allowed_origins)
    app = FastAPI(title="Newsroom assistant API", version="1", docs_url=None, redoc_url=None, lifespan=lifespan,
                  description="Answers with exact-sentence citations. Send `Authorization: Bearer KEY` when the "
                              "server has ASSISTANT_API_KEYS.")
    install_error_handlers(app)
    app.include_router(build_router(assistant, split_list(config.api_keys), answerer, reuse_secret))
    frame_ancestors = " ".join(["'self'", *origins])
    max_body = config.max_request_kb * 1000

    @app.middleware("http")
    async def limits_and_headers(request, call_next):
        if request.url.path.startswith("/api/"):
            size = request.headers.get("content-length", "0")
            if size.isdigit() and int(size) > max_body:
                return error_response(TooLarge(f"the request body is larger than {max_body} bytes",
                                               "send a shorter question and fewer history turns"))
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if request.url.path != "/widget":
            response.headers.setdefault("Content-Security-Policy", "frame-ancestors 'self'")
        return response

    # One CORS policy for the whole app, the API's (Gradio sees the parent's CORSMiddleware and adds none of its
    # own, which reflected any origin with credentials); RequestGuard keeps other sites off the non-/api routes.
    app.add_middleware(RefusedOrigins, origins=origins)
    app.add_middleware(CORSMiddleware, allow_origins=list(origins), allow_methods=["GET", "POST"],
                       allow_headers=["Authorization", "Content-Type"], max_age=600)
    app.add_middleware(ApiBodyLimit, limit=max_body)
    app.add_middleware(RequestGuard, public_hosts=split_list(config.public_hosts), throttle=LoginThrottle())

    @app.get("/widget.js", include_in_schema=False)
    def widget_js() -> FileResponse:
        return FileResponse(STATIC / "widget.js", media_type="text/javascript; charset=utf-8",
                            headers={"Cache-Control": "no-cache"})

    @app.get("/read.js", include_in_schema=False)
    def read_js() -> FileResponse:
        return FileResponse(STATIC / "read.js", media_type="text/javascript; charset=utf-8",
                            headers={"Cache-Control": "no-cache"})

    @app.get("/read", include_in_schema=False)
    def read_page() -> HTMLResponse:
        """The article view the widget's citations open in a new tab (article and sentence in the URL fragment)."""
        csp = ("default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; "
               "frame-ancestors 'self'; base-uri 'none'; form-action 'none'")
        return HTMLResponse(READ_PAGE, headers={"Content-Security-Policy": csp, "Referrer-Policy": "no-referrer"})

    @app.get("/widget", include_in_schema=False)
    def widget_page() -> HTMLResponse:
        csp = (f"default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; "
               f"frame-ancestors {frame_ancestors}; base-uri 'none'; form-action 'none'")
        return HTMLResponse(WIDGET_PAGE, headers={"Content-Security-Policy": csp})

    _mount_docs(app)
    return app


# Swagger UI has no dark theme: in the operating system's dark setting the page is drawn inverted (hues kept), as
# the chat follows that setting too; images and highlighted code are inverted back
DOCS_DARK = """<style>@media (prefers-color-scheme: dark) {
html { background: #0b0d12; } body { background: #0b0d12; }
.swagger-ui { filter: invert(92%) hue-rotate(180deg); }
.swagger-ui img, .swagger-ui .microlight { filter: invert(100%) hue-rotate(180deg); } }</style>"""


def _mount_docs(app: FastAPI) -> None:
    """Swagger UI served from the swagger-ui-py package, so /docs works without internet."""
    import swagger_ui
    from fastapi.staticfiles import StaticFiles

    app.mount("/docs-assets", StaticFiles(directory=Path(swagger_ui.__file__).with_name("static")), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        page = get_swagger_ui_html(openapi_url="/openapi.json", title="Newsroom assistant API",
                                   swagger_js_url="/docs-assets/swagger-ui-bundle.js",
                                   swagger_css_url="/docs-assets/swagger-ui.css",
                                   swagger_favicon_url="/docs-assets/favicon-32x32.png")
        return HTMLResponse(page.body.decode("utf-8").replace("</head>", f"{DOCS_DARK}</head>", 1))


def serve(config: Config, load_chat, allow_insecure: bool = False) -> int:
    """Check exposure, open the index, load the model, print the URL and run uvicorn until interrupted. The API
    answers as soon as the server listens; what can wait runs then, in threads: the reader, the lexical index, the
    collections Chroma loads, the check for articles a crash left to embed again, and the chat (`load_chat` imports
    its module, which imports Gradio: the CLI passes startup.load_chat), mounted at / once built."""
    import uvicorn

    check_exposure(config, allow_insecure)
    if allow_insecure and not is_loopback(config.host):
        print(f"warning: serving on {config.host} without requiring credentials (--allow-insecure)", file=sys.stderr)
    from assistant.core import Assistant
    from assistant.startup import model_loading, start_up_repair
    from index.pipeline import Ingestor
    from index.store import ChromaStore  # the composition root: the one place the server names the concrete store

    model = model_loading(config)  # the model loads while the store opens
    # a missing or empty index is refused (IndexMissing), never created: only `assistant ingest` makes one
    store = ChromaStore(config, create=False)
    assistant = Assistant(config, store=store, embedder=model())  # a model that cannot load stops serve here
    ingestor = Ingestor(config, store=store, embedder=assistant.embedder)  # the chat's upload and delete
    urgent = bool(store.torn or store.opened_fixes)  # torn vector files are rebuilt before anything is answered
    if urgent:
        start_up_repair(config, assistant, ingestor)

    def warm() -> None:
        try:
            if not urgent:  # its check for articles to embed again reads every article record
                start_up_repair(config, assistant, ingestor)
            assistant.warm()
            store.preload()
            print(f"Reader: {assistant.reader_status}", flush=True)
        except Exception as exc:  # noqa: BLE001 - questions meet the same error and report it; serving goes on
            log.error("warming up failed: %s", exc)

    from assistant.web.serve_reuse import announce, new_secret

    secret = new_secret()
    app = create_app(config, assistant, ingestor, chat=load_chat, reuse_secret=secret, warm=warm)
    host = f"[{config.host}]" if ":" in config.host else config.host
    counts = assistant.library.counts()
    print(f"Newsroom assistant: {counts['articles']} articles in {config.describe_store()}")
    print(f"Chat:   http://{host}:{config.port}/")
    print(f"API:    http://{host}:{config.port}/api/ask  (docs: http://{host}:{config.port}/docs)")
    if config.llm:
        from assistant.llm.client import display_url

        print(f"LLM:    {config.llm_model} at {display_url(config.llm_base_url)} (answers verified; "
              "extractive on failure)")
    base = f"http://{host}:{config.port}"
    print(f'Widget: <script src="{base}/widget.js" data-assistant="{base}"></script>', flush=True)
    _exit_on_sigterm()
    announced = announce(config, secret)  # `assistant ask` on this index asks this server, not loading it all itself
    logging.getLogger("uvicorn.access").addFilter(RedactSecrets())
    try:
        uvicorn.run(app, host=config.host, port=config.port, log_level="info", server_header=False,
                    http=slow_client_protocol(config.client_timeout))
    finally:
        if announced is not None:
            announced.unlink(missing_ok=True)
    return 0


def _exit_on_sigterm() -> None:
    """Uvicorn stops gracefully on SIGTERM (what `systemctl stop` sends), then raises the signal again under the
    handler it found: with Python's default that kills the process before any `finally` or atexit runs (the
    announcement stayed behind). This handler turns it into SystemExit, so they do run."""
    import signal

    def stop(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


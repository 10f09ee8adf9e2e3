"""The Gradio chat at /, mounted once the server listens: until then / says that the chat is starting."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable

from fastapi import FastAPI
from starlette.responses import HTMLResponse

log = logging.getLogger("assistant.server")

STARTING_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="2"><title>Newsroom assistant: starting</title>
<style>body { font: 16px system-ui, sans-serif; margin: 3em; } @media (prefers-color-scheme: dark) {
body { background: #0b0d12; color: #e5e7eb; } a { color: #93c5fd; } }</style></head><body>
<h1>Newsroom assistant</h1><p>The chat is starting; this page reloads by itself in a moment.</p>
<p>The <a href="/docs">JSON API</a> and the <a href="/widget">widget</a> already answer.</p></body></html>"""
FAILED_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Newsroom assistant</title></head>
<body><h1>Newsroom assistant</h1><p>The chat could not start: the reason is in the server's log. The
<a href="/docs">JSON API</a> answers.</p></body></html>"""


class LateChat:
    """The ASGI app mounted at /: Gradio's app once `start` has mounted it, the starting page (503, reloading
    itself) until then, or a page saying it failed."""

    def __init__(self) -> None:
        self.app = None
        self.failed = False

    async def __call__(self, scope, receive, send) -> None:
        if self.app is not None:
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1013})  # try again later
            return
        page, status = (FAILED_PAGE, 500) if self.failed else (STARTING_PAGE, 503)
        await HTMLResponse(page, status_code=status, headers={"Retry-After": "2", "Cache-Control": "no-store"})(
            scope, receive, send)

    def start(self, parent: FastAPI, build: Callable, stack: contextlib.AsyncExitStack) -> threading.Thread:
        """Build the chat in a thread (`build()` returns the Gradio Blocks and mount_gradio_app's keywords), then
        mount it: called from the running server's lifespan, whose `stack` closes Gradio's lifespan at shutdown."""
        loop = asyncio.get_running_loop()

        def run() -> None:
            try:
                gradio_app, shell = _mounted(parent, *build())
                asyncio.run_coroutine_threadsafe(self._attach(gradio_app, shell, stack), loop).result()
            except Exception:  # noqa: BLE001 - the API keeps serving; / says the chat failed, the log says why
                log.exception("the chat could not start")
                self.failed = True

        thread = threading.Thread(target=run, name="start-chat", daemon=True)
        thread.start()
        return thread

    async def _attach(self, gradio_app, shell: FastAPI, stack: contextlib.AsyncExitStack) -> None:
        """What mount_gradio_app's lifespan does when the parent app starts (Gradio's queue, its state and file
        clean-up tasks), run now in the server's event loop; then / is the chat."""
        await stack.enter_async_context(shell.router.lifespan_context(shell))
        self.app = gradio_app


def _mounted(parent: FastAPI, demo, mount_kwargs: dict):
    """Gradio's app for `demo`, set up by mount_gradio_app itself on a shell app (not the running one, whose routes
    and lifespan are in use). The shell carries the parent's middleware list: Gradio adds no CORS headers of its own
    when the parent app has a CORSMiddleware (it reflected any origin with credentials)."""
    import gradio as gr

    shell = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    shell.user_middleware = parent.user_middleware
    gr.mount_gradio_app(shell, demo, path="/", **mount_kwargs)
    # Gradio checks that a file named in a request was uploaded (is in its upload folder) only once the app has
    # "launched", which a mounted app never does: without this a client could have any server file ingested.
    demo.has_launched = True
    return shell.router.routes[-1].app, shell

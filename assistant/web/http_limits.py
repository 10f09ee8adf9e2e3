"""What `serve` allows a client: /api bodies up to a limit, slow senders cut off, refused web page origins logged
once (bounded), and no secret from a query string in the access log."""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

from uvicorn.protocols.http.auto import AutoHTTPProtocol

from assistant.web.api import error_response
from common.errors import TooLarge

log = logging.getLogger("assistant.server")
MAX_REFUSED_LOGGED = 100
SECRET_PARAM = re.compile(r"([?&](?:[^=&]*(?:key|token|secret|pass|auth|sig)[^=&]*)=)[^&\s]*", re.IGNORECASE)


class RefusedOrigins:
    """Logs the first /api request from each web page origin that ASSISTANT_ALLOWED_ORIGINS does not allow, with
    the setting that would allow it (in the browser the widget only sees a failed fetch). At most
    MAX_REFUSED_LOGGED origins are remembered; `null` (a sandboxed frame or a local file) is never suggested."""

    def __init__(self, app, origins: tuple[str, ...]):
        self.app = app
        self.origins = set(origins)
        self.refused: set[str] = set()

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["path"].startswith("/api/"):
            self._note(scope)
        await self.app(scope, receive, send)

    def _note(self, scope) -> None:
        headers = dict(scope.get("headers") or ())
        origin = headers.get(b"origin", b"").decode("latin-1")
        if not origin or origin in self.origins or "*" in self.origins or origin in self.refused:
            return
        if urlsplit(origin).netloc == headers.get(b"host", b"").decode("latin-1"):
            return  # same origin: the chat, /widget and /read on this server
        if len(self.refused) >= MAX_REFUSED_LOGGED:
            return
        self.refused.add(origin)
        last = " (the last such line: more refused origins are not logged)" if len(self.refused) == MAX_REFUSED_LOGGED else ""
        if not re.fullmatch(r"https?://[^/\s]+", origin):
            log.warning("refused API requests from the web page origin %r: a sandboxed frame, a local file or a "
                        "browser extension, which cannot be allowed (serve the page from a web site)%s", origin, last)
            return
        allowed = ",".join([*sorted(self.origins), origin])
        log.warning("refused API requests from the web page origin %s: it is not in ASSISTANT_ALLOWED_ORIGINS, so the "
                    "browser blocks the answers (the widget shows why); to let that site use the widget, start the "
                    "server with ASSISTANT_ALLOWED_ORIGINS=%s%s", origin, allowed, last)


class ApiBodyLimit:
    """Refuses an /api body over `limit` bytes also when it comes without Content-Length (chunked): past the
    limit it answers 413 itself, tells the app the client left, and drops whatever the app still sends."""

    def __init__(self, app, limit: int):
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            return await self.app(scope, receive, send)
        seen, refused, started = 0, False, False

        async def limited_receive():
            nonlocal seen, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit and not started:
                refused = True
                too_large = TooLarge(f"the request body is larger than {self.limit} bytes",
                                     "send a shorter question and fewer history turns")
                await error_response(too_large)(scope, receive, send)
                return {"type": "http.disconnect"}
            return message

        async def guarded_send(message):
            nonlocal started
            if not refused:
                started = True
                await send(message)

        await self.app(scope, limited_receive, guarded_send)


class RedactSecrets(logging.Filter):
    """Uvicorn's access log without the values of query parameters named like secrets (`?key=…`, `?token=…`):
    a key sent in a URL by mistake must not end up in the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) >= 3 and isinstance(record.args[2], str):
            args = list(record.args)
            args[2] = SECRET_PARAM.sub(r"\1[redacted]", args[2])
            record.args = tuple(args)
        return True


def slow_client_protocol(timeout: float) -> type:
    """Uvicorn's HTTP protocol, closing a connection whose client takes over `timeout` seconds to send a request
    head (counted from its first byte, so dripping a header line now and then does not help), or goes `timeout`
    seconds without sending more of a body the server is reading: uvicorn alone waits forever, so a few slow
    clients could hold every connection."""

    class SlowClientTimeout(AutoHTTPProtocol):
        _timer = None

        def connection_made(self, transport) -> None:
            super().connection_made(transport)
            self._arm()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self._waiting_for_head():
                if self._timer is None:
                    self._arm()  # the first byte of the next request's head: its deadline starts now
            elif self.cycle.more_body and not self.flow.read_paused:
                self._arm()  # more of the body came: wait for the next part afresh
            else:
                self._cancel()  # the request is in: the client owes nothing until the response is sent

        def connection_lost(self, exc) -> None:
            self._cancel()
            super().connection_lost(exc)

        def _arm(self) -> None:
            self._cancel()
            self._timer = self.loop.call_later(timeout, self._too_slow)

        def _cancel(self) -> None:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

        def _waiting_for_head(self) -> bool:
            return self.cycle is None or self.cycle.response_complete

        def _too_slow(self) -> None:
            self._timer = None
            if self.transport.is_closing() or self.transport.get_protocol() is not self:  # closed, or upgraded
                return
            if self._waiting_for_head() or (self.cycle.more_body and not self.flow.read_paused):
                self.transport.close()
            elif self.cycle.more_body:
                self._arm()  # we paused reading (the app is slow to take the body): not the client's fault

    return SlowClientTimeout

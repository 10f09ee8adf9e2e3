"""Who may reach `serve`: known Host names only (DNS rebinding), only the server's own pages on the chat's routes
(CSRF), log-in cookies SameSite=Lax, and failed log-ins throttled per user name."""

from __future__ import annotations

import ipaddress
import logging
import time
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.requests import Request

from assistant.web.api import error_response
from common.errors import Forbidden, TooManyRequests

log = logging.getLogger("assistant.server")
PUBLIC_PATHS = ("/widget.js",)  # partner pages load it from their own origin (a <script> tag, maybe with crossorigin)
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
LOGIN_PATHS = ("/login", "/login/")
MAX_NOTED = 100  # refused hosts and origins logged (once each); more are refused without a log line


def host_name(value: str) -> str:
    """'Example.COM:7860' → 'example.com', '[::1]:7860' → '::1' (a Host header or an origin's netloc)."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:value.find("]")] if "]" in value else value
    return (value.rsplit(":", 1)[0] if value.count(":") == 1 else value).rstrip(".")


def is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class RequestGuard:
    """Outermost middleware. Refuses (1) a Host that is not `localhost`, an IP address or one of `public_hosts`:
    a DNS-rebinding page reaches us under its own name; (2) on every route but /api/* (its CORS policy is the
    API's) and /widget.js, a request from another web page: an Origin that is not this server's, a cross-site or
    same-site fetch that is not a plain navigation, or a state-changing request whose Referer is another site.
    Every cookie it sets is SameSite=Lax; POST /login goes through `throttle`."""

    def __init__(self, app, public_hosts: tuple[str, ...], throttle: LoginThrottle):
        self.app = app
        self.public = {host_name(urlsplit(h).netloc if "://" in h else h) for h in public_hosts}  # a URL given: its host
        self.throttle = throttle
        self.noted: set[str] = set()

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers = Headers(scope=scope)
        host = headers.get("host", "")
        problem = self.foreign_host(host) or self.foreign_page(scope, headers, host)
        if problem:
            if scope["type"] == "websocket":
                return await send({"type": "websocket.close", "code": 1008})
            return await error_response(problem)(scope, receive, send)
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] in LOGIN_PATHS:
            return await self.throttle(scope, receive, lax_cookies(send), self.app)
        await self.app(scope, receive, lax_cookies(send))

    def foreign_host(self, host: str) -> Forbidden | None:
        name = host_name(host)
        if not name or name == "localhost" or is_ip(name) or name in self.public:
            return None
        self._note(f"host {name}", "refused requests for the host name %s: it is not localhost, an IP address or in "
                   "ASSISTANT_PUBLIC_HOSTS (a page using DNS rebinding reaches the server under its own name); if it "
                   "is this server's address behind a proxy, add it to ASSISTANT_PUBLIC_HOSTS", name)
        return Forbidden(f"this server does not answer for the host name {name}",
                         "reach it under its own name (its administrator lists them in ASSISTANT_PUBLIC_HOSTS)")

    def own_origin(self, origin: str, host: str) -> bool:
        """An origin (or a Referer URL) of this server: the Host the request names, or a public name on its
        default port (a proxy may pass its own Host)."""
        try:
            parts = urlsplit(origin)
            port = parts.port
        except ValueError:
            return False
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return False
        return parts.netloc.lower() == host.strip().lower() or (port is None and parts.hostname in self.public)

    def foreign_page(self, scope, headers: Headers, host: str) -> Forbidden | None:
        if scope["path"].startswith("/api/") or scope["path"] in PUBLIC_PATHS:
            return None
        method = scope.get("method", "GET")
        origin, site = headers.get("origin"), headers.get("sec-fetch-site")
        referer = headers.get("referer")
        if origin is not None and not self.own_origin(origin, host):
            who = f"the web page origin {origin}"
        elif site in ("cross-site", "same-site") and not (headers.get("sec-fetch-mode") == "navigate"
                                                          and method in ("GET", "HEAD")):
            who = f"a {site} {headers.get('sec-fetch-mode') or ''} request".replace("  ", " ")
        elif origin is None and method not in SAFE_METHODS and referer and not self.own_origin(referer, host):
            who = "a page of another site (Referer)"
        else:
            return None
        self._note(f"page {who}", "refused %s to the chat's routes from %s: only the chat's own pages may use them "
                   "(if that is this server behind a proxy, add its host name to ASSISTANT_PUBLIC_HOSTS)",
                   f"{method} {scope['path']}", who)
        return Forbidden(f"{scope['path']} takes requests from this server's own pages only, not from {who}",
                         "open the chat itself; other sites may use the JSON API under /api (see "
                         "ASSISTANT_ALLOWED_ORIGINS)")

    def _note(self, key: str, message: str, *args) -> None:
        if key in self.noted or len(self.noted) >= MAX_NOTED:
            return
        self.noted.add(key)
        log.warning(message + (" (logged once; no more such lines)" if len(self.noted) == MAX_NOTED else ""), *args)


def lax_cookies(send):
    """`send` that makes every Set-Cookie SameSite=Lax (Gradio's log-in cookie is SameSite=None: any site's
    requests would carry it)."""

    async def lax_send(message):
        if message["type"] == "http.response.start":
            message["headers"] = [(k, _lax(v)) if k.lower() == b"set-cookie" else (k, v)
                                  for k, v in message.get("headers", [])]
        await send(message)

    return lax_send


def _lax(value: bytes) -> bytes:
    parts = [p.strip() for p in value.decode("latin-1").split(";")]
    return "; ".join([*(p for p in parts if not p.lower().startswith("samesite")), "SameSite=lax"]).encode("latin-1")


class LoginThrottle:
    """After FREE failed log-ins in a row for one user name, that name's next attempts are refused (429) for
    BASE seconds, doubling with every further failure up to CAP; a successful log-in resets it. Keyed by user
    name, not address: behind a proxy every visitor has the proxy's address."""

    FREE, BASE, CAP, MAX_NAMES = 5, 30.0, 900.0, 10_000

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.failed: dict[str, tuple[int, float]] = {}  # user → (failures in a row, refused until)

    async def __call__(self, scope, receive, send, app):
        body, more = b"", True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
        sent = False

        async def replay():
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        try:
            form = await Request(scope, replay).form()
            user = str(form.get("username") or "").strip().lower()
        except Exception:  # noqa: BLE001 - a malformed form: Gradio refuses it itself
            user = ""
        count, until = self.failed.get(user, (0, 0.0))
        wait = until - self.clock()
        if wait > 0:
            refused = TooManyRequests(f"too many failed log-ins for this user name; wait {wait:.0f} s",
                                      "wait, then log in with the right password")
            response = error_response(refused)
            response.headers["Retry-After"] = str(int(wait) + 1)
            return await response(scope, receive, send)
        sent = False
        status = 0

        async def watch(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await app(scope, replay, watch)
        if status in (200, 400):  # 400: wrong user name or password (a server without log-in redirects)
            self.record(user, status == 200, scope)

    def record(self, user: str, ok: bool, scope) -> None:
        if ok:
            self.failed.pop(user, None)
            return
        count = self.failed.get(user, (0, 0.0))[0] + 1
        until = self.clock() + min(self.CAP, self.BASE * 2 ** (count - self.FREE)) if count >= self.FREE else 0.0
        if len(self.failed) >= self.MAX_NAMES:
            self.failed.pop(next(iter(self.failed)))
        self.failed[user] = (count, until)
        client = (scope.get("client") or ("?",))[0]
        log.warning("failed log-in for the user name %r from %s (%d in a row)%s", user, client, count,
                    f"; its next log-in is refused for {until - self.clock():.0f} s" if until else "")

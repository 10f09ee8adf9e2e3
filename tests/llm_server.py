"""A scripted OpenAI-compatible chat server for the tests: real HTTP on 127.0.0.1, real chunked SSE streaming."""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SOURCE_LINE = re.compile(r"^\[S(\d+)\] (?:\(.*?\) )?(.*)$", re.M)


@dataclass
class Reply:
    """What the server answers to one request. `text` may be a function of the numbered sentences the
    prompt gave ({n: sentence}), so a script can cite the right number."""

    text: str | Callable[[dict[int, str]], str] = ""
    status: int = 200
    delay: float = 0.0  # seconds before answering at all
    raw: bytes | None = None  # send these bytes as the event stream instead (garbage)
    content_type: str = "text/event-stream"
    piece: int = 7  # characters per streamed chunk
    pace: float = 0.0  # seconds between chunks


def sources_of(request: dict) -> dict[int, str]:
    """{n: sentence} from the [S n] lines of the last user message."""
    user = [m["content"] for m in request["messages"] if m["role"] == "user"][-1]
    return {int(n): text for n, text in SOURCE_LINE.findall(user)}


def number_of(sources: dict[int, str], needle: str) -> int:
    """The number of the first sentence containing `needle` (the script cites it)."""
    for n, text in sorted(sources.items()):
        if needle in text:
            return n
    raise AssertionError(f"no numbered sentence contains {needle!r}: {sources}")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):  # a client that timed out and left is expected
            super().handle_error(request, client_address)


class ScriptedLLM:
    """POST /v1/chat/completions answers with the next queued Reply (or `default`), streamed as
    chat.completion.chunk events; every request is kept in `requests` (headers and JSON body)."""

    def __init__(self) -> None:
        self.replies: deque[Reply] = deque()
        self.default: Reply | None = None
        self.requests: list[dict] = []
        self._server = _Server(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, name="scripted-llm", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def start(self) -> ScriptedLLM:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> ScriptedLLM:
        """No queued replies, no default, no requests kept: as fresh for the next test."""
        self.replies.clear()
        self.requests.clear()
        self.default = None
        return self

    def push(self, *replies: Reply | str) -> None:
        self.replies.extend(r if isinstance(r, Reply) else Reply(r) for r in replies)

    def _next(self) -> Reply:
        if self.replies:
            return self.replies.popleft()
        if self.default is None:
            return Reply(status=500, text="no scripted reply left")
        return self.default

    def _handler(self):
        llm = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # keep test output quiet
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
                llm.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                reply = llm._next()
                if reply.delay:
                    time.sleep(reply.delay)
                if self.path != "/v1/chat/completions" or reply.status != 200:
                    status = 404 if reply.status == 200 else reply.status
                    data = json.dumps({"error": {"message": str(reply.text) or "scripted failure"}}).encode()
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                self.send_response(200)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                if reply.raw is not None:
                    self._chunk(reply.raw)
                else:
                    text = reply.text(sources_of(body)) if callable(reply.text) else reply.text
                    for i in range(0, len(text), reply.piece):
                        chunk = {"object": "chat.completion.chunk", "model": body.get("model"),
                                 "choices": [{"index": 0, "delta": {"content": text[i : i + reply.piece]}}]}
                        self._chunk(f"data: {json.dumps(chunk)}\n\n".encode())
                        time.sleep(reply.pace)
                    self._chunk(b'data: {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}\n\n')
                    self._chunk(b"data: [DONE]\n\n")
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()

            def _chunk(self, data: bytes) -> None:
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()

        return Handler

"""`assistant ask` answered by a running `assistant serve` of the same index: no model, store or index to load.

The server announces itself in a file only its user can read (0600), holding a random secret; before `ask` sends
a question or an API key it has the server prove it knows that secret (an HMAC of a fresh challenge), so a stale
file (a reused pid, a freed port another program took) or one planted by someone else is never trusted."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import os
import secrets
import stat
from pathlib import Path

from common.config import Config

PREFIX = "assistant-serve-"  # in a local index directory: one file per serving process, removed when it stops
TIMEOUT_SECONDS = 60.0  # one answer; a server that does not answer in time is not used (the CLI answers itself)
PROOF_PATH = "/api/serve-proof"


def _settings(config: Config) -> dict:
    """What must be equal for a server's answer to be the one this command would give."""
    return {"llm": config.llm, "llm_mode": config.llm_mode, "llm_model": config.llm_model,
            "llm_base_url": config.llm_base_url, "embedder": config.embedder, "top_k": config.top_k,
            "abstain_below": config.abstain_below}


def new_secret() -> bytes:
    return secrets.token_bytes(32)


def proof(secret: bytes, challenge: str) -> str:
    return hmac.new(secret, b"assistant-serve-proof:" + challenge.encode(), hashlib.sha256).hexdigest()


def _loopback(host: str) -> str | None:
    """The loopback address `ask` may reach this server at, or None (it listens on one other address only)."""
    if host in ("0.0.0.0", ""):
        return "127.0.0.1"
    if host == "::":
        return "::1"
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        loopback = False
    return host if loopback else None


def announce(config: Config, secret: bytes) -> Path | None:
    """Say that this process serves the local index (0600; removed at exit); nothing for a Chroma server or a
    server not reachable on a loopback address."""
    host = _loopback(config.host)
    if config.chroma_host or host is None:
        return None
    path = config.index_dir / f"{PREFIX}{os.getpid()}.json"
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump({"host": host, "port": config.port, "pid": os.getpid(), "secret": secret.hex(),
                   **_settings(config)}, fh)
    tmp.replace(path)
    import atexit

    atexit.register(lambda: path.unlink(missing_ok=True))
    return path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _request(host: str, port: int, method: str, path: str, body: dict | None, key: str | None,
             timeout: float) -> tuple[int, dict]:
    conn = http.client.HTTPConnection(host.strip("[]"), port, timeout=timeout)
    try:
        headers = {"Content-Type": "application/json"}
        if key:
            headers["Authorization"] = f"Bearer {key}"
        conn.request(method, path, body=json.dumps(body).encode() if body is not None else None, headers=headers)
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read() or b"{}")
    finally:
        conn.close()


def _read_own(path: Path) -> dict | None:
    """The announcement, if this user wrote it and nobody else can read or change it."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(fd, encoding="utf-8") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
            return None
        try:
            info = json.loads(fh.read())
        except (OSError, ValueError):
            return None
    return info if isinstance(info, dict) else None


def _proven(host: str, port: int, secret_hex: str) -> bool:
    """The listener at host:port knows the announcement's secret (asked before anything else is sent)."""
    try:
        secret = bytes.fromhex(secret_hex)
    except (TypeError, ValueError):
        return False
    challenge = secrets.token_hex(16)
    try:
        status, reply = _request(host, port, "GET", f"{PROOF_PATH}?challenge={challenge}", None, None, 10.0)
    except (OSError, ValueError, http.client.HTTPException):
        return False
    given = reply.get("proof") if status == 200 else None
    return isinstance(given, str) and hmac.compare_digest(given, proof(secret, challenge))


def ask_running_server(config: Config, question: str, filters: dict) -> dict | None:
    """The /api/ask answer of a live `serve` of this local index with the same answer settings, else None
    (none runs, it runs with other settings, it cannot prove it is the announced server, or it fails: the caller
    then answers by itself)."""
    if config.chroma_host or os.environ.get("ASSISTANT_NO_SERVE_REUSE"):
        return None
    try:
        found = sorted(config.index_dir.glob(f"{PREFIX}*.json"))
    except OSError:
        return None
    key = next((k.strip() for k in (config.api_keys or "").split(",") if k.strip()), None)
    for path in found:
        info = _read_own(path)
        if info is None or not _alive(int(info.get("pid", 0) or 0)):
            continue
        if {k: info.get(k) for k in _settings(config)} != _settings(config):
            continue
        host, port = str(info.get("host", "")), info.get("port")
        if not isinstance(port, int):
            continue
        if _loopback(host) != host or not _proven(host, port, str(info.get("secret", ""))):
            continue
        body = {"question": question, **({"filters": filters} if filters else {})}
        try:
            status, answer = _request(host, port, "POST", "/api/ask", body, key, TIMEOUT_SECONDS)
        except (OSError, ValueError, http.client.HTTPException):
            continue
        if status == 200 and "answer" in answer:
            return answer
    return None

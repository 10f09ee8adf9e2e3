"""`assistant ask` answered by a running `assistant serve` of the same index: no model, store or index to load."""

from __future__ import annotations

import http.client
import json
import os
from pathlib import Path

from common.config import Config

PREFIX = "assistant-serve-"  # in a local index directory: one file per serving process, removed when it stops
TIMEOUT_SECONDS = 60.0  # one answer; a server that does not answer in time is not used (the CLI answers itself)


def _settings(config: Config) -> dict:
    """What must be equal for a server's answer to be the one this command would give."""
    return {"llm": config.llm, "llm_mode": config.llm_mode, "llm_model": config.llm_model,
            "llm_base_url": config.llm_base_url, "embedder": config.embedder, "top_k": config.top_k,
            "abstain_below": config.abstain_below}


def announce(config: Config) -> Path | None:
    """Say that this process serves the local index (removed at exit); nothing for a Chroma server."""
    if config.chroma_host:
        return None
    host = "127.0.0.1" if config.host in ("0.0.0.0", "::", "") else config.host
    path = config.index_dir / f"{PREFIX}{os.getpid()}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"host": host, "port": config.port, "pid": os.getpid(), **_settings(config)}))
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


def ask_running_server(config: Config, question: str, filters: dict) -> dict | None:
    """The /api/ask answer of a live `serve` of this local index with the same answer settings, else None
    (none runs, it runs with other settings, or it fails: the caller then answers by itself)."""
    if config.chroma_host or os.environ.get("ASSISTANT_NO_SERVE_REUSE"):
        return None
    try:
        found = sorted(config.index_dir.glob(f"{PREFIX}*.json"))
    except OSError:
        return None
    key = next((k.strip() for k in (config.api_keys or "").split(",") if k.strip()), None)
    for path in found:
        try:
            info = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if not _alive(int(info.get("pid", 0))) or {k: info.get(k) for k in _settings(config)} != _settings(config):
            continue
        body = {"question": question, **({"filters": filters} if filters else {})}
        try:
            status, answer = _request(info["host"], int(info["port"]), "POST", "/api/ask", body, key, TIMEOUT_SECONDS)
        except (OSError, ValueError, http.client.HTTPException):
            continue
        if status == 200 and "answer" in answer:
            return answer
    return None

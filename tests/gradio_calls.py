"""Calls the chat's own Gradio handlers over HTTP (queue/join, then the session's queue/data stream), as its page does."""

from __future__ import annotations

import json
import uuid

import httpx


def handlers(client: httpx.Client) -> dict[str, int]:
    """api_name → fn_index of every event handler of the chat (from /config)."""
    return {d["api_name"]: d["id"] for d in client.get("/config").json()["dependencies"]}


def call(client: httpx.Client, fn_index: int, data: list, event_data=None, session: str | None = None,
         headers: dict | None = None) -> tuple[int, dict | None]:
    """(status of queue/join, the handler's output {"data": [...]} or None); one session keeps gr.State."""
    session = session or uuid.uuid4().hex[:10]
    joined = client.post("/gradio_api/queue/join", headers=headers, json={
        "data": data, "event_data": event_data, "fn_index": fn_index, "trigger_id": None, "session_hash": session})
    if joined.status_code != 200:
        return joined.status_code, None
    with client.stream("GET", f"/gradio_api/queue/data?session_hash={session}", headers=headers) as stream:
        for line in stream.iter_lines():
            if line.startswith("data:"):
                message = json.loads(line[5:])
                if message.get("msg") == "process_completed":
                    return 200, message.get("output")
    return 200, None


def upload(client: httpx.Client, name: str, content: bytes, headers: dict | None = None) -> tuple[int, list]:
    """POST /gradio_api/upload: (status, the server paths of the stored files)."""
    r = client.post("/gradio_api/upload", files={"files": (name, content, "text/plain")}, headers=headers)
    return r.status_code, (r.json() if r.status_code == 200 else [])


def file_data(path: str, name: str) -> dict:
    """A gr.File value naming an uploaded file, as the page sends it."""
    return {"path": path, "orig_name": name, "meta": {"_type": "gradio.FileData"}}

"""Conversations the chat keeps in the browser (local storage): checked when they come back, earlier ones archived
and reopened, and the Markdown export written for download."""

from __future__ import annotations

import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from assistant.web.export import conversation_markdown

KEEP_EARLIER = 10  # earlier conversations kept in the browser, newest first
EXPORT_MAX_AGE = 3600  # seconds an export file stays on the server (it is downloaded at once)


def valid_turns(value) -> list[dict]:
    """The turns of a conversation as the browser gave them back, keeping only well-formed ones (storage written
    by an older version, or edited by hand, must not break the page)."""
    if not isinstance(value, list):
        return []
    keep = []
    for ex in value:
        if (isinstance(ex, dict) and isinstance(ex.get("question"), str) and isinstance(ex.get("answer"), str)
                and all(isinstance(c, dict) and isinstance(c.get("text"), str) and isinstance(c.get("article_id"), str)
                        for c in [*(ex.get("citations") or []), *(ex.get("related") or [])])
                and isinstance(ex.get("citations") or [], list) and isinstance(ex.get("related") or [], list)):
            keep.append(ex)
    return keep


def valid_earlier(value) -> list[dict]:
    """Archived conversations as the browser gave them back: {"title", "saved_at", "turns"}, well-formed only."""
    if not isinstance(value, list):
        return []
    out = []
    for item in value:
        turns = valid_turns(item.get("turns")) if isinstance(item, dict) else []
        if turns:
            out.append({"title": str(item.get("title") or turns[0]["question"]), "saved_at": str(item.get("saved_at") or ""),
                        "turns": turns})
    return out[:KEEP_EARLIER]


def archive(current: list[dict], earlier: list[dict], now: datetime | None = None) -> list[dict]:
    """`earlier` with the current conversation (if it has any turn) put first, at most KEEP_EARLIER kept."""
    if not current:
        return earlier
    now = now or datetime.now(UTC)
    item = {"title": current[0]["question"], "saved_at": now.strftime("%Y-%m-%d %H:%M"), "turns": current}
    return [item, *earlier][:KEEP_EARLIER]


def reopen(index: int, current: list[dict], earlier: list[dict]) -> tuple[list[dict], list[dict]]:
    """Conversation `index` of `earlier` becomes the current one; the current one (if any) is archived."""
    if not 0 <= index < len(earlier):
        return current, earlier
    chosen = earlier[index]["turns"]
    rest = earlier[:index] + earlier[index + 1:]
    return chosen, archive(current, rest)


def earlier_choices(earlier: list[dict]) -> list[tuple[str, str]]:
    """(label, index as text) for the chat's list of earlier conversations."""
    def label(item: dict) -> str:
        title = " ".join(item["title"].split())
        title = title if len(title) <= 70 else title[:69] + "…"
        n = len(item["turns"])
        return f"{title} ({n} question{'s' if n != 1 else ''}, {item['saved_at']})"

    return [(label(item), str(i)) for i, item in enumerate(earlier)]


def write_export(turns: list[dict], folder: Path, now: datetime | None = None) -> Path | None:
    """The conversation as conversation-YYYY-MM-DD-HHMM.md in a fresh folder under `folder` (None when empty);
    exports older than EXPORT_MAX_AGE are removed on the way."""
    if not turns:
        return None
    now = now or datetime.now(UTC)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        if old.is_dir() and time.time() - old.stat().st_mtime > EXPORT_MAX_AGE:
            shutil.rmtree(old, ignore_errors=True)
    path = Path(tempfile.mkdtemp(dir=folder)) / f"conversation-{now:%Y-%m-%d-%H%M}.md"
    path.write_text(conversation_markdown(turns, now), encoding="utf-8")
    return path

"""JSON Lines files: one article per line, each bad line failing alone, a line over the size limit never held."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from common.errors import InputError
from index.loaders.base import (
    BINARY_SNIFF_BYTES,
    FIX_JSONL,
    FIX_SIZE,
    FIX_UTF8,
    READ_BLOCK,
    Draft,
    Failed,
    decode,
    os_fix,
    os_reason,
    too_big,
)


def load_jsonl(path: Path, max_bytes: int) -> Iterator[Draft | InputError]:
    """The drafts of a .jsonl file, and an InputError for each line that cannot be used."""
    name = str(path)
    blank = True
    try:
        with open(path, "rb") as fh:
            head = fh.read(BINARY_SNIFF_BYTES)
            if head.startswith((b"\xff\xfe", b"\xfe\xff")):
                raise Failed("file is UTF-16 encoded, not UTF-8", FIX_UTF8)
            if b"\x00" in head:
                raise Failed(
                    "binary file (contains NUL bytes), not JSON Lines text", "give a UTF-8 .jsonl text file"
                )
            fh.seek(0)
            for number, offset, body, size in _lines(fh, max_bytes):
                try:
                    if body is None:
                        raise Failed(too_big(f"line {number}", size, max_bytes), FIX_SIZE)
                    line = decode(body, offset)
                    if not line.strip():
                        continue
                    blank = False
                    yield _from_record(line, name, number)
                except Failed as exc:
                    blank = False
                    yield InputError(name, exc.reason, exc.fix, number)
    except OSError as exc:
        raise Failed(f"cannot be read ({os_reason(exc)})", os_fix(exc)) from None
    if blank:
        raise Failed("empty file (whitespace only)", "add one JSON article per line or remove the file")


def _lines(fh, max_bytes: int) -> Iterator[tuple[int, int, bytes | None, int]]:
    """(line number, byte offset, line bytes without "\\n", size) per line; bytes is None for a line over
    max_bytes, whose rest is skipped without being held in memory."""
    number, offset = 0, 0
    while True:
        raw = fh.readline(max_bytes + 1)
        if not raw:
            return
        number += 1
        body = raw[:-1] if raw.endswith(b"\n") else raw
        size = len(raw)
        if len(body) > max_bytes:
            while not raw.endswith(b"\n"):
                raw = fh.readline(READ_BLOCK)
                if not raw:
                    break
                size += len(raw)
            yield number, offset, None, size
        else:
            yield number, offset, body, size
        offset += size


def _from_record(line: str, origin: str, number: int) -> Draft:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        where = "column" if exc.msg.endswith(" at") else "at column"  # "Unterminated string starting at column 3"
        raise Failed(f"not valid JSON ({exc.msg} {where} {exc.colno})", FIX_JSONL) from None
    except (ValueError, RecursionError) as exc:
        raise Failed(f"not valid JSON ({type(exc).__name__})", FIX_JSONL) from None
    if not isinstance(record, dict):
        raise Failed(f"JSON {_json_type(record)}, not an object", FIX_JSONL)
    text = record.get("text")
    if text is None:
        raise Failed('record has no "text" field', 'add the article body as a "text" string')
    if not isinstance(text, str):
        raise Failed(
            f'"text" is a {_json_type(text)}, not a string', 'make "text" the article body as a string'
        )
    if not text.strip():
        raise Failed('"text" is empty', 'put the article body in "text" or drop the line')
    fields = {key: _optional_str(record, key) for key in ("title", "source", "url")}
    raw_id = record.get("id")
    if raw_id is None or raw_id == "":
        raw_id = None
    elif isinstance(raw_id, int) and not isinstance(raw_id, bool):
        raw_id = str(raw_id)
    elif not isinstance(raw_id, str):
        raise Failed(f'"id" is a {_json_type(raw_id)}, not a string', 'make "id" a string')
    for key, value in (("text", text), ("id", raw_id), *fields.items()):
        if value is not None and not _encodable(value):
            raise Failed(
                f'"{key}" contains an invalid \\u escape (a lone surrogate)', f'fix the "{key}" string'
            )
    return Draft(
        path=origin,
        text=text,
        published_at=record.get("published_at"),
        id=raw_id if raw_id is not None else f"{Path(origin).stem}:{number}",
        line=number,
        **fields,
    )


def _optional_str(record: dict, key: str) -> str | None:
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise Failed(f'"{key}" is a {_json_type(value)}, not a string', f'make "{key}" a string or null')
    return value.strip() or None


def _json_type(value: object) -> str:
    names = {bool: "boolean", int: "number", float: "number", str: "string", list: "list", dict: "object"}
    return names.get(type(value), type(value).__name__)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True

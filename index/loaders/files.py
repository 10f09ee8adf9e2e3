"""Finding article files (given paths, folders walked) and reading one file into drafts, with per-file checks. Each
file type of common/file_types.py's table is read by the reader its row names (READERS)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from common.errors import InputError
from common.file_types import file_type, listed
from index.loaders.base import (
    FIX_SIZE,
    FIX_UTF8,
    Draft,
    Failed,
    SourceFile,
    decode,
    os_fix,
    os_reason,
    too_big,
)
from index.loaders.jsonl import load_jsonl
from index.loaders.text import from_html, from_text

# FileType.reader → how a file of that type is read: a whole decoded file into one draft, or (JSONL) a file streamed
# line by line into drafts and per-line failures
READERS = {"text": from_text, "html": from_html}
STREAM_READERS = {"jsonl": load_jsonl}


def expand(paths: Iterable[str | Path], failures: list[InputError]) -> list[SourceFile]:
    """The supported files named by `paths` (folders walked), each once; what cannot be used goes to `failures`."""
    files: list[SourceFile] = []
    seen: set[Path] = set()

    def add(file: SourceFile) -> None:
        try:
            key = file.path.resolve()
        except (OSError, RuntimeError):
            key = Path(os.path.abspath(file.path))
        if key not in seen:
            seen.add(key)
            files.append(file)

    for raw in paths:
        if isinstance(raw, str) and not raw.strip():
            failures.append(InputError(repr(raw), "empty path", "give a file or folder name"))
            continue
        path = Path(raw)
        try:
            info = path.stat()
        except FileNotFoundError:
            failures.append(InputError(str(path), "file or folder not found", "check the path and try again"))
            continue
        except OSError as exc:
            failures.append(InputError(str(path), f"cannot be opened ({os_reason(exc)})", os_fix(exc)))
            continue
        if stat.S_ISDIR(info.st_mode):
            found = list(_walk(path, failures))
            if not found:
                failures.append(
                    InputError(
                        str(path), f"folder has no {listed()} files", f"put the articles in the folder as {listed()} files"
                    )
                )
            for file in found:
                add(file)
        elif not stat.S_ISREG(info.st_mode):
            failures.append(InputError(str(path), "not a regular file", "give a file or folder of articles"))
        elif file_type(path.suffix) is None:
            kind = path.suffix or "(no extension)"
            failures.append(
                InputError(str(path), f"unsupported file type {kind}", f"convert it to {listed()}")
            )
        else:
            add(SourceFile(path, None))
    return files


def _walk(root: Path, failures: list[InputError]) -> Iterator[SourceFile]:
    """Supported files under `root`, recursively, sorted by name; hidden entries skipped; no symlink loops."""
    visited: set[Path] = set()
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            real = folder.resolve()
        except (OSError, RuntimeError):
            continue
        if real in visited:
            continue
        visited.add(real)
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            failures.append(
                InputError(str(folder), f"folder cannot be read ({os_reason(exc)})", os_fix(exc))
            )
            continue
        subfolders: list[Path] = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = folder / entry.name
            try:
                if entry.is_dir():
                    subfolders.append(path)
                elif entry.is_file() and file_type(path.suffix) is not None:
                    yield SourceFile(path, root)
            except OSError:
                continue
        # files of a folder first, then its subfolders in name order (stack: push in reverse)
        stack.extend(reversed(subfolders))


def load_file(file: SourceFile, max_bytes: int) -> Iterator[Draft | InputError]:
    """The drafts of one file in order, with per-line failures (JSONL); raises Failed for the whole file."""
    path = file.path
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise Failed(f"cannot be read ({os_reason(exc)})", os_fix(exc)) from None
    if size == 0:
        raise Failed("empty file (0 bytes)", "add the article text or remove the file")
    kind = file_type(path.suffix)
    reader = kind.reader if kind is not None else "text"  # expand() gives only supported types
    if reader in STREAM_READERS:
        yield from STREAM_READERS[reader](path, max_bytes)
        return
    if size > max_bytes:
        raise Failed(too_big("file", size, max_bytes), FIX_SIZE)
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise Failed(f"cannot be read ({os_reason(exc)})", os_fix(exc)) from None
    if len(data) > max_bytes:  # grew after stat
        raise Failed(too_big("file", len(data), max_bytes), FIX_SIZE)
    text, note = _decode_file(data)
    if not text.strip():
        raise Failed("empty file (whitespace only)", "add the article text or remove the file")
    draft = READERS[reader](text, str(path))
    # an article that names no outlet is shown with the file it came from ("velmora-flood.txt"), never its id
    yield replace(draft, file=file, source=draft.source or path.name, note=note)


# Windows-1252 leaves these five bytes undefined; a file that has one is not Windows-1252 (nor Latin-1 text).
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")
CP1252_NOTE = "not UTF-8: read as Windows-1252 (Latin-1); check its accented letters and quotation marks"


def _decode_file(data: bytes) -> tuple[str, str | None]:
    """The file's text: UTF-8, or Windows-1252 (a superset of Latin-1's letters) when it is not UTF-8 and has no
    byte that Windows-1252 leaves undefined; UTF-16, binary and other files are refused."""
    try:
        return _decode_utf8_file(data), None
    except Failed as exc:
        if not exc.reason.startswith("invalid UTF-8") or _CP1252_UNDEFINED.intersection(data):
            raise
        return _normalise_newlines(data.decode("cp1252")), CP1252_NOTE


def _decode_utf8_file(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise Failed("file is UTF-16 encoded, not UTF-8", FIX_UTF8)
    if b"\x00" in data:
        raise Failed("binary file (contains NUL bytes), not text", f"give a {listed()} text file")
    return _normalise_newlines(decode(data, 0))


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")

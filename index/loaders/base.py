"""What every loader shares: supported suffixes (from common/file_types.py's table), limits, fixes, the draft of an
article, and decoding."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from common.dates import ACCEPTED_FORMATS
from common.file_types import suffixes_read_by

JSONL_SUFFIXES = suffixes_read_by("jsonl")  # files of many articles, one a line (ids never from the file name)

MAX_ID_CHARS = 200
BINARY_SNIFF_BYTES = 8192
BOM = b"\xef\xbb\xbf"
READ_BLOCK = 1 << 20

FIX_UTF8 = "re-save the file as UTF-8"
FIX_SIZE = "split it into smaller files or raise ASSISTANT_MAX_FILE_MB"
FIX_ID = "give each article a unique id (front matter `id:` or the JSONL `id` field) or rename the file"
FIX_DATE = f"write the date as one of: {ACCEPTED_FORMATS}; or leave it out"
FIX_JSONL = 'write one JSON object per line, e.g. {"id": "...", "title": "...", "text": "..."}'


@dataclass(frozen=True)
class SourceFile:
    path: Path  # as the user will recognise it (given path joined with the walked parts)
    root: Path | None  # the folder it was found under, None when given explicitly


@dataclass(frozen=True)
class Draft:
    """An article before its id is settled (ids derived from file names depend on the whole batch)."""

    path: str
    text: str
    title: str | None = None
    source: str | None = None
    published_at: object = None  # raw value; parsed when the article is built
    url: str | None = None
    id: str | None = None  # explicit id, if the input gave one
    line: int | None = None
    file: SourceFile | None = None  # set for single-article files whose id may come from the file name
    note: str | None = None  # said in the ingest report ("decoded as Windows-1252")

    @property
    def origin(self) -> str:
        return self.path if self.line is None else f"{self.path}:{self.line}"


class Failed(Exception):
    """One file or line that cannot be loaded (becomes an InputError naming the file and line)."""

    def __init__(self, reason: str, fix: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.fix = fix
        self.line = line


def decode(data: bytes, offset: int) -> str:
    """UTF-8 text of `data` (a BOM at file start dropped); `offset` is where `data` starts in the file."""
    bom = len(BOM) if offset == 0 and data.startswith(BOM) else 0
    try:
        return data[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        at = offset + bom + exc.start
        raise Failed(
            f"invalid UTF-8 (byte 0x{data[bom + exc.start]:02x} at byte offset {at})", FIX_UTF8
        ) from None


def too_big(what: str, size: int, limit: int) -> str:
    return f"{what} is {size / 1e6:.1f} MB ({size} bytes), over the {limit / 1e6:g} MB limit"


def os_reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    return exc.strerror or type(exc).__name__


def os_fix(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "check the file's permissions (it must be readable by this user)"
    return "check that the path is readable"

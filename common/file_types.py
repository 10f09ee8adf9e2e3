"""The one table of article file types the product reads: every suffix list, message, help text and upload filter
is derived from FILE_TYPES (index/loaders/files.py reads each type with the reader its row names; the CLI's help
and the chat's upload filter and hint come from here too). To add a file type: a row here and, for a new way of
reading, its reader in index/loaders/ (README: where to add things)."""

from __future__ import annotations

from dataclasses import dataclass

from common.text import or_list


@dataclass(frozen=True)
class FileType:
    name: str
    suffixes: tuple[str, ...]  # the first is how messages name the type
    reader: str  # index/loaders/files.py's READERS key: "text" (front matter optional), "html", "jsonl" (one a line)
    about: str | None = None  # what the chat's upload hint says of it

    @property
    def suffix(self) -> str:
        return self.suffixes[0]


FILE_TYPES: tuple[FileType, ...] = (
    FileType("plain text", (".txt",), "text"),
    FileType("Markdown", (".md", ".markdown"), "text", "front matter: title, source, published_at, url, id"),
    FileType("HTML", (".html", ".htm"), "html"),
    FileType("JSON Lines", (".jsonl",), "jsonl"),
)

SUPPORTED_SUFFIXES = frozenset(s for t in FILE_TYPES for s in t.suffixes)
UPLOAD_SUFFIXES = [s for t in FILE_TYPES for s in t.suffixes]  # the chat's file picker filter, in table order


def suffixes_read_by(reader: str) -> frozenset[str]:
    return frozenset(s for t in FILE_TYPES if t.reader == reader for s in t.suffixes)


def file_type(suffix: str) -> FileType | None:
    """The row of a file suffix (any case), None for a type the product does not read."""
    return next((t for t in FILE_TYPES if suffix.lower() in t.suffixes), None)


def listed() -> str:
    """'.txt, .md, .html or .jsonl': how messages name the types."""
    return or_list([t.suffix for t in FILE_TYPES])


def help_list() -> str:
    """'.txt .md .html .jsonl': the CLI's help."""
    return " ".join(t.suffix for t in FILE_TYPES)


def upload_hint() -> str:
    """The chat's Add articles tab: which files it takes, with what each may hold."""
    named = [f"`{t.suffix}`" + (f" ({t.about})" if t.about else "") for t in FILE_TYPES]
    return (f"Upload {or_list(named)} files. Unchanged articles are skipped; each failure is listed with its file, "
            "line and fix.")

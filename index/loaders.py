"""Loads articles from .txt, .md, .html and .jsonl files and folders, reporting bad input per file and line."""

from __future__ import annotations

import json
import os
import re
import stat
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from common.dates import ACCEPTED_FORMATS, parse_published_at
from common.errors import InputError
from common.records import Article
from index.html import NoArticleText, extract_article

TEXT_SUFFIXES = frozenset({".txt"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
JSONL_SUFFIXES = frozenset({".jsonl"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES

MAX_ID_CHARS = 200
BINARY_SNIFF_BYTES = 8192
_BOM = b"\xef\xbb\xbf"
_READ_BLOCK = 1 << 20

FIX_UTF8 = "re-save the file as UTF-8"
FIX_SIZE = "split it into smaller files or raise ASSISTANT_MAX_FILE_MB"
FIX_ID = "give each article a unique id (front matter `id:` or the JSONL `id` field) or rename the file"
FIX_DATE = f"write the date as one of: {ACCEPTED_FORMATS}; or leave it out"
FIX_JSONL = 'write one JSON object per line, e.g. {"id": "...", "title": "...", "text": "..."}'


@dataclass(frozen=True)
class LoadResult:
    articles: tuple[Article, ...]
    failures: tuple[InputError, ...]


@dataclass
class _Draft:
    """An article before its id is settled (ids derived from file names depend on the whole batch)."""

    path: str
    text: str
    title: str | None = None
    source: str | None = None
    published_at: object = None  # raw value; parsed when the article is built
    url: str | None = None
    id: str | None = None  # explicit id, if the input gave one
    line: int | None = None
    file: _File | None = None  # set for single-article files whose id may come from the file name

    @property
    def origin(self) -> str:
        return self.path if self.line is None else f"{self.path}:{self.line}"


@dataclass(frozen=True)
class _File:
    path: Path  # as the user will recognise it (given path joined with the walked parts)
    root: Path | None  # the folder it was found under, None when given explicitly


class _Failed(Exception):
    """Internal: one file or line that cannot be loaded."""

    def __init__(self, reason: str, fix: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.fix = fix
        self.line = line


def load_paths(
    paths: Iterable[str | Path], *, max_file_bytes: int = 20_000_000, base: Path | None = None
) -> LoadResult:
    """Load every article under `paths`; a bad file or line becomes a failure and the rest still loads.

    Ids: an explicit `id` (JSONL field or front matter) wins; otherwise a single-article file is named by its
    stem, or, when two files in the batch share a stem, by its path relative to `base` (or to the folder it
    was found in) without extension, "/"-separated. JSONL records without an id get "<stem>:<line>".
    """
    failures: list[InputError] = []
    files = _expand(paths, failures)
    derived = _derived_ids([f for f in files if f.path.suffix.lower() not in JSONL_SUFFIXES], base)
    articles: list[Article] = []
    seen: dict[str, str] = {}  # id -> origin of the article that has it
    for file in files:
        try:
            for item in _load_file(file, max_file_bytes):
                if isinstance(item, InputError):
                    failures.append(item)
                    continue
                try:
                    article = _build(item, derived)
                except _Failed as exc:
                    failures.append(InputError(item.path, exc.reason, exc.fix, item.line))
                    continue
                if article.id in seen:
                    reason = f"duplicate id {article.id!r}: already loaded from {seen[article.id]}"
                    failures.append(InputError(item.path, reason, FIX_ID, item.line))
                    continue
                seen[article.id] = article.origin or item.path
                articles.append(article)
        except _Failed as exc:
            failures.append(InputError(str(file.path), exc.reason, exc.fix, exc.line))
        except Exception as exc:  # noqa: BLE001 - one unreadable file must never stop the batch
            reason = f"could not be loaded ({type(exc).__name__}: {exc})"
            failures.append(InputError(str(file.path), reason, "check the file, or report it as a bug"))
    return LoadResult(tuple(articles), tuple(failures))


# --- finding files -------------------------------------------------------------------------------------------


def _expand(paths: Iterable[str | Path], failures: list[InputError]) -> list[_File]:
    files: list[_File] = []
    seen: set[Path] = set()

    def add(file: _File) -> None:
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
            failures.append(InputError(str(path), f"cannot be opened ({_os_reason(exc)})", _os_fix(exc)))
            continue
        if stat.S_ISDIR(info.st_mode):
            found = list(_walk(path, failures))
            if not found:
                failures.append(
                    InputError(
                        str(path),
                        "folder has no .txt, .md, .html or .jsonl files",
                        "put the articles in the folder as .txt, .md, .html or .jsonl files",
                    )
                )
            for file in found:
                add(file)
        elif not stat.S_ISREG(info.st_mode):
            failures.append(InputError(str(path), "not a regular file", "give a file or folder of articles"))
        elif path.suffix.lower() not in SUPPORTED_SUFFIXES:
            kind = path.suffix or "(no extension)"
            failures.append(
                InputError(
                    str(path), f"unsupported file type {kind}", "convert it to .txt, .md, .html or .jsonl"
                )
            )
        else:
            add(_File(path, None))
    return files


def _walk(root: Path, failures: list[InputError]) -> Iterator[_File]:
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
                InputError(str(folder), f"folder cannot be read ({_os_reason(exc)})", _os_fix(exc))
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
                elif entry.is_file() and path.suffix.lower() in SUPPORTED_SUFFIXES:
                    yield _File(path, root)
            except OSError:
                continue
        # files of a folder first, then its subfolders in name order (stack: push in reverse)
        stack.extend(reversed(subfolders))


# --- reading one file ----------------------------------------------------------------------------------------


def _load_file(file: _File, max_bytes: int) -> Iterator[_Draft | InputError]:
    """The drafts of one file in order, with per-line failures (JSONL); raises _Failed for the whole file."""
    path = file.path
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise _Failed(f"cannot be read ({_os_reason(exc)})", _os_fix(exc)) from None
    if size == 0:
        raise _Failed("empty file (0 bytes)", "add the article text or remove the file")
    if path.suffix.lower() in JSONL_SUFFIXES:
        yield from _load_jsonl(path, max_bytes)
        return
    if size > max_bytes:
        raise _Failed(_too_big("file", size, max_bytes), FIX_SIZE)
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise _Failed(f"cannot be read ({_os_reason(exc)})", _os_fix(exc)) from None
    if len(data) > max_bytes:  # grew after stat
        raise _Failed(_too_big("file", len(data), max_bytes), FIX_SIZE)
    text = _decode_file(data)
    if not text.strip():
        raise _Failed("empty file (whitespace only)", "add the article text or remove the file")
    if path.suffix.lower() in HTML_SUFFIXES:
        draft = _from_html(text, str(path))
    else:
        draft = _from_text(text, str(path))
    draft.file = file
    yield draft


def _decode_file(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _Failed("file is UTF-16 encoded, not UTF-8", FIX_UTF8)
    if b"\x00" in data:
        raise _Failed(
            "binary file (contains NUL bytes), not text", "give a .txt, .md, .html or .jsonl text file"
        )
    return _normalise_newlines(_decode(data, 0))


def _decode(data: bytes, offset: int) -> str:
    """UTF-8 text of `data` (a BOM at file start dropped); `offset` is where `data` starts in the file."""
    bom = len(_BOM) if offset == 0 and data.startswith(_BOM) else 0
    try:
        return data[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        at = offset + bom + exc.start
        raise _Failed(
            f"invalid UTF-8 (byte 0x{data[bom + exc.start]:02x} at byte offset {at})", FIX_UTF8
        ) from None


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _too_big(what: str, size: int, limit: int) -> str:
    return f"{what} is {size / 1e6:.1f} MB ({size} bytes), over the {limit / 1e6:g} MB limit"


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    return exc.strerror or type(exc).__name__


def _os_fix(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "check the file's permissions (it must be readable by this user)"
    return "check that the path is readable"


# --- .txt / .md ----------------------------------------------------------------------------------------------

_FRONT_KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_-]*)[ \t]*:(.*)$")
_FRONT_FIELDS = {"title", "source", "published_at", "date", "url", "id"}


def _from_text(text: str, origin: str) -> _Draft:
    meta, body = _split_front_matter(text)
    if meta is None:
        return _Draft(path=origin, text=text)
    if not body.strip():
        raise _Failed(
            "no article text after the front matter", "put the article text after the closing --- line"
        )
    published = meta.get("published_at", meta.get("date"))
    return _Draft(
        path=origin,
        text=body,
        title=meta.get("title"),
        source=meta.get("source"),
        published_at=published,
        url=meta.get("url"),
        id=meta.get("id"),
    )


def _split_front_matter(text: str) -> tuple[dict[str, str] | None, str]:
    """(fields, body) when `text` opens with a `---` ... `---` block of `key: value` lines, else (None, text)."""
    if not text.startswith("---\n"):
        return None, text
    pos = 4
    meta: dict[str, str] = {}
    while pos <= len(text):
        end = text.find("\n", pos)
        line = text[pos:] if end < 0 else text[pos:end]
        nxt = len(text) + 1 if end < 0 else end + 1
        if line.rstrip() == "---":
            return meta, text[nxt:] if nxt <= len(text) else ""
        stripped = line.strip()
        match = _FRONT_KEY.match(line)
        if match:
            key = match.group(1).lower()
            if key in _FRONT_FIELDS and key not in meta:
                value = _unquote(match.group(2).strip())
                if value:
                    meta[key] = value
        elif (
            stripped
            and not stripped.startswith("#")
            and not line[:1].isspace()
            and not stripped.startswith("- ")
        ):
            return None, text  # not a front matter block: keep the file as it is
        if end < 0:
            break
        pos = nxt
    return None, text  # no closing ---


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1].strip()
    return value


# --- .html (extraction in index/html.py) ---------------------------------------------------------------------


def _from_html(html: str, origin: str) -> _Draft:
    try:
        page = extract_article(html)
    except NoArticleText as exc:
        raise _Failed(exc.reason, exc.fix) from None
    return _Draft(
        path=origin,
        text=page.text,
        title=page.title,
        source=page.source,
        published_at=page.published_at,
        url=page.url,
    )


# --- .jsonl --------------------------------------------------------------------------------------------------


def _load_jsonl(path: Path, max_bytes: int) -> Iterator[_Draft | InputError]:
    name = str(path)
    blank = True
    try:
        with open(path, "rb") as fh:
            head = fh.read(BINARY_SNIFF_BYTES)
            if head.startswith((b"\xff\xfe", b"\xfe\xff")):
                raise _Failed("file is UTF-16 encoded, not UTF-8", FIX_UTF8)
            if b"\x00" in head:
                raise _Failed(
                    "binary file (contains NUL bytes), not JSON Lines text", "give a UTF-8 .jsonl text file"
                )
            fh.seek(0)
            for number, offset, body, size in _lines(fh, max_bytes):
                try:
                    if body is None:
                        raise _Failed(_too_big(f"line {number}", size, max_bytes), FIX_SIZE)
                    line = _decode(body, offset)
                    if not line.strip():
                        continue
                    blank = False
                    yield _from_record(line, name, number)
                except _Failed as exc:
                    blank = False
                    yield InputError(name, exc.reason, exc.fix, number)
    except OSError as exc:
        raise _Failed(f"cannot be read ({_os_reason(exc)})", _os_fix(exc)) from None
    if blank:
        raise _Failed("empty file (whitespace only)", "add one JSON article per line or remove the file")


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
                raw = fh.readline(_READ_BLOCK)
                if not raw:
                    break
                size += len(raw)
            yield number, offset, None, size
        else:
            yield number, offset, body, size
        offset += size


def _from_record(line: str, origin: str, number: int) -> _Draft:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise _Failed(f"not valid JSON ({exc.msg} at column {exc.colno})", FIX_JSONL) from None
    except (ValueError, RecursionError) as exc:
        raise _Failed(f"not valid JSON ({type(exc).__name__})", FIX_JSONL) from None
    if not isinstance(record, dict):
        raise _Failed(f"JSON {_json_type(record)}, not an object", FIX_JSONL)
    text = record.get("text")
    if text is None:
        raise _Failed('record has no "text" field', 'add the article body as a "text" string')
    if not isinstance(text, str):
        raise _Failed(
            f'"text" is a {_json_type(text)}, not a string', 'make "text" the article body as a string'
        )
    if not text.strip():
        raise _Failed('"text" is empty', 'put the article body in "text" or drop the line')
    fields = {key: _optional_str(record, key) for key in ("title", "source", "url")}
    raw_id = record.get("id")
    if raw_id is None or raw_id == "":
        raw_id = None
    elif isinstance(raw_id, int) and not isinstance(raw_id, bool):
        raw_id = str(raw_id)
    elif not isinstance(raw_id, str):
        raise _Failed(f'"id" is a {_json_type(raw_id)}, not a string', 'make "id" a string')
    for key, value in (("text", text), ("id", raw_id), *fields.items()):
        if value is not None and not _encodable(value):
            raise _Failed(
                f'"{key}" contains an invalid \\u escape (a lone surrogate)', f'fix the "{key}" string'
            )
    return _Draft(
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
        raise _Failed(f'"{key}" is a {_json_type(value)}, not a string', f'make "{key}" a string or null')
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


# --- ids and articles ----------------------------------------------------------------------------------------


def _derived_ids(files: list[_File], base: Path | None) -> dict[Path, str]:
    """File-name ids: the stem when unique in the batch, else the shortest unambiguous relative path."""
    groups: dict[str, list[_File]] = {}
    for file in files:
        groups.setdefault(file.path.stem, []).append(file)
    out: dict[Path, str] = {}
    for stem, group in groups.items():
        if len(group) == 1:
            out[group[0].path] = stem
            continue
        common = os.path.commonpath([os.path.abspath(f.path) for f in group])
        candidates = (
            [_rel_id(f, base) for f in group],
            [_rel_to(f.path, common, keep_suffix=False) for f in group],
            [_rel_to(f.path, common, keep_suffix=True) for f in group],
        )
        ids = next((c for c in candidates if len(set(c)) == len(c)), candidates[-1])
        for file, id_ in zip(group, ids, strict=True):
            out[file.path] = id_
    return out


def _rel_to(path: Path, anchor: str, keep_suffix: bool) -> str:
    rel = Path(os.path.relpath(os.path.abspath(path), anchor))
    return (rel if keep_suffix else rel.with_suffix("")).as_posix()


def _rel_id(file: _File, base: Path | None) -> str:
    path = Path(os.path.abspath(file.path))
    for anchor in (base, file.root):
        if anchor is None:
            continue
        try:
            return path.relative_to(os.path.abspath(anchor)).with_suffix("").as_posix()
        except ValueError:
            continue
    return path.stem


def _build(draft: _Draft, derived: dict[Path, str]) -> Article:
    if draft.id is not None:
        article_id = _check_id(draft.id, "the id")
    else:
        name = derived.get(draft.file.path) if draft.file is not None else None
        article_id = _check_id(name or "", "the id taken from the file name", rename=True)
    try:
        published = parse_published_at(draft.published_at)
    except ValueError as exc:
        raise _Failed(str(exc), FIX_DATE) from None
    return Article(
        id=article_id,
        text=draft.text,
        title=draft.title,
        source=draft.source,
        published_at=published,
        url=draft.url,
        origin=draft.origin,
    )


def _check_id(value: str, what: str, rename: bool = False) -> str:
    fix = (
        "rename the file or set `id:` in its front matter"
        if rename
        else "use an id of 1-200 printable characters"
    )
    article_id = value.strip()
    if not article_id:
        raise _Failed(f"{what} is empty", fix)
    if len(article_id) > MAX_ID_CHARS:
        raise _Failed(f"{what} is {len(article_id)} characters long, over {MAX_ID_CHARS}", fix)
    bad = next((c for c in article_id if unicodedata.category(c) in ("Cc", "Zl", "Zp")), None)
    if bad is not None:
        raise _Failed(f"{what} {article_id!r} contains a control character ({bad!r})", fix)
    return article_id

"""Loads articles from .txt, .md, .html and .jsonl files and folders, reporting bad input per file and line."""

from __future__ import annotations

import json
import os
import re
import stat
import unicodedata
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning
from bs4.element import (
    Comment,
    Declaration,
    Doctype,
    NavigableString,
    PageElement,
    ProcessingInstruction,
    Tag,
)

from assistant.errors import InputError
from assistant.records import Article
from index.dates import ACCEPTED_FORMATS, parse_published_at

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


# --- .html ---------------------------------------------------------------------------------------------------

_DROP_TAGS = frozenset(
    {
        "script", "style", "nav", "header", "footer", "aside", "form", "noscript", "template", "iframe", "svg",
        "button", "select", "textarea", "canvas", "object", "embed", "audio", "video", "math", "head", "title",
    }
)  # fmt: skip
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "blockquote", "body", "caption", "dd", "details", "dialog", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "html", "li", "main",
        "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
_TITLE_BLOCKERS = _DROP_TAGS - {"header"}  # a headline inside the article's <header> still counts
_DATE_METAS = (
    ("property", "article:published_time"),
    ("name", "article:published_time"),
    ("name", "date"),
    ("itemprop", "datepublished"),
    ("name", "pubdate"),
    ("name", "publishdate"),
    ("name", "dc.date"),
    ("name", "dc.date.issued"),
)
_SPACE = re.compile(r"\s+")
_NOT_TEXT = (Comment, Declaration, Doctype, ProcessingInstruction)


def _from_html(html: str, origin: str) -> _Draft:
    with warnings.catch_warnings():  # bs4 warns when a short page "looks like a filename" or like XML
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(html, "html.parser")
    metas = _html_metas(soup)
    root = _html_root(soup)
    h1 = _headline(soup, root)
    headline = _collapse(h1.get_text(" ")) if h1 is not None else ""
    title = headline or None
    if title is None:
        title_tag = soup.find("title")
        if isinstance(title_tag, Tag):
            title = _collapse(title_tag.get_text(" ")) or None

    lines: list[str] = []
    buf: list[str] = []
    h1_line: int | None = None

    def flush() -> None:
        if buf:
            line = _collapse("".join(buf))
            buf.clear()
            if line:
                lines.append(line)

    # iterative walk (deeply nested pages must not hit the recursion limit); a block starts and ends a line
    stack: list[tuple[PageElement, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        if leaving:
            flush()
            if node is h1 and lines and lines[-1] == headline:
                h1_line = len(lines) - 1
            continue
        if isinstance(node, Tag):
            name = (node.name or "").lower()
            if name in _DROP_TAGS or node.has_attr("hidden"):
                continue
            if name == "br":
                flush()
                continue
            if name in _BLOCK_TAGS or node is h1:
                flush()
                stack.append((node, True))
            stack.extend((child, False) for child in reversed(node.contents))
        elif isinstance(node, NavigableString) and not isinstance(node, _NOT_TEXT):
            buf.append(str(node))
    flush()

    if headline:  # the headline is the first line of the text, exactly once
        if h1_line is not None:
            del lines[h1_line]
        lines.insert(0, headline)
    text = "\n".join(lines)
    if not text.strip():
        raise _Failed(
            "no article text found in the HTML", "check that the file is an article page with text in it"
        )
    return _Draft(
        path=origin,
        text=text,
        title=title,
        source=metas.get("source"),
        published_at=metas.get("published_at") or _time_element_date(soup, root),
        url=metas.get("url"),
    )


def _time_element_date(soup: BeautifulSoup, root: Tag | BeautifulSoup) -> str | None:
    """The publication date from <time> markup when no <meta> gives one: a <time> marked as the publication
    date (itemprop="datePublished" or pubdate) counts as declared; otherwise the first parseable
    <time datetime> inside an <article> is taken as its date line (a guess, so unparseable ones are skipped)."""
    for time_tag in soup.find_all("time"):
        itemprop = time_tag.get("itemprop")
        declared = time_tag.has_attr("pubdate") or (
            isinstance(itemprop, str) and itemprop.strip().lower() == "datepublished"
        )
        value = time_tag.get("datetime")
        if declared and isinstance(value, str) and value.strip():
            return value.strip()
    if isinstance(root, Tag) and root.name == "article":
        for time_tag in root.find_all("time"):
            value = time_tag.get("datetime")
            if isinstance(value, str) and value.strip():
                try:
                    parse_published_at(value)
                except ValueError:
                    continue
                return value.strip()
    return None


def _headline(soup: BeautifulSoup, root: Tag | BeautifulSoup) -> Tag | None:
    """The first <h1> in the article (its own <header> allowed), else the page's first <h1> outside
    navigation, headers, footers and asides; None when there is none."""
    for scope, blockers in ((root, _TITLE_BLOCKERS), (soup, _DROP_TAGS)):
        for h1 in scope.find_all("h1"):
            if not _inside(h1, soup, blockers) and _collapse(h1.get_text(" ")):
                return h1
    return None


def _html_metas(soup: BeautifulSoup) -> dict[str, str]:
    found: dict[tuple[str, str], str] = {}
    for meta in soup.find_all("meta"):
        content = meta.get("content")
        if not isinstance(content, str) or not content.strip():
            continue
        for attr in ("property", "name", "itemprop"):
            key = meta.get(attr)
            if isinstance(key, str):
                found.setdefault((attr, key.strip().lower()), content.strip())
    out: dict[str, str] = {}
    for key in _DATE_METAS:
        if key in found:
            out["published_at"] = found[key]
            break
    site = found.get(("property", "og:site_name")) or found.get(("name", "og:site_name"))
    if site and _collapse(site):
        out["source"] = _collapse(site)
    for link in soup.find_all("link"):
        rel = link.get("rel") or []
        rels = rel.split() if isinstance(rel, str) else rel
        href = link.get("href")
        if "canonical" in [r.lower() for r in rels] and isinstance(href, str) and href.strip():
            out["url"] = href.strip()
            break
    if "url" not in out and found.get(("property", "og:url")):
        out["url"] = found[("property", "og:url")]
    return out


def _html_root(soup: BeautifulSoup) -> Tag | BeautifulSoup:
    """The <article> with the most text, else <main>, else <body>, else the whole document."""
    best, best_len = None, -1
    for art in soup.find_all("article"):
        if _inside(art, soup, _DROP_TAGS):
            continue
        size = len(art.get_text())
        if size > best_len:
            best, best_len = art, size
    if best is not None:
        return best
    for name in ("main", "body"):
        found = soup.find(name)
        if isinstance(found, Tag) and not _inside(found, soup, _DROP_TAGS):
            return found
    return soup


def _inside(tag, root, names: frozenset[str]) -> bool:
    node = tag.parent
    while node is not None and node is not root:
        if (node.name or "").lower() in names:
            return True
        node = node.parent
    return False


def _collapse(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


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

"""Loads articles from files and folders of the types in common/file_types.py (.txt, .md, .html, .jsonl),
reporting bad input per file and line."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from common.errors import InputError
from common.file_types import SUPPORTED_SUFFIXES
from common.records import Article
from index.loaders.base import FIX_ID, JSONL_SUFFIXES, MAX_ID_CHARS, Failed
from index.loaders.files import expand, load_file
from index.loaders.ids import build, derived_ids

__all__ = ["MAX_ID_CHARS", "SUPPORTED_SUFFIXES", "LoadResult", "load_paths"]


@dataclass(frozen=True)
class LoadResult:
    articles: tuple[Article, ...]
    failures: tuple[InputError, ...]
    notes: tuple[str, ...] = ()  # "FILE: not UTF-8: read as Windows-1252 …": loaded, but worth a look


def load_paths(
    paths: Iterable[str | Path], *, max_file_bytes: int = 20_000_000, base: Path | None = None
) -> LoadResult:
    """Load every article under `paths`; a bad file or line becomes a failure and the rest still loads.

    Ids: an explicit `id` (JSONL field or front matter) wins; otherwise a single-article file is named by its
    stem, or, when two files in the batch share a stem, by its path relative to `base` (or to the folder it
    was found in) without extension, "/"-separated. JSONL records without an id get "<stem>:<line>".
    """
    failures: list[InputError] = []
    files = expand(paths, failures)
    derived = derived_ids([f for f in files if f.path.suffix.lower() not in JSONL_SUFFIXES], base)
    articles: list[Article] = []
    notes: list[str] = []
    seen: dict[str, str] = {}  # id -> origin of the article that has it
    for file in files:
        try:
            for item in load_file(file, max_file_bytes):
                if isinstance(item, InputError):
                    failures.append(item)
                    continue
                try:
                    article = build(item, derived)
                except Failed as exc:
                    failures.append(InputError(item.path, exc.reason, exc.fix, item.line))
                    continue
                if article.id in seen:
                    reason = f"duplicate id {article.id!r}: already loaded from {seen[article.id]}"
                    failures.append(InputError(item.path, reason, FIX_ID, item.line))
                    continue
                seen[article.id] = article.origin or item.path
                articles.append(article)
                if item.note:
                    notes.append(f"{item.origin}: {item.note}")
        except Failed as exc:
            failures.append(InputError(str(file.path), exc.reason, exc.fix, exc.line))
        except Exception as exc:  # noqa: BLE001 - one unreadable file must never stop the batch
            reason = f"could not be loaded ({type(exc).__name__}: {exc})"
            failures.append(InputError(str(file.path), reason, "check the file, or report it as a bug"))
    return LoadResult(tuple(articles), tuple(failures), tuple(notes))

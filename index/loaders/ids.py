"""Article ids (explicit, or from file names unique within the batch) and the Article a draft becomes."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

from common.dates import parse_published_at
from common.records import Article
from index.loaders.base import FIX_DATE, MAX_ID_CHARS, Draft, Failed, SourceFile
from index.loaders.lead import dateline, lead_title
from index.loaders.titles import first_line_title


def derived_ids(files: list[SourceFile], base: Path | None) -> dict[Path, str]:
    """File-name ids: the stem when unique in the batch, else the shortest unambiguous relative path."""
    groups: dict[str, list[SourceFile]] = {}
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


def _rel_id(file: SourceFile, base: Path | None) -> str:
    path = Path(os.path.abspath(file.path))
    for anchor in (base, file.root):
        if anchor is None:
            continue
        try:
            return path.relative_to(os.path.abspath(anchor)).with_suffix("").as_posix()
        except ValueError:
            continue
    return path.stem


def build(draft: Draft, derived: dict[Path, str]) -> Article:
    """The Article of a draft: its id checked (or taken from the file name), its date parsed."""
    if draft.id is not None:
        article_id = _check_id(draft.id, "the id")
    else:
        name = derived.get(draft.file.path) if draft.file is not None else None
        article_id = _check_id(name or "", "the id taken from the file name", rename=True)
    try:
        published = parse_published_at(draft.published_at)
    except ValueError as exc:
        raise Failed(str(exc), FIX_DATE) from None
    # every format alike: a headline line, else the lead's first words (marked); a dateline's agency as the source
    title = draft.title or first_line_title(draft.text) or lead_title(draft.text)
    found = dateline(draft.text) if not draft.source else None
    return Article(
        id=article_id,
        text=draft.text,
        title=title,
        source=draft.source or (found.agency if found else None),
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
        raise Failed(f"{what} is empty", fix)
    if len(article_id) > MAX_ID_CHARS:
        raise Failed(f"{what} is {len(article_id)} characters long, over {MAX_ID_CHARS}", fix)
    bad = next((c for c in article_id if unicodedata.category(c) in ("Cc", "Zl", "Zp")), None)
    if bad is not None:
        raise Failed(f"{what} {article_id!r} contains a control character ({bad!r})", fix)
    return article_id

"""Helpers shared by the loader tests (test_loaders, test_html): writing input files, reading a LoadResult."""

from __future__ import annotations

import json
from pathlib import Path

from index.loaders import LoadResult

GOOD_TEXT = "Rescuers reached the village on Monday.\nThe river fell by two metres overnight.\n"


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_bytes(content.encode("utf-8"))
    return path


def jsonl(path: Path, *records: object) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    return write(path, "\n".join(lines) + "\n")


def good(tmp_path: Path, name: str = "good.txt") -> Path:
    return write(tmp_path / "ok" / name, GOOD_TEXT)


def ids(result: LoadResult) -> list[str]:
    return [a.id for a in result.articles]


def only_failure(result: LoadResult):
    assert len(result.failures) == 1, [str(f) for f in result.failures]
    return result.failures[0]

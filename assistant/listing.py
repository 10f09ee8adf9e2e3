"""The `assistant list` table: columns as wide as what they hold (up to a cap), a cut value ending in "…"."""

from __future__ import annotations

MAX_ID, MAX_SOURCE, MAX_TITLE = 40, 40, 80


def list_lines(rows: list[dict]) -> list[str]:
    """One line per article: id, date (blank when undated: the count line says how many, once), source, sentences,
    chunks, title."""
    id_w = min(MAX_ID, max((len(r["id"]) for r in rows), default=2))
    src_w = min(MAX_SOURCE, max((len(r["source"] or "-") for r in rows), default=1))
    out = []
    for r in rows:
        date = (r["published_at"] or "")[:10]
        out.append(f"{_cut(r['id'], id_w):{id_w}}  {date:10}  {_cut(r['source'] or '-', src_w):{src_w}}  "
                   f"{r['sentences']:5} sent  {r['chunks']:4} chunks  {_cut(r['title'] or '(untitled)', MAX_TITLE)}")
    return out


def _cut(value: str, width: int) -> str:
    return value if len(value) <= width else value[: width - 1] + "…"


def count_line(rows: list[dict], where: str) -> str:
    """'9 articles in INDEX · 2 undated': how many are undated is said once, not on every row."""
    undated = sum(1 for r in rows if not r["published_at"])
    return f"{len(rows)} article{'s' if len(rows) != 1 else ''} in {where}" + (f" · {undated} undated" if undated else "")

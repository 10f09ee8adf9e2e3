"""Glued copies of a corpus (the whitespace after each sentence end removed) and how many sentences survive them.

    python -m benchmarks.glued [--articles PATH]... [--gold GOLD.jsonl --out DIR]

For every article the spaced text is split; each boundary where a sentence ends with . ? ! or … (closing quotes
allowed) and the next starts with a capital (an opening quote allowed) loses its whitespace, as feed copy does
(`…"hold for now."But engineers…`). Other boundaries (a headline line without punctuation, a sentence starting
with a digit) keep theirs: nothing in the glued text marks them. The glued text is split again and compared:
how many of the spaced sentences come back exactly (same text, offsets moved by the removed whitespace).
With --out, the glued articles (articles.jsonl) and the gold questions with their evidence offsets moved to the
glued text (gold.jsonl) are written there, for `assistant eval gold.jsonl --articles DIR/articles.jsonl`.
Run with PYTHONPATH pointing at another checkout to measure its splitter on the same copies.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from index.loaders import load_paths
from index.sentences import split_sentences

_END = re.compile(r"[.!?…][\"”’»)\]]*$")
_START = re.compile(r"^[\"“‘«(]?[A-Z]")


def glue(text: str, spans: list[tuple[int, int]]) -> tuple[str, list[int], int]:
    """(glued text, old offset -> new offset for every offset 0..len(text), boundaries glued)."""
    drop = []
    for (_, e), (s, e2) in zip(spans, spans[1:], strict=False):
        if text[e:s].strip() == "" and _END.search(text[e - 4 : e]) and _START.match(text[s:e2]):
            drop.append((e, s))
    pieces, cursor, moved = [], 0, 0
    mapping = []
    for e, s in drop:
        pieces.append(text[cursor:e])
        mapping.extend(range(cursor - moved, e - moved))
        mapping.extend([e - moved] * (s - e))
        moved += s - e
        cursor = s
    pieces.append(text[cursor:])
    mapping.extend(range(cursor - moved, len(text) - moved + 1))
    return "".join(pieces), mapping, len(drop)


def compare(text: str) -> tuple[int, int, int, str, list[int]]:
    """(spaced sentences, found exactly in the glued split, boundaries glued, glued text, offset map)."""
    spans = split_sentences(text)
    glued, mapping, n_glued = glue(text, spans)
    got = set(split_sentences(glued))
    found = sum((mapping[s], mapping[e]) in got for s, e in spans)
    return len(spans), found, n_glued, glued, mapping


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", action="append", default=None, help="file or folder (default examples/articles)")
    ap.add_argument("--gold", help="gold questions whose evidence offsets are moved to the glued text")
    ap.add_argument("--out", help="folder for the glued articles.jsonl and gold.jsonl")
    ap.add_argument("--spaced", action="store_true", help="write the spaced text instead (the same format, to compare)")
    ap.add_argument("--show", type=int, default=0, help="print this many sentences that did not come back")
    args = ap.parse_args(argv)
    loaded = load_paths(args.articles or ["examples/articles"])
    total = found = glued_n = 0
    maps: dict[str, list[int]] = {}
    rows = []
    shown = 0
    for a in loaded.articles:
        n, ok, g, glued, mapping = compare(a.text)
        total, found, glued_n = total + n, found + ok, glued_n + g
        if args.spaced:
            glued, mapping = a.text, list(range(len(a.text) + 1))
        maps[a.id] = mapping
        rows.append({"id": a.id, "title": a.title, "source": a.source, "url": a.url, "text": glued,
                     "published_at": a.published_at_iso})
        if ok < n and shown < args.show:
            got = split_sentences(glued)
            for s, e in split_sentences(a.text):
                if (mapping[s], mapping[e]) not in got and shown < args.show:
                    shown += 1
                    print(f"  {a.id}: {a.text[s:e][:160]!r}", file=sys.stderr)
    print(f"{len(loaded.articles)} articles, {total} sentences, {glued_n} boundaries glued; "
          f"sentences found exactly in the glued text: {found}/{total} = {found / max(total, 1):.4f}")
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        with (out / "articles.jsonl").open("w", encoding="utf-8") as fh:
            fh.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        if args.gold:
            _write_gold(Path(args.gold), out / "gold.jsonl", maps, {r["id"]: r["text"] for r in rows})
    return 0


def _write_gold(src: Path, dst: Path, maps: dict[str, list[int]], texts: dict[str, str]) -> None:
    with src.open(encoding="utf-8") as fh, dst.open("w", encoding="utf-8") as out:
        for line in fh:
            if not line.strip():
                continue
            q = json.loads(line)
            for ev in q.get("evidence") or []:
                m = maps[ev["article_id"]]
                ev["char_start"], ev["char_end"] = m[ev["char_start"]], m[ev["char_end"]]
                ev["text"] = texts[ev["article_id"]][ev["char_start"] : ev["char_end"]]
            out.write(json.dumps(q, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    raise SystemExit(main())

"""Glued-text evaluation: a dev set's articles spaced and glued (benchmarks/glued.py), each in its own fresh index
with the real embedder, the same questions asked of both; sentence top-1 and short-answer F1 side by side.

    python -m benchmarks.glued_eval --set squad_sample --work /tmp/glued-squad
    python -m benchmarks.glued_eval --set multihop_rag --sample 150 --seed 25 --work /tmp/glued-mh

--sample N takes N dev questions (seeded), the articles their evidence comes from and as many other articles
(seeded) as distractors; without it, every question and article. The indexes in --work are reused when present
(an unchanged article costs nothing), so a second run only asks. Questions whose top-1 hit or F1 differ between
the two copies are listed with both short answers and top sentences (--show)."""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import load_average, shared_dir  # noqa: E402
from benchmarks.glued import compare  # noqa: E402
from common.config import Config  # noqa: E402
from common.offline import configure_environment  # noqa: E402

METRICS = ("evidence_hit@1", "answer_f1")


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def pick(articles: list[dict], questions: list[dict], sample: int, seed: int) -> tuple[list[dict], list[dict]]:
    """All of both, or `sample` seeded questions with their evidence articles and as many seeded distractors."""
    if not sample or sample >= len(questions):
        return articles, questions
    rng = random.Random(seed)
    chosen = rng.sample(questions, sample)
    needed = {ev["article_id"] for q in chosen for ev in q.get("evidence") or []}
    others = sorted(a["id"] for a in articles if a["id"] not in needed)
    needed |= set(rng.sample(others, min(len(needed), len(others))))
    return [a for a in articles if a["id"] in needed], chosen


def write_copies(articles: list[dict], questions: list[dict], work: Path) -> dict[str, int]:
    """work/{spaced,glued}/articles.jsonl and gold.jsonl (evidence offsets moved to the glued text)."""
    counts = {"sentences": 0, "found": 0, "glued": 0}
    maps, texts = {}, {}
    for kind in ("spaced", "glued"):
        (work / kind).mkdir(parents=True, exist_ok=True)
    with (work / "spaced" / "articles.jsonl").open("w") as sp, (work / "glued" / "articles.jsonl").open("w") as gl:
        for a in articles:
            n, ok, g, glued, mapping = compare(a["text"])
            counts["sentences"] += n
            counts["found"] += ok
            counts["glued"] += g
            maps[a["id"]], texts[a["id"]] = mapping, glued
            sp.write(json.dumps(a, ensure_ascii=False) + "\n")
            gl.write(json.dumps({**a, "text": glued}, ensure_ascii=False) + "\n")
    with (work / "spaced" / "gold.jsonl").open("w") as sp, (work / "glued" / "gold.jsonl").open("w") as gl:
        for q in questions:
            sp.write(json.dumps(q, ensure_ascii=False) + "\n")
            moved = []
            for ev in q.get("evidence") or []:
                m = maps[ev["article_id"]]
                s, e = m[ev["char_start"]], m[ev["char_end"]]
                moved.append({**ev, "char_start": s, "char_end": e, "text": texts[ev["article_id"]][s:e]})
            gl.write(json.dumps({**q, "evidence": moved}, ensure_ascii=False) + "\n")
    return counts


def ingest(work: Path, kind: str) -> Config:
    """Ingest work/KIND/articles.jsonl into work/KIND/index (progress lines on stderr); the config of that index."""
    from index.pipeline import Ingestor
    from index.store import ChromaStore

    config = Config.from_env(index_dir=work / kind / "index")
    t0 = time.perf_counter()
    report = Ingestor(config, store=ChromaStore(config)).ingest_paths([work / kind / "articles.jsonl"], progress=True)
    print(f"{kind}: {report.summary()} in {time.perf_counter() - t0:.0f} s (load {load_average()})", file=sys.stderr)
    return config


def ask_all(config: Config, questions: list[dict]) -> list[dict]:
    """score_question rows for every question, with the short answer and the top sentence."""
    from assistant.core import Assistant
    from assistant.eval.metrics import score_question
    from index.store import ChromaStore

    assistant = Assistant(config, store=ChromaStore(config))
    assistant.warm()
    rows = []
    for q in questions:
        a = assistant.ask(q["question"])
        pred = {**a.to_dict(), "ranked": [c.to_dict() for c in a.ranked]}
        row = score_question(q, pred)
        row["short"] = a.short_answer
        row["top"] = a.ranked[0].text if a.ranked else None
        row["question"] = q["question"]
        rows.append(row)
    return rows


def mean(rows: list[dict], key: str) -> float | None:
    vals = [r[key] for r in rows if r.get(key) is not None]
    return statistics.mean(vals) if vals else None


def report(rows: dict[str, list[dict]], show: int) -> dict:
    """Print both copies' means and their difference, and the questions where they differ."""
    out = {}
    for key in METRICS:
        sp, gl = mean(rows["spaced"], key), mean(rows["glued"], key)
        n = sum(r.get(key) is not None for r in rows["spaced"])
        out[key] = {"spaced": sp, "glued": gl, "difference": gl - sp, "n": n}
        print(f"{key:15} n={n:4}  spaced {sp:.4f}  glued {gl:.4f}  glued - spaced {gl - sp:+.4f}")
    differ = [(s, g) for s, g in zip(rows["spaced"], rows["glued"], strict=True)
              if any(s.get(k) != g.get(k) for k in METRICS)]
    print(f"questions that differ: {len(differ)} of {len(rows['spaced'])}")
    for s, g in differ[:show]:
        print(f"- {s['id']}: {s['question']}\n    spaced hit@1={s['evidence_hit@1']} f1={s['answer_f1']} "
              f"short={s['short']!r}\n      top={str(s['top'])[:200]!r}\n    glued  hit@1={g['evidence_hit@1']} "
              f"f1={g['answer_f1']} short={g['short']!r}\n      top={str(g['top'])[:200]!r}")
    out["differ"] = [s["id"] for s, _ in differ]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", default="squad_sample", help="a folder of ../shared/data (articles.jsonl, qa_dev.jsonl)")
    ap.add_argument("--sample", type=int, default=0, help="this many dev questions (seeded); 0: all")
    ap.add_argument("--seed", type=int, default=25)
    ap.add_argument("--work", type=Path, required=True, help="a folder outside the project for copies and indexes")
    ap.add_argument("--show", type=int, default=40, help="list this many questions that differ")
    ap.add_argument("--out", type=Path, help="write the rows and means as JSON here")
    args = ap.parse_args(argv)
    configure_environment()
    data = shared_dir() / "data" / args.set
    articles, questions = pick(read_jsonl(data / "articles.jsonl"), read_jsonl(data / "qa_dev.jsonl"),
                               args.sample, args.seed)
    counts = write_copies(articles, questions, args.work)
    print(f"{args.set}: {len(articles)} articles, {len(questions)} questions; {counts['glued']} boundaries glued, "
          f"{counts['found']}/{counts['sentences']} sentences found exactly in the glued text", file=sys.stderr)
    configs = {kind: ingest(args.work, kind) for kind in ("spaced", "glued")}
    rows = {}
    for kind in ("spaced", "glued"):
        t0 = time.perf_counter()
        rows[kind] = ask_all(configs[kind], read_jsonl(args.work / kind / "gold.jsonl"))
        print(f"{kind}: asked {len(questions)} in {time.perf_counter() - t0:.0f} s (load {load_average()})",
              file=sys.stderr)
    result = report(rows, args.show)
    if args.out:
        args.out.write_text(json.dumps({"means": result, "rows": rows}, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

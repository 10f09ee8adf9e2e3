"""The trained reader on the dev sets, per answer kind: the same index and questions answered with the reader off
and on (optionally only for some kinds), interleaved, with EM / F1 / sentence hit@1 / hit@10 / MRR@10 / abstention
and ask latency.

    python benchmarks/reader_kinds.py --gold tests/gold/news_gold.jsonl --index IDX_MH [--kinds which,other]

An index is made with `assistant ingest ARTICLES --index DIR` (SQuAD sample, MultiHop + seed, the seed alone)."""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.core import Assistant  # noqa: E402
from assistant.eval.metrics import score_question  # noqa: E402
from assistant.eval.run import load_gold  # noqa: E402
from assistant.kinds.registry import KINDS, kind_of  # noqa: E402
from common.config import Config  # noqa: E402
from common.offline import configure_environment  # noqa: E402
from index.store import ChromaStore  # noqa: E402

METRICS = ("answer_em", "answer_f1", "evidence_hit@1", "evidence_hit@10", "mrr@10")


def run(assistant: Assistant, questions: list[dict], modes: dict[str, set[str] | None]) -> dict:
    """Per mode (a set of kind names that read, or None: reader off), rows of metrics by question; questions are
    asked in turn under every mode (interleaved, so load hits all modes alike)."""
    rows = {m: [] for m in modes}
    default = {k.name: (k.reads, k.second_opinion) for k in KINDS}
    seen = []
    read = assistant.read

    def spy(query, cands):  # the best reading's confidence, for calibrating READER_DECLINE
        out = read(query, cands)
        seen.append((out[1][0].confidence, out[1][0].text, [(r.text, r.margin, r.here, r.article_id, r.index)
                                                              for r in out[1]]) if out[1] else None)
        return out

    assistant.read = spy
    reader, status = assistant.reader, assistant.reader_status
    for q in questions:
        for mode, reading in modes.items():
            # off: no reader at all (also no phrase of a statement, no action for "what happened to X?")
            assistant._reader, assistant.reader_status = (None, "off: benchmark") if reading is None else (reader, status)
            for k in KINDS:
                k.reads = reading is not None and (k.name in reading if reading else default[k.name][0])
                k.second_opinion = reading is not None and not reading and default[k.name][1]
            seen.clear()
            t0 = time.perf_counter()
            a = assistant.ask(q["question"])
            ms = (time.perf_counter() - t0) * 1000
            pred = {**a.to_dict(), "ranked": [c.to_dict() for c in a.ranked], "latency_ms": ms}
            row = score_question(q, pred)
            row["kind"] = kind_of(q["question"]).name
            row["short"] = a.short_answer
            row["confidence"], row["reading"], row["readings"] = seen[-1] if seen and seen[-1] else (None, None, [])
            rows[mode].append(row)
    for k in KINDS:
        k.reads, k.second_opinion = default[k.name]
    assistant._reader, assistant.reader_status = reader, status
    return rows


def table(rows: list[dict]) -> dict:
    def mean(key, rs):
        vals = [r[key] for r in rs if r.get(key) is not None]
        return round(statistics.mean(vals), 3) if vals else None

    out = {}
    groups = defaultdict(list)
    for r in rows:
        groups[r["kind"]].append(r)
    groups["ALL"] = rows
    for kind, rs in sorted(groups.items()):
        ans = [r for r in rs if r["answerable"]]
        una = [r for r in rs if not r["answerable"]]
        out[kind] = {"n": len(rs), **{m: mean(m, ans) for m in METRICS},
                     "no_short": round(sum(r["short"] is None and not r["abstained"] for r in ans) / (len(ans) or 1), 3),
                     "false_abstain": round(sum(r["abstained"] for r in ans) / (len(ans) or 1), 3),
                     "declined_unanswerable": round(sum(r["abstained"] for r in una) / len(una), 3) if una else None,
                     "p50_ms": round(statistics.median(r["latency_ms"] for r in rs), 1),
                     "p95_ms": round(sorted(r["latency_ms"] for r in rs)[int(0.95 * (len(rs) - 1))], 1)}
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gold", type=Path, required=True)
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--kinds", default="", help="comma-separated kinds that read in the 'on' mode (default: as shipped)")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--modes", default="off,on", help="which of off,on to run (on alone: half the time)")
    ap.add_argument("--out", type=Path, help="write the rows as JSON here")
    args = ap.parse_args(argv)
    configure_environment()
    questions = load_gold(args.gold)[: args.limit or None]
    config = Config.from_env(index_dir=args.index)
    assistant = Assistant(config, store=ChromaStore(config))
    assistant.warm()
    modes = {"off": None, "on": set(args.kinds.split(",")) if args.kinds else set()}
    modes = {m: v for m, v in modes.items() if m in args.modes.split(",")}
    rows = run(assistant, questions, modes)
    result = {m: table(r) for m, r in rows.items()}
    print(f"reader: {assistant.reader_status}")
    for kind in next(iter(result.values())):
        for m in modes:
            r = result[m][kind]
            print(f"{kind:12} {m:3} n={r['n']:3} " + " ".join(f"{k}={r[k]}" for k in r if k != "n"))
    if args.out:
        args.out.write_text(json.dumps({"summary": result, "rows": rows}, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())

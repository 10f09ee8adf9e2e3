"""Query latency benchmark: ask() warm on the 609-article MultiHop-RAG index, p50/p95, plus peak RSS.

Run: .venv/bin/python benchmarks/query.py [--index DIR] [--questions N] [--gold FILE] [--reader-off-and-on]
(--index reuses an index built earlier, e.g. by `assistant eval ... --index DIR`; otherwise one is built.
--gold: ask that gold file's questions instead of MultiHop dev's (most of which are too long for the reader: e.g.
tests/gold/crowd_gold.jsonl, short questions the ranker and reader both read).
--reader-off-and-on: every question asked with the trained reader (and its sentence ranker) off, then on,
interleaved: one row each.)
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import peak_rss_mb, print_table, shared_dir  # noqa: E402
from common.config import Config  # noqa: E402
from common.offline import configure_environment  # noqa: E402


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))]


def main() -> None:
    configure_environment()
    ap = argparse.ArgumentParser()
    ap.add_argument("--index", default=None)
    ap.add_argument("--questions", type=int, default=300)
    ap.add_argument("--gold", type=Path, default=None, help="ask this gold file's questions (default: MultiHop dev)")
    ap.add_argument("--reader-off-and-on", action="store_true", help="interleaved rows with the reader off and on")
    args = ap.parse_args()
    data = shared_dir() / "data" / "multihop_rag"
    from assistant.core import Assistant
    from index.pipeline import Ingestor
    from index.store import ChromaStore

    with tempfile.TemporaryDirectory() as tmp:
        config = Config.from_env(env={}, index_dir=Path(args.index or Path(tmp) / "index"))
        assistant = Assistant(config, store=ChromaStore(config))
        if not (args.index and assistant.store.count()["articles"]):  # a given index is used as it is
            Ingestor(config, store=assistant.store, embedder=assistant.embedder).ingest_paths([data / "articles.jsonl"])
        assistant.warm()
        gold = args.gold or data / "qa_dev.jsonl"
        questions = [json.loads(line)["question"] for line in gold.open() if line.strip()][: args.questions]
        reader, status = assistant.reader, assistant.reader_status
        modes = {"off": None, "on": reader} if args.reader_off_and_on else {status: reader}
        for q in questions[:10]:
            assistant.ask(q)
        times: dict[str, list[float]] = {m: [] for m in modes}
        for n, q in enumerate(questions):  # the order alternates: the second asking finds the caches warm
            for mode, r in (list(modes.items()) if n % 2 == 0 else list(modes.items())[::-1]):
                assistant._reader, assistant.reader_status = r, (status if r is not None else "off: benchmark")
                t = time.perf_counter()
                assistant.ask(q)
                times[mode].append((time.perf_counter() - t) * 1000)
        counts = assistant.store.count()
    print_table(
        [(f"reader {mode}", counts["articles"], counts["sentences"], len(ts), f"{statistics.median(ts):.1f}",
          f"{percentile(ts, 95):.1f}", f"{max(ts):.1f}", f"{peak_rss_mb():.0f}") for mode, ts in times.items()],
        ("", "articles", "sentences", "questions", "p50 ms", "p95 ms", "max ms", "peak RSS MB"),
    )


if __name__ == "__main__":
    main()

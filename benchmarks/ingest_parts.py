"""Where an ingest's time goes outside the encoder: CPU seconds of each part on the same articles (sentences and
chunks, every spaCy component, what index/analysis/ reads from the parse, the JSON) beside the encoder's.

Run: .venv/bin/python benchmarks/ingest_parts.py [--articles PATH] [--limit 100] [--batch 16]
CPU seconds (this process, all its threads) rather than wall time, so that a shared machine inflates them less.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import load_average, print_table, shared_dir  # noqa: E402
from common.config import Config  # noqa: E402
from common.offline import configure_environment  # noqa: E402


def main() -> None:
    configure_environment()
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", default=None)
    ap.add_argument("--limit", type=int, default=100)
    ap.add_argument("--batch", type=int, default=None, help="nlp.pipe batch size (default: index/analysis/core.py's)")
    args = ap.parse_args()
    path = Path(args.articles) if args.articles else shared_dir() / "data" / "multihop_rag" / "articles.jsonl"

    from common.analysis import VERSION, Analysis, Entity, Phrase, Token
    from index.analysis.attribution import attribute
    from index.analysis.core import BATCH, load_pipeline
    from index.embedders import make_embedder
    from index.loaders import load_paths
    from index.pipeline import EMBED_GROUP_TEXTS, prepare

    articles = list(load_paths([path]).articles)[: args.limit]
    config = Config.from_env(env={}, index_dir=Path("/nonexistent"))
    nlp, embedder = load_pipeline(), make_embedder(config)
    prepare(articles[0], config)
    embedder.embed(["warm up"])
    rows: list[tuple] = []

    def part(name: str, fn):
        started = time.process_time()
        out = fn()
        rows.append((name, f"{time.process_time() - started:.2f}"))
        return out

    prepared = part("sentences and chunks (prepare)", lambda: [prepare(a, config) for a in articles])
    docs = part("spaCy tokenizer", lambda: [nlp.make_doc(a.text) for a in articles])
    for name, proc in nlp.pipeline:
        run = (lambda proc=proc, docs=docs: list(proc.pipe(docs, batch_size=args.batch or BATCH))) \
            if hasattr(proc, "pipe") else (lambda proc=proc, docs=docs: [proc(d) for d in docs])  # a plain function
        docs = part(f"spaCy {name}", run)
    tokens = part("tokens read from the parse", lambda: [tuple(
        Token(t.i, t.idx, t.idx + len(t.text), t.tag_, t.dep_, t.head.i, t.lemma_.lower() or t.text.lower())
        for t in d) for d in docs])
    entities = part("entities", lambda: [tuple(Entity(e.start_char, e.end_char, e.label_) for e in d.ents) for d in docs])
    phrases = part("noun phrases", lambda: [tuple(Phrase(p.start_char, p.end_char, p.root.idx, p.root.idx + len(p.root.text))
                                                   for p in d.noun_chunks) for d in docs])
    spans = [[(s.char_start, s.char_end) for s in p.sentences] for p in prepared]
    quotes = part("quote attribution", lambda: [tuple(sorted(attribute(d, a.text, s), key=lambda q: (q.start, q.end)))
                                                for d, a, s in zip(docs, articles, spans)])
    analyses = [Analysis(VERSION, *x) for x in zip(tokens, entities, phrases, quotes)]
    part("analysis to JSON", lambda: [an.to_json(a.text) for an, a in zip(analyses, articles)])
    analysis_cpu = sum(float(r[1]) for r in rows[1:])
    texts = [c.text for p in prepared for c in p.chunks] + [s.text for p in prepared for s in p.sentences]
    part(f"encoder ({len(texts)} texts)", lambda: [embedder.embed(texts[i : i + EMBED_GROUP_TEXTS])
                                                     for i in range(0, len(texts), EMBED_GROUP_TEXTS)])
    rows.append(("language analysis in all", f"{analysis_cpu:.2f}"))
    print_table(rows, ("part", "CPU s"))
    print(f"{len(articles)} articles, {sum(len(d) for d in docs)} tokens, {sum(len(p.sentences) for p in prepared)} "
          f"sentences; load 1/5/15m {load_average()}")


if __name__ == "__main__":
    main()

"""Lexical engines side by side on an index's chunks: bm25s in memory (before), bm25s saved + memory-mapped, SQLite
FTS5 bm25(), Tantivy: build, open, disk, query p50/p95, replacing one article, and top-30 overlap with bm25s.

Run: .venv/bin/python benchmarks/lexical_engines.py --index /tmp/idx/mh [--copies 1,17] [--questions 300]
(`--copies N` repeats every chunk N times under new ids, as benchmarks/scale.py grows an index.)
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import load_average, percentile, print_table, shared_dir  # noqa: E402
from common.config import Config  # noqa: E402
from common.offline import configure_environment  # noqa: E402
from common.text import terms  # noqa: E402

K = 30


def read_chunks(index: Path) -> list[tuple[str, str, list[str]]]:
    """(chunk id, article id, terms of title + text) of every chunk, as the lexical index tokenises them."""
    from index.store import ChromaStore

    store = ChromaStore(Config.from_env(env={}, index_dir=index))
    return [(cid, m["article_id"], terms(f"{m.get('title') or ''}\n{text}")) for cid, text, m in store.iter_chunks()]


def grown(rows, copies: int):
    return [(f"{cid}#r{n}" if n else cid, f"{aid}#r{n}" if n else aid, toks)
            for n in range(copies) for cid, aid, toks in rows]


class Bm25sMemory:
    name = "bm25s in memory (before)"

    def build(self, rows, path: Path) -> None:
        import bm25s

        self.ids = [r[0] for r in rows]
        self.bm25 = bm25s.BM25()
        self.bm25.index([r[2] or ["__empty__"] for r in rows], show_progress=False)
        self.vocab = self.bm25.vocab_dict

    def open(self, path: Path) -> None:
        pass

    def search(self, q: list[str]) -> list[str]:
        import numpy as np

        known = [t for t in q if t in self.vocab]
        if not known:
            return []
        scores = self.bm25.get_scores(known)
        top = np.argpartition(-scores, K - 1)[:K]
        return [self.ids[i] for i in top[np.argsort(-scores[top])] if scores[i] > 0]

    def replace(self, rows, path: Path) -> None:
        self.build(rows, path)  # no incremental update: the whole index again


class Bm25sMmap(Bm25sMemory):
    name = "bm25s saved + mmap"

    def build(self, rows, path: Path) -> None:
        super().build(rows, path)
        self.bm25.save(str(path / "bm25s"))
        (path / "ids.json").write_text(json.dumps(self.ids))

    def open(self, path: Path) -> None:
        import bm25s

        self.bm25 = bm25s.BM25.load(str(path / "bm25s"), mmap=True)
        self.vocab = self.bm25.vocab_dict
        self.ids = json.loads((path / "ids.json").read_text())


class Fts5:
    name = "SQLite FTS5 bm25()"
    SCHEMA = ("CREATE VIRTUAL TABLE fts USING fts5(terms, chunk_id UNINDEXED, article_id UNINDEXED, "
              "tokenize = \"unicode61 remove_diacritics 0 tokenchars '.'\")")

    def build(self, rows, path: Path) -> None:
        db = sqlite3.connect(path / "fts.sqlite3")
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(self.SCHEMA)
        db.executemany("INSERT INTO fts(terms, chunk_id, article_id) VALUES (?, ?, ?)",
                       ((" ".join(t), c, a) for c, a, t in rows))
        db.commit()
        db.execute("INSERT INTO fts(fts) VALUES ('optimize')")
        db.commit()
        db.close()

    def open(self, path: Path) -> None:
        self.db = sqlite3.connect(path / "fts.sqlite3", check_same_thread=False)

    def search(self, q: list[str]) -> list[str]:
        if not q:
            return []
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in dict.fromkeys(q))
        return [r[0] for r in self.db.execute(
            "SELECT chunk_id FROM fts WHERE fts MATCH ? ORDER BY rank LIMIT ?", (match, K))]

    def replace(self, rows, path: Path) -> None:
        aid = rows[0][1]
        with self.db:
            self.db.execute("DELETE FROM fts WHERE article_id = ?", (aid,))
            self.db.executemany("INSERT INTO fts(terms, chunk_id, article_id) VALUES (?, ?, ?)",
                                ((" ".join(t), c, a) for c, a, t in rows if a == aid))


class Tantivy:
    name = "Tantivy"

    def _schema(self):
        import tantivy

        b = tantivy.SchemaBuilder()
        b.add_text_field("terms", stored=False, tokenizer_name="whitespace")
        b.add_text_field("chunk_id", stored=True, tokenizer_name="raw")
        b.add_text_field("article_id", stored=False, tokenizer_name="raw")
        return b.build()

    def build(self, rows, path: Path) -> None:
        import tantivy

        (path / "tantivy").mkdir()
        index = tantivy.Index(self._schema(), path=str(path / "tantivy"))
        writer = index.writer(heap_size=200_000_000, num_threads=1)
        for c, a, t in rows:
            writer.add_document(tantivy.Document(terms=" ".join(t), chunk_id=c, article_id=a))
        writer.commit()
        writer.wait_merging_threads()

    def open(self, path: Path) -> None:
        import tantivy

        self.index = tantivy.Index.open(str(path / "tantivy"))
        self.searcher = self.index.searcher()

    def search(self, q: list[str]) -> list[str]:
        import tantivy

        if not q:
            return []
        query = tantivy.Query.boolean_query([(tantivy.Occur.Should, tantivy.Query.term_query(
            self.index.schema, "terms", t)) for t in dict.fromkeys(q)])
        hits = self.searcher.search(query, K).hits
        return [self.searcher.doc(addr)["chunk_id"][0] for _, addr in hits]

    def replace(self, rows, path: Path) -> None:
        import tantivy

        aid = rows[0][1]
        writer = self.index.writer(heap_size=50_000_000, num_threads=1)
        writer.delete_documents("article_id", aid)
        for c, a, t in rows:
            if a == aid:
                writer.add_document(tantivy.Document(terms=" ".join(t), chunk_id=c, article_id=a))
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()


def size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def measure(engine, rows, qs: list[list[str]], reference: dict[int, list[str]] | None) -> dict:
    with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
        path = Path(tmp)
        t = time.perf_counter()
        engine.build(rows, path)
        built = time.perf_counter() - t
        t = time.perf_counter()
        engine.open(path)
        opened = time.perf_counter() - t
        for q in qs[:10]:
            engine.search(q)
        times, results = [], {}
        for n, q in enumerate(qs):
            t = time.perf_counter()
            results[n] = engine.search(q)
            times.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        engine.replace(rows, path)
        replaced = time.perf_counter() - t
        disk = size_mb(path)
    overlap = None
    if reference is not None:
        overlap = statistics.mean(len(set(results[n]) & set(reference[n])) / max(1, len(reference[n]))
                                  for n in reference)
    return {"build_s": built, "open_s": opened, "disk_mb": disk, "p50": statistics.median(times),
            "p95": percentile(times, 95), "replace_s": replaced, "overlap": overlap, "results": results}


def main() -> None:
    configure_environment()
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--copies", default="1")
    ap.add_argument("--questions", type=int, default=300)
    ap.add_argument("--engines", default="bm25s,mmap,fts5,tantivy")
    args = ap.parse_args()
    path = shared_dir() / "data" / "multihop_rag" / "qa_dev.jsonl"
    qs = [terms(json.loads(line)["question"]) for line in path.open(encoding="utf-8")][: args.questions]
    base = read_chunks(args.index)
    engines = {"bm25s": Bm25sMemory, "mmap": Bm25sMmap, "fts5": Fts5, "tantivy": Tantivy}
    table = []
    for copies in (int(c) for c in args.copies.split(",")):
        rows = grown(base, copies)
        reference = None
        for key in args.engines.split(","):
            engine = engines[key]()
            before = load_average()
            r = measure(engine, rows, qs, reference)
            reference = reference or r["results"]
            table.append((f"{copies}x", len(rows), engine.name, f"{r['build_s']:.1f}", f"{r['open_s'] * 1000:.0f}",
                          f"{r['disk_mb']:.0f}", f"{r['p50']:.2f}", f"{r['p95']:.2f}", f"{r['replace_s'] * 1000:.0f}",
                          "-" if r["overlap"] is None else f"{r['overlap']:.3f}", f"{before} -> {load_average()}"))
            print(table[-1], file=sys.stderr, flush=True)
            del engine
    print_table(table, ("size", "chunks", "engine", "build s", "open ms", "disk MB", "query p50 ms", "p95 ms",
                        "replace 1 article ms", f"top-{K} overlap with bm25s", "load"))


if __name__ == "__main__":
    main()

"""Chroma's dense search under a source filter at scale: its `where` filter, a search among allowed ids, and reading
the allowed chunks' vectors (exact comparison), for the largest and the smallest outlet; median and max ms.

Run: .venv/bin/python benchmarks/filtered_dense.py /tmp/scale-4x       (an index built by benchmarks/scale.py)
"""

from __future__ import annotations

import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import load_average, print_table  # noqa: E402


def timed(fn, queries: np.ndarray) -> str:
    fn(queries[0])
    times = []
    for q in queries[1:]:
        started = time.perf_counter()
        fn(q)
        times.append((time.perf_counter() - started) * 1000)
    return f"{statistics.median(times):.1f} / {max(times):.1f}"


def main() -> None:
    import chromadb
    from chromadb.config import Settings

    client = chromadb.PersistentClient(path=sys.argv[1], settings=Settings(anonymized_telemetry=False))
    col = client.get_collection("news-chunks")
    metas, offset = [], 0
    while True:
        got = col.get(include=["metadatas"], limit=5000, offset=offset)
        if not got["ids"]:
            break
        metas += list(zip(got["ids"], got["metadatas"]))
        offset += len(got["ids"])
    per_source = Counter(m.get("source") for _, m in metas)
    rng = np.random.default_rng(0)
    queries = rng.standard_normal((15, 384)).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    rows = [("(none)", len(metas), "unfiltered k=30", timed(
        lambda q: col.query(query_embeddings=[q], n_results=30, include=["distances"]), queries))]
    for source in (per_source.most_common()[0][0], per_source.most_common()[-1][0]):
        ids = [i for i, m in metas if m.get("source") == source]
        where = {"source": source}
        rows += [
            (source, len(ids), "Chroma where", timed(
                lambda q, w=where: col.query(query_embeddings=[q], n_results=30, where=w, include=["distances"]),
                queries)),
            (source, len(ids), "Chroma among ids", timed(
                lambda q, a=ids: col.query(query_embeddings=[q], n_results=30, ids=a, include=["distances"]),
                queries)),
            (source, min(len(ids), 2000), "read vectors, compare", timed(
                lambda q, a=ids[:2000]: np.asarray(col.get(ids=a, include=["embeddings"])["embeddings"]) @ q,
                queries)),
        ]
    print_table(rows, ("source", "chunks", "search", "median / max ms"))
    print(f"\nload {load_average()}")


if __name__ == "__main__":
    main()

"""Replica catch-up: two `assistant serve` replicas on one `chroma run`; a separate `assistant ingest` of N articles;
how long after it ends each replica's /api/health counts them and a question about the last one is cited from it.

Run: .venv/bin/python benchmarks/replica_catchup.py [--initial 100] [--incoming 20] [--embedder minilm] [--rounds 3]
A new replica's start-up (it reads every article of the server once into its lexical cache) is printed too.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.common import load_average, shared_dir  # noqa: E402
from benchmarks.concurrent_ask import run_ingest, write_jsonl  # noqa: E402
from tests.chroma_run import ChromaServer  # noqa: E402
from tests.serving import start_server  # noqa: E402


def articles_seen(url: str) -> int:
    return httpx.get(f"{url}/api/health", timeout=30).json()["articles"]


def probe(article: dict, others: list[dict]) -> str:
    """The article's longest sentence that no other article holds (news copies share boilerplate sentences)."""
    from index.sentences import split_sentences

    def sentences(a: dict) -> list[str]:
        return [a["text"][s:e] for s, e in split_sentences(a["text"])]

    elsewhere = {t for o in others if o["id"] != article["id"] for t in sentences(o)}
    return max((t for t in sentences(article) if t not in elsewhere and len(t) <= 1000), key=len)


def cites(url: str, article: dict, question: str) -> bool:
    """Asked a sentence of its own word for word, the replica cites the article (it is searchable there)."""
    got = httpx.post(f"{url}/api/ask", json={"question": question}, timeout=120).json()
    return any(c["article_id"] == article["id"] for c in got.get("citations", []))


def seen_after(urls: list[str], total: int, last: dict, question: str, limit: float = 300.0) -> dict[int, float | None]:
    """Seconds until each replica (polled in turn) counts `total` articles and cites `last`; None past `limit`."""
    started = time.monotonic()
    lags: dict[int, float | None] = {n: None for n in range(1, len(urls) + 1)}
    while time.monotonic() - started < limit and None in lags.values():
        for n, url in enumerate(urls, 1):
            if lags[n] is None and articles_seen(url) >= total and cites(url, last, question):
                lags[n] = time.monotonic() - started
        time.sleep(0.05)
    return lags


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--initial", type=int, default=100)
    ap.add_argument("--incoming", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--embedder", default="minilm")
    args = ap.parse_args()
    path = shared_dir() / "data" / "multihop_rag" / "articles.jsonl"
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    rows = [{**r, "id": r.get("id") or f"mh-{i}"} for i, r in enumerate(rows)]
    need = args.initial + args.incoming * args.rounds
    if len(rows) < need:
        sys.exit(f"{path} has {len(rows)} articles; --initial + --incoming x --rounds needs {need}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        chroma = ChromaServer(work / "chroma", work / "chroma.log").start()
        env = {**chroma.env(), "ASSISTANT_EMBEDDER": args.embedder}
        servers = []
        try:
            done = run_ingest([write_jsonl(work / "initial.jsonl", rows[: args.initial])], env)
            if done.returncode != 0:
                sys.exit(f"initial ingest failed:\n{done.stdout}\n{done.stderr}")
            for n in (1, 2):
                cache = {"ASSISTANT_LEXICAL_CACHE": str(work / f"lexical-{n}")}
                servers.append(start_server(work / "unused", work / f"replica-{n}.log", {**env, **cache}, timeout=600))
                print(f"replica {n}: a new replica up (/api/health 200) in {servers[-1].startup_seconds:.1f} s, "
                      f"{args.initial} articles on the server", flush=True)
            lags: dict[int, list[float]] = {1: [], 2: []}
            total = args.initial
            for r in range(args.rounds):
                batch = rows[args.initial + r * args.incoming : args.initial + (r + 1) * args.incoming]
                question = probe(batch[-1], rows[: args.initial + (r + 1) * args.incoming])
                t = time.monotonic()
                done = run_ingest([write_jsonl(work / f"round-{r}.jsonl", batch)], env)
                took = time.monotonic() - t
                if done.returncode != 0:
                    sys.exit(f"ingest failed:\n{done.stdout}\n{done.stderr}")
                total += len(batch)
                for n, lag in seen_after([s.url for s in servers], total, batch[-1], question).items():
                    if lag is None:
                        sys.exit(f"replica {n} did not show round {r}'s articles within 300 s")
                    lags[n].append(lag)
                print(f"round {r + 1}: ingest of {len(batch)} articles {took:.1f} s; seen and cited after it ended: "
                      + ", ".join(f"replica {n} {lags[n][-1]:.2f} s" for n in lags) + f" (load {load_average()})",
                      flush=True)
            every = lags[1] + lags[2]
            print(f"\ncatch-up after an ingest of {args.incoming} articles: median {statistics.median(every):.2f} s, "
                  f"max {max(every):.2f} s over {len(every)} (replica, round) pairs; embedder {args.embedder}")
        finally:
            for s in servers:
                s.stop()
            chroma.stop()


if __name__ == "__main__":
    main()

"""Query benchmark at scale: ask() and a plain LlamaIndex retriever, warm, at 1x..17x the MultiHop corpus
(~1 M sentences), plus start-up time and the peak RSS of a real `assistant serve` answering over HTTP.

Build once (copies of the 609 real articles under new ids `{id}#rN`, reusing their vectors; ~1.3-2.5 ms per
vector, so 17x takes 25-45 min and ~6 GB in /tmp):
    .venv/bin/python benchmarks/scale.py --build --base /tmp/mh-real          # or without --base: embeds 1x
Measure (reuses the built indexes):
    .venv/bin/python benchmarks/scale.py [--sizes 1,4,17] [--questions 200] [--profile]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import (  # noqa: E402
    load_average,
    peak_rss_mb,
    percentile,
    print_table,
    proc_memory_mb,
    shared_dir,
)
from common.config import Config  # noqa: E402
from common.offline import configure_environment  # noqa: E402

PREFIX = "news"


def index_dir(prefix: str, copies: int) -> Path:
    return Path(f"{prefix}-{copies}x")


def questions(n: int) -> list[str]:
    path = shared_dir() / "data" / "multihop_rag" / "qa_dev.jsonl"
    return [json.loads(line)["question"] for line in path.open(encoding="utf-8")][:n]


def ms_stats(times: list[float]) -> dict[str, float]:
    return {"p50": statistics.median(times), "p95": percentile(times, 95), "max": max(times)}


def child(args: list[str], timeout: float = 7200) -> dict:
    """Run this script in a fresh process (one index open per process, clean memory); its last stdout line is
    a JSON result."""
    cmd = [sys.executable, str(Path(__file__).resolve()), *args]
    done = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed with exit status {done.returncode}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- building ------------------------------------------------------------------------------------------------
def build(prefix: str, sizes: list[int], base: Path | None, jitter: float) -> None:
    import shutil

    one = index_dir(prefix, 1)
    if not one.exists():
        if base is not None:
            print(f"copying {base} -> {one}", flush=True)
            shutil.copytree(base, one)
        else:
            from index.pipeline import Ingestor
            from index.store import ChromaStore

            print(f"embedding the MultiHop articles into {one} (slow: the real model)", flush=True)
            config = Config.from_env(env={}, index_dir=one)
            corpus = shared_dir() / "data" / "multihop_rag" / "articles.jsonl"
            report = Ingestor(config, store=ChromaStore(config)).ingest_paths([corpus])
            print(report.summary(), flush=True)
    source = one
    for copies in sorted(s for s in sizes if s > 1):
        target = index_dir(prefix, copies)
        child(["--child", "grow", str(target), "--source", str(source), "--one", str(one),
               "--copies", str(copies), "--jitter", str(jitter)])
        source = target


def grow_child(target: Path, source: Path, one: Path, copies: int, jitter: float) -> dict:
    from benchmarks.replicate import grow, read_base

    t = time.perf_counter()
    grow(read_base(one, PREFIX), source, target, copies, PREFIX, jitter,
         log=lambda msg: print(msg, file=sys.stderr, flush=True))
    return {"seconds": time.perf_counter() - t}


# -- measuring in process ------------------------------------------------------------------------------------
def verify(assistant, answers) -> dict[str, int]:
    """Every citation must be its article's exact sentence: text[char_start:char_end] and the stored span."""
    cites = [c for a in answers for c in a.citations]
    stored = assistant.store.get_articles([c.article_id for c in cites])
    bad = 0
    for c in cites:
        art = stored.get(c.article_id)
        span = art.sentence_spans[c.sentence_index] if art and c.sentence_index < len(art.sentence_spans) else None
        if art is None or span != (c.char_start, c.char_end) or art.article.text[c.char_start:c.char_end] != c.text:
            bad += 1
    return {"citations": len(cites), "bad_citations": bad, "replica_citations": sum("#r" in c.article_id for c in cites),
            "abstained": sum(a.abstained for a in answers)}


def parts(assistant, qs: list[str], runs: int = 20) -> dict[str, float]:
    """Median ms of each store/index step an answer takes, one at a time, on the first `runs` questions."""
    from common.records import Filters
    from common.text import terms
    from index.store import where_filter

    def median_ms(fn, items) -> float:
        times = []
        for item in items:
            t = time.perf_counter()
            fn(item)
            times.append((time.perf_counter() - t) * 1000)
        return statistics.median(times)

    store, lex = assistant.store, assistant.lexical.refresh()
    retriever = assistant.retriever
    qs = qs[:runs]
    vecs = [assistant.embedder.embed([q])[0] for q in qs]
    by_size = sorted(lex.sources, key=lambda s: lex.count(Filters((s,))))
    big, small = Filters((by_size[-1],)), Filters((by_size[0],))
    ids = sorted(lex.hashes)
    stored = list(store.get_articles(ids[:: max(1, len(ids) // runs)]).values())
    sentence_ids = [[f"{a.article.id}::s{i}" for i in range(min(60, len(a.sentence_spans)))] for a in stored]
    return {
        "embed": median_ms(lambda q: assistant.embedder.embed([q]), qs),
        "dense": median_ms(lambda v: store.query_chunk_ids(v, 30), vecs),
        "dense_where": median_ms(lambda v: store.query_chunk_ids(v, 30, where_filter(big)), vecs[:5]),
        "dense_big_source": median_ms(lambda v: retriever._dense(lex, v, big, {}), vecs),
        "dense_small_source": median_ms(lambda v: retriever._dense(lex, v, small, {}), vecs),
        "bm25": median_ms(lambda q: lex.search(terms(q), 30, Filters()), qs),
        "bm25_source": median_ms(lambda q: lex.search(terms(q), 30, big), qs),
        "sentence_vectors": median_ms(store.sentence_vectors, sentence_ids),
        "articles": median_ms(lambda a: store.get_articles([a.article.id]), stored),
    }


def ask_child(path: Path, qs: list[str], warmup: int, profile: bool, with_parts: bool) -> dict:
    from assistant.core import Assistant
    from index.store import ChromaStore

    load_before = load_average()
    t0 = time.perf_counter()
    config = Config.from_env(env={}, index_dir=path)
    assistant = Assistant(config, store=ChromaStore(config))
    assistant.embedder.embed(["warm up"])
    t_model = time.perf_counter()
    rss = {"model": proc_memory_mb(os.getpid())["VmRSS"]}
    lex = assistant.lexical.refresh()
    t_bm25 = time.perf_counter()
    rss["bm25"] = proc_memory_mb(os.getpid())["VmRSS"]
    qvec = assistant.embedder.embed([qs[0]])[0]
    hits = assistant.store.query_chunk_ids(qvec, 30)  # Chroma loads the chunk vectors (HNSW) into memory
    rss["chunk_vectors"] = proc_memory_mb(os.getpid())["VmRSS"]
    first = assistant.store.get_articles([h[0].split("::")[0] for h in hits[:3]])
    assistant.store.sentence_vectors([f"{a}::s0" for a in first])  # ... and the sentence vectors
    rss["sentence_vectors"] = proc_memory_mb(os.getpid())["VmRSS"]
    del lex
    assistant.ask(qs[0])
    t_first = time.perf_counter()
    rss["first_ask"] = proc_memory_mb(os.getpid())["VmRSS"]
    for q in qs[:warmup]:
        assistant.ask(q)
    times, answers = [], []
    for q in qs:
        t = time.perf_counter()
        answers.append(assistant.ask(q))
        times.append((time.perf_counter() - t) * 1000)
    result = {
        "counts": assistant.store.count(), "ask_ms": ms_stats(times), "model_s": t_model - t0,
        "bm25_s": t_bm25 - t_model, "first_ask_s": t_first - t_bm25, "startup_s": t_first - t0,
        "peak_rss_mb": peak_rss_mb(), "rss_after_mb": rss, "load": f"{load_before} -> {load_average()}", **verify(assistant, answers),
    }
    if with_parts:
        result["parts_ms"] = parts(assistant, qs)
    if profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
        for q in qs:
            assistant.ask(q)
        prof.disable()
        print(f"\n== cProfile of ask() x{len(qs)} at {path} (cumulative) ==", file=sys.stderr)
        stats = pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative")
        stats.print_stats(r"/(assistant|index)/", 25)  # the project's own functions
        stats.print_stats(25)
    return result


def llamaindex_child(path: Path, qs: list[str], warmup: int) -> dict:
    """VectorStoreIndex.from_vector_store over the index's own chunk collection, top 10, MiniLM queries."""
    import chromadb
    from chromadb.config import Settings
    from llama_index.core import VectorStoreIndex
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from llama_index.vector_stores.chroma import ChromaVectorStore

    from index.embedders import make_embedder

    embedder = make_embedder(Config.from_env(env={}, index_dir=path))

    class Same(BaseEmbedding):
        def _get_text_embedding(self, text):
            return embedder.embed([text])[0].tolist()

        def _get_query_embedding(self, query):
            return self._get_text_embedding(query)

        async def _aget_query_embedding(self, query):
            return self._get_text_embedding(query)

    load_before = load_average()
    client = chromadb.PersistentClient(path=str(path), settings=Settings(anonymized_telemetry=False))
    store = ChromaVectorStore(chroma_collection=client.get_collection(f"{PREFIX}-chunks"))
    retriever = VectorStoreIndex.from_vector_store(store, embed_model=Same()).as_retriever(similarity_top_k=10)
    for q in qs[:warmup]:
        retriever.retrieve(q)
    times, sizes = [], []
    for q in qs:
        t = time.perf_counter()
        nodes = retriever.retrieve(q)
        times.append((time.perf_counter() - t) * 1000)
        sizes.append(sum(1 for n in nodes if n.node.get_content().strip()))
    if min(sizes) == 0:
        sys.exit(f"the LlamaIndex retriever returned no text for some questions at {path}: check the text keys")
    return {"li_ms": ms_stats(times), "li_nodes": statistics.mean(sizes), "li_load": f"{load_before} -> {load_average()}"}


# -- measuring a serving process ------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_measure(path: Path, qs: list[str], timeout: float = 1800) -> dict:
    """Start `assistant serve`, wait for /api/health, POST every question to /api/ask, read VmHWM."""
    import httpx

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    cmd = [sys.executable, "-m", "assistant", "serve", "--index", str(path), "--port", str(port)]
    url = f"http://127.0.0.1:{port}"
    load_before = load_average()
    with tempfile.TemporaryFile("w+") as log:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=Path(__file__).parents[1])
        try:
            while True:
                if proc.poll() is not None or time.perf_counter() - started > timeout:
                    log.seek(0)
                    sys.exit(f"assistant serve did not come up at {path}:\n{log.read()[-3000:]}")
                try:
                    if httpx.get(f"{url}/api/health", timeout=5).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.2)
            ready = time.perf_counter() - started
            idle = proc_memory_mb(proc.pid)["VmRSS"]
            times = []
            with httpx.Client(base_url=url, timeout=300) as http:
                for q in qs:
                    t = time.perf_counter()
                    resp = http.post("/api/ask", json={"question": q})
                    times.append((time.perf_counter() - t) * 1000)
                    if resp.status_code != 200:
                        sys.exit(f"/api/ask answered {resp.status_code}: {resp.text[:500]}")
            mem = proc_memory_mb(proc.pid)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    return {"serve_ready_s": ready, "serve_idle_rss_mb": idle, "serve_peak_rss_mb": mem["VmHWM"],
            "serve_rss_mb": mem["VmRSS"], "serve_anon_mb": mem["RssAnon"], "serve_file_mb": mem["RssFile"], "http_ms": ms_stats(times), "serve_load": f"{load_before} -> {load_average()}"}


# -- table ------------------------------------------------------------------------------------------------------
def report(rows: list[tuple[int, dict]]) -> None:
    def f(r: dict, key: str, sub: str | None = None, fmt: str = "{:.1f}") -> str:
        value = r.get(key)
        value = value.get(sub) if isinstance(value, dict) and sub else value
        return "-" if value is None else fmt.format(value)

    print_table(
        [(f"{n}x", r["counts"]["articles"], r["counts"]["sentences"], r["counts"]["chunks"],
          f(r, "ask_ms", "p50"), f(r, "ask_ms", "p95"), f(r, "ask_ms", "max"), f(r, "li_ms", "p50"), f(r, "li_ms", "p95"),
          f(r, "startup_s"), f(r, "bm25_s"), f(r, "serve_ready_s"), f(r, "http_ms", "p50"),
          f(r, "serve_peak_rss_mb", fmt="{:.0f}"),
          f"{f(r, 'serve_rss_mb', fmt='{:.0f}')} ({f(r, 'serve_anon_mb', fmt='{:.0f}')} + {f(r, 'serve_file_mb', fmt='{:.0f}')})",
          f"{r['citations'] - r['bad_citations']}/{r['citations']}",
          r["load"].split(" -> ")[-1])
         for n, r in rows],
        ("size", "articles", "sentences", "chunks", "ask p50 ms", "ask p95 ms", "ask max ms", "LI p50 ms",
         "LI p95 ms", "startup s", "BM25 s", "serve ready s", "HTTP p50 ms", "serve peak RSS MB",
         "serve RSS at end MB (anon + file)", "exact cites",
         "load 1/5/15m"),
    )
    keys = list(rows[0][1]["rss_after_mb"])
    print("\nRSS (MB) of the measuring process after each step: the model loaded, the lexical index opened (bm25), "
          "one dense search (Chroma's chunk vectors), one sentence-vector read (its sentence vectors), the first "
          "answer\n")
    print_table([(f"{n}x", *(f"{r['rss_after_mb'].get(k, 0):.0f}" for k in keys)) for n, r in rows], ("size", *keys))
    if all("parts_ms" in r for _, r in rows):
        keys = list(rows[0][1]["parts_ms"])
        print("\nmedian ms of each step alone (--parts): embed = one query through MiniLM, dense = Chroma top 30 "
              "chunks, dense_where = the same with Chroma's source filter (5 questions), dense_big/small_source = "
              "the retriever's filtered dense search for the largest/smallest outlet, bm25(_source) = the lexical "
              "index's top 30 (largest outlet), sentence_vectors = 60 ids, articles = one record\n")
        print_table([(f"{n}x", *(f"{r['parts_ms'][k]:.1f}" for k in keys)) for n, r in rows], ("size", *keys))
    if len(rows) > 1:
        (n0, r0), (n1, r1) = rows[0], rows[-1]
        ratio = {k: r1[k]["p50"] / r0[k]["p50"] for k in ("ask_ms", "li_ms", "http_ms") if k in r0 and k in r1}
        print(f"\n{n0}x -> {n1}x ({r1['counts']['sentences'] / r0['counts']['sentences']:.1f}x sentences): p50 grows "
              + ", ".join(f"{k[:-3]} x{v:.2f}" for k, v in ratio.items()))


def main() -> None:
    configure_environment()
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--prefix", default="/tmp/scale", help="indexes live in PREFIX-1x, PREFIX-4x, ...")
    ap.add_argument("--sizes", default="1,4,17", help="copies of the 609 articles (17 ~ 1 M sentences)")
    ap.add_argument("--build", action="store_true", help="build the missing indexes (then measure)")
    ap.add_argument("--base", type=Path, default=None, help="an existing 609-article MultiHop index to copy as 1x")
    ap.add_argument("--jitter", type=float, default=0.1, help="norm of the random offset given to replica vectors")
    ap.add_argument("--questions", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--skip-serve", action="store_true")
    ap.add_argument("--skip-llamaindex", action="store_true")
    ap.add_argument("--profile", action="store_true", help="cProfile ask() at each size (printed to stderr)")
    ap.add_argument("--parts", action="store_true", help="also time each retrieval step alone (median ms)")
    ap.add_argument("--child", nargs=2, metavar=("KIND", "DIR"), help=argparse.SUPPRESS)
    ap.add_argument("--source", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--copies", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        kind, path = args.child[0], Path(args.child[1])
        if kind == "grow":
            result = grow_child(path, args.source, args.one, args.copies, args.jitter)
        elif kind == "ask":
            result = ask_child(path, questions(args.questions), args.warmup, args.profile, args.parts)
        else:
            result = llamaindex_child(path, questions(args.questions), args.warmup)
        print(json.dumps(result))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.build:
        build(args.prefix, sizes, args.base, args.jitter)
    qs = questions(args.questions)
    rows = []
    for n in sizes:
        path = index_dir(args.prefix, n)
        if not path.exists():
            sys.exit(f"no index at {path}: run with --build (--base /tmp/mh-real to copy an existing 1x index)")
        common = ["--questions", str(args.questions), "--warmup", str(args.warmup)]
        print(f"measuring {path} (load {load_average()})", file=sys.stderr, flush=True)
        flags = [f for f, on in (("--profile", args.profile), ("--parts", args.parts)) if on]
        result = child(["--child", "ask", str(path), *common, *flags])
        if not args.skip_llamaindex:
            result |= child(["--child", "llamaindex", str(path), *common])
        if not args.skip_serve:
            result |= serve_measure(path, qs)
        print(json.dumps({"size": n, **result}), file=sys.stderr, flush=True)
        rows.append((n, result))
    report(rows)


if __name__ == "__main__":
    main()

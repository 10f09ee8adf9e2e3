"""Ingest benchmark: ours vs raw embedding of the same texts vs LlamaIndex from_documents, same model.

Run: .venv/bin/python benchmarks/ingest.py [--articles PATH] [--limit N] [--skip-llamaindex]
     [--llamaindex-chunk-sizes 256] [--chunks-only-too] [--no-analysis-too]
Ours is measured with the language analysis of every article (spaCy, ASSISTANT_ANALYSIS, on by default) in worker
processes while the ingest embeds, with --in-process-too (default on) also with the analysis in the ingest process
between embeddings (ASSISTANT_ANALYSIS_WORKERS=-1, as before the workers), and with --no-analysis-too (default on)
without it; raw is the same model on exactly the texts ours embeds. "re-ingest s" is an unchanged re-ingest in the same
process; "CLI re-ingest s" the whole `assistant ingest` command in a fresh process (it must load no model).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import load_average, peak_rss_mb, print_table, shared_dir  # noqa: E402
from common.config import Config  # noqa: E402
from common.offline import configure_environment  # noqa: E402


def main() -> None:
    configure_environment()
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", default=None)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--skip-llamaindex", action="store_true")
    ap.add_argument("--chunks-only-too", action=argparse.BooleanOptionalAction, default=False,
                    help="also measure ingest without sentence vectors")
    ap.add_argument("--no-analysis-too", action=argparse.BooleanOptionalAction, default=True,
                    help="also measure ingest without the language analysis")
    ap.add_argument("--in-process-too", action=argparse.BooleanOptionalAction, default=True,
                    help="also measure ingest with the analysis in the ingest process (no workers)")
    ap.add_argument("--llamaindex-chunk-sizes", default="256",
                    help="comma-separated; 256 covers what MiniLM reads (1024 is LlamaIndex's default)")
    args = ap.parse_args()
    path = Path(args.articles) if args.articles else shared_dir() / "data" / "multihop_rag" / "articles.jsonl"

    from index.embedders import make_embedder
    from index.loaders import load_paths
    from index.pipeline import Ingestor, prepare
    from index.store import ChromaStore

    articles = list(load_paths([path]).articles)[: args.limit]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        runs = [(True, True, 0)] + ([(True, True, -1)] if args.in_process_too else []) + \
            ([(True, False, 0)] if args.no_analysis_too else []) + ([(False, False, 0)] if args.chunks_only_too else [])
        raw_seconds: dict[bool, float] = {}
        for sentence_vectors, analysis, workers in runs:
            config = Config.from_env(env={}, index_dir=Path(tmp) / f"idx-{sentence_vectors}-{analysis}-{workers}",
                                     sentence_vectors=sentence_vectors, analysis=analysis, analysis_workers=workers)
            embedder = make_embedder(config)
            embedder.embed(["warm up"])
            # raw: the same model on exactly the texts ingest embeds (chunks, and sentences if on)
            prepared = [prepare(a, config) for a in articles]
            texts = [c.text for p in prepared for c in p.chunks]
            if sentence_vectors:
                texts += [s.text for p in prepared for s in p.sentences]
            n_sent = sum(len(p.sentences) for p in prepared)
            if sentence_vectors not in raw_seconds:  # the same texts for both analysis settings: measured once
                t = time.perf_counter()
                for i in range(0, len(texts), 512):
                    embedder.embed(texts[i : i + 512])
                raw_seconds[sentence_vectors] = time.perf_counter() - t
            raw = raw_seconds[sentence_vectors]

            ing = Ingestor(config, store=ChromaStore(config), embedder=embedder)
            t = time.perf_counter()
            report = ing.ingest_articles(articles)
            ours = time.perf_counter() - t
            assert report.ok and len(report.added) == len(articles), report.summary()
            t = time.perf_counter()
            again = ing.ingest_articles(articles)
            reingest = time.perf_counter() - t
            assert len(again.unchanged) == len(articles)
            cli = cli_reingest(articles, config.index_dir, Path(tmp))
            label = ("ours (chunks + sentence vectors" if sentence_vectors else "ours (chunk vectors only") + \
                ((", analysis in workers)" if workers >= 0 else ", analysis in-process)") if analysis else ", no analysis)")
            rows.append((label, len(articles), n_sent, len(texts), f"{ours:.1f}", f"{n_sent / ours:.0f}",
                         f"{raw:.1f}", f"{raw / ours:.2f}", f"{reingest:.2f}", f"{cli:.2f}", load_average()))
            print(rows[-1], file=sys.stderr, flush=True)
        print_table(rows, ("pipeline", "articles", "sentences", "texts embedded", "wall s", "sentences/s",
                           "raw embed s", "raw/ours", "re-ingest s", "CLI re-ingest s", "load 1/5/15m"))
        if not args.skip_llamaindex:
            print()
            li_rows = []
            for chunk_size in (int(x) for x in args.llamaindex_chunk_sizes.split(",")):
                secs, n_nodes = llamaindex_ingest(articles, embedder, Path(tmp) / f"li-{chunk_size}", chunk_size)
                li_rows.append((f"LlamaIndex from_documents, chunk_size={chunk_size}", n_nodes, f"{secs:.1f}",
                                f"{n_sent / secs:.0f}", load_average()))
            print_table(li_rows, ("pipeline", "nodes embedded", "wall s", "sentences/s", "load 1/5/15m"))
    print(f"\npeak RSS: {peak_rss_mb():.0f} MB")


def cli_reingest(articles, index_dir: Path, tmp: Path) -> float:
    """Seconds of `python -m assistant ingest` of the same (unchanged) articles into `index_dir`, a fresh process."""
    import json
    import os
    import subprocess

    corpus = tmp / "articles.jsonl"
    with corpus.open("w", encoding="utf-8") as out:
        for a in articles:
            out.write(json.dumps({"id": a.id, "title": a.title, "source": a.source, "url": a.url, "text": a.text,
                                  "published_at": a.published_at_iso}) + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    t = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "assistant", "ingest", str(corpus), "--index", str(index_dir),
                           "--no-progress", "--json"], capture_output=True, text=True, env=env,
                          cwd=Path(__file__).resolve().parents[1])
    seconds = time.perf_counter() - t
    report = json.loads(done.stdout)
    assert done.returncode == 0 and len(report["unchanged"]) == len(articles), done.stderr[-2000:]
    return seconds


def llamaindex_ingest(articles, embedder, path: Path, chunk_size: int) -> tuple[float, int]:
    """VectorStoreIndex.from_documents into Chroma with the same MiniLM weights behind a BaseEmbedding."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from llama_index.core import Document, StorageContext, VectorStoreIndex
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.vector_stores.chroma import ChromaVectorStore

    class Same(BaseEmbedding):
        def _get_text_embedding(self, text):
            return embedder.embed([text])[0].tolist()

        def _get_text_embeddings(self, texts):
            return embedder.embed(texts).tolist()

        def _get_query_embedding(self, query):
            return self._get_text_embedding(query)

        async def _aget_query_embedding(self, query):
            return self._get_text_embedding(query)

    client = chromadb.PersistentClient(path=str(path), settings=ChromaSettings(anonymized_telemetry=False))
    col = client.get_or_create_collection("li-bench", embedding_function=None)
    docs = [Document(text=a.text, doc_id=a.id, metadata={"title": a.title or "", "source": a.source or ""},
                     excluded_embed_metadata_keys=["title", "source"]) for a in articles]
    storage = StorageContext.from_defaults(vector_store=ChromaVectorStore(chroma_collection=col))
    t = time.perf_counter()
    VectorStoreIndex.from_documents(docs, storage_context=storage, embed_model=Same(embed_batch_size=64),
                                    transformations=[SentenceSplitter(chunk_size=chunk_size)])
    return time.perf_counter() - t, col.count()


if __name__ == "__main__":
    main()

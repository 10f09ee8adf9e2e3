"""Ingest benchmark: ours vs raw embedding of the same texts vs LlamaIndex from_documents, same model.

Run: .venv/bin/python benchmarks/ingest.py [--articles PATH] [--limit N] [--skip-llamaindex]
     [--llamaindex-chunk-sizes 256] [--chunks-only-too] [--no-analysis-too]
Ours is measured with the language analysis of every article (spaCy, ASSISTANT_ANALYSIS, on by default) and, with
--no-analysis-too (default on), without it; raw is the same model on exactly the texts ours embeds.
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
    ap.add_argument("--llamaindex-chunk-sizes", default="256",
                    help="comma-separated; 256 covers what MiniLM reads (1024 is LlamaIndex's default)")
    args = ap.parse_args()
    path = Path(args.articles) if args.articles else shared_dir() / "data" / "multihop_rag" / "articles.jsonl"

    from index.embedders import make_embedder
    from index.loaders import load_paths
    from index.pipeline import Ingestor, prepare

    articles = list(load_paths([path]).articles)[: args.limit]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        runs = [(True, True)] + ([(True, False)] if args.no_analysis_too else []) + \
            ([(False, False)] if args.chunks_only_too else [])
        raw_seconds: dict[bool, float] = {}
        for sentence_vectors, analysis in runs:
            config = Config.from_env(env={}, index_dir=Path(tmp) / f"idx-{sentence_vectors}-{analysis}",
                                     sentence_vectors=sentence_vectors, analysis=analysis)
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

            ing = Ingestor(config, embedder=embedder)
            t = time.perf_counter()
            report = ing.ingest_articles(articles)
            ours = time.perf_counter() - t
            assert report.ok and len(report.added) == len(articles), report.summary()
            t = time.perf_counter()
            again = ing.ingest_articles(articles)
            reingest = time.perf_counter() - t
            assert len(again.unchanged) == len(articles)
            label = ("ours (chunks + sentence vectors" if sentence_vectors else "ours (chunk vectors only") + \
                (", analysis)" if analysis else ", no analysis)")
            rows.append((label, len(articles), n_sent, len(texts), f"{ours:.1f}", f"{n_sent / ours:.0f}",
                         f"{raw:.1f}", f"{raw / ours:.2f}", f"{reingest:.2f}", load_average()))
            print(rows[-1], file=sys.stderr, flush=True)
        print_table(rows, ("pipeline", "articles", "sentences", "texts embedded", "wall s", "sentences/s",
                           "raw embed s", "raw/ours", "re-ingest s", "load 1/5/15m"))
        if not args.skip_llamaindex:
            print()
            li_rows = []
            for chunk_size in (int(x) for x in args.llamaindex_chunk_sizes.split(",")):
                secs, n_nodes = llamaindex_ingest(articles, embedder, Path(tmp) / f"li-{chunk_size}", chunk_size)
                li_rows.append((f"LlamaIndex from_documents, chunk_size={chunk_size}", n_nodes, f"{secs:.1f}",
                                f"{n_sent / secs:.0f}", load_average()))
            print_table(li_rows, ("pipeline", "nodes embedded", "wall s", "sentences/s", "load 1/5/15m"))
    print(f"\npeak RSS: {peak_rss_mb():.0f} MB")


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

"""MiniLM through ONNX Runtime vs sentence-transformers (torch) on the dev corpora: do the vectors agree, does dense
retrieval rank the same, and how fast is each (interleaved, same texts). Optionally an int8 copy of the graph too.

Run: .venv/bin/python benchmarks/encoder.py [--articles-per-corpus 60] [--questions 200] [--int8]
Needs the `st` extra (torch, sentence-transformers) for the reference vectors.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import load_average, print_table, shared_dir  # noqa: E402
from common.config import Config  # noqa: E402
from common.offline import configure_environment  # noqa: E402

CORPORA = ("multihop_rag", "squad_sample")


def corpus_texts(name: str, n_articles: int, n_questions: int) -> tuple[list[str], list[str]]:
    """What ingest embeds for every k-th article of the corpus (chunks, then sentences) and its dev questions."""
    import json

    from index.loaders import load_paths
    from index.pipeline import prepare

    base = shared_dir() / "data" / name
    articles = list(load_paths([base / "articles.jsonl"]).articles)
    articles = articles[:: max(1, len(articles) // n_articles)][:n_articles]
    config = Config.from_env(env={}, index_dir=Path("/nonexistent"))
    prepared = [prepare(a, config) for a in articles]
    texts = [c.text for p in prepared for c in p.chunks] + [s.text for p in prepared for s in p.sentences]
    with (base / "qa_dev.jsonl").open(encoding="utf-8") as fh:
        questions = [json.loads(line)["question"] for line in fh if line.strip()][:n_questions]
    return texts, questions


def timed(embed, texts: list[str]) -> tuple[np.ndarray, float]:
    started = time.perf_counter()
    out = np.concatenate([embed(texts[i : i + 512]) for i in range(0, len(texts), 512)])
    return out, time.perf_counter() - started


def top10_same(reference: tuple[np.ndarray, np.ndarray], ours: tuple[np.ndarray, np.ndarray]) -> tuple[float, float]:
    """Share of questions whose 10 nearest texts are the same set, and the same first text, under both encoders."""
    ref = np.argsort(-(reference[1] @ reference[0].T), axis=1)[:, :10]
    got = np.argsort(-(ours[1] @ ours[0].T), axis=1)[:, :10]
    same_set = np.mean([set(a) == set(b) for a, b in zip(ref, got)])
    return float(same_set), float(np.mean(ref[:, 0] == got[:, 0]))


def main() -> None:
    configure_environment()
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles-per-corpus", type=int, default=60)
    ap.add_argument("--questions", type=int, default=200)
    ap.add_argument("--int8", action="store_true", help="also an int8 (dynamic quantisation) copy of the graph")
    args = ap.parse_args()
    from sentence_transformers import SentenceTransformer

    from index.embedders import MINILM_MAX_TOKENS, make_embedder, minilm_path

    st = SentenceTransformer(str(minilm_path()), device="cpu", local_files_only=True)
    st.max_seq_length = MINILM_MAX_TOKENS
    encoders = {"sentence-transformers (torch)": lambda t: st.encode(t, batch_size=64, normalize_embeddings=True),
                "ONNX Runtime fp32": make_embedder(Config.from_env(index_dir=Path("/nonexistent"))).embed}
    if args.int8:
        encoders["ONNX Runtime int8"] = int8_encoder().embed
    for embed in encoders.values():
        embed(["warm up"])
    rows = []
    for name in CORPORA:
        texts, questions = corpus_texts(name, args.articles_per_corpus, args.questions)
        out = {label: (timed(embed, texts), timed(embed, questions)) for label, embed in encoders.items()}
        (ref_t, ref_s), (ref_q, _) = out["sentence-transformers (torch)"]
        for label, ((vec_t, secs), (vec_q, _)) in out.items():
            cos = np.concatenate([(vec_t * ref_t).sum(1), (vec_q * ref_q).sum(1)])
            same, first = top10_same((ref_t, ref_q), (vec_t, vec_q))
            rows.append((name, label, len(texts), len(questions), f"{cos.min():.6f}", f"{cos.mean():.6f}",
                         f"{same:.3f}", f"{first:.3f}", f"{secs:.1f}", f"{len(texts) / secs:.0f}", load_average()))
            print(rows[-1], file=sys.stderr, flush=True)
    print_table(rows, ("corpus", "encoder", "texts", "questions", "min cosine", "mean cosine", "same top-10 set",
                       "same top-1", "embed s", "texts/s", "load 1/5/15m"))


def int8_encoder():
    """The fp32 encoder with its graph swapped for a dynamically quantised (int8 MatMul weights) copy."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from common.onnx_runtime import default_cache_dir, session
    from index.embedders import MINILM_MAX_TOKENS, minilm_path
    from index.onnx_embedder import OnnxSentenceEncoder

    config = Config.from_env(index_dir=Path("/nonexistent"))
    cache = Path(config.model_cache) if config.model_cache else default_cache_dir()
    encoder = OnnxSentenceEncoder(minilm_path(), "all-MiniLM-L6-v2", cache, 64, MINILM_MAX_TOKENS)  # its own copy
    with tempfile.TemporaryDirectory() as tmp:
        fp32, int8 = Path(tmp) / "fp32.onnx", Path(tmp) / "int8.onnx"
        graphs = sorted(cache.glob("all-MiniLM-L6-v2-*.onnx"), key=lambda p: p.stat().st_mtime)
        fp32.write_bytes(graphs[-1].read_bytes())
        quantize_dynamic(fp32, int8, weight_type=QuantType.QInt8)
        encoder._session = session(int8.read_bytes())
    return encoder



if __name__ == "__main__":
    main()

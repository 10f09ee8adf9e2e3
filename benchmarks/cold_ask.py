"""Cold `assistant ask`: the whole command in a fresh process, what each part costs, and the same command while an
`assistant serve` of the index runs (the CLI then asks it).

Run: .venv/bin/python benchmarks/cold_ask.py --index /tmp/idx/mh [--runs 3] [--skip-serve]
 or: .venv/bin/python benchmarks/cold_ask.py --index /tmp/idx/seed --runs 5 --tree OLD_WORKTREE --tree .
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import load_average, print_table  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
QUESTION = "Which company did the TechCrunch article say was planning to release GPT-4?"


def env(extra: dict[str, str] | None = None) -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    return {**out, **(extra or {})}


def whole(index: Path, extra: dict[str, str] | None = None, tree: Path = REPO) -> float:
    """Seconds of one `python -m assistant ask QUESTION --index DIR` run in source tree `tree` (exit status 0)."""
    return timed(index, extra, tree)[0]


def timed(index: Path, extra: dict[str, str] | None = None, tree: Path = REPO) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds (user + system, all threads), the answer's JSON) of one cold ask in `tree`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "assistant", "ask", QUESTION, "--index", str(index), "--json"],
                          capture_output=True, text=True, env=env(extra), cwd=tree, timeout=600)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"assistant ask failed ({done.returncode}): {done.stderr[-2000:]}")
    json.loads(done.stdout)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return seconds, cpu, done.stdout


def compare(index: Path, trees: list[Path], runs: int) -> list[tuple]:
    """Cold asks in each source tree, interleaved (before/after in one run); the answers must be the same."""
    got: dict[Path, list[tuple[float, float, str]]] = {t: [] for t in trees}
    for _ in range(runs):
        for tree in trees:
            got[tree].append(timed(index, {"ASSISTANT_NO_SERVE_REUSE": "1"}, tree))
    answers = {r[2] for rows in got.values() for r in rows}
    if len(answers) != 1:
        sys.exit(f"the trees answered differently: {sorted(answers)}")
    rows = []
    for tree, results in got.items():
        for n, what in ((0, "wall"), (1, "CPU")):
            values = [r[n] for r in results]
            rows.append((f"{tree.name}: assistant ask, cold, {what} s", f"{statistics.median(values):.2f}",
                         f"{min(values):.2f}", f"{max(values):.2f}", load_average()))
    return rows


def parts_child(index: Path) -> dict[str, float]:
    """The cold path of cmd_ask, one step at a time (no overlap, unlike the command), in this (fresh) process."""
    marks = {"start": time.perf_counter()}
    from assistant.cli import reading_store  # noqa: F401 - the CLI module itself
    from assistant.core import Assistant
    from assistant.llm.answer import Answerer
    from common.config import Config

    marks["our imports"] = time.perf_counter()
    import chromadb  # noqa: F401

    marks["chromadb import"] = time.perf_counter()
    import onnxruntime  # noqa: F401
    import tokenizers  # noqa: F401

    marks["onnxruntime + tokenizers import"] = time.perf_counter()
    config = Config.from_env(env={}, index_dir=index)
    from index.embedders import make_embedder

    embedder = make_embedder(config)
    marks["model load (graph read, sha256, session)"] = time.perf_counter()
    embedder.embed(["warm up"])
    marks["first embed"] = time.perf_counter()
    from index.store import ChromaStore

    store = ChromaStore(config, create=False)
    marks["store open"] = time.perf_counter()
    assistant = Assistant(config, store=store, embedder=embedder)
    assistant.lexical.refresh()
    marks["lexical index"] = time.perf_counter()
    Answerer.from_config(assistant, config).ask(QUESTION)
    marks["answer"] = time.perf_counter()
    keys = list(marks)
    out = {k: marks[k] - marks[p] for p, k in zip(keys, keys[1:])}
    out["torch imported (1 = yes)"] = float("torch" in sys.modules)
    return out


def start_serve(index: Path):
    import httpx

    sys.path.insert(0, str(REPO))
    from tests.conftest import free_port

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "serve", "--index", str(index), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env(), cwd=REPO)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=5).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.5)
    proc.kill()
    sys.exit("assistant serve did not come up")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--skip-serve", action="store_true")
    ap.add_argument("--tree", type=Path, action="append", help="only compare cold asks run from these source trees "
                    "(e.g. a worktree of the old commit, and this one), interleaved; the same answer required")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(parts_child(args.index)))
        return
    if args.tree:
        rows = compare(args.index, [t.resolve() for t in args.tree], args.runs)
        print_table(rows, ("what", "median", "min", "max", "load 1/5/15m"))
        return
    rows = []
    with tempfile.TemporaryDirectory() as fresh:  # the first ask after an install builds the encoder graph once
        first = whole(args.index, {"ASSISTANT_NO_SERVE_REUSE": "1", "ASSISTANT_MODEL_CACHE": fresh})
    rows.append(("assistant ask, first after install (builds the graph)", f"{first:.2f}", "", "", load_average()))
    solo = [whole(args.index, {"ASSISTANT_NO_SERVE_REUSE": "1"}) for _ in range(args.runs)]
    rows.append(("assistant ask, cold (no server)", f"{statistics.median(solo):.2f}", f"{min(solo):.2f}",
                 f"{max(solo):.2f}", load_average()))
    parts = []
    for _ in range(args.runs):
        done = subprocess.run([sys.executable, __file__, "--child", "--index", str(args.index)], capture_output=True,
                              text=True, env=env(), cwd=REPO, timeout=600, check=True)
        parts.append(json.loads(done.stdout.strip().splitlines()[-1]))
    for key in parts[0]:
        values = [p[key] for p in parts]
        rows.append((f"  part: {key}", f"{statistics.median(values):.2f}", f"{min(values):.2f}", f"{max(values):.2f}",
                     load_average()))
    if not args.skip_serve:
        proc = start_serve(args.index)
        try:
            served = [whole(args.index) for _ in range(args.runs)]
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        rows.append(("assistant ask, a serve of the index running", f"{statistics.median(served):.2f}",
                     f"{min(served):.2f}", f"{max(served):.2f}", load_average()))
    print_table(rows, ("what", "median s", "min s", "max s", "load 1/5/15m"))


if __name__ == "__main__":
    main()

"""`assistant serve` from cold: seconds until /api/health answers 200 and until / serves the Gradio chat, for one or
more source trees run in turn (before/after in one run: `--tree /path/to/old/worktree --tree .`).

Run: .venv/bin/python benchmarks/serve_start.py --index /tmp/idx/mh [--runs 3] [--tree DIR ...]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import load_average, print_table  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_") and k != "PYTHONPATH"}


def chat_served(body: str) -> bool:
    """The Gradio page (its config is inlined), not the page that says the chat is starting."""
    return "gradio_config" in body


def cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system, all threads) a process has used so far: less bent by other work than wall time."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_start(tree: Path, index: Path, port: int) -> tuple[float, float, float]:
    """Seconds from launching `python -m assistant serve` in `tree` until /api/health is 200, and until / is the
    chat, and the CPU seconds serve had used when health answered; the server is stopped after."""
    import httpx

    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "assistant", "serve", "--index", str(index), "--port",
                                 str(port)], stdout=log, stderr=subprocess.STDOUT, env=env(), cwd=tree)
        health = chat = cpu = None
        try:
            while chat is None and time.perf_counter() - started < 600:
                if proc.poll() is not None:
                    log.seek(0)
                    sys.exit(f"serve in {tree} exited {proc.returncode}: {log.read()[-2000:].decode()}")
                try:
                    if health is None and httpx.get(f"{base}/api/health", timeout=5).status_code == 200:
                        health, cpu = time.perf_counter() - started, cpu_seconds(proc.pid)
                    if health is not None and chat_served(httpx.get(f"{base}/", timeout=5).text):
                        chat = time.perf_counter() - started
                except httpx.HTTPError:
                    pass
                time.sleep(0.05)
        finally:
            proc.terminate()
            proc.wait(timeout=60)
    if chat is None:
        sys.exit(f"serve in {tree} did not come up within 600 s")
    return health, chat, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--tree", type=Path, action="append", help="source tree to run serve from (default: this one); "
                    "repeat to compare, the runs interleaved")
    args = ap.parse_args()
    from tests.conftest import free_port

    trees = [t.resolve() for t in args.tree or [REPO]]
    times: dict[Path, list[tuple[float, float, float]]] = {t: [] for t in trees}
    loads = []
    for _ in range(args.runs):
        for tree in trees:
            times[tree].append(one_start(tree, args.index, free_port()))
            loads.append(load_average())
    rows = []
    for tree in trees:
        for n, what in ((0, "/api/health 200"), (2, "CPU s used by then"), (1, "/ serves the chat")):
            values = [t[n] for t in times[tree]]
            rows.append((f"{tree.name}: {what}", f"{statistics.median(values):.2f}", f"{min(values):.2f}",
                         f"{max(values):.2f}", " ".join(f"{v:.2f}" for v in values)))
    print_table(rows, ("serve from cold", "median s", "min s", "max s", "runs"))
    print(f"load average after each run: {', '.join(loads)}")


if __name__ == "__main__":
    main()

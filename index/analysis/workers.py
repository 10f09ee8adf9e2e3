"""The language analysis of ingest groups in worker processes, running ahead while the ingest process embeds."""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import Future

from common.records import Article


def worker_count(configured: int) -> int:
    """Analysis processes for an ingest: as configured, else one per core but one (the embedder's), at least one."""
    return configured if configured > 0 else max(1, (os.cpu_count() or 1) - 1)


class AnalysisAhead:
    """Analyses groups of articles in `workers` spawned processes (each loads spaCy once), in the order submitted;
    the ingest embeds a group meanwhile and takes its analysis (JSON per article) before writing it."""

    def __init__(self, workers: int):
        import importlib.util
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        from index.analysis.core import MODEL_MODULE, load_pipeline

        if importlib.util.find_spec(MODEL_MODULE) is None:
            load_pipeline()  # raises the ConfigError that says how to install it, here rather than in a worker

        # spawn, not fork: the ingest process holds ONNX Runtime and Chroma threads that a fork would copy mid-state
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                         initializer=_worker_start, initargs=(os.getpid(),))
        self.depth = workers + 1  # groups in flight: every worker busy and the next group ready to start

    def submit(self, articles: Sequence[Article], spans: Sequence[Sequence[tuple[int, int]]]) -> Future:
        return self._pool.submit(analyse_json, list(articles), [list(s) for s in spans])

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def analyse_json(articles: Sequence[Article], spans: Sequence[Sequence[tuple[int, int]]]) -> list[str]:
    """The analysis of each article as the record stores it (Analysis.to_json)."""
    from index.analysis.core import analyse

    return [an.to_json(a.text) for an, a in zip(analyse(articles, spans), articles)]


def _worker_start(parent: int) -> None:
    """One thread per worker (spaCy's numpy ops would otherwise start one per core and fight the embedder), and gone
    within a second of its ingest process `parent` (a worker waits for work forever: a SIGKILLed ingest must not leave
    it; given, not read here, since the ingest may have died while this worker started)."""
    import threading
    import time

    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = "1"

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()

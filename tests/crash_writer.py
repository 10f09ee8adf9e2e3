"""Child process for test_crash_ingest: a real ingest that SIGKILLs itself right after one chosen Chroma write.

Run: python -m tests.crash_writer INDEX CORPUS METHOD COLLECTION_SUFFIX [CHROMA_PORT]   (e.g. upsert -chunks)
     python -m tests.crash_writer --hold-lock INDEX      (hold the index's write lock until killed)
CHROMA_PORT: write to a Chroma server on 127.0.0.1 instead of the local INDEX directory.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

from common.config import Config
from index.pipeline import Ingestor
from index.store import ChromaStore


def die_after(store, method: str, suffix: str) -> None:
    """Wrap the store's one gateway to Chroma so the process dies the moment that operation has returned."""
    call = store._call

    def dying(fn, *args, **kwargs):
        out = call(fn, *args, **kwargs)
        collection = getattr(getattr(fn, "__self__", None), "name", "")
        if fn.__name__ == method and collection.endswith(suffix):
            os.kill(os.getpid(), signal.SIGKILL)
        return out

    store._call = dying


def main(argv: list[str]) -> None:
    if argv[0] == "--hold-lock":
        config = Config.from_env(env={}, index_dir=Path(argv[1]), embedder="hash")
        ingestor = Ingestor(config, store=ChromaStore(config))
        with ingestor.store.exclusive():
            print("locked", flush=True)
            time.sleep(600)
        return
    index, corpus, method, suffix, *port = argv
    server = {"chroma_host": "127.0.0.1", "chroma_port": int(port[0])} if port else {}
    config = Config.from_env(env={}, index_dir=Path(index), embedder="hash", **server)
    ingestor = Ingestor(config, store=ChromaStore(config))
    die_after(ingestor.store, method, suffix)
    ingestor.ingest_paths([corpus])
    sys.exit("the chosen operation never ran")


if __name__ == "__main__":
    main(sys.argv[1:])

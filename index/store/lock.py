"""The write lock of a local index: an flock on a file in its directory, one writing process at a time."""

from __future__ import annotations

import fcntl
import os
import socket
from pathlib import Path

from common.errors import StoreUnavailable

LOCK_FILE = "assistant-write.lock"  # in a local index directory: one writing process at a time


def take_lock(index_dir: Path):
    """The open lock file, held until it is closed (the OS releases it when the process ends, even by SIGKILL);
    StoreUnavailable naming the holder while another process holds it."""
    fh = open(index_dir / LOCK_FILE, "a+", encoding="utf-8")  # noqa: SIM115 - held open for as long as the lock is held
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.seek(0)
        holder = fh.read().strip() or "another process"
        fh.close()
        raise StoreUnavailable(
            f"{holder} is writing {index_dir} (ingest, delete or repair)",
            "wait for it to finish, then run this again",
        ) from None
    fh.seek(0)
    fh.truncate()
    fh.write(f"pid {os.getpid()} on {socket.gethostname()}\n")
    fh.flush()
    return fh

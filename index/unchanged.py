"""An ingest with nothing to do, decided from the stored content hashes before Chroma or any model is loaded."""

from __future__ import annotations

import time

from common.config import Config
from index.loaders import LoadResult
from index.pipeline import IngestReport


def unchanged_report(config: Config, loaded: LoadResult) -> IngestReport | None:
    """The report of an ingest of `loaded` when every article is stored unchanged (its content hash) with the
    current language analysis (when on), and the local index is at rest (index/store/at_rest.py): nothing to embed,
    analyse, settle or repair, so nothing heavy is imported. None otherwise: then the whole ingest runs, which first
    settles what a crash left. Holds the write lock while it reads, so a running writer is refused as always."""
    started = time.perf_counter()
    if config.chroma_host or not (config.index_dir / "chroma.sqlite3").is_file():
        return None
    from common.analysis import VERSION
    from index.store.at_rest import at_rest
    from index.store.lock import take_lock

    with take_lock(config.index_dir):
        rest = at_rest(config)
    if rest is None:
        return None
    for article in loaded.articles:
        if rest.hashes.get(article.id) != article.content_hash:
            return None
        if config.analysis and rest.analysis.get(article.id) != VERSION:
            return None
    report = IngestReport(unchanged=[a.id for a in loaded.articles], failed=list(loaded.failures),
                          notes=list(loaded.notes))
    report.seconds = time.perf_counter() - started
    return report

"""Keeping the lexical index in step with the store's records: catch up by generation and content hash, check."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

from common.config import Config
from index.lexical.store import LexicalStore, LexicalView

FETCH_ARTICLES = 100  # articles whose chunks and sentence vectors are read from the store at once
DIR_NAME = "assistant-lexical"  # in a local index directory


def lexical_dir(config: Config) -> Path:
    """Where the lexical index lives: beside the vectors in a local index; with a Chroma server, a local cache
    per server address and collection prefix (ASSISTANT_LEXICAL_CACHE, default the user cache dir)."""
    if not config.chroma_host:
        return config.index_dir / DIR_NAME
    if config.lexical_cache:
        return Path(config.lexical_cache).expanduser()
    from platformdirs import user_cache_dir

    name = re.sub(r"[^A-Za-z0-9.-]", "_", f"{config.chroma_host}-{config.chroma_port}-{config.collection_prefix}")
    return Path(user_cache_dir("newsroom-assistant", appauthor=False)) / "lexical" / name


@dataclass(frozen=True)
class CatchUp:
    """What one catch-up did: articles (re)indexed and removed, the generation reached, how long it took."""

    indexed: tuple[str, ...]
    removed: tuple[str, ...]
    generation: str | None
    seconds: float
    skipped: bool = False  # already in step (the generations agree): no record was read


def differences(store, view: LexicalView) -> tuple[dict[str, str], list[str], list[str], int]:
    """(searchable {id: hash} by the records, ids to index again, ids to remove, articles not searchable)."""
    ready, pending = store.searchable_hashes()
    have = view.article_hashes()
    todo = [aid for aid, h in ready.items() if have.get(aid) != h]
    gone = [aid for aid in have if aid not in ready]
    return ready, todo, gone, len(pending)


def catch_up(store, lexical: LexicalStore, force: bool = False) -> CatchUp:
    """Bring the lexical index to the store's records: only articles whose content hash differs are read
    (their chunks, from the chunk collection) and written; one commit makes them visible together. Cheap when
    nothing changed: the store's generation equals the one the index last reached. The caller holds no lock;
    Tantivy's writer lock keeps a second process out (ValueError after WRITER_WAIT_SECONDS)."""
    started = time.monotonic()
    generation = store.generation()  # read first: a write that ends meanwhile changes it again
    view = lexical.view()
    if view.committed and view.generation == generation and not force:
        return CatchUp((), (), generation, time.monotonic() - started, skipped=True)
    ready, todo, gone, unsearchable = differences(store, view)
    with lexical._lock:
        for aid in gone:
            lexical.remove(aid)
        for start in range(0, len(todo), FETCH_ARTICLES):
            batch = {aid: ready[aid] for aid in todo[start : start + FETCH_ARTICLES]}
            rows: dict[str, list] = {aid: [] for aid in batch}
            for cid, text, meta in store.chunks_of(list(batch)):
                aid = meta.get("article_id")
                if aid in batch and meta.get("content_hash") == batch[aid]:  # not another version's leftovers
                    rows[aid].append((cid, text, meta))
            vectors = store.article_sentence_vectors(batch)
            for aid, chunk_rows in rows.items():
                lexical.replace(aid, batch[aid], chunk_rows, vectors.get(aid))
        lexical.commit(generation, unsearchable)
    return CatchUp(tuple(todo), tuple(gone), generation, time.monotonic() - started)


def problems(store, lexical: LexicalStore) -> list[str]:
    """Where the lexical index disagrees with the article records (empty when in step)."""
    view = lexical.view()
    if not view.committed:
        return [f"the lexical index ({lexical.path}) has not been built yet"]
    _, todo, gone, _ = differences(store, view)
    pending, have = store.searchable_hashes()[1], view.article_hashes()
    gone = [aid for aid in gone if pending.get(aid) != have[aid]]  # lost vectors, same version: answers skip it
    out = [f"{aid}: the lexical index holds another version of it, or none" for aid in sorted(todo)]
    return out + [f"{aid}: the lexical index holds it but the records do not" for aid in sorted(gone)]

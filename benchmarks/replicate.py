"""Grows an index for the scale benchmark: copies of the real articles under new ids, reusing their vectors."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

BATCH = 5000  # vectors per Chroma add (its limit is ~5461 for a local client)


@dataclass(frozen=True)
class Rows:
    """Every record of one collection of the base index (embeddings None for the articles)."""

    ids: list[str]
    documents: list[str]
    metadatas: list[dict]
    embeddings: np.ndarray | None


def replica_id(article_id: str, n: int) -> str:
    """Replica n (n >= 1) of an article; replica 0 is the article itself."""
    return article_id if n == 0 else f"{article_id}#r{n}"


def _client(path: Path):
    import chromadb
    from chromadb.config import Settings

    return chromadb.PersistentClient(path=str(path), settings=Settings(anonymized_telemetry=False))


def _read(col, with_embeddings: bool, page: int = 5000) -> Rows:
    include = ["documents", "metadatas"] + (["embeddings"] if with_embeddings else [])
    ids, docs, metas, vecs = [], [], [], []
    offset = 0
    while True:
        got = col.get(include=include, limit=page, offset=offset)
        if not got["ids"]:
            break
        ids += got["ids"]
        docs += got["documents"]
        metas += got["metadatas"]
        if with_embeddings:
            vecs.append(np.asarray(got["embeddings"], dtype=np.float32))
        offset += len(got["ids"])
    return Rows(ids, docs, metas, np.concatenate(vecs) if with_embeddings else None)


def read_base(path: Path, prefix: str) -> dict[str, Rows]:
    """The original articles (ids without '#r') of an index, with their chunk and sentence vectors."""
    client = _client(path)
    rows = {kind: _read(client.get_collection(f"{prefix}-{kind}"), kind != "articles")
            for kind in ("articles", "chunks", "sentences")}
    out = {}
    for kind, r in rows.items():
        keep = [i for i, m in enumerate(r.metadatas) if "#r" not in (r.ids[i] if kind == "articles" else m["article_id"])]
        out[kind] = Rows([r.ids[i] for i in keep], [r.documents[i] for i in keep], [r.metadatas[i] for i in keep],
                         None if r.embeddings is None else r.embeddings[keep])
    return out


def _jitter(vectors: np.ndarray, n: int, amount: float) -> np.ndarray:
    """The vectors moved by a random offset of norm ~`amount` and re-normalised (cosine to the original about
    1 - amount²/2), so that replicas are near neighbours, not exact duplicates, in the HNSW graph."""
    if amount <= 0:
        return vectors
    rng = np.random.default_rng(n)
    noise = rng.standard_normal(vectors.shape).astype(np.float32) * (amount / np.sqrt(vectors.shape[1]))
    moved = vectors + noise
    return moved / np.linalg.norm(moved, axis=1, keepdims=True)


def _renamed(rows: Rows, n: int) -> Iterator[tuple[str, dict]]:
    """(new id, new metadata) of each chunk/sentence row for replica n: vector ids are `{article_id}::...`
    (`::c3`, `::s12`, or with a content hash in between), so only the article id part changes."""
    for rid, meta in zip(rows.ids, rows.metadatas):
        aid = meta["article_id"]
        assert rid.startswith(aid + "::"), rid
        new_aid = replica_id(aid, n)
        yield new_aid + rid[len(aid):], {**meta, "article_id": new_aid}


def _add(col, ids, embeddings, documents, metadatas) -> None:
    for s in range(0, len(ids), BATCH):
        docs = {} if documents is None else {"documents": documents[s : s + BATCH]}
        col.add(ids=ids[s : s + BATCH], embeddings=embeddings[s : s + BATCH], metadatas=metadatas[s : s + BATCH],
                **docs)


def add_replica(client, prefix: str, base: dict[str, Rows], n: int, jitter: float) -> None:
    """Chunk and sentence vectors of replica n, then its article records (last: a record means complete)."""
    for kind in ("chunks", "sentences"):
        rows = base[kind]
        ids, metas = zip(*_renamed(rows, n))
        col = client.get_collection(f"{prefix}-{kind}")
        col.delete(ids=list(ids))  # leftovers of an interrupted run
        docs = rows.documents if kind == "chunks" else None  # as the Ingestor writes them: sentences without text
        _add(col, list(ids), _jitter(rows.embeddings, n, jitter), docs, list(metas))
    arts = base["articles"]
    ids = [replica_id(a, n) for a in arts.ids]
    metas = [{**m, "ingested_at": time.time()} for m in arts.metadatas]
    col = client.get_collection(f"{prefix}-articles")
    for s in range(0, len(ids), BATCH):
        col.upsert(ids=ids[s : s + BATCH], embeddings=[[1.0]] * len(ids[s : s + BATCH]),
                   documents=arts.documents[s : s + BATCH], metadatas=metas[s : s + BATCH])


def replicas_present(client, prefix: str, base: dict[str, Rows], upto: int) -> set[int]:
    """Replicas whose last article record exists (written after all their vectors)."""
    col = client.get_collection(f"{prefix}-articles")
    last = base["articles"].ids[-1]
    want = [replica_id(last, n) for n in range(upto)]
    return {want.index(i) for i in col.get(ids=want, include=[])["ids"]}


def grow(base: dict[str, Rows], source: Path, target: Path, copies: int, prefix: str = "news",
         jitter: float = 0.1, log=print) -> None:
    """Make `target` hold `copies` copies of the base articles: copy `source` (the base index or a smaller
    grown one) unless `target` exists, then add the missing replicas in batches of BATCH vectors."""
    if not target.exists():
        log(f"copying {source} -> {target}")
        shutil.copytree(source, target)
    client = _client(target)
    have = replicas_present(client, prefix, base, copies)
    per = len(base["chunks"].ids) + len(base["sentences"].ids)
    for n in range(copies):
        if n in have:
            continue
        t = time.perf_counter()
        add_replica(client, prefix, base, n, jitter)
        secs = time.perf_counter() - t
        log(f"{target.name}: replica {n} ({per} vectors) in {secs:.0f} s ({secs / per * 1000:.2f} ms/vector)")
    # announce the new records as a writer does (Journal._journal_clear), so that readers catch their lexical index up
    client.get_collection(f"{prefix}-writes").modify(metadata={"generation": f"{time.time_ns()}-replicate"})

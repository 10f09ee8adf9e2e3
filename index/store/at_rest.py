"""A local index at rest, read from chroma.sqlite3 without Chroma: all an ingest with nothing to do needs."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

import index.store.segments as segments
from common.config import Config
from index.lexical.store import committed_state
from index.lexical.sync import lexical_dir
from index.store.records import ANALYSIS_VERSION, PENDING

KINDS = ("articles", "chunks", "sentences", "writes")
RECORD_KEYS = ("content_hash", "n_chunks", "n_sentences", "sentence_vectors", PENDING, ANALYSIS_VERSION)


@dataclass(frozen=True)
class AtRest:
    """The records of a local index with nothing to settle: {article id: content hash} and {article id: the version
    of the language analysis its record holds (0: none)}."""

    hashes: dict[str, str]
    analysis: dict[str, int]


def at_rest(config: Config) -> AtRest | None:
    """The records, when a writer opening the index (Journal.open_for_writes) would find nothing to do: no journalled
    write, no article whose vectors are pending, the vector counts the records promise, no torn or moved-aside vector
    files, Chroma's log applied to the records and the lexical index at the records' generation. None otherwise, or
    for a Chroma server, or when anything reads other than expected (then the caller opens the store as always).
    Call holding the index's write lock (index/store/lock.py)."""
    if config.chroma_host or not (config.index_dir / "chroma.sqlite3").is_file():
        return None
    try:
        if segments.inspect(config.index_dir):
            return None
        read = _read(config.index_dir / "chroma.sqlite3", config.collection_prefix)
        if read is None:
            return None
        lexical = committed_state(lexical_dir(config))
    except (segments.RecordsUnreadable, sqlite3.Error, OSError, ValueError):
        return None
    rest, generation = read
    if lexical is None or generation is None or lexical.get("generation") != generation or lexical.get("unsearchable"):
        return None
    return rest


def _read(db: Path, prefix: str) -> tuple[AtRest, str | None] | None:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        con.execute("BEGIN")  # one snapshot for every query below
        segs: dict[str, tuple[str, str]] = {}  # kind → (collection id, its metadata segment)
        for kind in KINDS:
            rows = con.execute("SELECT c.id, s.id FROM collections c JOIN segments s ON s.collection = c.id "
                               "WHERE c.name = ? AND s.scope = 'METADATA'", (f"{prefix}-{kind}",)).fetchall()
            if len(rows) != 1:
                return None
            segs[kind] = rows[0]
        if not _log_applied(con, segs.values()) or _count(con, segs["writes"][1]):
            return None
        records: dict[str, dict] = {}
        marks = ",".join("?" * len(RECORD_KEYS))
        for aid, key, text, number, flag in con.execute(
                "SELECT e.embedding_id, m.key, m.string_value, m.int_value, m.bool_value FROM embeddings e "
                f"JOIN embedding_metadata m ON m.id = e.id WHERE e.segment_id = ? AND m.key IN ({marks})",
                (segs["articles"][1], *RECORD_KEYS)):
            records.setdefault(aid, {})[key] = text if text is not None else number if number is not None else flag
        for (aid,) in con.execute("SELECT embedding_id FROM embeddings WHERE segment_id = ?", (segs["articles"][1],)):
            records.setdefault(aid, {})  # a record with none of those keys
        if any(r.get(PENDING) for r in records.values()):
            return None
        promised = (sum(r.get("n_chunks", -1) for r in records.values()),
                    sum(r.get("n_sentences", 0) for r in records.values() if r.get("sentence_vectors")))
        if promised != (_count(con, segs["chunks"][1]), _count(con, segs["sentences"][1])):
            return None
        row = con.execute("SELECT str_value FROM collection_metadata WHERE collection_id = ? AND key = 'generation'",
                          (segs["writes"][0],)).fetchone()
    finally:
        con.close()
    rest = AtRest({aid: r.get("content_hash", "") for aid, r in records.items()},
                  {aid: r.get(ANALYSIS_VERSION) or 0 for aid, r in records.items()})
    return rest, row[0] if row else None


def _count(con: sqlite3.Connection, segment: str) -> int:
    return con.execute("SELECT COUNT(*) FROM embeddings WHERE segment_id = ?", (segment,)).fetchone()[0]


def _log_applied(con: sqlite3.Connection, segs) -> bool:
    """Every write in Chroma's log (embeddings_queue) is in the records these queries read (its metadata segments)."""
    logged = {topic.rsplit("/", 1)[-1]: seq for topic, seq in
              con.execute("SELECT topic, MAX(seq_id) FROM embeddings_queue GROUP BY topic")}
    for collection, segment in segs:
        row = con.execute("SELECT seq_id FROM max_seq_id WHERE segment_id = ?", (segment,)).fetchone()
        if collection in logged and (row is None or not isinstance(row[0], int) or row[0] < logged[collection]):
            return False
    return True

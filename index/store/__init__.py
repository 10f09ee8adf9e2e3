"""Chroma-backed store: articles with sentence offsets, chunk vectors and sentence vectors (local or server)."""

from __future__ import annotations

from common.records import StoredArticle
from index.store.connection import GUARD_ATTEMPTS, GUARD_WAIT_SECONDS, PLACEHOLDER_KINDS, Connection
from index.store.journal import STALE_WRITE_SECONDS, Fix, Journal, Opened
from index.store.lexical import LexicalSide
from index.store.lock import LOCK_FILE
from index.store.protocols import Store, StoreReader, StoreWriter
from index.store.reading import Reading, where_filter
from index.store.records import PENDING, SCHEMA_VERSION, VECTOR_IDS, ArticleWrite, Records, vector_prefix
from index.store.repair import PROBE_VECTORS, Repair

__all__ = [
    "ArticleWrite", "GUARD_ATTEMPTS", "GUARD_WAIT_SECONDS", "LOCK_FILE", "PENDING", "PLACEHOLDER_KINDS", "PROBE_VECTORS",
    "SCHEMA_VERSION", "STALE_WRITE_SECONDS", "VECTOR_IDS", "ChromaStore", "Fix", "Opened", "Store", "StoreReader",
    "StoreWriter", "StoredArticle", "vector_prefix", "where_filter",
]


class ChromaStore(Reading, Repair, LexicalSide, Journal, Records, Connection):
    """One Chroma client per store; open one store per index path per process. Satisfies Store (StoreReader
    and StoreWriter), the only face the rest of the code sees: it is named only at the composition roots. Its
    parts are mixins over one object, not separate objects, so that every call between them goes through the
    instance (replacing a method on a store changes what the store itself does, as before):
    Connection (client, collections, `_call`), Records (article records, write and delete), Journal (write lock,
    journal, recovery, open_for_writes), LexicalSide (the lexical index in each article write), Repair (damaged
    collections, check, repair), Reading (vectors)."""

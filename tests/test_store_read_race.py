"""A read that meets a concurrent write on a Chroma server is asked again; an error that persists is damage."""

from __future__ import annotations

import pytest
from chromadb.errors import InternalError

from common.config import Config
from common.errors import StoreUnavailable
from index.store import ChromaStore
from index.store.connection import READ_RETRIES

RACE = "Error executing plan: Internal error: Error finding id"  # the server's words, seen once in 790 queries


def failing(real, times: int, name: str):
    """`real`, but its first `times` calls raise the server's race error; named like the Chroma method it stands
    for, since only reads are asked again."""
    calls = []

    def method(*args, **kwargs):
        calls.append(1)
        if len(calls) <= times:
            raise InternalError(RACE)
        return real(*args, **kwargs)

    method.__name__ = name
    return method, calls


@pytest.fixture
def store(tmp_path):
    store = ChromaStore(Config.from_env(env={}, index_dir=tmp_path / "index", embedder="hash"))
    store._articles.upsert(ids=["a1"], embeddings=[[0.0] * 8], metadatas=[{"title": "Flood"}])
    return store


def test_a_read_that_meets_a_write_once_gets_its_rows(store):
    """During a separate ingest, the server answered one query with "Error finding id": the store reported the
    index as damaged (HTTP 503 to the asker). Asked again, the read returns the rows, and nobody sees an error."""
    get, calls = failing(store._articles.get, 1, "get")
    got = store._call(get, ids=["a1"], include=["metadatas"])
    assert got["ids"] == ["a1"] and got["metadatas"][0]["title"] == "Flood"
    assert len(calls) == 2


def test_the_error_that_persists_is_reported_as_damage(store):
    """Torn files give the same words every time: after READ_RETRIES more tries it is damage, with its fix."""
    get, calls = failing(store._articles.get, READ_RETRIES + 1, "get")
    with pytest.raises(StoreUnavailable) as caught:
        store._call(get, ids=["a1"])
    assert "damaged" in caught.value.message and "check --repair" in caught.value.fix
    assert len(calls) == READ_RETRIES + 1


def test_a_write_is_never_sent_twice(store):
    """An upsert or delete that failed may have been applied in part: it is not repeated behind the caller's back."""
    upsert, calls = failing(store._articles.upsert, 1, "upsert")
    with pytest.raises(StoreUnavailable):
        store._call(upsert, ids=["a2"], embeddings=[[0.0] * 8])
    assert len(calls) == 1

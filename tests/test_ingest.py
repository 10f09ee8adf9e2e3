"""Ingest end to end on real Chroma: incremental by hash, replacement without stale chunks, delete, restart."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from common.config import Config
from common.errors import ArticleNotFound, ConfigError
from index.embedders import HashEmbedder
from index.pipeline import Ingestor
from index.store import ChromaStore

from .conftest import EXAMPLES, REPO


class CountingEmbedder:
    """The hash embedder, counting how many texts it was asked to embed."""

    def __init__(self):
        self._inner = HashEmbedder()
        self.name = self._inner.name
        self.calls = 0

    def embed(self, texts):
        self.calls += len(texts)
        return self._inner.embed(texts)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def assert_offsets_exact(store: ChromaStore) -> int:
    n = 0
    for stored in store.iter_articles():
        for s in stored.sentences:
            assert stored.article.text[s.char_start : s.char_end] == s.text and s.text.strip() == s.text
            n += 1
    return n


def test_sample_corpus_ingests_and_reingest_embeds_nothing(hash_config):
    emb = CountingEmbedder()
    ing = Ingestor(hash_config, store=ChromaStore(hash_config), embedder=emb)
    first = ing.ingest_paths([EXAMPLES])
    assert first.ok, first.summary()
    assert len(first.added) >= 5 and first.sentences > 0 and emb.calls > 0
    counts = ing.store.count()
    assert counts["articles"] == len(first.added)
    assert counts["sentences"] == first.sentences  # sentence vectors on by default
    assert assert_offsets_exact(ing.store) == first.sentences

    emb.calls = 0
    again = ing.ingest_paths([EXAMPLES])
    assert emb.calls == 0
    assert sorted(again.unchanged) == sorted(first.added) and not again.added and not again.updated


def test_sentences_are_counted_without_chroma_loading_their_vectors(hash_config):
    """/api/health and serve's status line count sentences: Chroma's count() would load the whole sentence
    collection into memory (+473 MB at 231,460 sentences), which serving otherwise never needs. A local index
    counts them in SQLite: right after an ingest and a delete, and without touching the collection."""
    ing = Ingestor(hash_config, store=ChromaStore(hash_config))
    ing.ingest_paths([EXAMPLES])
    gone = next(iter(ing.store.iter_articles()))
    ing.store.delete_article(gone.article.id)
    expected = ing.store._sentences.count()

    class Untouchable:
        name = ing.store._sentences.name

        def count(self):
            raise AssertionError("Chroma's count() loads every sentence vector")

    real, ing.store._sentences = ing.store._sentences, Untouchable()
    try:
        assert ing.store.count()["sentences"] == expected > 0
    finally:
        ing.store._sentences = real


def test_changed_article_replaces_all_old_chunks(hash_config, tmp_path):
    long_old = " ".join(f"Old sentence number {i} about the Velmora bridge." for i in range(60))
    path = write(tmp_path / "in" / "bridge.txt", long_old)
    ing = Ingestor(hash_config, store=ChromaStore(hash_config), embedder=CountingEmbedder())
    ing.ingest_paths([path])
    old_chunks = ing.store.get_article("bridge").n_chunks
    assert old_chunks > 2

    write(path, "The bridge reopened on Friday. Nobody was hurt.")
    report = ing.ingest_paths([path])
    assert report.updated == ["bridge"]
    chunks = [(cid, text) for cid, text, meta in ing.store.iter_chunks() if meta["article_id"] == "bridge"]
    assert [t for _, t in chunks] == ["The bridge reopened on Friday. Nobody was hurt."]
    assert ing.store.count()["sentences"] == 2
    assert ing.store.check() == []


def test_delete_and_unknown_id(hash_config):
    ing = Ingestor(hash_config, store=ChromaStore(hash_config), embedder=CountingEmbedder())
    report = ing.ingest_paths([EXAMPLES])
    victim = report.added[0]
    ing.store.delete_article(victim)
    assert victim not in ing.store.article_hashes()
    assert all(meta["article_id"] != victim for _, _, meta in ing.store.iter_chunks())
    with pytest.raises(ArticleNotFound):
        ing.store.delete_article(victim)


def test_bad_batch_keeps_what_was_stored(hash_config, tmp_path):
    ing = Ingestor(hash_config, store=ChromaStore(hash_config), embedder=CountingEmbedder())
    good = write(tmp_path / "a" / "good.txt", "The council met on Monday. It voted 7 to 2.")
    ing.ingest_paths([good])
    before = ing.store.get_article("good")

    batch = tmp_path / "b"
    write(batch / "empty.txt", "")
    (batch / "binary.txt").write_bytes(b"\x00\x01\x02binary")
    write(batch / "bad.jsonl", '{"id": "ok-1", "text": "Fine line."}\nnot json\n{"id": "x"}\n')
    write(batch / "new.md", "---\ntitle: New\npublished_at: yesterday-ish\n---\nBody.\n")
    report = ing.ingest_paths([batch])
    assert report.added == ["ok-1"]
    reasons = [str(f) for f in report.failed]
    assert len(report.failed) == 5, reasons
    assert any("bad.jsonl:2" in r for r in reasons) and any("bad.jsonl:3" in r for r in reasons)
    after = ing.store.get_article("good")
    assert after == before


def test_an_article_the_model_returns_nan_for_fails_alone(hash_config, tmp_path):
    """Articles are written in groups that share their Chroma calls, and Chroma refuses a whole call if one vector
    holds NaN. A model that returns NaN for one text must fail only that article, by name; the two others in its
    group are stored whole and nothing is left journalled."""

    class Glitchy(CountingEmbedder):
        def embed(self, texts):
            out = np.array(super().embed(texts))
            out[[i for i, t in enumerate(texts) if "glitch" in t]] = np.nan
            return out

    folder = tmp_path / "in"
    write(folder / "a.txt", "The council met on Monday. It voted 7 to 2.")
    write(folder / "b.txt", "The glitch began on Tuesday. Nobody noticed.")
    write(folder / "c.txt", "Rain is expected on Friday. Roads may flood.")
    ing = Ingestor(hash_config, store=ChromaStore(hash_config), embedder=Glitchy())
    report = ing.ingest_paths([folder])
    assert sorted(report.added) == ["a", "c"]
    assert len(report.failed) == 1
    assert "'b'" in str(report.failed[0]) and "NaN" in str(report.failed[0])
    assert ing.store.get_article("c").article.text == "Rain is expected on Friday. Roads may flood."
    assert ing.store.pending_writes() == {}
    assert ing.store.count() == {"articles": 2, "chunks": 2, "sentences": 4}


def test_other_embedder_is_refused_on_existing_index(hash_config):
    Ingestor(hash_config, store=ChromaStore(hash_config), embedder=CountingEmbedder()).ingest_paths([EXAMPLES])

    class Other(HashEmbedder):
        def __init__(self):
            super().__init__()
            self.name = "other-model"

    with pytest.raises(ConfigError, match="built with embedder"):
        ChromaStore(hash_config.with_(index_dir=hash_config.index_dir)).bind_embedder("other-model", 384)


def test_cli_ingest_list_delete_survive_restart(tmp_path):
    """Each CLI call is a new process: what `ingest` stored is there for `list` and `delete`."""
    env = {**os.environ, "ASSISTANT_INDEX_DIR": str(tmp_path / "idx"), "ASSISTANT_EMBEDDER": "hash"}
    cli = [sys.executable, "-m", "assistant"]
    bad = write(tmp_path / "bad.jsonl", "{oops\n")
    run = subprocess.run([*cli, "ingest", str(EXAMPLES), str(bad)], env=env, capture_output=True, text=True, cwd=REPO)
    assert run.returncode == 1, run.stderr  # something failed → exit status 1
    assert "bad.jsonl:1" in run.stdout and "added" in run.stdout
    listed = json.loads(subprocess.run([*cli, "list", "--json"], env=env, capture_output=True, text=True).stdout)
    assert listed and all(r["sentences"] > 0 and r["chunks"] > 0 for r in listed)
    dates = [r["published_at"] for r in listed if r["published_at"]]
    assert dates == sorted(dates, reverse=True)
    gone = listed[0]["id"]
    assert subprocess.run([*cli, "delete", gone], env=env, capture_output=True, text=True).returncode == 0
    relisted = json.loads(subprocess.run([*cli, "list", "--json"], env=env, capture_output=True, text=True).stdout)
    assert gone not in {r["id"] for r in relisted} and len(relisted) == len(listed) - 1
    again = subprocess.run([*cli, "ingest", str(EXAMPLES)], env=env, capture_output=True, text=True)
    assert again.returncode == 0 and "added 1," in again.stdout


def test_chroma_server_mode(chroma_server, tmp_path):
    host, port, _ = chroma_server
    config = Config.from_env(env={}, index_dir=tmp_path / "unused", chroma_host=host, chroma_port=port, embedder="hash")
    report = Ingestor(config, store=ChromaStore(config), embedder=CountingEmbedder()).ingest_paths([EXAMPLES])
    assert report.ok and report.added
    # a second client (as after a restart of the assistant) sees the same articles and offsets
    store = ChromaStore(config)
    assert set(store.article_hashes()) == set(report.added)
    assert assert_offsets_exact(store) == report.sentences
    hits = store.query_chunk_ids(HashEmbedder().embed(["flood toll"])[0], k=3)
    assert len(hits) == 3 and all(-1.0 <= score <= 1.0 for _, score in hits)


def test_store_unavailable_names_the_server(tmp_path):
    from common.errors import StoreUnavailable

    from .conftest import free_port

    config = Config.from_env(env={}, index_dir=tmp_path, chroma_host="127.0.0.1", chroma_port=free_port())
    with pytest.raises(StoreUnavailable, match="chroma run"):
        ChromaStore(config)


def test_minilm_vectors_are_normalised_and_sized(minilm):
    vectors = minilm.embed(["The flood killed 14 people.", "Mayor Ilsa Varenko said the river rose."])
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert float(vectors[0] @ minilm.embed(["Fourteen people died in the floods."])[0]) > 0.5


def test_assistant_sees_a_replaced_article_without_restart(hash_config, tmp_path):
    from assistant.core import Assistant

    path = write(tmp_path / "in" / "quarry.txt", "The quarry in Dunmarrow closed on Monday. It employed 40 people.")
    ing = Ingestor(hash_config, store=ChromaStore(hash_config), embedder=CountingEmbedder())
    ing.ingest_paths([path])
    assistant = Assistant(hash_config, store=ing.store, embedder=ing.embedder)
    first = assistant.ask("How many people did the Dunmarrow quarry employ?")
    assert first.short_answer == "40"

    write(path, "The quarry in Dunmarrow closed on Monday after 90 years. It employed 55 people.")
    ing.ingest_paths([path])
    second = assistant.ask("How many people did the Dunmarrow quarry employ?")
    assert second.short_answer == "55"
    c = second.citations[0]
    assert ing.store.get_article("quarry").article.text[c.char_start : c.char_end] == c.text

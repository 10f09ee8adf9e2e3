"""The persistent lexical index: written with each article, filtered inside the index, read by other processes only
once committed, built for an index from before it (on first read or next write), checked and repaired."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from assistant.core import Assistant
from common.records import Filters
from common.text import terms
from index.lexical.store import LexicalStore
from index.lexical.sync import DIR_NAME, catch_up
from index.loaders import load_paths
from index.pipeline import Ingestor
from index.store import ChromaStore

from .conftest import EXAMPLES, REPO


@pytest.fixture
def ingested(hash_config):
    ingestor = Ingestor(hash_config, store=ChromaStore(hash_config))
    report = ingestor.ingest_paths([EXAMPLES])
    assert report.ok and len(report.added) == 8
    return ingestor


def lexical_chunks(store) -> dict[str, str]:
    """{chunk id: content hash} of every chunk the lexical index holds."""
    view = store.lexical.view()
    out = {}
    for aid in view.article_hashes():
        out.update({cid: m["content_hash"] for cid, m in view.chunks_of(aid).items()})
    return out


def record_chunks(store) -> dict[str, str]:
    ready, _ = store.searchable_hashes()
    return {cid: m["content_hash"] for cid, _t, m in store.iter_chunks() if ready.get(m["article_id"]) ==
            m["content_hash"]}


def test_every_article_written_is_in_the_lexical_index_as_its_record_says(ingested):
    store = ingested.store
    view = store.lexical.view()
    assert view.generation == store.generation() and view.n_articles == 8
    assert lexical_chunks(store) == record_chunks(store)
    article = next(a for a in load_paths([EXAMPLES]).articles if a.id == "velmora-flood-nine-dead")
    changed = replace(article, text=article.text + "\n\nThe Zarnovic pumping station flooded as well.")
    ingested.ingest_articles([changed])
    assert lexical_chunks(store) == record_chunks(store)  # the old version's chunks are gone
    hits = store.lexical.view().search(["zarnov"], 5)
    assert [h.meta["article_id"] for h in hits] == ["velmora-flood-nine-dead"]
    assert hits[0].meta["content_hash"] == changed.content_hash
    store.delete_article("velmora-flood-nine-dead")
    view = store.lexical.view()
    assert view.search(["zarnov"], 5) == [] and view.n_articles == 7
    assert store.check() == []


def test_filters_are_applied_inside_the_index(ingested):
    view = ingested.store.lexical.view()
    words = terms("flood council strike boat wildfire ferry")
    everything = view.search(words, 50)
    sources = {h.meta["source"] for h in everything}
    assert len(sources) >= 2
    one = sorted(sources)[0]
    only = view.search(words, 50, Filters((one,)))
    assert only and {h.meta["source"] for h in only} == {one}
    assert view.count(Filters((one,))) == sum(1 for m in record_metas(ingested.store) if m.get("source") == one)
    cut = datetime(2026, 3, 8, tzinfo=UTC)
    later = view.search(words, 50, Filters(date_from=cut))
    assert later and all(h.meta["published_at"] >= cut.timestamp() for h in later)
    assert {h.chunk_id for h in later} < {h.chunk_id for h in everything}


def record_metas(store):
    return [m for _c, _t, m in store.iter_chunks()]


def test_staged_changes_are_invisible_to_another_process_until_committed(tmp_path):
    lex = LexicalStore(tmp_path / "lex")
    meta = {"article_id": "a1", "content_hash": "h1", "chunk_index": 0, "sentence_start": 0, "sentence_end": 1}
    lex.replace("a1", "h1", [("a1::h1::c0", "The Brisvane ferry sank.", meta)])
    lex.commit("g1", 0)
    lex.replace("a1", "h2", [("a1::h2::c0", "The Caldrun ferry sank.", {**meta, "content_hash": "h2"})])
    probe = ("from index.lexical.store import LexicalStore; import sys; v = LexicalStore(sys.argv[1]).view(); "
             "print(v.generation, [h.chunk_id for h in v.search(['brisvan', 'caldrun'], 5)])")

    def other() -> str:
        return subprocess.run([sys.executable, "-c", probe, str(tmp_path / "lex")], capture_output=True, text=True,
                              cwd=REPO, check=True).stdout.strip()

    assert other() == "g1 ['a1::h1::c0']"
    lex.commit("g2", 0)
    assert other() == "g2 ['a1::h2::c0']"


def test_an_index_from_before_the_lexical_index_gets_it_on_first_read(ingested, hash_config):
    ingested.store.lexical.release()
    shutil.rmtree(hash_config.index_dir / DIR_NAME)
    reader = Assistant(hash_config, store=ChromaStore(hash_config, create=False))
    answer = reader.ask("How many people died in the Velmora flood?")
    assert answer.citations and reader.lexical.last_catch_up is not None
    assert len(reader.lexical.last_catch_up.indexed) == 8
    assert lexical_chunks(reader.store) == record_chunks(reader.store)


def test_an_index_from_before_the_lexical_index_gets_it_on_next_write(ingested, hash_config):
    ingested.store.lexical.release()
    shutil.rmtree(hash_config.index_dir / DIR_NAME)
    writer = Ingestor(hash_config, store=ChromaStore(hash_config))
    report = writer.ingest_paths([EXAMPLES])
    assert len(report.unchanged) == 8
    assert any("lexical index: 8 article(s) indexed" in line for line in report.recovered)
    assert lexical_chunks(writer.store) == record_chunks(writer.store)


def test_check_finds_a_lexical_index_that_disagrees_and_repair_rebuilds_it(ingested, hash_config):
    store = ingested.store
    with store.exclusive():
        store.lexical.remove("velmora-flood-nine-dead")
        store.lexical.commit(store.generation(), 0)  # claims to be current, yet lacks an article
    store.lexical.release()
    problems = ChromaStore(hash_config, create=False).check()
    assert problems == ["velmora-flood-nine-dead: the lexical index holds another version of it, or none"]
    report = Ingestor(hash_config, store=ChromaStore(hash_config)).repair()
    assert any(line.startswith("lexical index: 1 article(s) indexed again") for line in report.recovered)
    fresh = ChromaStore(hash_config, create=False)
    assert fresh.check() == [] and lexical_chunks(fresh) == record_chunks(fresh)


def test_catch_up_reads_only_the_articles_that_changed(ingested, hash_config):
    store = ingested.store
    assert catch_up(store, store.lexical).skipped  # in step: no record read
    store.lexical.release()
    article = next(a for a in load_paths([EXAMPLES]).articles if a.id == "velmora-flood-toll")
    other_writer = Ingestor(hash_config, store=ChromaStore(hash_config))
    other_writer.ingest_articles([replace(article, title="Velmora toll revised")])
    reader = ChromaStore(hash_config, create=False)
    with reader.exclusive():  # a lexical index one article behind, as a crash before its commit leaves it
        reader.lexical.replace(article.id, article.content_hash,
                               [(f"{article.id}::old::c0", article.text, {"article_id": article.id, "chunk_index": 0,
                                                                        "content_hash": article.content_hash})])
        reader.lexical.commit("stale", 0)
    reader.lexical.release()
    done = catch_up(reader, reader.lexical)
    assert done.indexed == ("velmora-flood-toll",) and done.removed == ()
    assert lexical_chunks(reader) == record_chunks(reader)


@pytest.mark.parametrize("exact", [True, False])
def test_a_filtered_dense_search_that_finds_too_few_in_the_wide_set_searches_only_the_chunks_that_pass(
        ingested, hash_config, exact):
    from assistant.retrieve import HybridRetriever

    reader = Assistant(hash_config, store=ChromaStore(hash_config, create=False))
    retriever = HybridRetriever(reader.store, reader.lexical, depth=3)
    retriever.WIDE_FACTOR = 0  # no unfiltered neighbours: every filtered search takes the path under test
    retriever.EXACT = 10_000 if exact else 0  # compare vectors here, or let Chroma search among the ids
    lex = reader.lexical.refresh()
    source = "Ostrakand Wire"
    want_ids = [cid for cid, _t, m in reader.store.iter_chunks() if m.get("source") == source]
    qvec = reader.embedder.embed(["river flood levees killed"])[0]
    vecs = reader.store.vectors("chunks", want_ids)
    best = sorted(want_ids, key=lambda cid: -float(vecs[cid] @ qvec))[:3]
    got = retriever._dense(lex, qvec, Filters((source,)), {})
    if exact:
        assert [cid for cid, _s, _m in got] == best
    else:  # Chroma's graph search among the allowed ids is approximate: the nearest one, and only allowed ones
        assert got[0][0] == best[0] and len(got) == 3 and {cid for cid, _s, _m in got} <= set(want_ids)
    assert all(m["source"] == source for _c, _s, m in got)
    assert sorted(lex.view.chunk_ids(Filters((source,)))) == sorted(want_ids)


def test_sentence_vectors_are_read_from_the_lexical_index_exactly_as_chroma_holds_them(ingested):
    import numpy as np

    from index.store import vector_prefix

    store = ingested.store
    aid = "velmora-flood-toll"
    prefix = vector_prefix(aid, store.searchable_hashes()[0][aid])
    n = len(store.get_article(aid).sentence_spans)
    in_chroma = store.vectors("sentences", [f"{prefix}::s{i}" for i in range(n)])
    sentences, store._sentences = store._sentences, None  # any read of Chroma's sentence collection fails now
    try:
        got = store.sentence_vectors([f"{aid}::s{i}" for i in range(n)])
    finally:
        store._sentences = sentences
    assert len(got) == n == len(in_chroma)
    for i in range(n):  # the vectors as written; Chroma's copy differs in the last bit at most (it re-normalises)
        np.testing.assert_allclose(got[f"{aid}::s{i}"], in_chroma[f"{prefix}::s{i}"], rtol=1e-6, atol=1e-7)

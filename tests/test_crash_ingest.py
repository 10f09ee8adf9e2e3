"""Crash-safe ingest: real `assistant ingest` processes SIGKILLed mid-write, then re-run; the index must end complete,
exact and free of stale vectors, and readers in between must only ever see complete articles."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest

from benchmarks.kill_ingest import (
    changed,
    child_env,
    final_failures,
    inspect,
    kill_loop,
    load,
    print_outcome,
    run_ingest,
    write_corpus,
)
from common.config import Config
from index.embedders import HashEmbedder
from index.loaders import load_paths
from index.pipeline import Ingestor, prepare
from index.store import ArticleWrite, ChromaStore

from .conftest import EXAMPLES, REPO, shared_path

CLI = [sys.executable, "-m", "assistant"]


def corpus(n: int):
    """The first n MultiHop-RAG articles when ../shared is there, else the sample articles and numbered copies
    (three times as long, so that, like MultiHop articles, 30 of them hold over 1,000 sentences)."""
    shared = shared_path() / "data" / "multihop_rag" / "articles.jsonl"
    if shared.is_file():
        return load(shared)[:n]
    base = list(load_paths([EXAMPLES]).articles)
    out, k = list(base), 1
    while len(out) < n:
        out += [replace(a, id=f"{a.id}-copy{k}", text=f"Copy {k} of this report. " + "\n\n".join([a.text] * 3))
                for a in base]
        k += 1
    return out[:n]


# Fixed seeds, so that every CI run replays the same kill plans, each seed all three kinds of kill in turn
# (progress, time, and "flush": as Chroma saves an HNSW file, which can tear it); the random-seed loop is
# `python benchmarks/kill_ingest.py`, for long runs by hand). 467874656 and 754005821 failed CI in earlier
# sessions, 149982262 tore Chroma's files and then crashed every later process (-11) until torn files were
# checked before Chroma may load them.
MIXED_SEEDS = [467874656, 754005821, 149982262]
REPLACE_SEEDS = [149982262, 754005821]


@pytest.mark.parametrize("s", MIXED_SEEDS)
def test_sigkilled_ingests_then_a_rerun_leave_every_article_once_and_exact(tmp_path, s):
    print(f"seed {s}")
    out = kill_loop(corpus(48), tmp_path, "hash", trials=5, seed=s, mode="mixed", min_mid_write=2, max_trials=12,
                    questions=4)
    print_outcome(out)
    assert sum(t.killed for t in out.trials) >= 5, f"seed {s}"
    assert {t.kind for t in out.trials} == {"progress", "time", "flush"}, f"seed {s}"  # every kill kind, each seed
    assert out.landings().get("mid-write", 0) >= 2, f"seed {s}: {out.landings()}"
    assert out.reader_failures() == [], f"seed {s}"
    assert final_failures(out.final) == [], f"seed {s}"
    assert out.final["reingest_unchanged"] == 48


@pytest.mark.parametrize("s", REPLACE_SEEDS)
def test_sigkill_mid_replace_keeps_the_old_version_whole_and_the_rerun_leaves_only_the_new(tmp_path, s):
    print(f"seed {s}")
    out = kill_loop(corpus(40), tmp_path, "hash", trials=5, seed=s, mode="progress", replace=True,
                    min_mid_write=2, max_trials=12, questions=4)
    print_outcome(out)
    assert sum(t.killed for t in out.trials) >= 5, f"seed {s}"
    assert out.landings().get("mid-write", 0) >= 2, f"seed {s}: {out.landings()}"
    mixed = [t for t in out.trials if 0 < t.inspection["current_records"] < 40]
    assert mixed, f"seed {s}: no kill left old and new versions side by side"
    assert out.reader_failures() == [], f"seed {s}"  # no record ever pointed at missing vectors
    assert final_failures(out.final) == [], f"seed {s}"  # only v2 chunks and sentences remain


def test_a_kill_with_the_real_model_is_settled_too(tmp_path):
    s = 11
    out = kill_loop(corpus(16), tmp_path, "minilm", trials=1, seed=s, mode="progress", min_mid_write=1,
                    max_trials=4, questions=3)
    print_outcome(out)
    assert all(t.killed for t in out.trials), f"seed {s}"
    assert out.reader_failures() == [] and final_failures(out.final) == [], f"seed {s}"


# Every Chroma write of one article replacement, in order; the child dies right after the chosen one.
STEPS = [("upsert", "-writes"), ("upsert", "-chunks"), ("upsert", "-sentences"), ("upsert", "-articles"),
         ("delete", "-chunks"), ("delete", "-sentences")]


def crash(index, corpus_file, method: str, suffix: str, *port: int) -> None:
    run = subprocess.run([sys.executable, "-m", "tests.crash_writer", str(index), str(corpus_file), method, suffix,
                          *map(str, port)], cwd=REPO, env=child_env(), capture_output=True, text=True)
    assert run.returncode == -signal.SIGKILL, run.stderr[-2000:]


@pytest.mark.parametrize(("method", "suffix"), STEPS, ids=[f"{m}{s}" for m, s in STEPS])
def test_replace_killed_after_each_write_step(tmp_path, method, suffix):
    articles = corpus(4)
    v1 = write_corpus(articles, tmp_path / "v1.jsonl")
    v2 = write_corpus([*changed(articles[:1]), *articles[1:]], tmp_path / "v2.jsonl")
    index = tmp_path / "index"
    run_ingest(v1, index, "hash")
    crash(index, v2, method, suffix)

    seen = inspect(index, [v1, v2], "hash", questions=4, seed=1)
    switched = STEPS.index((method, suffix)) >= STEPS.index(("upsert", "-articles"))
    assert seen["pending"] == 1  # the journal names the article
    assert seen["current_records"] == (4 if switched else 3)  # the record switches at one write, no earlier
    assert seen["incomplete_records"] == [] and not seen["self_retrieval_missed"]  # readers see a whole version
    assert seen["citations"] and not seen["bad_citations"] and not seen["ask_errors"]

    _, report = run_ingest(v2, index, "hash")
    assert len(report["recovered"]) == 1 and report["recovered"][0].startswith(articles[0].id)
    assert report["updated"] == ([] if switched else [articles[0].id])
    final = inspect(index, [v1, v2], "hash", questions=4, seed=1, final=True)
    assert final_failures(final) == []


def test_an_interrupted_first_write_is_settled_by_any_later_ingest_or_check_repair(tmp_path):
    articles = corpus(4)
    three = write_corpus(articles[:3], tmp_path / "three.jsonl")
    four = write_corpus(articles, tmp_path / "four.jsonl")
    index = tmp_path / "index"
    store_args = ["--index", str(index), "--embedder", "hash"]
    run_ingest(three, index, "hash")
    crash(index, four, "upsert", "-sentences")  # the new article's vectors are in, its record never came
    seen = inspect(index, [four], "hash", questions=2, seed=1)
    assert seen["stray_vectors"] > 0 and seen["current_records"] == 3 and seen["pending"] == 1
    check = subprocess.run([*CLI, "check", *store_args], cwd=REPO, env=child_env(), capture_output=True, text=True)
    assert check.returncode == 1 and f"{articles[3].id}: write interrupted" in check.stdout

    # an ingest that does not even contain that article settles it
    _, report = run_ingest(three, index, "hash")
    assert len(report["unchanged"]) == 3 and len(report["recovered"]) == 1
    assert report["recovered"][0].startswith(articles[3].id)
    assert final_failures(inspect(index, [three], "hash", questions=2, seed=1, final=True)) == []

    crash(index, four, "upsert", "-chunks")
    repair = subprocess.run([*CLI, "check", "--repair", *store_args], cwd=REPO, env=child_env(),
                            capture_output=True, text=True)
    assert repair.returncode == 0 and f"repaired: {articles[3].id}: interrupted write" in repair.stdout
    again = subprocess.run([*CLI, "check", *store_args], cwd=REPO, env=child_env(), capture_output=True, text=True)
    assert again.returncode == 0 and "0 problem(s)" in again.stdout
    assert final_failures(inspect(index, [three], "hash", questions=2, seed=1, final=True)) == []


def test_a_second_writer_is_refused_while_the_first_lives_and_not_after_it_is_killed(tmp_path):
    index = tmp_path / "index"
    data = write_corpus(corpus(2), tmp_path / "two.jsonl")
    holder = subprocess.Popen([sys.executable, "-m", "tests.crash_writer", "--hold-lock", str(index)], cwd=REPO,
                              env=child_env(), stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        refused = subprocess.run([*CLI, "ingest", str(data), "--index", str(index), "--embedder", "hash"],
                                 cwd=REPO, env=child_env(), capture_output=True, text=True)
        assert refused.returncode == 2
        assert f"pid {holder.pid}" in refused.stderr and "is writing" in refused.stderr
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
    _, report = run_ingest(data, index, "hash")
    assert len(report["added"]) == 2


def test_a_write_that_fails_halfway_leaves_the_old_version_and_no_journal(tmp_path):
    """In-process failure (Chroma refuses sentence vectors of the wrong width after the chunks went in)."""
    config = Config.from_env(env={}, index_dir=tmp_path / "index", embedder="hash")
    article = corpus(1)[0]
    ingestor = Ingestor(config, store=ChromaStore(config), embedder=HashEmbedder())
    ingestor.ingest_articles([article])
    before = ingestor.store.get_article(article.id)

    new = changed([article])[0]
    p = prepare(new, config)
    vectors = HashEmbedder().embed([c.text for c in p.chunks])
    with pytest.raises(Exception):  # noqa: B017 - whatever Chroma raises, the store must stay consistent
        ingestor.store.write_articles([ArticleWrite(new, p.sentences, p.chunks, vectors,
                                                    np.ones((len(p.sentences), 3), np.float32))])
    assert ingestor.store.pending_writes() == {}
    assert ingestor.store.get_article(article.id) == before
    assert ingestor.store.check() == []


def test_on_a_chroma_server_a_fresh_interrupted_write_is_left_to_its_writer_and_a_rewrite_settles_it(
        tmp_path, chroma_server):
    """No lock across machines: a young journal entry may be a live writer, so opening does not settle it; writing
    the same article again (same vector ids) does, and the count check tells about the strays meanwhile."""
    host, port, _ = chroma_server
    config = Config.from_env(env={}, index_dir=tmp_path / "unused", embedder="hash", chroma_host=host,
                             chroma_port=port)
    articles = corpus(3)
    v1 = write_corpus(articles, tmp_path / "v1.jsonl")
    v2 = write_corpus([*changed(articles[:1]), *articles[1:]], tmp_path / "v2.jsonl")
    ingestor = Ingestor(config, store=ChromaStore(config), embedder=HashEmbedder())
    ingestor.ingest_paths([v1])
    crash(tmp_path / "unused", v2, "upsert", "-sentences", port)

    assert list(ingestor.store.pending_writes()) == [articles[0].id]
    assert ingestor.store.get_article(articles[0].id).content_hash == articles[0].content_hash  # v1 still whole
    report = ingestor.ingest_paths([v2])
    assert report.updated == [articles[0].id]
    assert len(report.recovered) == 1 and "check --repair" in report.recovered[0]  # reported, not settled
    assert ingestor.store.pending_writes() == {} and ingestor.store.check() == []


def test_chroma_files_torn_by_a_kill_are_reported_by_check_and_rebuilt_by_the_next_ingest(tmp_path):
    """Chroma 1.5.9 rewrites a collection's HNSW id map (index_metadata.pickle) in place, truncating it first;
    a SIGKILL in between (seen for real with benchmarks/kill_ingest.py --kill-mode flush) leaves it empty and
    every read of that collection fails. Here the file is emptied by hand to get that state every time."""
    articles = corpus(30)
    data = write_corpus(articles, tmp_path / "thirty.jsonl")
    index = tmp_path / "index"
    store_args = ["--index", str(index), "--embedder", "hash"]
    run_ingest(data, index, "hash")
    maps = sorted(index.glob("*/index_metadata.pickle"), key=lambda f: f.stat().st_size)
    assert maps, "no collection saved its HNSW files (fewer than 1,000 vectors?)"
    maps[-1].write_bytes(b"")  # the largest: the sentence vectors

    # the lexical index keeps a copy of every sentence vector: answers stand, exact, while Chroma's is torn
    ask = subprocess.run([*CLI, "ask", "What happened?", "--json", *store_args], cwd=REPO, env=child_env(),
                         capture_output=True, text=True)
    assert ask.returncode == 0, ask.stderr[-2000:]
    texts = {a.id: a.text for a in articles}
    cited = json.loads(ask.stdout)["citations"]
    assert cited and all(texts[c["article_id"]][c["char_start"] : c["char_end"]] == c["text"] for c in cited)
    check = subprocess.run([*CLI, "check", *store_args], cwd=REPO, env=child_env(), capture_output=True, text=True)
    assert check.returncode == 1 and "news-sentences: its vector files were torn" in check.stdout

    _, report = run_ingest(data, index, "hash")  # no --repair needed: the next ingest rebuilds
    assert "news-sentences" in report["recovered"][0] and sorted(report["updated"]) == sorted(a.id for a in articles)
    final = inspect(index, [data], "hash", questions=4, seed=1, final=True)
    assert final_failures(final) == []


@pytest.mark.parametrize(("method", "suffix"), [("update", "-articles"), ("upsert", "-articles")],
                         ids=["after-marking-records", "after-first-re-embedded-article"])
def test_a_kill_while_lost_vectors_are_embedded_again_leaves_no_record_pointing_at_missing_vectors(
        tmp_path, method, suffix):
    """Torn files are rebuilt empty and every article is embedded again from its stored text; a kill during
    that (seen for real: the kill loop's trial after two torn saves) must not leave records that promise
    vectors the collections lack. Records say their vectors are pending; readers, check() and the next
    ingest all read that."""
    articles = corpus(30)
    data = write_corpus(articles, tmp_path / "thirty.jsonl")
    index = tmp_path / "index"
    run_ingest(data, index, "hash")
    maps = sorted(index.glob("*/index_metadata.pickle"), key=lambda f: f.stat().st_size)
    maps[-1].write_bytes(b"")

    crash(index, data, method, suffix)
    seen = inspect(index, [data], "hash", questions=4, seed=1)
    if method == "update":  # records marked, the torn collection not yet dropped: no article can be searched
        said = seen["damage_error"].removeprefix("none: the question was answered: ")
        assert said.startswith("(Not searched: none of the 30 stored articles could be searched")
        assert "assistant check --repair" in said and "don't say" not in said
    else:
        # killed after the first group of re-embedded articles got its records (the Ingestor writes articles in
        # groups that share their Chroma calls): those are whole again, the rest still say pending
        pending = len(seen["vectors_pending"])
        assert seen["articles"] == 30 and 0 < pending < 30
        assert seen["incomplete_records"] == [] and not seen["bad_citations"] and not seen["ask_errors"]
        check = subprocess.run([*CLI, "check", "--index", str(index), "--embedder", "hash"], cwd=REPO,
                               env=child_env(), capture_output=True, text=True)
        assert check.returncode == 1 and check.stdout.count("not searchable until embedded again") == pending
        listed = subprocess.run([*CLI, "list", "--json", "--index", str(index), "--embedder", "hash"], cwd=REPO,
                                env=child_env(), capture_output=True, text=True)
        assert sum(not row["searchable"] for row in json.loads(listed.stdout)) == pending
        ask = subprocess.run([*CLI, "ask", "What happened?", "--index", str(index), "--embedder", "hash"], cwd=REPO,
                             env=child_env(), capture_output=True, text=True)
        assert ask.returncode == 0 and f"{pending} of the 30 stored articles could not be searched" in ask.stdout

    _, report = run_ingest(data, index, "hash")
    assert len(report["updated"]) == (30 if method == "update" else pending) and not report["added"]
    final = inspect(index, [data], "hash", questions=4, seed=1, final=True)
    assert final_failures(final) == []


def test_a_new_version_without_url_or_date_does_not_keep_the_old_ones(tmp_path):
    """Chroma's upsert merges metadata into the stored record: fields the new version lacks must be removed."""
    from index.loaders.lead import LEAD_MARK
    from index.store import ChromaStore

    old = corpus(1)[0]
    assert old.url or old.published_at or old.title
    new = replace(old, text=old.text + " An update.", url=None, published_at=None, title=None)
    index = tmp_path / "index"
    run_ingest(write_corpus([old], tmp_path / "v1.jsonl"), index, "hash")
    run_ingest(write_corpus([new], tmp_path / "v2.jsonl"), index, "hash")
    stored = ChromaStore(Config.from_env(env={}, index_dir=index, embedder="hash")).get_article(old.id).article
    assert (stored.text, stored.url, stored.published_at) == (new.text, None, None)
    # an untitled version is labelled by its opening words (issue 25), never by the old version's headline
    assert stored.title != old.title and stored.title.endswith(LEAD_MARK), stored.title


def test_a_full_repair_that_finds_vectors_it_cannot_read_embeds_every_article_again(tmp_path):
    """Damage only a full read finds (the probe reads the last vectors; a torn save can spoil others) is rebuilt by
    `check --repair`, which then embeds every article again. Which vectors are unreadable is decided here by a
    stand-in for that scan; the rebuild, the pending marks and the re-embedding are the real ones."""
    articles = corpus(6)
    config = Config.from_env(env={}, index_dir=tmp_path / "index", embedder="hash")
    ingestor = Ingestor(config, store=ChromaStore(config), embedder=HashEmbedder())
    ingestor.ingest_articles(articles)
    store = ingestor.store
    real = store.unreadable_vectors
    calls = []

    def first_scan_finds_sentences_torn(*args, **kwargs):
        calls.append(1)
        return {**real(*args, **kwargs), "sentences": 7} if len(calls) == 1 else real(*args, **kwargs)

    store.unreadable_vectors = first_scan_finds_sentences_torn
    report = ingestor.repair()
    assert "news-sentences: Chroma could not read its vector files" in report.recovered[0]
    assert sorted(report.updated) == sorted(a.id for a in articles) and not report.failed
    assert not any(s.vectors_pending for s in store.iter_articles()) and store.check() == []
    assert store.count()["sentences"] == sum(len(prepare(a, config).sentences) for a in articles)

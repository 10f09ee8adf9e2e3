"""20 clients asking over real HTTP while articles are ingested: no errors, exact citations, new articles answered."""

from __future__ import annotations

import pytest

from benchmarks.common import print_table
from benchmarks.concurrent_ask import Report, multihop_corpus, run_scenario

CLIENTS = 20
SETTLE = 4.0  # seconds of asking before the ingest starts and after it ends
INITIAL, INCOMING, UPDATES = 20, 16, 4


@pytest.fixture(scope="module")
def corpus(shared_dir):
    return multihop_corpus(shared_dir, INITIAL, INCOMING, UPDATES)


@pytest.mark.parametrize("mode", ["server", "local"])
def test_twenty_clients_ask_while_articles_are_ingested(mode, corpus, tmp_path):
    """server: `chroma run` + `assistant serve` + a separate `assistant ingest` (and `assistant delete`) process;
    local: a local index and the ingest through the server's own upload tab. Every answer is 200, every citation is an exact slice
    of (a version of) its article, and afterwards the new and the updated articles are answered."""
    report = run_scenario(mode, tmp_path, corpus, CLIENTS, SETTLE, "hash")
    print_table(report.rows(), Report.HEADERS)
    assert report.ingest_status == 0, report.ingest_output
    assert f"updated {UPDATES}" in report.ingest_output.lower() and "failed 0" in report.ingest_output.lower()
    assert report.articles == {"before": INITIAL, "after": INITIAL + INCOMING - report.deleted}
    assert report.deleted == (2 if mode == "server" else 0) and report.still_cited == []
    assert [s.problem for s in report.errors][:5] == []
    assert report.violations[:5] == []
    during = [s for s in report.samples if s.phase == "ingest"]
    assert len(during) >= CLIENTS and sum(s.citations for s in during) > 0  # the identity check had work to do
    assert report.unanswered == []
    assert len(corpus.probes) > UPDATES  # probes for updated and for incoming articles


def test_an_article_another_process_replaces_is_answered_in_its_new_version(chroma_server, tmp_path):
    """A separate `assistant ingest` replaces an article with one of the same size (same numbers of chunks and
    sentences): the running assistant answers from the new version (it used to skip the article as stale)."""
    import time

    from assistant.core import Assistant
    from benchmarks.concurrent_ask import run_ingest
    from common.config import Config
    from index.store import ChromaStore

    host, port, _ = chroma_server
    env = {"ASSISTANT_CHROMA_HOST": host, "ASSISTANT_CHROMA_PORT": str(port), "ASSISTANT_EMBEDDER": "hash"}
    path = tmp_path / "in" / "quarry.txt"
    path.parent.mkdir()
    question = "How many people did the Dunmarrow quarry employ?"
    path.write_text("The quarry in Dunmarrow closed on Monday. It employed 40 people.", encoding="utf-8")
    assert run_ingest([path], env).returncode == 0
    config = Config.from_env(env=env, index_dir=tmp_path / "unused")
    assistant = Assistant(config, store=ChromaStore(config))
    assert assistant.ask(question).short_answer == "40"
    counts = assistant.store.count()
    path.write_text("The quarry in Dunmarrow closed on Friday. It employed 55 people.", encoding="utf-8")
    done = run_ingest([path], env)
    assert done.returncode == 0 and "updated 1" in done.stdout
    assert assistant.store.count() == counts
    deadline = time.monotonic() + 30  # another process's writes show within a second or so
    answer = assistant.ask(question)
    while answer.short_answer != "55" and time.monotonic() < deadline:
        time.sleep(0.5)
        answer = assistant.ask(question)
    assert answer.short_answer == "55"
    c = answer.citations[0]
    assert assistant.store.get_article("quarry").article.text[c.char_start : c.char_end] == c.text

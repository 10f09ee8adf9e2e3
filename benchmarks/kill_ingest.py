"""Crash-safety benchmark: SIGKILL `assistant ingest` at random moments, re-run it, then verify the index.

Run: .venv/bin/python benchmarks/kill_ingest.py [--corpus PATH] [--limit N] [--trials N] [--embedder minilm|hash]
     [--seed S] [--kill-mode mixed|progress|time] [--kill-window MIN:MAX] [--kill-articles K] [--replace]
     [--questions N] [--index DIR]

Each trial starts `python -m assistant ingest CORPUS --index DIR` (stderr on a pseudo-terminal, so it draws its
progress bar) and kills it (SIGKILL, whole process group): "progress", once the bar shows k articles stored (k
random up to the trial's share of what is left, or --kill-articles; then up to 0.3 s more); "time", after a random
delay (uniform over twice the trial's share of a measured clean run, or in --kill-window); "flush", as soon as
Chroma is seen rewriting an HNSW id map in place (then at once or up to 5 ms later: a kill then can tear Chroma's
files, which the next ingest must rebuild); "mixed" takes the three in turn. After every kill a fresh process inspects the index as a restarted reader would: journal, check(), records
whose vectors are incomplete, chunks the vector index cannot find by their own vector, questions whose citations
must be exact. Then one complete run, and the final verification: every corpus article stored once with its
content hash, chunk and sentence vectors per article exactly those a clean prepare() gives, no other vector,
check() empty, every sampled chunk found by its own vector, citations exact. --replace first ingests the corpus,
then kills ingests of changed texts (v2) and verifies that only v2 remains.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import REPO, print_table  # noqa: E402
from common.offline import configure_environment  # noqa: E402

EMPTY_AUDIT = {"articles": 0, "chunks": 0, "sentences": 0, "pending": 0, "unreadable_vectors": 0, "check_problems": [],
               "unknown_records": [], "unknown_hash_records": [], "current_records": 0, "stray_vectors": 0,
               "odd_vector_ids": [], "incomplete_records": [], "vectors_pending": [], "wrong_vectors": [], "self_retrieval_checked": 0,
               "self_retrieval_missed": [], "asked": 0, "ask_errors": [], "citations": 0, "bad_citations": [],
               "missing_or_wrong": [], "extra_records": [], "damaged": [], "lexical_stale": []}
SELF_K = 10  # a chunk looked up by its own vector is first sought among this many nearest
SAMPLE_CHUNKS = 200  # chunks looked up by their own vector after every kill (HNSW has them all)


@dataclass(frozen=True)
class Trial:
    number: int
    trigger: str  # "after k articles" or "at t s"
    killed: bool  # False: the ingest had already finished
    seconds: float  # how long it ran
    inspection: dict
    kind: str  # progress (after k articles), time (after a delay), flush (as Chroma saves an HNSW file)

    @property
    def landing(self) -> str:
        """Where the kill landed: mid-write (an article's write journalled or left vectors), between articles,
        before the first write, or after the run had finished."""
        if not self.killed:
            return "after completion"
        i = self.inspection
        if i.get("damaged"):
            return "tore Chroma's files"
        if i["pending"] or i["stray_vectors"] or i["incomplete_records"]:
            return "mid-write"
        return "between articles" if i["current_records"] > i["current_before"] else "before first write"


KILL_KINDS = ("progress", "time", "flush")


# -- corpus ------------------------------------------------------------------------------------------------
def write_corpus(articles, path: Path) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for a in articles:
            fh.write(json.dumps({"id": a.id, "title": a.title, "source": a.source, "published_at": a.published_at_iso,
                                 "url": a.url, "text": a.text}, ensure_ascii=False) + "\n")
    return path


def changed(articles):
    """v2 of every article: a new first sentence and the first third cut, so chunk counts and texts change."""
    from dataclasses import replace

    return [replace(a, text=f"Update {n}: this report was revised. " + a.text[len(a.text) // 3 :].lstrip())
            for n, a in enumerate(articles)]


def load(path: Path):
    from index.loaders import load_paths

    loaded = load_paths([path])
    if loaded.failures:
        sys.exit(f"corpus {path} has bad input: {loaded.failures[0]}")
    return list(loaded.articles)


# -- processes -------------------------------------------------------------------------------------------
def child_env() -> dict[str, str]:
    """The environment without ASSISTANT_* settings, so the CLI and the inspector use the same defaults."""
    return {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}


def ingest_command(corpus: Path, index_dir: Path, embedder: str) -> list[str]:
    return [sys.executable, "-m", "assistant", "ingest", str(corpus), "--index", str(index_dir),
            "--embedder", embedder, "--no-progress", "--json"]


def run_ingest(corpus: Path, index_dir: Path, embedder: str) -> tuple[float, dict]:
    """A complete ingest; (seconds, its JSON report)."""
    t = time.perf_counter()
    run = subprocess.run(ingest_command(corpus, index_dir, embedder), cwd=REPO, env=child_env(),
                         capture_output=True, text=True)
    seconds = time.perf_counter() - t
    if run.returncode != 0:
        raise RuntimeError(f"ingest failed ({run.returncode}): {run.stderr[-2000:]}{run.stdout[-2000:]}")
    return seconds, json.loads(run.stdout)


def id_map_sizes(index_dir: Path) -> dict[str, int]:
    """Sizes of Chroma's per-segment id maps (index_metadata.pickle), which it rewrites in place (truncate, then
    write) each time it saves a collection's HNSW files: a file seen shrinking is being rewritten right now."""
    out = {}
    for f in index_dir.glob("*/index_metadata.pickle"):
        try:
            out[str(f)] = f.stat().st_size
        except FileNotFoundError:
            continue
    return out


def kill_during(corpus: Path, index_dir: Path, embedder: str, after_articles: int | None = None,
                after_seconds: float | None = None, on_flush: bool = False,
                extra: float = 0.0) -> tuple[bool, float, int]:
    """Start an ingest and SIGKILL its process group once its progress bar shows `after_articles` stored, or
    once Chroma is seen rewriting an HNSW id map (`on_flush`), then `extra` s later; or after `after_seconds`.
    Returns (killed, seconds it ran, articles it had reported)."""
    import fcntl
    import re
    import select
    import struct
    import termios

    cmd = [c for c in ingest_command(corpus, index_dir, embedder) if c != "--no-progress"]
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 160, 0, 0))  # tqdm needs a width
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, env=child_env(), stdout=subprocess.DEVNULL, stderr=slave,
                            start_new_session=True)
    os.close(slave)
    seen, tail = 0, b""
    sizes = id_map_sizes(index_dir) if on_flush else {}
    try:
        while proc.poll() is None:
            now = time.perf_counter() - t
            if after_seconds is not None and now >= after_seconds:
                break
            if after_articles is not None and seen >= after_articles:
                time.sleep(extra)
                break
            if on_flush:
                new = id_map_sizes(index_dir)
                if any(size < sizes.get(f, 0) for f, size in new.items()):
                    time.sleep(extra)
                    break
                sizes = new
            ready, _, _ = select.select([master], [], [], 0.0005 if on_flush else 0.02)
            if ready:
                try:
                    tail = (tail + os.read(master, 65536))[-4096:]
                except OSError:  # the child closed the terminal: it is ending
                    proc.wait()
                    break
                counts = re.findall(rb"(\d+)/(\d+) \[", tail)
                if counts:
                    seen = int(counts[-1][0])
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return True, time.perf_counter() - t, seen
        return False, time.perf_counter() - t, seen
    finally:
        os.close(master)


def inspect(index_dir: Path, corpora: list[Path], embedder: str, questions: int, seed: int,
            final: bool = False) -> dict:
    """Inspect the index in a fresh process (as a restarted server would see it)."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--inspect", str(index_dir), "--embedder", embedder,
           "--questions", str(questions), "--seed", str(seed), *(["--final"] if final else [])]
    for c in corpora:
        cmd += ["--corpus", str(c)]
    run = subprocess.run(cmd, cwd=REPO, env=child_env(), capture_output=True, text=True)
    if run.returncode != 0:
        return {"error": f"inspection failed ({run.returncode}): {run.stderr[-3000:]}"}
    return json.loads(run.stdout)


# -- the inspection itself (runs in its own process) ----------------------------------------------------------
def audit(index_dir: Path, corpora: list[Path], embedder_name: str, questions: int, seed: int, final: bool) -> dict:
    """What a reader of the index sees. `corpora`: every version that may be stored, the last one is current."""
    from assistant.core import Assistant
    from common.config import Config
    from common.errors import AssistantError
    from index.embedders import make_embedder
    from index.pipeline import prepare
    from index.store import ChromaStore, vector_prefix

    config = Config.from_env(env={}, index_dir=index_dir, embedder=embedder_name)
    versions: dict[str, dict[str, object]] = {}  # article id -> content hash -> Article
    for path in corpora:
        for a in load(path):
            versions.setdefault(a.id, {})[a.content_hash] = a
    current = {a.id: a for a in load(corpora[-1])}
    started = time.perf_counter()
    store = ChromaStore(config)
    out: dict = {"open_seconds": round(time.perf_counter() - started, 2)}
    out["damaged"] = store.damaged_collections()
    if out["damaged"]:  # Chroma's own files torn: all a reader can get is an error naming the repair
        try:  # ... unless only the sentence vectors were torn: the lexical index holds a copy of them
            answer = Assistant(config, store=store, embedder=make_embedder(config)).ask("What happened?")
            out["damage_error"] = f"none: the question was answered: {answer.text}"
            out["damage_answer_exact"] = bool(answer.citations) and all(
                any(v.text[c.char_start : c.char_end] == c.text for v in versions.get(c.article_id, {}).values())
                for c in answer.citations)
        except AssistantError as exc:
            out["damage_error"] = str(exc)
        return {**EMPTY_AUDIT, **out}
    out.update(store.count())
    journalled = store.pending_writes()
    out["pending"] = len(journalled)
    # the lexical index, as the killed writer left it (before any reader catches it up): every article whose
    # write is not journalled must be in it exactly as its record says (ids and texts of its chunks)
    out["lexical_stale"] = lexical_stale(store, set(journalled))
    out["unreadable_vectors"] = sum(store.unreadable_vectors().values())  # torn HNSW files
    out["check_problems"] = store.check()
    records = {s.article.id: s for s in store.iter_articles()}
    out["unknown_records"] = sorted(set(records) - set(versions))
    out["unknown_hash_records"] = sorted(aid for aid, s in records.items()
                                         if s.content_hash not in versions.get(aid, {}))
    out["current_records"] = sum(1 for aid, s in records.items()
                                 if aid in current and s.content_hash == current[aid].content_hash)
    # vectors that readers would use: those whose hash is their record's
    counted: dict[str, dict[str, int]] = {"chunks": {}, "sentences": {}}
    texts: dict[str, set] = {"chunks": set(), "sentences": set()}
    stray = 0
    odd_ids = []
    for kind, letter, index in (("chunks", "c", "chunk_index"), ("sentences", "s", "sentence_index")):
        for vid, text, meta in store.iter_vectors(kind):
            aid = meta.get("article_id")
            rec = records.get(aid)
            if rec is None or rec.content_hash != meta.get("content_hash"):
                stray += 1
                continue
            if rec.vectors_pending:
                continue  # being embedded again: readers leave the article out until its record says done
            counted[kind][aid] = counted[kind].get(aid, 0) + 1
            texts[kind].add((aid, text if kind == "chunks" else meta.get(index)))  # sentences: stored without text
            if vid != f"{vector_prefix(aid, rec.content_hash)}::{letter}{meta.get(index)}":
                odd_ids.append(vid)
    out["stray_vectors"] = stray
    out["odd_vector_ids"] = odd_ids[:20]
    # a record must have all its vectors, or say that they were lost (then readers leave it out)
    out["incomplete_records"] = sorted(
        aid for aid, s in records.items() if not s.vectors_pending
        and (counted["chunks"].get(aid, 0), counted["sentences"].get(aid, 0)) != (s.n_chunks, len(s.sentence_spans))
    )
    out["vectors_pending"] = sorted(aid for aid, s in records.items() if s.vectors_pending)
    if final:
        wrong = []
        for aid, article in current.items():
            rec = records.get(aid)
            if rec is None or rec.content_hash != article.content_hash:
                wrong.append(f"{aid}: missing or other version")
                continue
            p = prepare(article, config)
            want_chunks = {(aid, c.text) for c in p.chunks}
            want_sents = {(aid, s.index) for s in p.sentences}
            got_chunks = {t for t in texts["chunks"] if t[0] == aid}
            got_sents = {t for t in texts["sentences"] if t[0] == aid}
            if (counted["chunks"].get(aid, 0), counted["sentences"].get(aid, 0)) != (len(p.chunks), len(p.sentences)) \
                    or got_chunks != want_chunks or got_sents != want_sents \
                    or [(s.char_start, s.char_end) for s in p.sentences] != [tuple(x) for x in rec.sentence_spans]:
                wrong.append(f"{aid}: vectors or sentence offsets differ from a clean prepare()")
        out["missing_or_wrong"] = wrong
        out["extra_records"] = sorted(set(records) - set(current))
    embedder = make_embedder(config)
    rng = random.Random(seed)
    # Chroma's own files (vectors live only in its HNSW files): a sample of the chunks a reader may use must
    # hold the vector of their text under their id, and be found by a search with it. HNSW search is
    # approximate (a clean index misses about 0.2 % in its 10 nearest with the hash embedder, more among
    # deleted entries), so a chunk missed there is searched for again among as many as there are visible
    # chunks: only one absent from the graph is missed by both.
    def found(cid: str, v, k: int) -> bool:
        return cid in {c for c, _ in store.query_chunk_ids(v, k)}

    visible = [(cid, text) for cid, text, meta in store.iter_chunks()
               if (rec := records.get(meta.get("article_id"))) is not None and not rec.vectors_pending
               and rec.content_hash == meta.get("content_hash")]
    sample = rng.sample(visible, min(SAMPLE_CHUNKS, len(visible)))
    vecs = embedder.embed([t for _, t in sample]) if sample else []
    stored = store.vectors("chunks", [cid for cid, _ in sample])
    out["wrong_vectors"] = [cid for (cid, _), v in zip(sample, vecs)
                            if cid not in stored or float(stored[cid] @ v) < 0.999]
    out["self_retrieval_checked"] = len(sample)
    out["self_retrieval_missed"] = [cid for (cid, _), v in zip(sample, vecs)
                                    if not found(cid, v, SELF_K) and not found(cid, v, max(SELF_K, len(visible)))]
    # questions: titles and first sentences of random current articles; every citation and related sentence
    # must be the exact text of the stored article, which must be one of the known versions
    assistant = Assistant(config, store=store, embedder=embedder)
    picks = rng.sample(sorted(current), min(questions, len(current)))
    asked = cited = 0
    bad: list[str] = []
    errors: list[str] = []
    for n, aid in enumerate(picks):
        a = current[aid]
        question = a.title if (n % 2 == 0 and a.title) else a.text.split(". ")[0][:200]
        try:
            answer = assistant.ask(question)
        except Exception as exc:  # noqa: BLE001 - counted and reported, not hidden
            errors.append(f"{type(exc).__name__}: {exc}")
            continue
        asked += 1
        for c in (*answer.citations, *answer.related):
            cited += 1
            stored = records.get(c.article_id)
            known = versions.get(c.article_id, {})
            if stored is None or stored.content_hash not in known or stored.vectors_pending \
                    or stored.article.text[c.char_start : c.char_end] != c.text \
                    or known[stored.content_hash].text[c.char_start : c.char_end] != c.text \
                    or (final and current[c.article_id].text[c.char_start : c.char_end] != c.text):
                bad.append(f"{c.article_id}[{c.char_start}:{c.char_end}]")
    out.update(asked=asked, ask_errors=errors, citations=cited, bad_citations=bad)
    return out


def lexical_stale(store, journalled: set[str]) -> list[str]:
    """Articles not in the journal whose chunks in the lexical index are not exactly those of their record's
    version (ids, content hash), or that it holds without a record of that version."""
    view = store.lexical.view()
    records, pending = store.searchable_hashes()
    want: dict[str, set[str]] = {}
    for cid, _text, meta in store.iter_chunks():
        aid = meta.get("article_id")
        if records.get(aid) == meta.get("content_hash"):
            want.setdefault(aid, set()).add(cid)
    held = view.article_hashes()
    # an article whose vectors were lost (a torn collection rebuilt) may stay in the lexical index until it is
    # embedded again: answers skip it (assistant/candidates.py), the writer then replaces its entry
    out = [f"{aid}: in the lexical index without a searchable record" for aid in held
           if aid not in records and aid not in journalled and pending.get(aid) != held[aid]]
    for aid, chunk_ids in sorted(want.items()):
        if aid in journalled:
            continue
        got = {cid for cid, meta in view.chunks_of(aid).items() if meta.get("content_hash") == records[aid]}
        if got != chunk_ids or len(view.chunks_of(aid)) != len(chunk_ids):
            out.append(f"{aid}: the lexical index holds {len(got)} of its {len(chunk_ids)} chunks")
    return out[:20]


# -- the loop ---------------------------------------------------------------------------------------------
def run_trials(corpus: Path, index_dir: Path, embedder: str, trials: int, rng: random.Random, startup: float,
               clean: float, questions: int, versions: list[Path], total: int, seed: int, mode: str = "mixed",
               window: tuple[float, float] | None = None, max_articles: int | None = None,
               min_mid_write: int = 0, max_trials: int | None = None, log=print) -> tuple[list[Trial], Path]:
    """`trials` kills (more trials, up to `max_trials`, while an ingest finished before its kill or fewer than
    `min_mid_write` kills landed mid-write). When a trial finds the corpus fully stored, the next ones ingest a
    revised version of it (appended to `versions`), so that they still have writes to interrupt. Returns the
    trials and the corpus the last of them ingested."""
    done: list[Trial] = []
    stored = 0  # records of the current version after the last trial
    n = 0
    while n < trials or ((sum(t.killed for t in done) < trials
                          or sum(t.landing == "mid-write" for t in done) < min_mid_write) and n < (max_trials or trials)):
        n += 1
        left = max(total - stored, 1)
        share = max(1, left // max(trials - n + 1, 1))  # leave work for the trials still to come
        # mixed: the three kinds in turn from a seed-chosen start, so that any three trials cover all of them
        how = mode if mode != "mixed" else KILL_KINDS[(seed + n - 1) % len(KILL_KINDS)]
        if how == "flush":
            extra = rng.choice([0.0, rng.uniform(0.0, 0.005)])
            killed, seconds, _ = kill_during(corpus, index_dir, embedder, on_flush=True, extra=extra)
            trigger = f"HNSW save +{extra * 1000:.1f} ms"
        elif how == "progress":
            k = rng.randint(1, max(1, min(share, left - 1, max_articles or left)))
            extra = rng.uniform(0.0, 0.3)
            killed, seconds, _ = kill_during(corpus, index_dir, embedder, after_articles=k, extra=extra)
            trigger = f"after {k} articles +{extra:.2f} s"
        else:
            if window:
                delay = rng.uniform(*window)
            else:  # uniform over (twice) this trial's share of a clean run
                delay = startup + rng.uniform(0.0, 2.0) * max(clean - startup, 0.5) * share / max(total, 1)
            killed, seconds, _ = kill_during(corpus, index_dir, embedder, after_seconds=delay)
            trigger = f"at {delay:.1f} s"
        info = inspect(index_dir, versions, embedder, questions, seed + n)
        info["current_before"] = stored
        trial = Trial(n, trigger, killed, round(seconds, 2), info, how)
        done.append(trial)
        stored = max(stored, info.get("current_records", 0))
        log(f"trial {n}: kill {trigger} → {trial.landing}; {short(info)}")
        if stored >= total:
            corpus = write_corpus(changed(load(corpus)), corpus.with_name(f"corpus-v{len(versions) + 1}.jsonl"))
            versions.append(corpus)
            stored = 0
            log(f"  all {total} articles stored: the next trials ingest a revised version ({corpus.name})")
    return done, corpus


def short(info: dict) -> str:
    if "error" in info:
        return info["error"]
    if info.get("damaged"):
        return f"Chroma cannot read {info['damaged']}; readers are told: {info['damage_error'][:300]}"
    return (f"{info['articles']} records, {info['pending']} journalled, {info['stray_vectors']} stray vectors, "
            f"{info['unreadable_vectors']} unreadable vectors, "
            f"{len(info['incomplete_records'])} incomplete records, {len(info['vectors_pending'])} awaiting "
            f"re-embedding, {len(info['check_problems'])} check problems, "
            f"{len(info['wrong_vectors'])} wrong vectors, {len(info['self_retrieval_missed'])}/"
            f"{info['self_retrieval_checked']} chunks not found by their own vector, {info['asked']} asked, {info['citations']} citations, {len(info['bad_citations'])} bad, "
            f"{len(info['ask_errors'])} errors")


FINAL_MUST_BE_EMPTY = ("damaged", "pending", "unreadable_vectors", "stray_vectors", "incomplete_records",
                       "vectors_pending", "check_problems", "missing_or_wrong",
                       "extra_records", "unknown_records", "wrong_vectors", "odd_vector_ids", "bad_citations",
                       "ask_errors", "lexical_stale")


def final_failures(info: dict) -> list[str]:
    """What the final verification found wrong (empty: all good)."""
    if "error" in info:
        return [info["error"]]
    out = [f"{key}: {info[key]}" for key in FINAL_MUST_BE_EMPTY if info[key]]
    if not info["citations"]:
        out.append("no citation to check")
    return out


@dataclass(frozen=True)
class Outcome:
    trials: list[Trial]
    final_seconds: float
    final_report: dict
    final: dict
    clean_seconds: float
    startup_seconds: float

    @property
    def ok(self) -> bool:
        return not final_failures(self.final) and not self.reader_failures()

    def reader_failures(self) -> list[str]:
        """What readers of the index between a kill and the next run would have got wrong."""
        out = []
        for t in self.trials:
            i = t.inspection
            if "error" in i:
                out.append(f"trial {t.number}: {i['error']}")
                continue
            from_lexical = i["damaged"] == ["sentences"] and i.get("damage_answer_exact")  # exact, not degraded
            if i["damaged"] and "check --repair" not in i["damage_error"] and not from_lexical:
                out.append(f"trial {t.number}: damaged {i['damaged']} but readers were told: {i['damage_error']}")
            for key in ("bad_citations", "ask_errors", "incomplete_records", "unreadable_vectors", "wrong_vectors",
                        "unknown_records", "lexical_stale"):
                if i[key]:
                    out.append(f"trial {t.number}: {key}: {i[key]}")
        return out

    def landings(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for t in self.trials:
            out[t.landing] = out.get(t.landing, 0) + 1
        return out


def kill_loop(articles, work: Path, embedder: str, trials: int, seed: int, mode: str = "mixed", window=None,
              max_articles: int | None = None, replace: bool = False, questions: int = 6,
              index_dir: Path | None = None, min_mid_write: int = 0, max_trials: int | None = None,
              log=print) -> Outcome:
    """The whole experiment in `work` (corpus files, scratch indexes); returns every figure."""
    rng = random.Random(seed)
    v1 = write_corpus(articles, work / "corpus-v1.jsonl")
    versions = [v1]
    target = v1
    if replace:
        target = write_corpus(changed(articles), work / "corpus-v2.jsonl")
        versions = [v1, target]
    index_dir = index_dir or work / "index"
    # measure a clean run (the kill window) and a no-op re-run (process start-up) on a scratch index
    clean = startup = 0.0
    if mode in ("time", "mixed") and window is None:
        scratch = work / "clean-index"
        if replace:
            run_ingest(v1, scratch, embedder)
        clean, _ = run_ingest(target, scratch, embedder)
        startup, _ = run_ingest(target, scratch, embedder)
        log(f"clean run {clean:.1f} s, no-op re-run {startup:.1f} s")
    if replace:
        run_ingest(v1, index_dir, embedder)
    done, target = run_trials(target, index_dir, embedder, trials, rng, startup, clean, questions, versions, len(articles),
                      seed, mode, window, max_articles, min_mid_write, max_trials, log)
    final_seconds, report = run_ingest(target, index_dir, embedder)
    again_seconds, again = run_ingest(target, index_dir, embedder)
    final = inspect(index_dir, versions, embedder, questions, seed, final=True)
    final["reingest_seconds"] = round(again_seconds, 2)
    final["reingest_inprocess_seconds"] = again["seconds"]
    final["reingest_unchanged"] = len(again["unchanged"])
    return Outcome(done, round(final_seconds, 2), report, final, round(clean, 2), round(startup, 2))


def damaged(info: dict) -> str:
    """Vectors that cannot be read back (all checked) + sampled ones that are not their text's vector."""
    return f"{info.get('unreadable_vectors', '-')}+{len(info.get('wrong_vectors', []))}"


def found(info: dict) -> str:
    checked = info.get("self_retrieval_checked", 0)
    return f"{checked - len(info.get('self_retrieval_missed', []))}/{checked}"


def print_outcome(out: Outcome) -> None:
    rows = []
    for t in out.trials:
        i = t.inspection
        if "error" in i:
            rows.append((t.number, t.trigger, t.landing, *["-"] * 9, i["error"][:60]))
            continue
        rows.append((t.number, t.trigger, t.landing, i["articles"], i["pending"], i["stray_vectors"],
                     len(i["incomplete_records"]), len(i["check_problems"]), damaged(i), found(i), i["asked"],
                     f"{i['citations'] - len(i['bad_citations'])}/{i['citations']}", len(i["ask_errors"])))
    f = out.final
    rows.append(("final", "-", "complete run", f.get("articles"), f.get("pending"), f.get("stray_vectors"),
                 len(f.get("incomplete_records", [])), len(f.get("check_problems", [])), damaged(f), found(f),
                 f.get("asked"),
                 f"{f.get('citations', 0) - len(f.get('bad_citations', []))}/{f.get('citations')}",
                 len(f.get("ask_errors", []))))
    print_table(rows, ("trial", "killed", "landed", "records", "journal", "stray vec", "incomplete", "check",
                       "bad vec", "own-vec top10", "asked", "exact cit.", "errors"))
    landed = out.landings()
    kinds = {k: sum(t.kind == k and t.killed for t in out.trials) for k in KILL_KINDS}
    print(f"\nkills: {sum(t.killed for t in out.trials)} of {len(out.trials)} trials ("
          + ", ".join(f"{k} {v}" for k, v in kinds.items()) + "); landed: "
          + ", ".join(f"{k} {v}" for k, v in sorted(landed.items())))
    r = out.final_report
    print(f"final run: {out.final_seconds} s; added {len(r['added'])}, updated {len(r['updated'])}, unchanged "
          f"{len(r['unchanged'])}, failed {len(r['failed'])}; settled on open: {len(r.get('recovered', []))}")
    for line in r.get("recovered", []):
        print(f"  {line}")
    print(f"final index: {f.get('articles')} articles, {f.get('chunks')} chunk and {f.get('sentences')} sentence "
          f"vectors; check(): {len(f.get('check_problems', []))} problems; wrong or missing articles: "
          f"{len(f.get('missing_or_wrong', []))}; chunks found by their own vector: "
          f"{f.get('self_retrieval_checked', 0) - len(f.get('self_retrieval_missed', []))}/"
          f"{f.get('self_retrieval_checked')}; re-ingest: {f.get('reingest_unchanged')} unchanged in "
          f"{f.get('reingest_inprocess_seconds')} s ({f.get('reingest_seconds')} s with process start)")
    for failure in out.reader_failures():
        print(f"  READER CHECK FAILED {failure}"[:400])
    for failure in final_failures(out.final):
        print(f"  FINAL CHECK FAILED {failure}"[:400])
    print(f"VERDICT: {'PASS' if out.ok else 'FAIL'}")


def main() -> None:
    configure_environment()
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", action="append", help="articles (default: ../shared MultiHop-RAG articles.jsonl)")
    ap.add_argument("--limit", type=int, default=None, help="first N articles of the corpus")
    ap.add_argument("--trials", type=int, default=5)
    ap.add_argument("--embedder", default="minilm", help="minilm (default) or hash (fast, no model)")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--kill-mode", choices=["mixed", "progress", "time", "flush"], default="mixed")
    ap.add_argument("--kill-window", default=None, help="MIN:MAX seconds after start for time kills "
                    "(default: within what a measured clean run has left)")
    ap.add_argument("--kill-articles", type=int, default=None, help="progress kills after at most K articles")
    ap.add_argument("--replace", action="store_true", help="ingest the corpus, then kill ingests of changed texts")
    ap.add_argument("--questions", type=int, default=6, help="questions asked after every kill")
    ap.add_argument("--index", default=None, help="index directory to use (default: a temporary one)")
    ap.add_argument("--inspect", default=None, help=argparse.SUPPRESS)  # internal: audit one index, print JSON
    ap.add_argument("--final", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.inspect:
        print(json.dumps(audit(Path(args.inspect), [Path(c) for c in args.corpus], args.embedder, args.questions,
                               args.seed or 0, args.final)))
        return
    from benchmarks.common import shared_dir

    path = Path(args.corpus[0]) if args.corpus else shared_dir() / "data" / "multihop_rag" / "articles.jsonl"
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 30)
    window = tuple(float(x) for x in args.kill_window.split(":")) if args.kill_window else None
    articles = load(path)[: args.limit]
    print(f"seed {seed}; {len(articles)} articles from {path}; embedder {args.embedder}; {args.trials} trials, "
          f"kills by {args.kill_mode}{'; replace mode' if args.replace else ''}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        out = kill_loop(articles, Path(tmp), args.embedder, args.trials, seed, args.kill_mode, window,
                        args.kill_articles, args.replace, args.questions, Path(args.index) if args.index else None,
                        log=lambda m: print(m, flush=True))
        print()
        print_outcome(out)
    sys.exit(0 if out.ok else 1)


if __name__ == "__main__":
    main()

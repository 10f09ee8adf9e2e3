"""Concurrent clients asking over HTTP while articles are ingested: errors, citation identity, p50/p95 latency.

Run: .venv/bin/python benchmarks/concurrent_ask.py [--mode server|local] [--clients 20] [--embedder minilm]
     [--initial 300] [--incoming 300] [--updates 20] [--settle 15]
`server`: `chroma run` + `assistant serve` + a separate `assistant ingest` process; `local`: a local index and
the ingest through the server's own "Add articles" upload. tests/test_concurrency.py runs this same code smaller.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from index.sentences import split_sentences  # noqa: E402

BOARDS = ("Brisvane", "Caldrun", "Dovrelle", "Eskmoor", "Fanwick", "Gellhart", "Harnsby", "Istrova", "Jorvale",
          "Kelmsworth", "Lunhaven", "Marrowby", "Norcaster", "Ottermere", "Pellingford", "Quarnby", "Rusholt",
          "Sandervik", "Tolland", "Umberlee")


@dataclass(frozen=True)
class Probe:
    """A question only one article answers; answered when a citation comes from it (and contains `expect`)."""

    question: str
    article_id: str
    expect: str | None = None


@dataclass(frozen=True)
class Corpus:
    initial: list[dict]  # indexed before the clients start
    incoming: list[dict]  # new articles ingested while they ask
    updates: list[dict]  # new versions of initial articles, ingested while they ask
    probes: list[Probe]  # questions about incoming and updated articles
    questions: list[str]  # what the clients ask (MultiHop dev questions and the probes)
    deleted: list[Probe]  # questions about initial articles deleted while the clients ask (server mode)


def multihop_corpus(shared: Path, n_initial: int, n_incoming: int, n_updates: int, n_probes: int = 5,
                    n_deleted: int = 2) -> Corpus:
    """Initial and incoming articles from MultiHop-RAG, updated versions that add one invented sentence each,
    and probe questions: a unique sentence of an incoming (or a deleted) article asked verbatim, and each added
    sentence."""
    data = shared / "data" / "multihop_rag"
    with (data / "articles.jsonl").open(encoding="utf-8") as fh:
        articles = [json.loads(line) for line in fh if line.strip()]
    initial, incoming = articles[:n_initial], articles[n_initial : n_initial + n_incoming]
    updates, probes = [], []
    for n, a in enumerate(initial[: min(n_updates, len(BOARDS))]):
        objections = 101 + 37 * n
        sentence = f"The {BOARDS[n]} review board counted {objections} objections to the plan."
        updates.append({**a, "text": a["text"].rstrip() + "\n\n" + sentence})
        probes.append(Probe(f"How many objections did the {BOARDS[n]} review board count?", a["id"],
                            f"{objections} objections"))
    seen: dict[str, int] = {}
    for a in articles:
        for s, e in split_sentences(a["text"]):
            seen[a["text"][s:e]] = seen.get(a["text"][s:e], 0) + 1

    def sentence_probes(candidates: list[dict], n: int) -> list[Probe]:
        out = []
        for a in candidates:
            unique = [a["text"][s:e] for s, e in split_sentences(a["text"]) if seen[a["text"][s:e]] == 1]
            unique = [t for t in unique if 12 <= len(t.split()) <= 40 and "\n" not in t]
            if unique and len(out) < n:
                out.append(Probe(max(unique, key=len), a["id"]))
        return out

    probes += sentence_probes(incoming, n_probes)
    deleted = sentence_probes(initial[len(updates):], n_deleted)
    with (data / "qa_dev.jsonl").open(encoding="utf-8") as fh:
        questions = [json.loads(line)["question"] for line in fh if line.strip()][:200]
    return Corpus(initial, incoming, updates, probes, questions + [p.question for p in probes + deleted], deleted)


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    return path


# -- checking answers ---------------------------------------------------------------------------------------
class ArticleVersions:
    """Every version of each article seen through GET /api/articles/{id}. A citation is exact when, in one of
    them, text[char_start:char_end] equals its text and sentence `sentence_index` has exactly those offsets."""

    def __init__(self, url: str):
        self._url = url
        self._lock = threading.Lock()
        self._seen: dict[str, list[dict]] = {}

    def fetch(self, client: httpx.Client, article_id: str) -> dict | None:
        r = client.get(f"{self._url}/api/articles/{article_id}")
        if r.status_code != 200:
            return None
        body = r.json()
        with self._lock:
            versions = self._seen.setdefault(article_id, [])
            if all(v["text"] != body["text"] for v in versions):
                versions.append(body)
        return body

    def seen(self, article_id: str) -> list[dict]:
        """The versions of one article seen so far, oldest first."""
        with self._lock:
            return list(self._seen.get(article_id, ()))

    @property
    def article_ids(self) -> list[str]:
        with self._lock:
            return list(self._seen)

    def fetch_all(self, client: httpx.Client, article_ids: list[str]) -> None:
        for article_id in article_ids:
            if self.fetch(client, article_id) is None:
                raise RuntimeError(f"GET /api/articles/{article_id} failed")

    def problem(self, client: httpx.Client, c: dict) -> str | None:
        """Why citation `c` breaks the offset identity, or None."""
        for attempt in range(2):
            for v in self.seen(c["article_id"]):
                sentences = v["sentences"]
                i = c["sentence_index"]
                if (0 <= i < len(sentences) and v["text"][c["char_start"] : c["char_end"]] == c["text"]
                        and (sentences[i]["char_start"], sentences[i]["char_end"]) == (c["char_start"], c["char_end"])):
                    return None
            if attempt == 0 and self.fetch(client, c["article_id"]) is None:
                return f"{c['article_id']}: cited, but GET /api/articles answers no article"
        return (f"{c['article_id']} sentence {c['sentence_index']} [{c['char_start']}:{c['char_end']}] "
                f"{c['text'][:60]!r} matches no version of the article")


FIELDS = {"answer", "short_answer", "abstained", "citations", "timeline", "statements"}


@dataclass(frozen=True)
class Sample:
    phase: str
    seconds: float
    status: int  # HTTP status; 0 when no response came
    problem: str | None = None  # why the request counts as an error
    violations: tuple[str, ...] = ()  # citations that break the offset identity
    citations: int = 0
    error: str | None = None  # the "error" of a JSON error answer (e.g. store_unavailable)
    started: float = 0.0  # time.perf_counter() when sent

    @property
    def ended(self) -> float:
        return self.started + self.seconds


def ask_once(client: httpx.Client, url: str, question: str, versions: ArticleVersions, phase: str) -> Sample:
    started = time.perf_counter()
    try:
        r = client.post(f"{url}/api/ask", json={"question": question})
    except httpx.HTTPError as exc:
        return Sample(phase, time.perf_counter() - started, 0, f"{type(exc).__name__}: {exc}", started=started)
    seconds = time.perf_counter() - started
    if r.status_code != 200:
        try:
            error = r.json().get("error")
        except ValueError:
            error = None
        return Sample(phase, seconds, r.status_code, f"HTTP {r.status_code}: {r.text[:300]}", error=error,
                      started=started)
    body = r.json()
    if set(body) != FIELDS or not isinstance(body["citations"], list):
        return Sample(phase, seconds, r.status_code, f"unexpected answer shape: {sorted(body)}", started=started)
    bad = tuple(p for p in (versions.problem(client, c) for c in body["citations"]) if p)
    return Sample(phase, seconds, r.status_code, None, bad, len(body["citations"]), started=started)


class Load:
    """`clients` threads, each with its own connection, posting /api/ask in a loop until stop(); every request
    is labelled with the phase current when it was sent."""

    def __init__(self, url: str, questions: list[str], clients: int, versions: ArticleVersions):
        self.url, self.questions, self.clients, self.versions = url, questions, clients, versions
        self.phase = "before"
        self._stop = threading.Event()
        self._samples: list[Sample] = []
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(clients)]

    def _run(self, n: int) -> None:
        with httpx.Client(timeout=120) as client:
            i = n * 7
            while not self._stop.is_set():
                sample = ask_once(client, self.url, self.questions[i % len(self.questions)], self.versions, self.phase)
                with self._lock:
                    self._samples.append(sample)
                i += 1

    def start(self) -> Load:
        for t in self._threads:
            t.start()
        return self

    def stop(self) -> list[Sample]:
        self._stop.set()
        for t in self._threads:
            t.join(timeout=180)
        with self._lock:
            return list(self._samples)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))] if ordered else 0.0


@dataclass
class Report:
    mode: str
    clients: int
    samples: list[Sample]
    durations: dict[str, float]  # seconds per phase
    ingest_output: str = ""
    ingest_status: int = 0
    unanswered: list[Probe] = field(default_factory=list)  # probes not answered from their article after ingest
    still_cited: list[Probe] = field(default_factory=list)  # deleted articles still cited after the ingest
    deleted: int = 0  # articles deleted while the clients asked
    articles: dict[str, int] = field(default_factory=dict)  # /api/health counts before and after

    @property
    def errors(self) -> list[Sample]:
        return [s for s in self.samples if s.problem]

    @property
    def violations(self) -> list[str]:
        return [v for s in self.samples for v in s.violations]

    def rows(self) -> list[tuple]:
        out = []
        for phase in ("before", "ingest", "after", "all"):
            got = [s for s in self.samples if phase in ("all", s.phase)]
            secs = sum(self.durations.values()) if phase == "all" else self.durations.get(phase, 0.0)
            ms = [s.seconds * 1000 for s in got]
            label = {"before": "idle (before)", "ingest": "during ingest", "after": "idle (after)"}.get(phase, "all")
            out.append((self.mode, self.clients, label, f"{secs:.1f}", len(got), sum(1 for s in got if s.problem),
                        sum(len(s.violations) for s in got), sum(s.citations for s in got),
                        f"{statistics.median(ms):.0f}" if ms else "-", f"{percentile(ms, 95):.0f}" if ms else "-",
                        f"{max(ms):.0f}" if ms else "-", f"{len(got) / secs:.1f}" if secs else "-"))
        return out

    HEADERS = ("mode", "clients", "phase", "seconds", "requests", "errors", "identity violations", "citations",
               "p50 ms", "p95 ms", "max ms", "req/s")


# -- running the assistant -------------------------------------------------------------------------------
def assistant_env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    return {**env, **extra}


def run_ingest(paths: list[Path], env: dict[str, str], index_dir: Path | None = None,
               timeout: float = 3600) -> subprocess.CompletedProcess:
    """`assistant ingest PATHS` in its own process."""
    cmd = [sys.executable, "-m", "assistant", "ingest", *map(str, paths), "--no-progress"]
    if index_dir is not None:
        cmd += ["--index", str(index_dir)]
    return subprocess.run(cmd, capture_output=True, text=True, env=assistant_env(env), cwd=REPO, timeout=timeout)


def upload(url: str, paths: list[Path]) -> str:
    """Ingest through the running server's "Add articles" tab (its own process and store), as a browser does."""
    from gradio_client import Client, handle_file

    client = Client(url, verbose=False, download_files=False)
    result = client.predict([handle_file(str(p)) for p in paths], api_name="/on_ingest")
    return str(result[0] if isinstance(result, list | tuple) else result)


def answered(url: str, probe: Probe) -> bool:
    r = httpx.post(f"{url}/api/ask", json={"question": probe.question}, timeout=120)
    return r.status_code == 200 and any(
        c["article_id"] == probe.article_id and (probe.expect is None or probe.expect in c["text"])
        for c in r.json()["citations"])


def health(url: str) -> dict:
    return httpx.get(f"{url}/api/health", timeout=60).json()


def cited(url: str, probe: Probe) -> bool:
    r = httpx.post(f"{url}/api/ask", json={"question": probe.question}, timeout=120)
    r.raise_for_status()
    return any(c["article_id"] == probe.article_id for c in r.json()["citations"])


def wait_until(check: Callable[[Probe], bool], probes: list[Probe], seconds: float) -> list[Probe]:
    """Probes for which check() is still False after `seconds` (rechecked every second)."""
    deadline = time.monotonic() + seconds
    pending = list(probes)
    while pending:
        pending = [p for p in pending if not check(p)]
        if not pending or time.monotonic() > deadline:
            break
        time.sleep(1.0)
    return pending


def run_scenario(mode: str, workdir: Path, corpus: Corpus, clients: int, settle: float, embedder: str,
                 wait: float = 120.0) -> Report:
    """Index `corpus.initial`, start the server and the clients, wait `settle` s, ingest `incoming` and
    `updates` (server mode: a separate `assistant ingest`, then `assistant delete` of `deleted`; local: the
    upload tab), wait `settle` s, stop the clients, then check (for at most `wait` s) that every probe is answered
    from its article and no deleted article is cited any more."""
    from tests.chroma_run import ChromaServer
    from tests.serving import start_server

    workdir.mkdir(parents=True, exist_ok=True)
    initial = write_jsonl(workdir / "initial" / "initial.jsonl", corpus.initial)
    news = [write_jsonl(workdir / "news" / "incoming.jsonl", corpus.incoming),
            write_jsonl(workdir / "news" / "updates.jsonl", corpus.updates)]
    env = {"ASSISTANT_EMBEDDER": embedder}
    chroma = None
    index_dir = workdir / "index"
    server = None
    deleting = corpus.deleted if mode == "server" else []
    try:
        if mode == "server":
            chroma = ChromaServer(workdir / "chroma", workdir / "chroma.log").start()
            env.update(chroma.env())
        done = run_ingest([initial], env, None if mode == "server" else index_dir)
        if done.returncode != 0:
            raise RuntimeError(f"initial ingest failed:\n{done.stdout}\n{done.stderr}")
        # a loopback server without log-in: its chat may upload and delete only when told so (issue 26)
        server = start_server(index_dir, workdir / "server.log", {**env, "ASSISTANT_UI_EDIT_WITHOUT_LOGIN": "1"},
                              timeout=600)
        url = server.url
        versions = ArticleVersions(url)
        with httpx.Client(timeout=60) as c:  # versions before the update or deletion: citations of them stay exact
            versions.fetch_all(c, [a["id"] for a in corpus.updates] + [p.article_id for p in deleting])
        unanswerable = wait_until(lambda p: cited(url, p), deleting, 0)
        if unanswerable:
            raise RuntimeError(f"deletion probes not answered before deleting: {unanswerable}")
        before = health(url)
        load = Load(url, corpus.questions, clients, versions).start()
        t0 = time.perf_counter()
        time.sleep(settle)
        load.phase = "ingest"
        t1 = time.perf_counter()
        if mode == "server":
            done = run_ingest(news, env)
            output, status = done.stdout + done.stderr, done.returncode
            if deleting:
                gone = subprocess.run([sys.executable, "-m", "assistant", "delete", *[p.article_id for p in deleting]],
                                      capture_output=True, text=True, env=assistant_env(env), cwd=REPO, timeout=600)
                output, status = output + gone.stdout + gone.stderr, status or gone.returncode
        else:
            output, status = upload(url, news), 0
        load.phase = "after"
        t2 = time.perf_counter()
        time.sleep(settle)
        samples = load.stop()
        t3 = time.perf_counter()
        unanswered = wait_until(lambda p: answered(url, p), corpus.probes, wait)
        still_cited = wait_until(lambda p: not cited(url, p), deleting, wait)
        after = health(url)
        return Report(mode, clients, samples, {"before": t1 - t0, "ingest": t2 - t1, "after": t3 - t2},
                      ingest_output=output, ingest_status=status, unanswered=unanswered, still_cited=still_cited,
                      deleted=len(deleting), articles={"before": before["articles"], "after": after["articles"]})
    finally:
        if server is not None:
            server.stop()
        if chroma is not None:
            chroma.stop()


def main() -> None:
    from benchmarks.common import print_table, shared_dir
    from common.offline import configure_environment

    configure_environment()
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mode", choices=["server", "local", "both"], default="both")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--embedder", default="minilm")
    ap.add_argument("--initial", type=int, default=300)
    ap.add_argument("--incoming", type=int, default=300)
    ap.add_argument("--updates", type=int, default=20)
    ap.add_argument("--settle", type=float, default=15.0, help="seconds of asking before and after the ingest")
    args = ap.parse_args()
    corpus = multihop_corpus(shared_dir(), args.initial, args.incoming, args.updates)
    reports = []
    with tempfile.TemporaryDirectory() as tmp:
        for mode in (["server", "local"] if args.mode == "both" else [args.mode]):
            report = run_scenario(mode, Path(tmp) / mode, corpus, args.clients, args.settle, args.embedder)
            reports.append(report)
            print(f"{mode}: ingest exit {report.ingest_status}; articles {report.articles} ({report.deleted} deleted); "
                  f"probes unanswered {len(report.unanswered)}/{len(corpus.probes)}; deleted articles still cited "
                  f"{len(report.still_cited)}", flush=True)
            for s in report.errors[:5]:
                print(f"  error ({s.phase}): {s.problem}")
            for v in report.violations[:5]:
                print(f"  identity violation: {v}")
    print(f"\nembedder {args.embedder}; {args.initial} articles indexed, {args.incoming} added and {args.updates} "
          f"updated while asking")
    print_table([row for r in reports for row in r.rows()], Report.HEADERS)


if __name__ == "__main__":
    main()

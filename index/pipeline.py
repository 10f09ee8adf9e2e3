"""Ingest: load → sentences → chunks → embed → store, incrementally by content hash, failures per file."""

from __future__ import annotations

import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from common.config import Config
from common.errors import AssistantError, InputError
from common.records import Article, Chunk, Sentence
from index.chunking import chunk_sentences
from index.embedders import Embedder, make_embedder
from index.sentences import split_sentences
from index.store import ArticleWrite, Store

if TYPE_CHECKING:
    from index.loaders import LoadResult

EMBED_GROUP_TEXTS = 512  # texts embedded per model call: large enough to sort by length and keep cores busy
ANALYSE_GROUP = 16  # stored articles analysed per batch when an index gains (or upgrades) its language analysis


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[InputError] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)  # what a crash left and was settled or repaired first
    notes: list[str] = field(default_factory=list)  # loaded, but worth a look (a file read as Windows-1252)
    analysed: int = 0  # stored articles given their language analysis (unchanged text, analysed anew)
    sentences: int = 0
    chunks: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        rate = self.sentences / self.seconds if self.seconds else 0.0
        lines = [
            f"added {len(self.added)}, updated {len(self.updated)}, unchanged {len(self.unchanged)}, "
            f"failed {len(self.failed)}; {self.sentences} sentences, {self.chunks} chunks embedded "
            f"in {self.seconds:.1f} s ({rate:.0f} sentences/s)"
        ]
        lines += [f"  FAILED {f}" for f in self.failed]
        lines += [f"  NOTE {n}" for n in self.notes]
        if self.analysed:
            lines.append(f"analysed {self.analysed} stored article(s) that had no current language analysis")
        if self.recovered:
            lines.append(f"settled {len(self.recovered)} problem(s) a crash left (before the articles above):")
            lines += [f"  {r}" for r in self.recovered]
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "failed": [f.to_dict() for f in self.failed],
            "recovered": self.recovered,
            "notes": self.notes,
            "analysed": self.analysed,
            "sentences": self.sentences,
            "chunks": self.chunks,
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class Prepared:
    article: Article
    sentences: tuple[Sentence, ...]
    chunks: tuple[Chunk, ...]


def prepare(article: Article, config: Config) -> Prepared:
    spans = split_sentences(article.text)
    sentences = tuple(Sentence(article.id, i, s, e, article.text[s:e]) for i, (s, e) in enumerate(spans))
    chunks = chunk_sentences(article, sentences, config.chunk_tokens, config.chunk_overlap_tokens)
    return Prepared(article, sentences, tuple(chunks))


class Ingestor:
    """Holds the store and the embedder so repeated ingests (CLI, UI upload) reuse them; every change to an index
    (ingest, repair, delete) goes through it. `store` is opened by a composition root (the CLI, the server)."""

    def __init__(self, config: Config, store: Store, embedder: Embedder | None = None):
        self.config = config
        self.store = store
        self._embedder = embedder

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = make_embedder(self.config)
        return self._embedder

    def ingest_paths(self, paths: Iterable[str | Path], progress: bool = False,
                     on_article: Callable[[str, int, int, float | None], None] | None = None) -> IngestReport:
        from index.loaders import load_paths  # the file readers (BeautifulSoup: 0.1 s) load only for an ingest of files

        return self.ingest_loaded(load_paths(paths, max_file_bytes=self.config.max_file_bytes), progress, on_article)

    def ingest_loaded(self, loaded: LoadResult, progress: bool = False,
                      on_article: Callable[[str, int, int, float | None], None] | None = None) -> IngestReport:
        """ingest_articles of what load_paths loaded, its failures and notes in the report."""
        report = self.ingest_articles(loaded.articles, progress=progress, on_article=on_article)
        report.failed[:0] = list(loaded.failures)
        report.notes[:0] = list(loaded.notes)
        return report

    def ingest_articles(
        self,
        articles: Sequence[Article],
        progress: bool = False,
        on_article: Callable[[str, int, int, float | None], None] | None = None,
    ) -> IngestReport:
        """Embed and store new or changed articles; unchanged ones (same content hash) cost nothing. Holds the
        index's write lock throughout, and first settles what a crash left (Store.open_for_writes): stored
        articles whose vectors were lost are embedded again from their stored text."""
        with self.store.exclusive():
            return self._ingest(articles, progress, on_article)

    def repair(self, progress: bool = False) -> IngestReport:
        """`assistant check --repair`: the full consistency scan and its fixes, re-embedding from stored text."""
        with self.store.exclusive():
            return self._ingest([], progress, None, full=True)

    def delete(self, article_id: str) -> None:
        """Remove one article and all its vectors (ArticleNotFound when there is none)."""
        self.store.delete_article(article_id)

    def check(self) -> list[str]:
        """`assistant check`: problems between records, vectors and the lexical index; empty when consistent."""
        return self.store.check()

    def _ingest(self, articles, progress, on_article, full: bool = False) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport()
        opened = self.store.open_for_writes(full=full)
        report.recovered = [f.line for f in opened.fixes if f.line]
        known = opened.hashes
        reembed = {a.id: a for a in opened.reembed}
        # a journalled write left unsettled (on a Chroma server, one still fresh may be its writer's) is rewritten
        # when it is given again, even when its record already holds this version: the rewrite clears its journal
        journalled = set(self.store.pending_writes()) if articles else set()
        todo: list[Article] = []
        for article in articles:
            old = known.get(article.id)
            if old == article.content_hash and article.id not in reembed and article.id not in journalled:
                report.unchanged.append(article.id)
            else:
                todo.append(article)
            reembed.pop(article.id, None)
        todo += reembed.values()  # the given version of an article wins over its stored one
        tell = Tell(len(todo), sum(len(a.text) for a in todo), progress, on_article)
        # Groups wait in `queue` for their turn to be embedded and written; with more than one group, their language
        # analysis runs ahead in worker processes meanwhile (a one-group ingest, a UI upload, analyses in-process).
        queue: deque[list] = deque()  # [group, its analysis (a Future) or None]
        ahead = None
        workers = self.config.analysis and self.config.analysis_workers >= 0
        try:
            for group in self._groups(todo, report):
                if ahead is None and queue and workers:
                    from index.analysis.workers import AnalysisAhead, worker_count

                    ahead = AnalysisAhead(worker_count(self.config.analysis_workers))
                    for item in queue:
                        item[1] = ahead.submit(*_analysis_input(item[0]))
                queue.append([group, ahead.submit(*_analysis_input(group)) if ahead else None])
                while len(queue) > (ahead.depth if ahead else int(workers)):  # the first group waits for a second
                    self._flush(*queue.popleft(), known, report, tell)
            while queue:
                self._flush(*queue.popleft(), known, report, tell)
        finally:
            if ahead is not None:
                ahead.close()
        tell.close()
        if self.config.analysis:
            report.analysed = self._analyse_stored(report.unchanged)
        report.seconds = time.perf_counter() - started
        return report

    def _groups(self, todo: list[Article], report: IngestReport):
        """The articles to write, prepared, in groups of about EMBED_GROUP_TEXTS texts to embed; an article that
        cannot be prepared is reported failed and left out."""
        group: list[Prepared] = []
        group_texts = 0
        for article in todo:
            try:
                prepared = prepare(article, self.config)
            except Exception as exc:  # noqa: BLE001 - one bad article must not stop the batch
                report.failed.append(_failure(article, f"could not split into sentences: {exc}"))
                continue
            if not prepared.sentences:
                report.failed.append(_failure(article, "the article has no text to index"))
                continue
            group.append(prepared)
            group_texts += len(prepared.chunks) + (len(prepared.sentences) if self.config.sentence_vectors else 0)
            if group_texts >= EMBED_GROUP_TEXTS:
                yield group
                group, group_texts = [], 0
        if group:
            yield group

    def _analyse_stored(self, ids: list[str]) -> int:
        """Analyse stored articles whose records hold no analysis or an older one (an index made before it, or
        with it off): one record update each, no re-embedding. Returns how many were analysed."""
        from common.analysis import VERSION
        from index.analysis.core import analyse

        versions = self.store.analysis_versions()
        stale = [i for i in ids if versions.get(i, VERSION) < VERSION]
        for start in range(0, len(stale), ANALYSE_GROUP):
            stored = list(self.store.get_articles(stale[start : start + ANALYSE_GROUP]).values())
            for s, an in zip(stored, analyse([s.article for s in stored], [s.sentence_spans for s in stored])):
                self.store.set_analysis(s.article.id, s.content_hash, an.to_json(s.article.text))
        return len(stale)

    def _flush(self, group, analysed, known, report, tell: Tell) -> None:
        texts: list[str] = []
        for p in group:
            texts.extend(c.text for c in p.chunks)
            if self.config.sentence_vectors:
                texts.extend(s.text for s in p.sentences)
        vectors = self.embedder.embed(texts)
        self.store.bind_embedder(self.embedder.name, int(vectors.shape[1]))
        analyses = [None] * len(group)
        if analysed is not None:  # made by a worker process while this group was embedded
            analyses = analysed.result()
        elif self.config.analysis:
            from index.analysis.workers import analyse_json

            analyses = analyse_json(*_analysis_input(group))
        writes, pos = [], 0
        for p, analysis in zip(group, analyses):
            n_c, n_s = len(p.chunks), len(p.sentences) if self.config.sentence_vectors else 0
            own = vectors[pos : pos + n_c + n_s]  # the article's chunk vectors, then its sentence vectors
            pos += n_c + n_s
            if not np.isfinite(own).all():  # Chroma would refuse the whole call, and the group with it
                report.failed.append(_failure(p.article, f"got vectors with NaN or infinite values from the "
                                              f"embedder {self.embedder.name!r}", "check the embedding model"))
                continue
            writes.append(ArticleWrite(p.article, p.sentences, p.chunks, own[:n_c],
                                       own[n_c:] if self.config.sentence_vectors else None, analysis))
        try:
            self.store.write_articles(writes)
            stored = writes
        except AssistantError:
            raise  # store down: stop the batch; what was written is consistent per article
        except Exception:  # noqa: BLE001 - one bad article must not fail its group: write them one by one
            stored = []
            for w in writes:
                try:
                    self.store.write_articles([w])
                    stored.append(w)
                except AssistantError:
                    raise
                except Exception as exc:  # noqa: BLE001
                    report.failed.append(_failure(w.article, f"could not be stored: {exc}"))
        for w in stored:
            (report.updated if w.article.id in known else report.added).append(w.article.id)
            report.sentences += len(w.sentences)
            report.chunks += len(w.chunks)
        tell.group_done(group, [w.article.id for w in stored], report.sentences)


def _analysis_input(group: list[Prepared]) -> tuple[list[Article], list[list[tuple[int, int]]]]:
    return [p.article for p in group], [[(s.char_start, s.char_end) for s in p.sentences] for p in group]


def _failure(article: Article, reason: str, fix: str = "check the article text") -> InputError:
    origin = article.origin or article.id
    path, _, line = origin.rpartition(":") if origin.rpartition(":")[2].isdigit() else (origin, "", "")
    return InputError(path, f"article {article.id!r} {reason}", fix, int(line) if line else None)


class Tell:
    """An ingest's progress: the bar (on a terminal) or lines (common.progress) and the `on_article` callback, with one
    time left, counted in characters from the first stored group on (common.eta)."""

    def __init__(self, total: int, characters: int, enabled: bool, on_article: Callable | None):
        from common.eta import TimeLeft
        from common.progress import progress

        self.total, self.on_article, self.done, self.started = total, on_article, 0, time.perf_counter()
        self.time_left = TimeLeft(characters)
        self.bar = progress(total, "article", "ingest", stream=sys.stderr,
                            time_left=self.time_left) if enabled and total else None

    def group_done(self, group: list[Prepared], stored: list[str], sentences: int) -> None:
        """A group was embedded and written (its failed articles too count as work done)."""
        self.time_left.add(sum(len(p.article.text) for p in group))
        self.done += len(stored)
        if self.bar is not None:
            self.bar.set_postfix_str(f"{sentences / (time.perf_counter() - self.started):.0f} sentences/s")
            self.bar.update(len(stored))
        if self.on_article is not None:
            left = self.time_left.seconds()
            for n, article_id in enumerate(stored, self.done - len(stored) + 1):
                self.on_article(article_id, n, self.total, left)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()

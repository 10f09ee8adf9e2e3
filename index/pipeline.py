"""Ingest: load → sentences → chunks → embed → store, incrementally by content hash, failures per file."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.config import Config
from assistant.errors import AssistantError, InputError
from assistant.records import Article, Chunk, Sentence
from index.chunking import chunk_sentences
from index.embedders import Embedder, make_embedder
from index.loaders import load_paths
from index.sentences import split_sentences
from index.store import ChromaStore

EMBED_GROUP_TEXTS = 512  # texts embedded per model call: large enough to sort by length and keep cores busy


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[InputError] = field(default_factory=list)
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
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "failed": [f.to_dict() for f in self.failed],
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
    """Holds the store and the embedder so repeated ingests (CLI, UI upload) reuse them."""

    def __init__(self, config: Config, store: ChromaStore | None = None, embedder: Embedder | None = None):
        self.config = config
        self.store = store or ChromaStore(config)
        self._embedder = embedder

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = make_embedder(self.config)
        return self._embedder

    def ingest_paths(self, paths: Iterable[str | Path], progress: bool = False,
                     on_article: Callable[[str, int, int], None] | None = None) -> IngestReport:
        loaded = load_paths(paths, max_file_bytes=self.config.max_file_bytes)
        report = self.ingest_articles(loaded.articles, progress=progress, on_article=on_article)
        report.failed[:0] = list(loaded.failures)
        return report

    def ingest_articles(
        self,
        articles: Sequence[Article],
        progress: bool = False,
        on_article: Callable[[str, int, int], None] | None = None,
    ) -> IngestReport:
        """Embed and store new or changed articles; unchanged ones (same content hash) cost nothing."""
        started = time.perf_counter()
        report = IngestReport()
        known = self.store.article_hashes()
        todo: list[Article] = []
        for article in articles:
            old = known.get(article.id)
            if old == article.content_hash:
                report.unchanged.append(article.id)
            else:
                todo.append(article)
        run = _Run(report, known, _progress_bar(len(todo), progress), started, on_article, len(todo))
        not_prepared: list[InputError] = []
        group: list[Prepared] = []
        group_texts = 0
        # Embedding (torch) and writing (Chroma) overlap: one group is written while the next is embedded;
        # at most one write is in flight, and writes keep the articles' order.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-writer") as writer:
            pending: Future | None = None
            for article in todo:
                try:
                    prepared = prepare(article, self.config)
                except Exception as exc:  # noqa: BLE001 - one bad article must not stop the batch
                    not_prepared.append(_failure(article, f"could not split into sentences: {exc}"))
                    continue
                if not prepared.sentences:
                    not_prepared.append(_failure(article, "the article has no text to index"))
                    continue
                group.append(prepared)
                group_texts += len(prepared.chunks) + (len(prepared.sentences) if self.config.sentence_vectors else 0)
                if group_texts >= EMBED_GROUP_TEXTS:
                    pending = self._flush(group, run, writer, pending)
                    group, group_texts = [], 0
            if group:
                pending = self._flush(group, run, writer, pending)
            if pending is not None:
                pending.result()  # re-raises a store failure
        if run.bar is not None:
            run.bar.close()
        report.failed[:0] = not_prepared
        report.seconds = time.perf_counter() - started
        return report

    def _flush(self, group: list[Prepared], run: _Run, writer: ThreadPoolExecutor, pending: Future | None) -> Future:
        texts: list[str] = []
        for p in group:
            texts.extend(c.text for c in p.chunks)
            if self.config.sentence_vectors:
                texts.extend(s.text for s in p.sentences)
        vectors = self.embedder.embed(texts)
        self.store.bind_embedder(self.embedder.name, int(vectors.shape[1]))
        if pending is not None:
            pending.result()  # the previous group is stored (or the store failed: stop here)
        return writer.submit(self._write_group, group, vectors, run)

    def _write_group(self, group: list[Prepared], vectors: np.ndarray, run: _Run) -> None:
        report = run.report
        pos = 0
        for p in group:
            n_c, n_s = len(p.chunks), len(p.sentences) if self.config.sentence_vectors else 0
            chunk_vecs: np.ndarray = vectors[pos : pos + n_c]
            sent_vecs = vectors[pos + n_c : pos + n_c + n_s] if self.config.sentence_vectors else None
            pos += n_c + n_s
            try:
                self.store.write_article(p.article, p.sentences, p.chunks, chunk_vecs, sent_vecs)
            except AssistantError:
                raise  # store down: stop the batch; what was written is consistent per article
            except Exception as exc:  # noqa: BLE001
                report.failed.append(_failure(p.article, f"could not be stored: {exc}"))
                continue
            (report.updated if p.article.id in run.known else report.added).append(p.article.id)
            report.sentences += len(p.sentences)
            report.chunks += n_c
            run.done += 1
            if run.bar is not None:
                elapsed = time.perf_counter() - run.started
                run.bar.set_postfix_str(f"{report.sentences / elapsed:.0f} sentences/s", refresh=False)
                run.bar.update(1)
            if run.on_article is not None:
                run.on_article(p.article.id, run.done, run.total)


@dataclass
class _Run:
    """State of one ingest call, updated by the writer thread only."""

    report: IngestReport
    known: dict[str, str]
    bar: object
    started: float
    on_article: Callable[[str, int, int], None] | None
    total: int
    done: int = 0


def _failure(article: Article, reason: str) -> InputError:
    origin = article.origin or article.id
    path, _, line = origin.rpartition(":") if origin.rpartition(":")[2].isdigit() else (origin, "", "")
    return InputError(path, f"article {article.id!r} {reason}", "check the article text", int(line) if line else None)


def _progress_bar(total: int, enabled: bool):
    if not enabled or total == 0:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="article", file=sys.stderr, dynamic_ncols=True)

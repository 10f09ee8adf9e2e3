"""The lexical index in the store's article write: staged with the article, committed before its journal entry goes."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Sequence

from index.lexical.store import LexicalStore
from index.lexical.sync import CatchUp, catch_up, lexical_dir, problems
from index.store.journal import Fix
from index.store.records import PENDING

COMMIT_SECONDS = 2.0  # while an ingest runs, the lexical index is committed (and journal entries cleared) this often


class _State:
    """This store's lexical index, the article writes it holds uncommitted, and when it last committed."""

    def __init__(self) -> None:
        self.store: LexicalStore | None = None
        self.deferred: list[str] = []  # journalled articles staged in the lexical index, not yet committed
        self.committed = time.monotonic()
        self.opening = threading.Lock()


def open_lexical(path) -> LexicalStore:
    """The lexical index at `path`; one Tantivy cannot open (damaged files) is moved aside and started empty
    (it is derived data: the next catch-up fills it from the records)."""
    try:
        return LexicalStore(path)
    except (ValueError, OSError):
        aside = path.with_name(f"{path.name}.unreadable-{int(time.time())}-{os.getpid()}")
        path.rename(aside)
        shutil.rmtree(aside, ignore_errors=True)
        return LexicalStore(path)


class LexicalSide:
    """Local index: each article write stages its chunks in the lexical index (index/lexical/store.py) where the
    journal entry would have been cleared; every COMMIT_SECONDS, and when the write lock is let go, one commit
    makes them visible and only then are their journal entries cleared and a new generation announced. So a
    kill leaves each journalled article to be settled (its lexical entry written again from its record), and
    every article whose journal entry is gone is in the lexical index as its record says. With a Chroma server
    the writer keeps no lexical index: every reader keeps its own copy, caught up from the records."""

    def _lex(self) -> _State:
        return self.__dict__.setdefault("_lexical_state", _State())

    @property
    def lexical(self) -> LexicalStore:
        state = self._lex()
        with state.opening:
            if state.store is None:
                state.store = open_lexical(lexical_dir(self.config))
        return state.store

    def lexical_view(self):
        """The lexical index as last committed (what readers search)."""
        return self.lexical.view()

    def _writes_lexical(self) -> bool:
        return not self.config.chroma_host

    def _journal_done(self, article_id: str, rows: Sequence[tuple[str, str, dict]] | None = None,
                      sentence_vectors=None) -> None:
        """An article write, delete or settlement is complete: stage its lexical entry (`rows`: its chunks as
        written, with its sentence vectors; else read from its record), then clear its journal entry once that is
        committed."""
        if not self._writes_lexical():
            self._journal_clear([article_id])
            return
        self._lexical_stage(article_id, rows, sentence_vectors)
        self._lex().deferred.append(article_id)
        self._lexical_flush(force=self._lock_depth == 0)

    def _lexical_stage(self, article_id: str, rows, sentence_vectors=None) -> None:
        lex = self.lexical
        if rows is not None:
            lex.replace(article_id, rows[0][2]["content_hash"] if rows else "", rows, sentence_vectors)
            return
        got = self._call(self._articles.get, ids=[article_id], include=["metadatas"])
        record = got["metadatas"][0] if got["ids"] else None
        if record is None or record.get(PENDING):
            lex.remove(article_id)
            return
        want = record.get("content_hash", "")
        vectors = self.article_sentence_vectors({article_id: want}).get(article_id)
        lex.replace(article_id, want, [r for r in self.chunks_of([article_id]) if r[2].get("content_hash") == want],
                    vectors)

    def _lexical_flush(self, force: bool) -> None:
        """Commit what is staged (when due, or `force`), then clear the journal entries it covers."""
        state = self._lex()
        if not state.deferred or (not force and time.monotonic() - state.committed < COMMIT_SECONDS):
            return
        unsearchable = len(self.searchable_hashes()[1]) if force else None
        token = self._next_generation(state.deferred[-1])
        self.lexical.commit(token, unsearchable)
        self._journal_clear(state.deferred, token)
        state.deferred.clear()
        state.committed = time.monotonic()
        self.version += 1
        if self._lock_depth == 0:
            self.lexical.release()

    def _lexical_released(self) -> None:
        """The write lock is being let go: commit what is staged (after a failure too: what was staged is
        complete per article), and give up Tantivy's writer so that other processes may write."""
        state = self._lex()
        if state.store is None:
            return
        try:
            if state.deferred:
                self._lexical_flush(force=True)
            elif (pending := len(self.searchable_hashes()[1])) != state.store.view().unsearchable:
                state.store.commit(self.generation(), pending)  # lost vectors embedded again: say so to readers
        finally:
            state.store.release()
            state.deferred.clear()

    def _lexical_catch_up(self, force: bool = False) -> CatchUp:
        """Inside exclusive(): commit what is staged, then bring the index to the records (a first build for an
        index from before the lexical index; after a crash or a repair, the articles that differ)."""
        self._lexical_flush(force=True)
        return catch_up(self, self.lexical, force=force)

    def lexical_catch_up(self) -> CatchUp | None:
        """For readers: catch the lexical index up unless a writer is at work (in this process: its commits keep
        it current; in another: Tantivy's lock is taken); None when skipped. Gives Tantivy's writer up after."""
        if not self._writer.acquire(blocking=False):
            return None
        try:
            lex = self.lexical
            try:
                lex.writer(wait=0.0)
            except ValueError:
                return None
            try:
                return catch_up(self, lex)
            finally:
                lex.release()
        finally:
            self._writer.release()

    def _lexical_inconsistencies(self):
        """(problem, action) for check()/repair(): articles whose lexical entry differs from their record."""
        found = problems(self, self.lexical)
        for n, problem in enumerate(found):
            yield problem, (self._lexical_repair if n == 0 else (lambda: None))

    def _lexical_repair(self) -> Fix:
        done = self._lexical_catch_up(force=True)
        return Fix(f"lexical index: {len(done.indexed)} article(s) indexed again from their records, "
                   f"{len(done.removed)} removed")

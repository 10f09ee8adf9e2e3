"""What each side needs of the store: StoreReader (the assistant's read side), StoreWriter (the Ingestor's writes,
deletes and checks), Store (both: what the Ingestor and the composition roots hold). The read side, the Ingestor and
the faces are typed with these; only the composition roots (assistant/cli.py, assistant/web/server.py) name the
concrete ChromaStore (tests/test_layout.py checks)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from common.records import StoredArticle
from index.store.journal import Opened
from index.store.records import ArticleWrite
from index.store.segments import Damage

if TYPE_CHECKING:  # annotations only: the lexical modules are the store's own business
    from index.lexical.store import LexicalView
    from index.lexical.sync import CatchUp


@runtime_checkable
class StoreReader(Protocol):
    """Read-only access to one index: what retrieval, answering, the library and the server use."""

    @property
    def version(self) -> int:
        """Bumped by every write or delete through this store object (a change check with no I/O)."""

    @property
    def torn(self) -> dict[str, Damage]:
        """Vector collections ("chunks", "sentences") whose files were found torn and moved aside unread."""

    @property
    def opened_fixes(self) -> list[str]:
        """What opening the index mended by itself (torn placeholder files moved aside)."""

    def generation(self) -> str | None:
        """A token that changes whenever any process writes or deletes an article (None before any write)."""

    def searchable_hashes(self) -> tuple[dict[str, str], dict[str, str]]:
        """({id: content hash} of searchable articles, the same of articles whose vectors are pending)."""

    def chunks_of(self, article_ids: Sequence[str]) -> Iterator[tuple[str, str, dict]]:
        """(chunk id, text, metadata) of the chunks of these articles."""

    def iter_chunks(self) -> Iterator[tuple[str, str, dict]]:
        """(chunk id, text, metadata) of every chunk."""

    def query_chunk_ids(self, vector: np.ndarray, k: int, where: dict | None = None,
                        ids: Sequence[str] | None = None) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the k chunks nearest to `vector`, within `where` or `ids` if given."""

    def vectors(self, kind: str, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored "chunks" or "sentences" vectors by their ids (a torn collection is refused)."""

    def lexical_view(self) -> LexicalView:
        """The lexical (BM25) index as last committed: its documents, their terms and its generation."""

    def lexical_catch_up(self) -> CatchUp | None:
        """Bring the lexical index to the records unless a writer is at work (then None: its commits do)."""

    def sentence_vectors(self, ids: Sequence[str], hashes: dict[str, str] | None = None) -> dict[str, np.ndarray]:
        """Vectors of the current version of sentences named `{article_id}::s{index}`."""

    def get_articles(self, article_ids: Sequence[str]) -> dict[str, StoredArticle]:
        """The stored articles among these ids, by id (unknown ids are left out)."""

    def get_article(self, article_id: str) -> StoredArticle:
        """One stored article; ArticleNotFound when there is none."""

    def iter_articles(self) -> Iterator[StoredArticle]:
        """Every stored article."""

    def count(self) -> dict[str, int]:
        """{"articles", "chunks", "sentences"}: how many of each the index holds."""

    def embedder_name(self) -> str | None:
        """The embedding model the index was built with (None before the first write)."""

    def preload(self) -> None:
        """Load now what the first question would otherwise wait for (a server calls it once it listens)."""


@runtime_checkable
class StoreWriter(Protocol):
    """What the Ingestor needs to write articles crash-safely."""

    def exclusive(self) -> AbstractContextManager[None]:
        """Hold the index's write lock while inside the block (re-entrant)."""

    def open_for_writes(self, full: bool = False) -> Opened:
        """Inside exclusive(): settle what a crash left; the stored content hashes and what was fixed."""

    def bind_embedder(self, name: str, dim: int) -> None:
        """Record the embedding model on the first write; ConfigError if the index has another one."""

    def write_articles(self, writes: Sequence[ArticleWrite]) -> None:
        """Replace everything stored for each article; a crash leaves each one's old or new version whole."""

    def analysis_versions(self) -> dict[str, int]:
        """Per article id, the current analysis version if its record holds that analysis, else 0."""

    def set_analysis(self, article_id: str, content_hash: str, analysis: str) -> bool:
        """Store a newer language analysis of the record's current version; False if the record changed."""

    def pending_writes(self) -> dict[str, dict]:
        """Journal entries: article writes in progress, or interrupted by a crash ({id: metadata})."""

    def delete_article(self, article_id: str) -> None:
        """Remove the article's record and all its vectors; ArticleNotFound when there is none."""

    def check(self) -> list[str]:
        """Problems between records, vectors and the lexical index (every vector is read: slow); empty if none."""


@runtime_checkable
class Store(StoreReader, StoreWriter, Protocol):
    """Both sides of one index: what the Ingestor (which reads what it rewrites) and the composition roots hold."""

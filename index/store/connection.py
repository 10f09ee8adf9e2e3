"""The Chroma client and the index's four collections: every call to Chroma goes through `_call`."""

from __future__ import annotations

import threading
import time

import index.store.segments as segments
from common.config import Config
from common.errors import ConfigError, IndexMissing, StoreUnavailable
from common.offline import configure_environment

# Opening a local index while its files look torn and another process holds the write lock: that writer may be
# saving them right now, so look again this many times, this many seconds apart, before giving up.
GUARD_ATTEMPTS = 20
GUARD_WAIT_SECONDS = 0.25
PLACEHOLDER_KINDS = ("articles", "writes")  # collections whose vectors are placeholders: moving torn files aside mends them
# A Chroma server may answer a read with "Error finding id" while another process upserts or deletes the rows it
# was reading (measured: 1 of 790 queries during a concurrent ingest). A read that meets it is asked again this
# many times, this many seconds apart; only an error that persists is reported as damage.
READ_RETRIES = 3
READ_RETRY_SECONDS = 0.2
READ_METHODS = ("get", "query", "count")


class Connection:
    """Opens the client and the collections (checking a local index's vector files first), maps every failure to
    reach Chroma to StoreUnavailable, and looks a collection recreated on a server up again by name. The base of
    ChromaStore; the other parts (Records, Journal, Repair, Reading) use what it sets up."""

    def __init__(self, config: Config, create: bool = True):
        """`create`: make the index (directory, collections) if it is not there yet, as a writer does. A reader
        passes False: then nothing is created, and IndexMissing is raised for an index that does not exist or
        holds nothing (no article records and no journalled write)."""
        configure_environment()
        self.config = config
        # kind ("chunks" or "sentences") → its vector files, found torn and moved aside unread: not searched
        # until a writer rebuilds the collection (open_for_writes); `opened_fixes`: what opening repaired itself
        self.torn: dict[str, segments.Damage] = {}
        self.opened_fixes: list[str] = []
        try:
            import chromadb
            from chromadb.config import Settings

            settings = Settings(anonymized_telemetry=False)
            if config.chroma_host:
                _probe(config)  # a server that accepts but never answers fails here, not in a hung constructor
                self._client = chromadb.HttpClient(
                    host=config.chroma_host,
                    port=config.chroma_port,
                    ssl=config.chroma_ssl,
                    headers=config.chroma_headers,
                    settings=settings,
                )
                _bound_waits(self._client, config.chroma_timeout)
            else:
                if not create and not (config.index_dir / "chroma.sqlite3").is_file():
                    raise self._missing(f"there is no index in {config.index_dir}", "create it")
                config.index_dir.mkdir(parents=True, exist_ok=True)
                self.torn = self._guard_segments()  # before Chroma may load a torn file (it would crash us)
                self._client = chromadb.PersistentClient(path=str(config.index_dir), settings=settings)
            prefix = config.collection_prefix
            if not create:
                self._require_contents(prefix)
            self._articles = self._collection(f"{prefix}-articles")
            self._chunks = self._collection(f"{prefix}-chunks")
            self._sentences = self._collection(f"{prefix}-sentences")
            # the write journal: ids of articles whose vectors are changing; left behind only by a crash
            self._journal = self._collection(f"{prefix}-writes")
            self._batch = max(1, min(self._client.get_max_batch_size(), 2000))
        except (ConfigError, StoreUnavailable, IndexMissing):
            raise
        except Exception as exc:  # noqa: BLE001 - connection/open failures all mean the same to the user
            raise self._unavailable(exc) from exc
        self._reopening = threading.Lock()
        self.version = 0  # bumped by every write or delete through this store (readers' cheap change check)
        self._writer = threading.RLock()
        self._lock_file = None
        self._lock_depth = 0

    def _require_contents(self, prefix: str) -> None:
        """IndexMissing unless the index holds article records or a journalled write (a crash in the very first
        ingest leaves only that, for check and the next ingest to settle), looked up without creating anything."""
        from chromadb.errors import NotFoundError

        held = 0
        for kind in ("articles", "writes"):
            # a local index is counted in SQLite (Chroma's count() would first load the collection and replay its log)
            local = segments.local_count(self.config, f"{prefix}-{kind}")
            if local is not None:
                held += local
                continue
            try:
                held += self._client.get_collection(f"{prefix}-{kind}", embedding_function=None).count()
            except NotFoundError:
                continue
        if not held:
            where = (f"the {self.config.describe_store()} holds no articles" if self.config.chroma_host
                     else f"the index {self.config.index_dir} holds no articles")
            raise self._missing(where, "add articles")

    def _missing(self, what: str, todo: str) -> IndexMissing:
        if self.config.chroma_host:
            host, port = self.config.chroma_host, self.config.chroma_port
            return IndexMissing(what, f"{todo} with `assistant ingest PATH --chroma-host {host} --chroma-port {port}` "
                                      "(PATH: your article files or folders), or check ASSISTANT_CHROMA_HOST and "
                                      "ASSISTANT_CHROMA_PORT")
        return IndexMissing(what, f"{todo} with `assistant ingest PATH --index {self.config.index_dir}` (PATH: your "
                                  "article files or folders), or give the right --index (or ASSISTANT_INDEX_DIR)")

    def _guard_segments(self) -> dict[str, segments.Damage]:
        """Check every collection's vector files before Chroma may load them (hnswlib trusts them: a torn header or
        neighbour list crashes the process, no exception). Torn files are moved aside under the write lock, so that
        no process of ours ever loads them: for article records and the journal that is the whole repair (their
        vectors are placeholders, the records live in SQLite); torn chunk or sentence vectors stay lost until a
        writer rebuilds the collection and embeds the articles again (open_for_writes). Returns those."""
        index_dir, prefix = self.config.index_dir, f"{self.config.collection_prefix}-"
        for attempt in range(GUARD_ATTEMPTS):
            found = self._inspect_segments(prefix, use_stamps=True)
            if all(d.quarantined for d in found):
                break
            try:
                lock = self._take_lock()
            except StoreUnavailable as busy:  # a live writer may be saving them right now: look again
                if attempt + 1 < GUARD_ATTEMPTS:
                    time.sleep(GUARD_WAIT_SECONDS)
                    continue
                torn = next(d for d in found if not d.quarantined)
                raise StoreUnavailable(f"the files of {torn.collection} in {index_dir} look torn ({torn.problem}) "
                                       f"while {busy.message}", "wait for that to finish, then run this again; "
                                       "if this persists, stop it and run `assistant check --repair`") from None
            try:
                found = self._inspect_segments(prefix, use_stamps=False)
                for damage in found:
                    if not damage.quarantined:
                        damage = segments.quarantine(index_dir, damage)
                    if damage.collection.removeprefix(prefix) in PLACEHOLDER_KINDS:
                        segments.discard(index_dir, damage.segment)
                        self.opened_fixes.append(f"{damage.collection}: Chroma's vector files were torn "
                                                 f"({damage.problem}): moved aside; its records are intact")
            finally:
                lock.close()
            break
        found = self._inspect_segments(prefix, use_stamps=True)
        return {d.collection.removeprefix(prefix): d for d in found
                if d.quarantined and d.collection.removeprefix(prefix) not in PLACEHOLDER_KINDS}

    def _inspect_segments(self, prefix: str, use_stamps: bool) -> list[segments.Damage]:
        try:
            found = segments.inspect(self.config.index_dir, use_stamps=use_stamps)
        except segments.RecordsUnreadable as exc:
            raise StoreUnavailable(
                f"the record database of the index {self.config.index_dir} cannot be read ({exc})",
                "restore the index from a backup (README, Operations: Restore), or ingest your source articles "
                "into a new --index directory") from None
        return [d for d in found if d.collection.startswith(prefix)]

    def _torn_error(self, kind: str) -> StoreUnavailable:
        damage = self.torn[kind]
        return StoreUnavailable(
            f"the index {self.config.describe_store()} is damaged: the files of {damage.collection} were torn "
            f"({damage.problem}); they were moved aside unread",
            "run `assistant check --repair` (or restart `assistant serve`, which repairs at start-up): it embeds "
            "the stored articles again")

    def _unavailable(self, exc: Exception) -> StoreUnavailable:
        reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        if is_damage(exc):  # Chroma's files for a collection were torn by a crash (see damaged_collections)
            return StoreUnavailable(f"the index {self.config.describe_store()} is damaged ({reason})",
                                    "stop the server if one runs on it, run `assistant check --repair` (it rebuilds "
                                    "what Chroma cannot read from the stored articles), then start it again")
        if not self.config.chroma_host and any(w in reason.lower() for w in ("malformed", "not a database")):
            return StoreUnavailable(
                f"the record database of the index {self.config.index_dir} (chroma.sqlite3) is damaged ({reason})",
                "restore the index from a backup (README, Operations: Restore), or ingest your source articles "
                "into a new --index directory")
        if not self.config.chroma_host:
            return StoreUnavailable(f"store unavailable ({self.config.describe_store()}): {reason}",
                                    "check that the index directory is writable and not used by another program")
        import httpx

        what = "did not answer" if isinstance(exc, httpx.TransportError) else "failed"
        host, port = self.config.chroma_host, self.config.chroma_port
        return StoreUnavailable(
            f"store unavailable: the {self.config.describe_store()} {what} ({reason})",
            f"start the Chroma server (chroma run --path DIR --host {host} --port {port}) or fix "
            "ASSISTANT_CHROMA_HOST/ASSISTANT_CHROMA_PORT; the assistant reconnects by itself once it answers",
        )

    def _collection(self, name: str):
        sync = self.config.hnsw_sync_threshold
        hnsw = {"space": "cosine", "sync_threshold": sync, "batch_size": min(100, sync)}
        return self._client.get_or_create_collection(name, embedding_function=None, configuration={"hnsw": hnsw})

    def _call(self, fn, *args, **kwargs):
        """fn(...) with every failure to reach the store as StoreUnavailable. A collection that the server no
        longer knows by its id (recreated, e.g. after a reset) is looked up again by name, once. A read that meets
        a write in progress on a server is asked again (READ_RETRIES)."""
        try:
            return self._read_again(fn, *args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - Chroma's Rust panics arrive as PanicException(BaseException)
            if not isinstance(exc, Exception) and type(exc).__name__ != "PanicException":
                raise
            again = self._reopened(fn, exc)
            if again is not None:
                try:
                    return again(*args, **kwargs)
                except Exception as exc2:  # noqa: BLE001
                    exc = exc2
            if isinstance(exc, (ValueError, TypeError)) and "connect" not in str(exc).lower():
                raise exc from None
            raise self._unavailable(exc) from exc

    @staticmethod
    def _read_again(fn, *args, **kwargs):
        """fn(...), asked again when it is a read that met a concurrent write (is_passing_race)."""
        attempt = 0
        while True:
            try:
                return fn(*args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - anything else is raised as it is, for _call to translate
                if attempt == READ_RETRIES or getattr(fn, "__name__", "") not in READ_METHODS or not is_passing_race(exc):
                    raise
            attempt += 1
            time.sleep(READ_RETRY_SECONDS)

    def _reopened(self, fn, exc: Exception):
        """The same method on a freshly fetched handle when `exc` says fn's collection is gone, else None."""
        from chromadb.errors import NotFoundError

        handle = getattr(fn, "__self__", None)
        if not isinstance(exc, NotFoundError) or handle is None:
            return None
        with self._reopening:
            attr = next((a for a, v in vars(self).items() if v is handle), None)
            if attr is None:  # another thread reopened it already
                attr = next((a for a, v in vars(self).items()
                             if getattr(v, "name", None) == getattr(handle, "name", None) and a.startswith("_")), None)
                if attr is None:
                    return None
            else:
                setattr(self, attr, self._collection(handle.name))
            return getattr(getattr(self, attr), fn.__name__)


    def _page(self, col, include: list[str], size: int = 1000):
        """(ids, metadatas, documents) of every row of a collection, `size` rows at a time, read by id: pages by
        offset made SQLite step over every row before each page (quadratic: minutes at a million vectors). A row
        deleted after the ids were listed is left out."""
        ids = self._call(col.get, include=[])["ids"]
        for start in range(0, len(ids), size):
            got = self._call(col.get, ids=ids[start : start + size], include=include)
            if got["ids"]:
                yield got["ids"], got.get("metadatas") or [None] * len(got["ids"]), got.get("documents") or []



def _probe(config: Config) -> None:
    """One heartbeat with a short timeout before chromadb's client (which waits forever) is built."""
    import httpx

    scheme = "https" if config.chroma_ssl else "http"
    host = f"[{config.chroma_host}]" if ":" in config.chroma_host else config.chroma_host
    url = f"{scheme}://{host}:{config.chroma_port}/api/v2/heartbeat"
    httpx.get(url, headers=config.chroma_headers, timeout=min(config.chroma_timeout, 10.0)).raise_for_status()


def _bound_waits(client, seconds: float) -> None:
    """chromadb's HTTP client waits forever for a server that accepted a connection but does not answer
    (stopped, overloaded): give its httpx session a timeout so a request fails as StoreUnavailable instead."""
    import httpx

    session = getattr(getattr(client, "_server", None), "_session", None)
    if isinstance(session, httpx.Client):
        session.timeout = httpx.Timeout(seconds, connect=min(seconds, 5.0))


def is_passing_race(exc: Exception) -> bool:
    """Whether a Chroma error may be a read racing a write (rows removed between planning and fetching): it reads
    like damage, so it is asked again before it is believed."""
    from chromadb.errors import InternalError

    return isinstance(exc, InternalError) and "error finding id" in str(exc).lower()


def is_damage(exc: Exception) -> bool:
    """Whether a Chroma error means its files for a collection are damaged (not: unreachable, or our mistake)."""
    from chromadb.errors import InternalError

    text = str(exc).lower()
    return isinstance(exc, InternalError) and any(
        w in text for w in ("hnsw", "pickle", "error getting embedding", "error finding id", "segment reader"))

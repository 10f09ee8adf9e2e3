"""Opening an index for questions (the model loads while the store opens) and serving one that a crash left damaged:
rebuild what was torn now, embed lost articles in the background."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from common.config import Config
from common.errors import ConfigError

if TYPE_CHECKING:
    from assistant.core import Assistant
    from index.pipeline import Ingestor
    from index.store.protocols import StoreReader


def model_loading(config: Config):
    """Start loading the embedding model (and one embedding, to warm it) in a thread; returns the function that waits
    for it and returns the embedder, or raises the error loading met. Importing chromadb and Gradio is most of a cold
    start, and ONNX Runtime builds its session outside the interpreter lock, so the two overlap."""
    from index.embedders import make_embedder

    def load():
        embedder = make_embedder(config)
        embedder.embed(["warm up"])
        return embedder

    return in_background(load, "load-model")


def in_background(fn: Callable, name: str):
    """Run fn() in a thread; returns the function that waits for it and returns its result or raises its error."""
    done: dict = {}

    def run() -> None:
        try:
            done["result"] = fn()
        except BaseException as exc:  # noqa: BLE001 - raised again by wait(), in the thread that needs the result
            done["error"] = exc

    # not a daemon: the interpreter waits for it before it exits. A process that ends while ONNX Runtime is still
    # building a session in this thread (an `ask` refused for a missing index) is otherwise aborted on the way out
    # ("terminate called without an active exception", exit -6 instead of 2)
    thread = threading.Thread(target=run, name=name)
    thread.start()

    def wait():
        thread.join()
        if "error" in done:
            raise done["error"]
        return done["result"]

    return wait


def open_for_questions(config: Config, open_store: Callable[[Config], StoreReader]) -> Assistant:
    """The Assistant of `assistant ask` / `chat`, its model and reader loaded while the store opens (`open_store`:
    the CLI's, which refuses a missing index (IndexMissing) at once: only `assistant ingest` creates one)."""
    from assistant.core import Assistant, load_reader

    model = model_loading(config)
    reader = in_background(lambda: load_reader(config), "load-reader") if config.reader else None
    store = open_store(config)
    return Assistant(config, store=store, embedder=model(), reader=reader)


def start_up_repair(config: Config, assistant: Assistant, ingestor: Ingestor) -> None:
    """A local index that a crash left damaged is mended before serving: collections whose vector files were torn
    (found and moved aside unread when the store opened) are rebuilt now, and every article whose vectors were lost
    is embedded again in the background (by `ingestor`, over the assistant's store), while questions are answered
    from the rest (each answer says how many articles were not searched)."""
    store = ingestor.store
    if config.chroma_host or not (store.torn or store.opened_fixes or store.searchable_hashes()[1]):
        return
    with store.exclusive():
        opened = store.open_for_writes()
    for fix in opened.fixes:
        if fix.line:
            print(f"repaired at start-up: {fix.line}", file=sys.stderr)
    assistant.forget()

    def reembed() -> None:
        try:
            report = ingestor.ingest_articles([])
            print(f"start-up repair: {len(report.updated)} article(s) embedded again "
                  f"({report.seconds:.0f} s); every stored article is searchable again", file=sys.stderr, flush=True)
        except Exception as exc:  # noqa: BLE001 - the next writer retries; serving goes on meanwhile
            print(f"start-up repair stopped: {exc}", file=sys.stderr, flush=True)

    if opened.reembed:
        print(f"start-up repair: embedding {len(opened.reembed)} article(s) again in the background; until then "
              "answers leave them out and say so", file=sys.stderr, flush=True)
        threading.Thread(target=reembed, name="start-up-repair", daemon=True).start()


def load_chat():
    """The Gradio chat, ui.py beside the package (shipped as a top-level module): imported by `assistant serve`,
    which hands it to the server (server.create_app mounts it)."""
    try:
        import ui
    except ModuleNotFoundError as exc:
        if exc.name != "ui":
            raise
        raise ConfigError("the chat UI module (ui.py) is missing", "reinstall the project from its repository") from None
    return ui

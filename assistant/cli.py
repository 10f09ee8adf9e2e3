"""The `assistant` command: ingest, list, delete, check, ask, eval; errors become one line naming the fix."""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from assistant.formatting import render_served, render_text, show, show_json
from common.config import Config
from common.embedder_kinds import embedder_help
from common.errors import AssistantError
from common.file_types import help_list
from common.offline import configure_environment

if TYPE_CHECKING:
    from index.store.protocols import Store


def _store_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--index", dest="index_dir", help="index directory (default: ASSISTANT_INDEX_DIR or user data dir)")
    p.add_argument("--chroma-host", help="use a Chroma server at this host instead of a local directory")
    p.add_argument("--chroma-port", type=int, help="Chroma server port (default 8000)")
    p.add_argument("--embedder", help=embedder_help())


def _llm_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--llm", action="store_true", default=None,
                   help="phrase answers with an LLM (OpenAI-compatible endpoint), every citation verified")
    p.add_argument("--llm-base-url", help="the endpoint, e.g. http://127.0.0.1:8080/v1 (ASSISTANT_LLM_BASE_URL)")
    p.add_argument("--llm-model", help="the model name the endpoint expects (ASSISTANT_LLM_MODEL)")
    p.add_argument("--llm-mode", choices=("answer", "reader"), help="answer: the model phrases a verified answer "
                   "(default); reader: it picks the shortest exact phrase of the cited sentences as the short answer "
                   "(ASSISTANT_LLM_MODE)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="assistant", description="Newsroom retrieval assistant with exact citations.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help=f"add or update articles ({help_list()} or folders)")
    p.add_argument("paths", nargs="+")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--no-progress", action="store_true",
                   help="no progress bar (on a terminal) or progress lines (otherwise) on stderr")
    _store_args(p)

    p = sub.add_parser("list", help="list indexed articles")
    p.add_argument("--json", action="store_true")
    _store_args(p)

    p = sub.add_parser("delete", help="delete articles by id")
    p.add_argument("ids", nargs="+")
    _store_args(p)

    p = sub.add_parser("check", help="check that article records and vectors agree")
    p.add_argument("--repair", action="store_true", help="settle interrupted writes, remove stale vectors, rebuild "
                   "what Chroma cannot read and embed affected articles again from their stored text")
    _store_args(p)
    for name, help_ in (("ask", "answer one question with citations"), ("chat", "ask questions interactively")):
        p = sub.add_parser(name, help=help_)
        if name == "ask":
            p.add_argument("question")
            p.add_argument("--json", action="store_true", help="print {answer, short_answer, abstained, citations}")
        p.add_argument("--source", action="append", help="only articles from this source (repeatable)")
        p.add_argument("--since", help="only articles published on or after this date")
        p.add_argument("--until", help="only articles published on or before this date")
        _store_args(p)
        _llm_args(p)
    p = sub.add_parser("serve", help="web chat, JSON API (/api/ask, /docs) and embeddable widget (/widget.js)")
    p.add_argument("--host", help="address to listen on (default 127.0.0.1; others need auth or --allow-insecure)")
    p.add_argument("--port", type=int, help="port (default 7860)")
    p.add_argument("--allow-insecure", action="store_true", help="serve a non-loopback address without auth")
    _store_args(p)
    _llm_args(p)
    p = sub.add_parser("eval", help="run gold Q&A and write predictions, summary and report")
    p.add_argument("gold")
    p.add_argument("--articles", action="append", help="articles to ingest into a fresh temporary index "
                   "(unless --index names one)")
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("--no-progress", action="store_true",
                   help="no progress bar (on a terminal) or progress lines (otherwise) on stderr")
    _store_args(p)
    _llm_args(p)
    return parser


def filters_from_args(args):
    from common.dates import parse_published_at
    from common.errors import ConfigError
    from common.records import Filters

    def when(value, flag, end=False):
        if not value:
            return None
        try:
            dt = parse_published_at(value)
        except ValueError:
            raise ConfigError(f"{flag} {value!r} is not a date", "use YYYY-MM-DD") from None
        if end and len(value.strip()) == 10:
            from datetime import timedelta

            dt = dt + timedelta(days=1, microseconds=-1)  # a plain date includes that whole day
        return dt

    return Filters(tuple(args.source or ()), when(args.since, "--since"), when(args.until, "--until", end=True))


def check_args(args: argparse.Namespace, config: Config) -> None:
    """The rules the API applies, before anything opens the index: a question must be non-empty and within
    ASSISTANT_MAX_QUESTION_CHARS."""
    if getattr(args, "question", None) is not None:
        from assistant.web.input import check_question

        args.question = check_question(args.question, config)


def config_from_args(args: argparse.Namespace) -> Config:
    return Config.from_env(
        index_dir=getattr(args, "index_dir", None),
        chroma_host=getattr(args, "chroma_host", None),
        chroma_port=getattr(args, "chroma_port", None),
        embedder=getattr(args, "embedder", None),
        host=getattr(args, "host", None),
        port=getattr(args, "port", None),
        llm=getattr(args, "llm", None),
        llm_base_url=getattr(args, "llm_base_url", None),
        llm_model=getattr(args, "llm_model", None),
        llm_mode=getattr(args, "llm_mode", None),
    )


def open_store(config: Config, create: bool = False) -> Store:
    """The composition root: the one place the commands name the concrete store; the rest of the code holds it as
    index/store/protocols.py's Store (StoreReader for the read side)."""
    from index.store import ChromaStore

    return ChromaStore(config, create=create)


def reading_store(config: Config) -> Store:
    """The index a reading command uses: never created here (only `assistant ingest` creates one), so a mistyped
    --index or ASSISTANT_INDEX_DIR is refused (IndexMissing, exit status 2) instead of answering from nothing."""
    return open_store(config, create=False)


def creating_store(config: Config) -> Store:
    """The index `assistant ingest` and `assistant eval --articles` write: created when missing."""
    return open_store(config, create=True)


def cmd_ingest(args, config: Config) -> int:
    from index.loaders import load_paths
    from index.unchanged import unchanged_report

    loaded = load_paths(args.paths, max_file_bytes=config.max_file_bytes)
    report = unchanged_report(config, loaded)  # nothing new or changed: decided without opening Chroma or a model
    if report is None:
        from index.pipeline import Ingestor

        report = Ingestor(config, store=creating_store(config)).ingest_loaded(loaded, progress=not args.no_progress)  # a bar, or lines when piped
    show_json(report.to_dict()) if args.json else show(report.summary())
    return 0 if report.ok else 1


def cmd_list(args, config: Config) -> int:
    from assistant.core import Assistant

    rows = [r.to_dict() for r in Assistant(config, store=reading_store(config)).library.articles()]
    if args.json:
        show_json(rows)
        return 0
    from assistant.listing import count_line, list_lines

    print(count_line(rows, config.describe_store()))
    pending = sum(not r["searchable"] for r in rows)
    if pending:
        print(f"{pending} of them are not searchable: a crash lost their vectors; run `assistant check --repair` "
              "(or any ingest) to embed them again")
    for line in list_lines(rows):
        show(line)
    return 0


def cmd_delete(args, config: Config) -> int:
    from index.pipeline import Ingestor

    ingestor = Ingestor(config, store=reading_store(config))
    status = 0
    for article_id in args.ids:
        try:
            ingestor.delete(article_id)
            show(f"deleted {article_id}")
        except AssistantError as exc:
            print(f"error: {exc}", file=sys.stderr)
            status = 1
    return status


def cmd_check(args, config: Config) -> int:
    from index.pipeline import Ingestor

    ingestor = Ingestor(config, store=reading_store(config))
    if args.repair:  # articles whose vectors were lost are embedded again from stored text
        report = ingestor.repair(progress=True)
        for line in report.recovered:
            show(f"repaired: {line}")
        print(f"{len(report.recovered)} problem(s) repaired in {config.describe_store()}; "
              f"{len(report.updated)} article(s) embedded again")
        return 0 if report.ok else 1
    for line in ingestor.store.opened_fixes:
        show(f"repaired on opening: {line}")
    problems = ingestor.check()
    for p in problems:
        show(f"found: {p}")
    print(f"{len(problems)} problem(s) found in {config.describe_store()}")
    return 0 if not problems else 1


def cmd_ask(args, config: Config) -> int:
    filters = filters_from_args(args)  # a wrong date is refused before anything loads
    from assistant.web.serve_reuse import ask_running_server

    wanted = {"sources": args.source, "date_from": args.since, "date_to": args.until}
    served = ask_running_server(config, args.question, {k: v for k, v in wanted.items() if v})
    if served is not None and (args.json or not served["abstained"]):  # the API's JSON lacks the related sentences
        show_json(served) if args.json else show(render_served(served))
        return 0
    from assistant.llm.answer import Answerer
    from assistant.startup import open_for_questions

    assistant = open_for_questions(config, reading_store)
    answer = Answerer.from_config(assistant, config).ask(args.question, filters=filters)
    show_json(answer.to_dict()) if args.json else show(render_text(answer))
    gc.freeze()  # exit then skips collecting every object the imports made (~0.25 CPU-s); an ask writes nothing
    return 0


def cmd_chat(args, config: Config) -> int:
    from assistant.llm.answer import Answerer
    from assistant.startup import open_for_questions
    from assistant.web.input import check_question

    assistant = open_for_questions(config, reading_store)
    answerer = Answerer.from_config(assistant, config)
    filters = filters_from_args(args)
    counts = assistant.library.counts()
    print(f"{counts['articles']} articles in {config.describe_store()}. Ask a question (empty line or Ctrl-D ends).")
    history: list[dict] = []
    while True:
        try:
            question = input("\n? ").strip()
        except EOFError:
            return 0
        if not question:
            return 0
        try:
            check_question(question, config)  # the API's limits, here too
        except AssistantError as exc:
            print(f"error: {exc}", file=sys.stderr)
            continue
        answer = answerer.ask(question, history=history[-config.max_history_turns:], filters=filters)
        show(render_text(answer))
        history.append({"question": question, **answer.to_dict()})


def cmd_serve(args, config: Config) -> int:
    from assistant.startup import load_chat
    from assistant.web.server import serve

    return serve(config, load_chat, allow_insecure=args.allow_insecure)


def cmd_eval(args, config: Config) -> int:
    from pathlib import Path

    from assistant.eval.run import run_eval, summary_lines

    assistant = None
    if not args.articles:  # an index to evaluate as it is: it must exist (only --articles ingests, into a new one)
        from assistant.core import Assistant

        progress = not args.no_progress
        if progress:
            print(f"eval: opening the index in {config.describe_store()}", file=sys.stderr, flush=True)
        assistant = Assistant(config, store=reading_store(config))
        if progress:
            print("eval: loading the embedding model", file=sys.stderr, flush=True)
        assistant.warm()
    summary = run_eval(config, Path(args.gold), args.articles, Path(args.out), progress=not args.no_progress,
                       assistant=assistant, open_store=creating_store)
    print("\n".join(summary_lines(summary)))
    print(f"wrote {args.out}/predictions.jsonl, summary.json, report.md")
    return 0


COMMANDS = {"eval": cmd_eval, "ask": cmd_ask, "chat": cmd_chat, "ingest": cmd_ingest, "list": cmd_list, "delete": cmd_delete,
            "check": cmd_check, "serve": cmd_serve}


def main(argv: Sequence[str] | None = None) -> int:
    configure_environment()
    args = build_parser().parse_args(argv)
    try:
        config = config_from_args(args)
        check_args(args, config)
        return COMMANDS[args.command](args, config)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130

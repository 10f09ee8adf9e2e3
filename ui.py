"""Gradio chat for `assistant serve`: streamed cited answers, sources, highlighted article, filters, conversations kept
in the browser (copy, export), the article browser (delete for admins) and article upload."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

import gradio as gr
from gradio.utils import get_upload_folder

from assistant.web.assets import STATIC  # the chat's CSS and scripts too
from assistant.web.browse import article_list_html, article_sentences_html, browse_placeholder
from assistant.web.conversations import (
    archive,
    earlier_choices,
    reopen,
    valid_earlier,
    valid_turns,
    write_export,
)
from assistant.web.examples import ExampleQuestions
from assistant.web.format import (
    article_html,
    article_placeholder,
    error_html,
    esc,
    exchange,
    history,
    locate,
    pick,
    plain_error,
    report_html,
    sources_html,
    transcript_html,
)
from assistant.web.input import check_question, parse_filters, refusal
from common.errors import AssistantError
from common.file_types import UPLOAD_SUFFIXES, upload_hint

log = logging.getLogger("assistant.ui")

SOURCES_LABEL = {False: "Sources (none selected: all)", True: "Sources (only those selected)"}
STREAM_STEPS = 8  # the answer is revealed in this many steps
STREAM_DELAY = 0.03  # seconds between steps
DRAFT_LABEL = "Draft from the language model, being checked against the articles (unverified):"
EXPORT_DIR = Path(tempfile.gettempdir()) / "assistant-exports"
# The conversation is kept in the browser's local storage, encrypted by Gradio with a key the page itself carries:
# not a secret (a visitor sees only their own conversation, and the API takes any history anyway), kept stable so
# that conversations survive a restart of the server.
BROWSER_KEY = "newsroom-assistant-conversations"

# Clicking a [n] marker, a source or a related sentence fires `select` with (turn, n) and its kind; the copy button
# puts the answer with its numbered sources on the clipboard (a hidden textarea where the Clipboard API is missing).
SELECT_JS = (STATIC / "chat_select.js").read_text(encoding="utf-8")
# Clicking an article of the browser's list opens it (its id travels in the event, never shown).
BROWSE_JS = (STATIC / "chat_browse.js").read_text(encoding="utf-8")
SCROLL_TO_MARK_JS = (STATIC / "chat_scroll_to_mark.js").read_text(encoding="utf-8")
CSS = (STATIC / "chat.css").read_text(encoding="utf-8")


def said(exc: AssistantError) -> str:
    """The chat's words for an error; the log keeps the technical message with its field and setting names."""
    log.warning("chat: %s", exc)
    return plain_error(exc)


def may_edit(config, username: str | None) -> bool:
    """Who may delete and add articles in the chat: the logged-in user when the chat has a log-in
    (ASSISTANT_UI_USER); without one, nobody unless ASSISTANT_UI_EDIT_WITHOUT_LOGIN=1 (loopback servers only:
    `serve` refuses it on others), since a loopback address alone says nothing about who is asking (a proxy)."""
    if config.ui_user:
        return username is not None and username == config.ui_user
    return config.ui_edit_without_login


def who(request) -> str:
    """The log's words for who made a request: the logged-in user (or that there is no log-in) and the address."""
    user = getattr(request, "username", None)
    client = getattr(getattr(request, "client", None), "host", None) or "?"
    return f"{user!r} from {client}" if user else f"a visitor without log-in (ASSISTANT_UI_EDIT_WITHOUT_LOGIN) from {client}"


def theme() -> gr.themes.Base:
    """Soft theme with system fonts only (no font downloads: the server may have no internet)."""
    return gr.themes.Soft(font=["system-ui", "-apple-system", "Segoe UI", "sans-serif"],
                          font_mono=["ui-monospace", "SFMono-Regular", "monospace"])


def build_ui(assistant, ingestor, answerer=None) -> gr.Blocks:
    """The chat over one Assistant; the upload tab ingests with the Ingestor that shares its store (the browser's
    delete goes through that store too). With an LLM-mode `answerer` the model's raw text streams in as a marked
    draft, then the verified answer replaces it."""
    config = assistant.config

    def source_choices() -> list[str]:
        return assistant.library.sources(fresh=True)  # includes what was just uploaded

    def status() -> str:
        n = assistant.library.counts()["articles"]
        return f'<div id="status-line">{n} articles · {esc(config.describe_store())}</div>'

    def is_admin(request: gr.Request | None) -> bool:
        return may_edit(config, getattr(request, "username", None) if request is not None else None)

    def export_update(turns: list[dict]):
        path = write_export(turns, EXPORT_DIR)
        return gr.update(value=str(path) if path else None, interactive=path is not None)

    def urls_of(answer) -> dict[str, str | None]:
        """Article id → URL of every cited article (for copying and export)."""
        urls: dict[str, str | None] = {}
        for c in answer.citations:
            if c.article_id not in urls:
                try:
                    urls[c.article_id] = assistant.library.article(c.article_id).article.url
                except AssistantError:
                    urls[c.article_id] = None
        return urls

    def browse_rows(sources, date_from, date_to, title):
        filters = parse_filters(sources, date_from, date_to)
        return assistant.library.browse(filters, title or ""), assistant.library.counts()["articles"]

    def on_load(stored_turns, stored_earlier, request: gr.Request):
        """Sources, status and the article list; the conversation kept in the browser, drawn if it has turns (a
        load that ends late must not wipe what the journalist did meanwhile) and written back only if it had to be
        cleaned."""
        turns, earlier = valid_turns(stored_turns), valid_earlier(stored_earlier)
        keep = gr.update()
        try:
            choices = source_choices()
            rows, total = browse_rows([], None, None, "")
            loaded = (gr.update(choices=choices), status(), gr.update(choices=choices), article_list_html(rows, total))
        except AssistantError as exc:
            loaded = (gr.update(), error_html(said(exc)), gr.update(), error_html(said(exc)))
        return (*loaded, transcript_html(turns) if turns else keep, sources_html(turns) if turns else keep,
                turns if turns != stored_turns else keep, earlier if earlier != stored_earlier else keep,
                gr.update(choices=earlier_choices(earlier)), export_update(turns) if turns else keep)

    def on_ask(question, exchanges, sources, date_from, date_to):
        exchanges = valid_turns(exchanges)
        keep = gr.update()
        try:
            q = check_question(question or "", config)
            filters = parse_filters(sources, date_from, date_to)
        except AssistantError as exc:
            yield transcript_html(exchanges) + error_html(said(exc)), keep, keep, exchanges, keep, keep
            return
        pending = {"question": q}
        yield transcript_html(exchanges, pending), "", keep, exchanges, keep, keep
        try:
            turns = history(exchanges[-config.max_history_turns:])
            if answerer is not None and answerer.uses_llm:
                draft, answer, last = "", None, 0.0
                for event in answerer.stream(q, history=turns, filters=filters):
                    if event.kind == "answer":
                        answer = event.answer
                        break
                    draft += event.text
                    if time.monotonic() - last >= STREAM_DELAY:  # at most one redraw per STREAM_DELAY
                        last = time.monotonic()
                        shown = f"{DRAFT_LABEL}\n{draft}"
                        yield transcript_html(exchanges, pending, shown), "", keep, exchanges, keep, keep
            else:
                answer = assistant.ask(q, history=turns, filters=filters)
                words = answer.text.split(" ")
                step = max(1, len(words) // STREAM_STEPS)
                for i in range(step, len(words), step):
                    yield transcript_html(exchanges, pending, " ".join(words[:i])), "", keep, exchanges, keep, keep
                    time.sleep(STREAM_DELAY)
            exchanges = [*exchanges, exchange(q, answer, urls_of(answer))]
        except AssistantError as exc:
            yield transcript_html(exchanges) + error_html(said(exc)), q, keep, exchanges, keep, keep
            return
        yield (transcript_html(exchanges), "", sources_html(exchanges), exchanges, article_placeholder(),
               export_update(exchanges))

    def on_select(exchanges, evt: gr.SelectData):
        exchanges = valid_turns(exchanges)
        try:
            turn, n = (int(x) for x in evt.index)
        except (TypeError, ValueError):
            return gr.update(), gr.update()
        kind = "related" if evt.value == "related" else "cite"
        cited = pick(exchanges, turn, n, kind)
        if cited is None:
            return gr.update(), gr.update()
        try:
            stored = assistant.library.article(cited["article_id"])
        except AssistantError as exc:
            return sources_html(exchanges, turn, (n, kind)), article_placeholder(said(exc))
        index = locate(stored.article.text, stored.sentence_spans, cited)
        view = article_html(stored.article, stored.sentence_spans, index)
        if index is None:
            view = error_html("The article changed since this answer; the sentence is no longer in it.") + view
        return sources_html(exchanges, turn, (n, kind)), view

    def on_new(turns, earlier):
        earlier = archive(valid_turns(turns), valid_earlier(earlier))
        return (transcript_html([]), sources_html([]), [], article_placeholder(), "", earlier,
                gr.update(choices=earlier_choices(earlier), value=None), export_update([]))

    def on_reopen(choice, turns, earlier):
        if choice is None:
            return (gr.update(),) * 8
        turns, earlier = reopen(int(choice), valid_turns(turns), valid_earlier(earlier))
        return (transcript_html(turns), sources_html(turns), turns, article_placeholder(), "", earlier,
                gr.update(choices=earlier_choices(earlier), value=None), export_update(turns))

    def on_browse(sources, date_from, date_to, title):
        try:
            return article_list_html(*browse_rows(sources, date_from, date_to, title))
        except AssistantError as exc:
            return error_html(said(exc))

    def on_open(evt: gr.SelectData, request: gr.Request):
        article_id = evt.value if isinstance(evt.value, str) else None
        hidden = gr.update(visible=False)
        if not article_id:
            return gr.update(), None, hidden, hidden
        try:
            stored = assistant.library.article(article_id)
        except AssistantError as exc:
            return browse_placeholder(said(exc)), None, hidden, hidden
        return article_sentences_html(stored), article_id, gr.update(visible=is_admin(request)), hidden

    def on_delete_ask(article_id, request: gr.Request):
        if not article_id or not is_admin(request):
            return gr.update(), gr.update(visible=False)
        try:
            title = assistant.library.article(article_id).article.title or "this untitled article"
        except AssistantError as exc:
            return error_html(said(exc)), gr.update(visible=False)
        return (f'<div id="confirm-text">Delete “{esc(title)}” from the index? Answers will no longer use or cite it, '
                "for everyone. Its source file is not touched.</div>"), gr.update(visible=True)

    def on_delete(article_id, sources, date_from, date_to, title, request: gr.Request):
        hidden = gr.update(visible=False)
        if not article_id:
            return gr.update(), gr.update(), None, hidden, hidden, gr.update(), gr.update(), gr.update()
        if not is_admin(request):
            log.warning("chat: refused to delete article %r for %s: not an admin (see ASSISTANT_UI_USER)", article_id,
                        who(request))
            view = browse_placeholder("Only the assistant's administrator can delete articles.")
            return view, gr.update(), article_id, hidden, hidden, gr.update(), gr.update(), gr.update()
        try:
            name = assistant.library.article(article_id).article.title or "The untitled article"
            ingestor.delete(article_id)
            log.warning("chat: deleted article %r from the index, for %s", article_id, who(request))
        except AssistantError as exc:
            return error_html(said(exc)), gr.update(), article_id, hidden, hidden, gr.update(), gr.update(), gr.update()
        finally:
            assistant.forget()
        choices = source_choices()
        view = f'<div class="browse-view"><p class="done">Deleted “{esc(name)}” from the index.</p></div>'
        return (view, on_browse(sources, date_from, date_to, title), None, hidden, hidden, status(),
                gr.update(choices=choices), gr.update(choices=choices))

    def on_ingest(files, request: gr.Request, progress=gr.Progress()):  # noqa: B008 - Gradio injects progress this way
        if not files:
            return error_html("Choose one or more files first."), gr.update(), gr.update(), gr.update()
        if not is_admin(request):
            log.warning("chat: refused to add %d uploaded file(s) for %s: not an admin (see ASSISTANT_UI_USER)",
                        len(files), who(request))
            return (error_html("Only the assistant's administrator can add articles (log in, or ask them)."),
                    gr.update(), gr.update(), gr.update())
        staged = Path(tempfile.mkdtemp(prefix="assistant-upload-"))
        try:
            paths = _stage(files, staged)
            progress(0, desc=f"Reading {len(paths)} file(s)…")

            def on_article(article_id: str, done: int, total: int) -> None:
                progress((done, total), desc="Adding articles", unit="articles")

            report = ingestor.ingest_paths(paths, on_article=on_article)
            log.warning("chat: %s, for %s", report.summary().splitlines()[0], who(request))
            choices = source_choices()
            return report_html(report, staged), gr.update(choices=choices), status(), gr.update(choices=choices)
        except AssistantError as exc:
            return error_html(said(exc)), gr.update(), gr.update(), gr.update()
        finally:
            assistant.forget()
            shutil.rmtree(staged, ignore_errors=True)

    with gr.Blocks(title="Newsroom assistant") as demo:
        exchanges = gr.BrowserState([], storage_key="newsroom-assistant-conversation", secret=BROWSER_KEY)
        earlier = gr.BrowserState([], storage_key="newsroom-assistant-earlier", secret=BROWSER_KEY)
        opened = gr.State(None)  # the id of the article open in the browser
        with gr.Row():
            gr.Markdown("## Newsroom assistant\n[API docs](/docs) · [embeddable widget](/widget)")
            status_line = gr.HTML("", elem_id="status")
        with gr.Tab("Ask"), gr.Row():
            with gr.Column(scale=3):
                transcript = gr.HTML(transcript_html([]), elem_id="transcript", js_on_load=SELECT_JS)
                with gr.Row():
                    question = gr.Textbox(show_label=False, placeholder="Ask a question about the articles…",
                                          elem_id="question", scale=6, max_lines=4, autofocus=True)
                    ask = gr.Button("Ask", variant="primary", elem_id="ask", scale=1, min_width=80)
                    new = gr.Button("New conversation", elem_id="new-conversation", scale=1, min_width=200)
                with gr.Row():
                    export = gr.DownloadButton("Export conversation (Markdown)", elem_id="export", size="sm",
                                               interactive=False, scale=0, min_width=260)
                examples = ExampleQuestions(assistant).get()  # from the index as it is at start-up
                gr.Markdown("Example questions:", visible=bool(examples))
                with gr.Row():
                    example_buttons = [gr.Button(q, size="sm", elem_classes=["example"]) for q in examples]
                with gr.Accordion("Filters", open=False):
                    sources = gr.Dropdown([], multiselect=True, label=SOURCES_LABEL[False],
                                          elem_id="filter-sources")
                    with gr.Row():
                        date_from = gr.Textbox(label="Published from", placeholder="YYYY-MM-DD", elem_id="date-from")
                        date_to = gr.Textbox(label="Published until", placeholder="YYYY-MM-DD", elem_id="date-to")
                with gr.Accordion("Earlier conversations (kept in this browser)", open=False, elem_id="earlier-box"):
                    with gr.Row():
                        earlier_pick = gr.Dropdown([], label="Reopen a conversation", elem_id="earlier", scale=4)
                        reopen_button = gr.Button("Reopen", elem_id="reopen", scale=1, min_width=100)
            with gr.Column(scale=2):
                sources_panel = gr.HTML(sources_html([]), elem_id="sources", js_on_load=SELECT_JS)
                article = gr.HTML(article_placeholder(), elem_id="article", js_on_load=SCROLL_TO_MARK_JS)
        with gr.Tab("Articles") as articles_tab:
            with gr.Row():
                b_title = gr.Textbox(label="Search titles", placeholder="words in the title", elem_id="browse-search",
                                     scale=3)
                b_sources = gr.Dropdown([], multiselect=True, label="Sources (none selected: all)",
                                        elem_id="browse-sources", scale=3)
                b_from = gr.DateTime(label="Published from", include_time=False, type="string", elem_id="browse-from",
                                     scale=2)
                b_to = gr.DateTime(label="Published until", include_time=False, type="string", elem_id="browse-to",
                                   scale=2)
            with gr.Row():
                with gr.Column(scale=2):
                    b_list = gr.HTML("", elem_id="article-list", js_on_load=BROWSE_JS)
                with gr.Column(scale=3):
                    b_view = gr.HTML(browse_placeholder(), elem_id="browse-article")
                    with gr.Row(visible=False, elem_id="admin-row") as admin_row:
                        delete = gr.Button("Delete this article…", variant="stop", size="sm", elem_id="delete-article",
                                           scale=0, min_width=200)
                    with gr.Row(visible=False, elem_id="confirm-row") as confirm_row:
                        confirm_text = gr.HTML("")
                        confirm = gr.Button("Delete it", variant="stop", size="sm", elem_id="confirm-delete",
                                            scale=0, min_width=120)
                        keep = gr.Button("Keep it", size="sm", elem_id="keep-article", scale=0, min_width=120)
        with gr.Tab("Add articles"):
            gr.Markdown(upload_hint())
            files = gr.File(file_count="multiple", file_types=UPLOAD_SUFFIXES, label="Article files", elem_id="upload")
            ingest = gr.Button("Add to the index", variant="primary", elem_id="ingest")
            report = gr.HTML("", elem_id="ingest-report", min_height=80)

        sources.change(lambda chosen: gr.update(label=SOURCES_LABEL[bool(chosen)]), sources, sources,
                       show_progress="hidden")
        ask_inputs = [question, exchanges, sources, date_from, date_to]
        ask_outputs = [transcript, question, sources_panel, exchanges, article, export]
        for trigger in (ask.click, question.submit):
            trigger(on_ask, ask_inputs, ask_outputs, concurrency_limit=4)
        for button, text in zip(example_buttons, examples, strict=True):
            button.click(lambda t=text: t, None, question).then(on_ask, ask_inputs, ask_outputs, concurrency_limit=4)
        transcript.select(on_select, exchanges, [sources_panel, article])
        sources_panel.select(on_select, exchanges, [sources_panel, article])
        conversation = [transcript, sources_panel, exchanges, article, question, earlier, earlier_pick, export]
        new.click(on_new, [exchanges, earlier], conversation)
        reopen_button.click(on_reopen, [earlier_pick, exchanges, earlier], conversation)
        browse_inputs = [b_sources, b_from, b_to, b_title]
        for control in (b_sources, b_from, b_to):
            control.change(on_browse, browse_inputs, b_list)
        b_title.change(on_browse, browse_inputs, b_list, trigger_mode="always_last", show_progress="hidden")
        articles_tab.select(on_browse, browse_inputs, b_list)
        b_list.select(on_open, None, [b_view, opened, admin_row, confirm_row])
        # the question sits below a long article's last sentence: bring it into view (issue 25: below the fold)
        delete.click(on_delete_ask, opened, [confirm_text, confirm_row]).then(
            None, None, None, js="() => document.getElementById('confirm-row')?.scrollIntoView({block: 'center'})")
        keep.click(lambda: gr.update(visible=False), None, confirm_row)
        confirm.click(on_delete, [opened, *browse_inputs],
                      [b_view, b_list, opened, admin_row, confirm_row, status_line, sources, b_sources])
        ingest.click(on_ingest, files, [report, sources, status_line, b_sources], show_progress_on=[report])
        demo.load(on_load, [exchanges, earlier], [sources, status_line, b_sources, b_list, transcript, sources_panel,
                                                   exchanges, earlier, earlier_pick, export])
    return demo


def _stage(files: list, staged: Path) -> list[Path]:
    """Copy uploads into one folder under their own names (ids come from file names); names made unique.
    Only files in Gradio's upload folder are taken, whatever path a request names (Gradio checks the same only
    in an app it marks launched, see web/server.py); only the base name of that file is reused, inside `staged`."""
    uploads = Path(os.path.realpath(get_upload_folder()))
    out = []
    for f in files:
        src = Path(os.path.realpath(f if isinstance(f, str | Path) else f.name))
        if not (src.is_relative_to(uploads) and src.is_file()):
            raise refusal(AssistantError, "a file in the request was not uploaded through this page",
                          "choose the files with the file picker of the Add articles tab",
                          "One of the files did not come through this page's file picker. Choose the files again.")
        dest = staged / src.name
        n = 2
        while dest.exists():
            dest = staged / f"{src.stem}-{n}{src.suffix}"
            n += 1
        try:
            shutil.copyfile(src, dest)
        except OSError as exc:
            raise refusal(AssistantError, f"an uploaded file could not be read ({exc.strerror or type(exc).__name__})",
                          "upload the files again", f"The uploaded file {src.name} could not be read. Upload it again."
                          ) from None
        out.append(dest)
    return out

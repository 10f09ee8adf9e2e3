"""Gradio chat for `assistant serve`: streamed cited answers, sources, highlighted article, filters, conversations kept
in the browser (copy, export), the article browser (delete for admins) and article upload."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

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
from common.eta import duration
from common.file_types import UPLOAD_SUFFIXES, upload_hint

if TYPE_CHECKING:
    from assistant.core import Assistant
    from assistant.llm.answer import Answerer
    from index.pipeline import Ingestor

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


def build_ui(assistant: Assistant, ingestor: Ingestor, answerer: Answerer | None = None) -> gr.Blocks:
    """The chat over one Assistant; the upload tab ingests with the Ingestor that shares its store, and the
    browser's delete goes through it too. With an LLM-mode `answerer` the model's raw text streams in as a marked
    draft, then the verified answer replaces it."""
    return Chat(assistant, ingestor, answerer).build()


class Chat:
    """The page: a header, then one method per tab that lays it out and wires its handlers (Ask, Articles, Add
    articles). Handlers return {component: value}: what they change, by name; a component left out stays as it is."""

    def __init__(self, assistant: Assistant, ingestor: Ingestor, answerer: Answerer | None = None):
        self.assistant = assistant
        self.ingestor = ingestor
        self.answerer = answerer
        self.config = assistant.config

    def build(self) -> gr.Blocks:
        with gr.Blocks(title="Newsroom assistant") as demo:
            self.exchanges = gr.BrowserState([], storage_key="newsroom-assistant-conversation", secret=BROWSER_KEY)
            self.earlier = gr.BrowserState([], storage_key="newsroom-assistant-earlier", secret=BROWSER_KEY)
            self.opened = gr.State(None)  # the id of the article open in the browser
            with gr.Row():
                gr.Markdown("## Newsroom assistant\n[API docs](/docs) · [embeddable widget](/widget)")
                self.status_line = gr.HTML("", elem_id="status")
            self.ask_tab()
            self.articles_tab()
            self.upload_tab()
            demo.load(self.on_load, [self.exchanges, self.earlier],
                      [self.sources, self.status_line, self.b_sources, self.b_list, self.transcript,
                       self.sources_panel, self.exchanges, self.earlier, self.earlier_pick, self.export])
        return demo

    # -- what several tabs show ------------------------------------------------------------------------------
    def source_choices(self) -> list[str]:
        return self.assistant.library.sources(fresh=True)  # includes what was just uploaded

    def status(self) -> str:
        n = self.assistant.library.counts()["articles"]
        return f'<div id="status-line">{n} articles · {esc(self.config.describe_store())}</div>'

    def is_admin(self, request: gr.Request | None) -> bool:
        return may_edit(self.config, getattr(request, "username", None) if request is not None else None)

    def export_update(self, turns: list[dict]):
        path = write_export(turns, EXPORT_DIR)
        return gr.update(value=str(path) if path else None, interactive=path is not None)

    def urls_of(self, answer) -> dict[str, str | None]:
        """Article id → URL of every cited article (for copying and export)."""
        urls: dict[str, str | None] = {}
        for c in answer.citations:
            if c.article_id not in urls:
                try:
                    urls[c.article_id] = self.assistant.library.article(c.article_id).article.url
                except AssistantError:
                    urls[c.article_id] = None
        return urls

    def browse_rows(self, sources, date_from, date_to, title):
        filters = parse_filters(sources, date_from, date_to)
        return self.assistant.library.browse(filters, title or ""), self.assistant.library.counts()["articles"]

    def sources_changed(self) -> dict:
        """After articles were added or deleted: the source lists of both tabs and the status line."""
        choices = self.source_choices()
        return {self.sources: gr.update(choices=choices), self.status_line: self.status(),
                self.b_sources: gr.update(choices=choices)}

    def on_load(self, stored_turns, stored_earlier, request: gr.Request):
        """Sources, status and the article list; the conversation kept in the browser, drawn if it has turns (a
        load that ends late must not wipe what the journalist did meanwhile) and written back only if it had to be
        cleaned."""
        turns, earlier = valid_turns(stored_turns), valid_earlier(stored_earlier)
        try:
            out = self.sources_changed()
            out[self.b_list] = article_list_html(*self.browse_rows([], None, None, ""))
        except AssistantError as exc:
            out = {self.status_line: error_html(said(exc)), self.b_list: error_html(said(exc))}
        if turns:
            out |= {self.transcript: transcript_html(turns), self.sources_panel: sources_html(turns),
                    self.export: self.export_update(turns)}
        if turns != stored_turns:
            out[self.exchanges] = turns
        if earlier != stored_earlier:
            out[self.earlier] = earlier
        out[self.earlier_pick] = gr.update(choices=earlier_choices(earlier))
        return out

    # -- Ask -------------------------------------------------------------------------------------------------
    def ask_tab(self) -> None:
        with gr.Tab("Ask"), gr.Row():
            with gr.Column(scale=3):
                self.transcript = gr.HTML(transcript_html([]), elem_id="transcript", js_on_load=SELECT_JS)
                with gr.Row():
                    self.question = gr.Textbox(show_label=False, placeholder="Ask a question about the articles…",
                                               elem_id="question", scale=6, max_lines=4, autofocus=True)
                    ask = gr.Button("Ask", variant="primary", elem_id="ask", scale=1, min_width=80)
                    new = gr.Button("New conversation", elem_id="new-conversation", scale=1, min_width=200)
                with gr.Row():
                    self.export = gr.DownloadButton("Export conversation (Markdown)", elem_id="export", size="sm",
                                                    interactive=False, scale=0, min_width=260)
                examples = ExampleQuestions(self.assistant).get()  # from the index as it is at start-up
                gr.Markdown("Example questions:", visible=bool(examples))
                with gr.Row():
                    example_buttons = [gr.Button(q, size="sm", elem_classes=["example"]) for q in examples]
                with gr.Accordion("Filters", open=False):
                    self.sources = gr.Dropdown([], multiselect=True, label=SOURCES_LABEL[False],
                                               elem_id="filter-sources")
                    with gr.Row():
                        self.date_from = gr.Textbox(label="Published from", placeholder="YYYY-MM-DD",
                                                    elem_id="date-from")
                        self.date_to = gr.Textbox(label="Published until", placeholder="YYYY-MM-DD",
                                                  elem_id="date-to")
                with gr.Accordion("Earlier conversations (kept in this browser)", open=False, elem_id="earlier-box"):
                    with gr.Row():
                        self.earlier_pick = gr.Dropdown([], label="Reopen a conversation", elem_id="earlier", scale=4)
                        reopen = gr.Button("Reopen", elem_id="reopen", scale=1, min_width=100)
            with gr.Column(scale=2):
                self.sources_panel = gr.HTML(sources_html([]), elem_id="sources", js_on_load=SELECT_JS)
                self.article = gr.HTML(article_placeholder(), elem_id="article", js_on_load=SCROLL_TO_MARK_JS)
        self.wire_ask(ask, new, reopen, zip(example_buttons, examples, strict=True))

    def wire_ask(self, ask: gr.Button, new: gr.Button, reopen: gr.Button, examples) -> None:
        self.sources.change(lambda chosen: gr.update(label=SOURCES_LABEL[bool(chosen)]), self.sources, self.sources,
                            show_progress="hidden")
        ask_inputs = [self.question, self.exchanges, self.sources, self.date_from, self.date_to]
        ask_outputs = [self.transcript, self.question, self.sources_panel, self.exchanges, self.article, self.export]
        for trigger in (ask.click, self.question.submit):
            trigger(self.on_ask, ask_inputs, ask_outputs, concurrency_limit=4)
        for button, text in examples:
            button.click(lambda t=text: t, None, self.question).then(self.on_ask, ask_inputs, ask_outputs,
                                                                      concurrency_limit=4)
        self.transcript.select(self.on_select, self.exchanges, [self.sources_panel, self.article])
        self.sources_panel.select(self.on_select, self.exchanges, [self.sources_panel, self.article])
        conversation = [self.transcript, self.sources_panel, self.exchanges, self.article, self.question,
                        self.earlier, self.earlier_pick, self.export]
        new.click(self.on_new, [self.exchanges, self.earlier], conversation)
        reopen.click(self.on_reopen, [self.earlier_pick, self.exchanges, self.earlier], conversation)

    def asking(self, exchanges: list[dict], *shown, question: str = "") -> dict:
        """The transcript while a question is answered (or refused), the question box and the turns so far."""
        return {self.transcript: transcript_html(exchanges, *shown), self.question: question, self.exchanges: exchanges}

    def on_ask(self, question, exchanges, sources, date_from, date_to):
        exchanges = valid_turns(exchanges)
        try:
            q = check_question(question or "", self.config)
            filters = parse_filters(sources, date_from, date_to)
        except AssistantError as exc:
            yield {self.transcript: transcript_html(exchanges) + error_html(said(exc)), self.exchanges: exchanges}
            return
        pending = {"question": q}
        yield self.asking(exchanges, pending)
        try:
            turns = history(exchanges[-self.config.max_history_turns:])
            answer = yield from self.answer_shown(q, turns, filters, exchanges, pending)
            exchanges = [*exchanges, exchange(q, answer, self.urls_of(answer))]
        except AssistantError as exc:
            yield {self.transcript: transcript_html(exchanges) + error_html(said(exc)), self.question: q,
                   self.exchanges: exchanges}
            return
        yield {**self.asking(exchanges), self.sources_panel: sources_html(exchanges),
               self.article: article_placeholder(), self.export: self.export_update(exchanges)}

    def answer_shown(self, q: str, turns, filters, exchanges: list[dict], pending: dict):
        """Yields the answer as it is written (an LLM's draft, marked; else the extractive answer word by word);
        returns the answer."""
        if self.answerer is not None and self.answerer.uses_llm:
            draft, last = "", 0.0
            for event in self.answerer.stream(q, history=turns, filters=filters):
                if event.kind == "answer":
                    return event.answer
                draft += event.text
                if time.monotonic() - last >= STREAM_DELAY:  # at most one redraw per STREAM_DELAY
                    last = time.monotonic()
                    yield self.asking(exchanges, pending, f"{DRAFT_LABEL}\n{draft}")
            return None
        answer = self.assistant.ask(q, history=turns, filters=filters)
        words = answer.text.split(" ")
        step = max(1, len(words) // STREAM_STEPS)
        for i in range(step, len(words), step):
            yield self.asking(exchanges, pending, " ".join(words[:i]))
            time.sleep(STREAM_DELAY)
        return answer

    def on_select(self, exchanges, evt: gr.SelectData):
        exchanges = valid_turns(exchanges)
        try:
            turn, n = (int(x) for x in evt.index)
        except (TypeError, ValueError):
            return gr.skip()
        kind = "related" if evt.value == "related" else "cite"
        cited = pick(exchanges, turn, n, kind)
        if cited is None:
            return gr.skip()
        panel = sources_html(exchanges, turn, (n, kind))
        try:
            stored = self.assistant.library.article(cited["article_id"])
        except AssistantError as exc:
            return {self.sources_panel: panel, self.article: article_placeholder(said(exc))}
        index = locate(stored.article.text, stored.sentence_spans, cited)
        view = article_html(stored.article, stored.sentence_spans, index)
        if index is None:
            view = error_html("The article changed since this answer; the sentence is no longer in it.") + view
        return {self.sources_panel: panel, self.article: view}

    def conversation(self, turns: list[dict], earlier: list) -> dict:
        """The Ask tab showing `turns` as the current conversation, `earlier` kept to reopen."""
        return {self.transcript: transcript_html(turns), self.sources_panel: sources_html(turns), self.exchanges: turns,
                self.article: article_placeholder(), self.question: "", self.earlier: earlier,
                self.earlier_pick: gr.update(choices=earlier_choices(earlier), value=None),
                self.export: self.export_update(turns)}

    def on_new(self, turns, earlier):
        return self.conversation([], archive(valid_turns(turns), valid_earlier(earlier)))

    def on_reopen(self, choice, turns, earlier):
        if choice is None:
            return gr.skip()
        return self.conversation(*reopen(int(choice), valid_turns(turns), valid_earlier(earlier)))

    # -- Articles --------------------------------------------------------------------------------------------
    def articles_tab(self) -> None:
        with gr.Tab("Articles") as tab:
            with gr.Row():
                self.b_title = gr.Textbox(label="Search titles", placeholder="words in the title",
                                          elem_id="browse-search", scale=3)
                self.b_sources = gr.Dropdown([], multiselect=True, label="Sources (none selected: all)",
                                             elem_id="browse-sources", scale=3)
                self.b_from = gr.DateTime(label="Published from", include_time=False, type="string",
                                          elem_id="browse-from", scale=2)
                self.b_to = gr.DateTime(label="Published until", include_time=False, type="string",
                                        elem_id="browse-to", scale=2)
            with gr.Row():
                with gr.Column(scale=2):
                    self.b_list = gr.HTML("", elem_id="article-list", js_on_load=BROWSE_JS)
                with gr.Column(scale=3):
                    self.b_view = gr.HTML(browse_placeholder(), elem_id="browse-article")
                    with gr.Row(visible=False, elem_id="admin-row") as self.admin_row:
                        delete = gr.Button("Delete this article…", variant="stop", size="sm",
                                           elem_id="delete-article", scale=0, min_width=200)
                    with gr.Row(visible=False, elem_id="confirm-row") as self.confirm_row:
                        self.confirm_text = gr.HTML("")
                        confirm = gr.Button("Delete it", variant="stop", size="sm", elem_id="confirm-delete",
                                            scale=0, min_width=120)
                        keep = gr.Button("Keep it", size="sm", elem_id="keep-article", scale=0, min_width=120)
        self.wire_articles(tab, delete, confirm, keep)

    def wire_articles(self, tab: gr.Tab, delete: gr.Button, confirm: gr.Button, keep: gr.Button) -> None:
        browse_inputs = [self.b_sources, self.b_from, self.b_to, self.b_title]
        for control in (self.b_sources, self.b_from, self.b_to):
            control.change(self.on_browse, browse_inputs, self.b_list)
        self.b_title.change(self.on_browse, browse_inputs, self.b_list, trigger_mode="always_last",
                            show_progress="hidden")
        tab.select(self.on_browse, browse_inputs, self.b_list)
        self.b_list.select(self.on_open, None, [self.b_view, self.opened, self.admin_row, self.confirm_row])
        # the question sits below a long article's last sentence: bring it into view (issue 25: below the fold)
        delete.click(self.on_delete_ask, self.opened, [self.confirm_text, self.confirm_row]).then(
            None, None, None, js="() => document.getElementById('confirm-row')?.scrollIntoView({block: 'center'})")
        keep.click(lambda: gr.update(visible=False), None, self.confirm_row)
        confirm.click(self.on_delete, [self.opened, *browse_inputs],
                      [self.b_view, self.b_list, self.opened, self.admin_row, self.confirm_row, self.status_line,
                       self.sources, self.b_sources])

    def on_browse(self, sources, date_from, date_to, title):
        try:
            return article_list_html(*self.browse_rows(sources, date_from, date_to, title))
        except AssistantError as exc:
            return error_html(said(exc))

    def on_open(self, evt: gr.SelectData, request: gr.Request):
        article_id = evt.value if isinstance(evt.value, str) else None
        closed = {self.opened: None, self.admin_row: gr.update(visible=False),
                  self.confirm_row: gr.update(visible=False)}
        if not article_id:
            return closed
        try:
            stored = self.assistant.library.article(article_id)
        except AssistantError as exc:
            return {**closed, self.b_view: browse_placeholder(said(exc))}
        return {**closed, self.b_view: article_sentences_html(stored), self.opened: article_id,
                self.admin_row: gr.update(visible=self.is_admin(request))}

    def on_delete_ask(self, article_id, request: gr.Request):
        if not article_id or not self.is_admin(request):
            return {self.confirm_row: gr.update(visible=False)}
        try:
            title = self.assistant.library.article(article_id).article.title or "this untitled article"
        except AssistantError as exc:
            return {self.confirm_text: error_html(said(exc)), self.confirm_row: gr.update(visible=False)}
        return {self.confirm_text: f'<div id="confirm-text">Delete “{esc(title)}” from the index? Answers will no '
                                   "longer use or cite it, for everyone. Its source file is not touched.</div>",
                self.confirm_row: gr.update(visible=True)}

    def on_delete(self, article_id, sources, date_from, date_to, title, request: gr.Request):
        hidden = {self.admin_row: gr.update(visible=False), self.confirm_row: gr.update(visible=False)}
        if not article_id:
            return {**hidden, self.opened: None}
        if not self.is_admin(request):
            log.warning("chat: refused to delete article %r for %s: not an admin (see ASSISTANT_UI_USER)", article_id,
                        who(request))
            view = browse_placeholder("Only the assistant's administrator can delete articles.")
            return {**hidden, self.b_view: view, self.opened: article_id}
        try:
            name = self.assistant.library.article(article_id).article.title or "The untitled article"
            self.ingestor.delete(article_id)
            log.warning("chat: deleted article %r from the index, for %s", article_id, who(request))
        except AssistantError as exc:
            return {**hidden, self.b_view: error_html(said(exc)), self.opened: article_id}
        finally:
            self.assistant.forget()
        return {**hidden, **self.sources_changed(), self.opened: None,
                self.b_view: f'<div class="browse-view"><p class="done">Deleted “{esc(name)}” from the index.</p></div>',
                self.b_list: self.on_browse(sources, date_from, date_to, title)}

    # -- Add articles ----------------------------------------------------------------------------------------
    def upload_tab(self) -> None:
        with gr.Tab("Add articles"):
            gr.Markdown(upload_hint())
            files = gr.File(file_count="multiple", file_types=UPLOAD_SUFFIXES, label="Article files",
                            elem_id="upload")
            ingest = gr.Button("Add to the index", variant="primary", elem_id="ingest")
            self.report = gr.HTML("", elem_id="ingest-report", min_height=80)
        ingest.click(self.on_ingest, files, [self.report, self.sources, self.status_line, self.b_sources],
                     show_progress_on=[self.report])

    def on_ingest(self, files, request: gr.Request, progress=gr.Progress()):  # noqa: B008 - Gradio injects it so
        if not files:
            return {self.report: error_html("Choose one or more files first.")}
        if not self.is_admin(request):
            log.warning("chat: refused to add %d uploaded file(s) for %s: not an admin (see ASSISTANT_UI_USER)",
                        len(files), who(request))
            return {self.report: error_html("Only the assistant's administrator can add articles (log in, or ask "
                                            "them).")}
        staged = Path(tempfile.mkdtemp(prefix="assistant-upload-"))
        try:
            paths = _stage(files, staged)
            progress(0, desc=f"Reading {len(paths)} file(s)…")

            def on_article(article_id: str, done: int, total: int, left: float | None) -> None:
                # the time left is the ingest's own (common/eta.py): Gradio's timer ("3/60 articles | 12.1/300.0s")
                # shows the average length of all earlier uploads, whatever their size, so chat.css hides it
                said_left = f", about {duration(left)} left" if left is not None else ""
                progress((done, total), desc=f"Adding articles: {done} of {total}{said_left}", unit="articles")

            report = self.ingestor.ingest_paths(paths, on_article=on_article)
            log.warning("chat: %s, for %s", report.summary().splitlines()[0], who(request))
            return {self.report: report_html(report, staged), **self.sources_changed()}
        except AssistantError as exc:
            return {self.report: error_html(said(exc))}
        finally:
            self.assistant.forget()
            shutil.rmtree(staged, ignore_errors=True)


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

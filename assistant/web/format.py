"""HTML for the web chat (transcript, sources, highlighted article, ingest report); every untrusted string escaped."""

from __future__ import annotations

import html
import re
from pathlib import Path

from assistant.formatting import byline
from assistant.web.export import answer_text, day, timeline
from common.errors import ArticleNotFound, AssistantError, EmbeddingError, StoreUnavailable

MARKER = re.compile(r"\[(\d+)\]")
EXAMPLE_QUESTIONS = (  # offered by the empty chat and the empty widget (/api/examples); they fit examples/articles
    "How many people died in the Velmora flood?",
    "What did Mayor Ilsa Varenko say?",
    "How many hectares has the Harrowmere wildfire burned?",
    "When will the Northline rail strike start?",
)
NOT_IN_ARTICLES = "Not in the articles"


def esc(value: object) -> str:
    """Escape text for HTML element content and quoted attributes; None becomes ''."""
    return html.escape("" if value is None else str(value), quote=True)


def exchange(question: str, answer, urls: dict[str, str | None] | None = None) -> dict:
    """One conversation turn as kept in the UI state: `{"question", **answer.to_dict(), "related": [...]}`; with
    `urls` (article id → URL) each citation also carries its article's `url` (for copying and export)."""
    ex = {"question": question, **answer.to_dict(), "related": [c.to_dict() for c in answer.related]}
    if urls:
        ex["citations"] = [{**c, "url": urls.get(c["article_id"])} for c in ex["citations"]]
    return ex


def history(exchanges: list[dict]) -> list[dict]:
    """The turns as `Assistant.ask` takes them: `{"question", **Answer.to_dict()}` (related sentences and the
    citations' URLs dropped)."""
    return [{**{k: v for k, v in ex.items() if k != "related"},
             "citations": [{k: v for k, v in c.items() if k != "url"} for c in ex.get("citations") or []]}
            for ex in exchanges]


def pick(exchanges: list[dict], turn: int, n: int, kind: str = "cite") -> dict | None:
    """The citation (kind "cite") or related sentence ("related") numbered n (from 1) of a turn, if any."""
    if not 0 <= turn < len(exchanges):
        return None
    items = exchanges[turn].get("related" if kind == "related" else "citations") or []
    return items[n - 1] if 1 <= n <= len(items) else None


def citation_meta(c: dict) -> str:
    """'Title · Source · YYYY-MM-DD' as plain (unescaped) text; an internal article id is never shown."""
    title = c.get("title") or "Untitled article"
    return byline(title, c.get("source"), c.get("published_at"))


def _button(turn: int, n: int, kind: str, inner: str, cls: str) -> str:
    return (f'<button type="button" class="{cls}" data-turn="{turn}" data-cite="{n}" data-kind="{kind}" '
            f'title="Show the sentence in its article">{inner}</button>')


def answer_body(text: str, n_citations: int, turn: int) -> str:
    """The answer escaped, with each [n] that names a citation turned into a button that selects it."""

    def marker(m: re.Match) -> str:
        n = int(m.group(1))
        return _button(turn, n, "cite", f"[{n}]", "cite-marker") if 1 <= n <= n_citations else m.group(0)

    return MARKER.sub(marker, esc(text))


def turn_html(turn: int, ex: dict, partial: str | None = None) -> str:
    """A question and its answer; `partial` is the answer text revealed so far while it streams in."""
    q = f'<div class="msg user"><span class="who">You</span><div class="body">{esc(ex["question"])}</div></div>'
    if partial is not None or "answer" not in ex:
        text = esc(partial) if partial else '<span class="pending">Searching the articles…</span>'
        return f'{q}<div class="msg bot streaming"><span class="who">Assistant</span><div class="body">{text}</div></div>'
    if ex.get("abstained"):
        related = ex.get("related") or []
        items = "".join(
            f"<li>{_button(turn, n, 'related', esc(r['text']), 'related-sentence')}"
            f'<span class="meta">{esc(citation_meta(r))}</span></li>'
            for n, r in enumerate(related, 1)
        )
        rel = (f'<div class="related"><div class="related-title">Related sentences (not an answer)</div>'
               f"<ol>{items}</ol></div>") if related else ""
        return (f'{q}<div class="msg bot abstained" data-abstained="true"><span class="who">Assistant</span>'
                f'<div class="badge">{NOT_IN_ARTICLES}</div><div class="body">{esc(ex["answer"])}</div>{rel}</div>')
    body = answer_body(ex["answer"], len(ex.get("citations") or []), turn)
    short = ex.get("short_answer")
    short_html = f'<div class="short">Short answer: <b>{esc(short)}</b></div>' if short else ""
    return (f'{q}<div class="msg bot answered"><span class="who">Assistant</span>'
            f'<div class="body">{body}</div>{short_html}{timeline_html(turn, ex)}{copy_button(ex)}</div>')


def copy_button(ex: dict) -> str:
    """A button that copies the turn as plain text with numbered sources (the text rides in an attribute)."""
    return (f'<div class="tools"><button type="button" class="copy" data-copy="{esc(answer_text(ex))}" '
            'title="Copy the answer with its numbered sources (title, outlet, date, URL, exact sentence)">'
            "Copy answer with citations</button></div>")


def timeline_html(turn: int, ex: dict) -> str:
    """'How the figure changed': the figure per article on a small dated line, oldest first (2+ entries only)."""
    steps = timeline(ex)
    if not steps:
        return ""
    n_cites = len(ex.get("citations") or [])
    items = []
    for t in steps:
        n = t.get("citation")
        marker = _button(turn, n, "cite", f"[{n}]", "cite-marker") if isinstance(n, int) and 1 <= n <= n_cites else ""
        items.append(f'<li><time datetime="{esc((t.get("date") or "")[:10])}">{esc(day(t.get("date")) or "undated")}'
                     f'</time><span class="figure">{esc(t["figure"])}</span>'
                     f'<span class="src">{esc(t.get("source") or "")}</span>{marker}</li>')
    return (f'<div class="timeline" data-entries="{len(steps)}"><div class="timeline-title">How the figure changed'
            f'</div><ol>{"".join(items)}</ol></div>')


def transcript_html(exchanges: list[dict], pending: dict | None = None, partial: str | None = None) -> str:
    """The whole conversation, plus an optional turn still being answered."""
    parts = [turn_html(i, ex) for i, ex in enumerate(exchanges)]
    if pending is not None:
        parts.append(turn_html(len(exchanges), pending, partial))
    if not parts:
        return ('<div class="transcript empty">Ask a question about the articles. Answers cite the exact '
                "sentences they rest on; click a [n] marker or a source to read it in its article.</div>")
    return f'<div class="transcript">{"".join(parts)}</div>'


def sources_html(exchanges: list[dict], turn: int | None = None, selected: tuple[int, str] | None = None) -> str:
    """The citations of one turn (default: the last), or its related sentences when it abstained."""
    if not exchanges:
        return '<div class="sources empty">Sources of the answer appear here.</div>'
    turn = len(exchanges) - 1 if turn is None or not 0 <= turn < len(exchanges) else turn
    ex = exchanges[turn]
    kind = "related" if ex.get("abstained") else "cite"
    items = ex.get("related" if kind == "related" else "citations") or []
    if not items:
        return f'<div class="sources empty">No sources for “{esc(ex["question"])}”.</div>'
    heading = "Related sentences (the articles do not answer this)" if kind == "related" else "Sources"
    rows = []
    for n, c in enumerate(items, 1):
        on = " selected" if selected == (n, kind) else ""
        inner = (f'<span class="num">[{n}]</span> <span class="title">{esc(c.get("title") or "Untitled article")}</span>'
                 f'<span class="meta">{esc(byline(None, c.get("source"), c.get("published_at")))}</span>'
                 f'<span class="sentence">{esc(c["text"])}</span>')
        rows.append(f"<li>{_button(turn, n, kind, inner, 'source' + on)}</li>")
    return (f'<div class="sources {kind}" data-turn="{turn}"><div class="sources-title">{heading}</div>'
            f'<ol>{"".join(rows)}</ol></div>')


def safe_url(url: str | None) -> str | None:
    """The URL if it is plain http(s), else None (so a javascript: or data: URL never becomes a link)."""
    return url if url and re.match(r"^https?://[^\s\"'<>]+$", url.strip(), re.I) else None


def locate(text: str, spans, cited: dict) -> int | None:
    """The cited sentence's index in the article as stored now: its own if the offsets still hold, else the
    first sentence with the same text (the article was re-ingested), else None."""
    i, s, e = cited.get("sentence_index"), cited.get("char_start"), cited.get("char_end")
    if isinstance(i, int) and 0 <= i < len(spans) and tuple(spans[i]) == (s, e) and text[s:e] == cited.get("text"):
        return i
    return next((j for j, (a, b) in enumerate(spans) if text[a:b] == cited.get("text")), None)


def article_html(article, spans, sentence_index: int | None) -> str:
    """The article's text with one sentence in <mark id="highlight">; `article` is a records.Article."""
    text = article.text
    meta = byline(None, article.source, article.published_at_iso)
    url = safe_url(article.url)
    link = (f'<a href="{esc(url)}" target="_blank" rel="noopener noreferrer nofollow">{esc(url)}</a>' if url
            else esc(article.url or ""))
    if sentence_index is not None and 0 <= sentence_index < len(spans):
        s, e = spans[sentence_index]
        body = (f'{esc(text[:s])}<mark id="highlight" data-sentence="{sentence_index}">{esc(text[s:e])}</mark>'
                f"{esc(text[e:])}")
    else:
        body = esc(text)
    return (f'<article class="article-view" data-article="{esc(article.id)}"><header class="article-head">'
            f'<h3>{esc(article.title or "Untitled article")}</h3><div class="meta">{esc(meta)}</div>'
            f'<div class="meta url">{link}</div></header><div class="article-text">{body}</div></article>')


def article_placeholder(message: str = "Select a citation to read it in its article.") -> str:
    return f'<div class="article-view empty">{esc(message)}</div>'


def error_html(message: str) -> str:
    return f'<div class="error-box" role="alert">{esc(message)}</div>'


def plain_error(exc: AssistantError) -> str:
    """What the chat tells a journalist about an error: plain words, no field or setting names (those stay in the
    log and the API's `fix`)."""
    plain = getattr(exc, "plain", None)
    if plain:
        return plain
    if isinstance(exc, StoreUnavailable):
        return ("The article index cannot be reached right now, so the assistant cannot answer. Try again in a "
                "minute; if it keeps happening, tell whoever runs the assistant (its log says what is wrong).")
    if isinstance(exc, EmbeddingError):
        return ("The model that reads questions is not available right now. Try again in a minute; if it keeps "
                "happening, tell whoever runs the assistant (its log says what is wrong).")
    if isinstance(exc, ArticleNotFound):
        return "This article is no longer in the index: it was deleted or replaced since the answer was given."
    sentence = lambda s: (s[:1].upper() + s[1:]).rstrip(".") + "."  # noqa: E731
    return sentence(exc.message) + (f" {sentence(exc.fix)}" if exc.fix else "")


def report_html(report, staged: Path | None = None) -> str:
    """An IngestReport as a summary line plus one table row per failure (file, line, reason, fix)."""

    def name(path: str) -> str:
        if staged is not None:
            try:
                return str(Path(path).relative_to(staged))
            except ValueError:
                pass
        return path

    summary = (f"Added {len(report.added)}, updated {len(report.updated)}, unchanged {len(report.unchanged)}, "
               f"failed {len(report.failed)} ({report.sentences} sentences, {report.chunks} chunks, "
               f"{report.seconds:.1f} s).")
    ok = "ok" if report.ok else "failed"
    out = f'<div class="ingest-report {ok}"><p class="summary">{esc(summary)}</p>'
    if report.failed:
        rows = "".join(
            f"<tr><td>{esc(name(f.path))}</td><td>{esc(f.line if f.line is not None else '')}</td>"
            f"<td>{esc(f.reason)}</td><td>{esc(f.fix)}</td></tr>"
            for f in report.failed
        )
        out += ("<table class=\"failures\"><thead><tr><th>file</th><th>line</th><th>reason</th><th>fix</th></tr>"
                f"</thead><tbody>{rows}</tbody></table>")
    return out + "</div>"

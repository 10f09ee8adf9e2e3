"""HTML of the chat's article browser: the filtered list (newest first) and one article as numbered sentences;
every untrusted string escaped, article ids only in data attributes (never shown)."""

from __future__ import annotations

from assistant.web.export import day
from assistant.web.format import esc, safe_url

SHOWN = 200  # list rows drawn at once; narrow the filters to see others


def article_list_html(rows: list, total: int, selected: str | None = None) -> str:
    """`rows` (library.ArticleRow, newest first) of `total` articles in the index, each a button that opens it."""
    if not rows:
        return (f'<div class="article-list empty">No article matches these filters ({total} articles in the index).'
                "</div>")
    items = []
    for r in rows[:SHOWN]:  # an undated row leaves the date out: the count line says how many are undated, once
        meta = " · ".join(x for x in (r.source, day(r.published_at), f"{r.sentences} sentences") if x)
        badge = "" if r.searchable else '<span class="pending-badge">being re-indexed</span>'
        on = " selected" if r.id == selected else ""
        items.append(f'<li><button type="button" class="article-row{on}" data-article="{esc(r.id)}">'
                     f'<span class="title">{esc(r.title or "Untitled article")}</span>{badge}'
                     f'<span class="meta">{esc(meta)}</span></button></li>')
    more = (f'<p class="more">Showing the newest {SHOWN} of {len(rows)}; narrow the filters or search the titles to '
            "see the others.</p>") if len(rows) > SHOWN else ""
    undated = sum(1 for r in rows if not day(r.published_at))
    count = f"{len(rows)} of {total} articles" + (f" · {undated} undated" if undated else "")
    return (f'<div class="article-list"><p class="count">{esc(count)}</p>'
            f'<ol>{"".join(items)}</ol>{more}</div>')


def article_sentences_html(stored) -> str:
    """One stored article (records.StoredArticle): title, outlet, date, link, then its sentences, numbered."""
    a = stored.article
    meta = " · ".join(x for x in (a.source, day(a.published_at_iso) or "undated",
                                  f"{len(stored.sentence_spans)} sentences") if x)
    url = safe_url(a.url)
    link = (f'<a href="{esc(url)}" target="_blank" rel="noopener noreferrer nofollow">{esc(url)}</a>' if url
            else esc(a.url or ""))
    sentences = "".join(f'<li value="{i + 1}">{esc(a.text[s:e])}</li>' for i, (s, e) in enumerate(stored.sentence_spans))
    return (f'<article class="browse-view" data-article="{esc(a.id)}"><header class="article-head">'
            f'<h3>{esc(a.title or "Untitled article")}</h3><div class="meta">{esc(meta)}</div>'
            f'<div class="meta url">{link}</div></header><ol class="sentences">{sentences}</ol></article>')


def browse_placeholder(message: str = "Choose an article in the list to read it sentence by sentence.") -> str:
    return f'<div class="browse-view empty">{esc(message)}</div>'

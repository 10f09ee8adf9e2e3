"""A chat turn as plain text with numbered sources (the "copy answer" button), a conversation as Markdown (export),
and the figure timeline's dates in words; both read the turns as the chat keeps them (exchange dicts)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from assistant.formatting import byline

TIMELINE_MIN = 2  # a figure from at least this many articles is shown as a dated timeline


def day(iso: str | None) -> str:
    """'2026-03-07…' → '7 March 2026' ('' when there is no date, the text itself when it is not one)."""
    if not iso:
        return ""
    try:
        d = date.fromisoformat(iso[:10])
    except ValueError:
        return iso
    return f"{d.day} {d.strftime('%B')} {d.year}"


def timeline(ex: dict) -> list[dict]:
    """The answer's figure timeline, oldest first, when it has at least TIMELINE_MIN entries (else [])."""
    entries = [t for t in ex.get("timeline") or [] if isinstance(t, dict) and t.get("figure")]
    if len(entries) < TIMELINE_MIN:
        return []
    return sorted(entries, key=lambda t: (t.get("date") or "", t.get("citation") or 0))


QUOTE_OPENERS = "“\"‘«„'"


def source_lines(n: int, c: dict) -> list[str]:
    """'[n] Title — Outlet, 7 March 2026', its URL, and the exact sentence in quotes."""
    head = byline(None, c.get("source"), c.get("published_at"), ", ", day)
    lines = [f"[{n}] {c.get('title') or 'Untitled article'}" + (f" — {head}" if head else "")]
    if c.get("url"):
        lines.append(f"    {c['url']}")
    text = c.get("text", "")
    lines.append(f"    {text}" if text[:1] in QUOTE_OPENERS else f"    “{text}”")  # never ““…”” around a quote
    return lines


def answer_text(ex: dict) -> str:
    """One turn as plain text: question, answer with its [n] markers, short answer, timeline, numbered sources."""
    lines = [f"Question: {ex['question']}", "", ex.get("answer", "")]
    if ex.get("short_answer") and not ex.get("abstained"):
        lines += ["", f"Short answer: {ex['short_answer']}"]
    steps = timeline(ex)
    if steps:
        lines += ["", "How the figure changed:"]
        lines += [f"  {day(t.get('date'))}: {t['figure']}" + (f" ({t['source']})" if t.get("source") else "")
                  + (f" [{t['citation']}]" if t.get("citation") else "") for t in steps]
    cites = ex.get("citations") or []
    if cites:
        lines += ["", "Sources:"]
        for n, c in enumerate(cites, 1):
            lines += source_lines(n, c)
    return "\n".join(lines).strip() + "\n"


def conversation_markdown(exchanges: list[dict], now: datetime | None = None) -> str:
    """The whole conversation as a Markdown document: each question, its answer and its numbered sources."""
    now = now or datetime.now(UTC)
    out = ["# Conversation with the newsroom assistant", "", f"Exported {now:%Y-%m-%d %H:%M} UTC.", ""]
    for i, ex in enumerate(exchanges, 1):
        out += [f"## {i}. {_line(ex['question'])}", ""]
        if ex.get("abstained"):
            out += ["**Not in the articles.**", ""]
        out += [_quote_safe(ex.get("answer", "")), ""]
        if ex.get("short_answer") and not ex.get("abstained"):
            out += [f"**Short answer:** {_line(ex['short_answer'])}", ""]
        steps = timeline(ex)
        if steps:
            out += ["How the figure changed:", ""]
            out += [f"- {day(t.get('date'))}: {_line(t['figure'])}" + (f" ({_line(t['source'])})" if t.get("source") else "")
                    + (f" [{t['citation']}]" if t.get("citation") else "") for t in steps]
            out.append("")
        cites = ex.get("citations") or []
        if cites:
            out += ["Sources:", ""]
            for n, c in enumerate(cites, 1):
                meta = byline(None, c.get("source"), c.get("published_at"), ", ", day)
                url = f" <{c['url']}>" if _web_url(c.get("url")) else ""
                out += [f"{n}. *{_line(c.get('title') or 'Untitled article')}*" + (f" — {_line(meta)}" if meta else "") + url,
                        f"   > {_line(c.get('text', ''))}", ""]
    return "\n".join(out).rstrip() + "\n"


def _web_url(url) -> bool:
    """Only http(s) links are written (an article's url could be javascript:…), and only ones that stay one link."""
    return isinstance(url, str) and re.fullmatch(r"https?://[^\s<>]+", url) is not None


def _inert(text: str) -> str:
    """Article text as Markdown text that renders as itself: no raw HTML (`<img onerror>`), no autolink, no
    inline or reference link ("[x](javascript:…)", "[x]: url")."""
    text = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"\](?=[(:\[])", r"\\]", text)


def _line(text: str) -> str:
    return _inert(" ".join(str(text).split()))


def _quote_safe(text: str) -> str:
    """Answer text as Markdown (its "- " lines stay a list); a line that would become a heading is escaped."""
    return "\n".join(("\\" + line) if line.lstrip().startswith("#") else line
                     for line in _inert(text).splitlines())

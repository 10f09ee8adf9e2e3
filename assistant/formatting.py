"""Plain-text rendering of answers and citations, shared by the CLI and chat front ends."""

from __future__ import annotations

from common.records import Answer, Citation


def citation_line(n: int, c: Citation) -> str:
    meta = ", ".join(x for x in (c.title, c.source, (c.published_at or "")[:10]) if x)
    return f"[{n}] {c.article_id} · sentence {c.sentence_index} · chars {c.char_start}-{c.char_end}" + (
        f" · {meta}" if meta else ""
    ) + f"\n    “{c.text}”"


def render_text(answer: Answer) -> str:
    lines = [answer.text]
    if answer.short_answer and not answer.abstained:
        lines.append(f"\nShort answer: {answer.short_answer}")
    if answer.citations:
        lines.append("\nSources:")
        lines += [citation_line(n, c) for n, c in enumerate(answer.citations, 1)]
    if answer.abstained and answer.related:
        lines.append("\nClosest sentences (related, not an answer):")
        lines += [citation_line(n, c) for n, c in enumerate(answer.related, 1)]
    return "\n".join(lines)

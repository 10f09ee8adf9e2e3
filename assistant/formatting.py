"""Plain-text rendering of answers and citations, shared by the CLI and chat front ends, and made safe to print."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from common.records import Answer, Citation

# C0 controls but tab and newline, DEL and C1 controls: an article's text could otherwise move the cursor, retitle
# or recolour the terminal, or hide what is printed (ESC ] 0 ; title BEL, ESC [ 31 m, CSI as one byte \x9b).
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_safe(text: str) -> str:
    """`text` with every terminal control character shown as a visible \\xNN instead of acting on the terminal."""
    return CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def json_safe(text: str) -> str:
    """JSON text (ensure_ascii=False) with DEL and C1 controls, which JSON lets through raw, escaped as \\u00NN."""
    return CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def byline(title: str | None, source: str | None, published_at: str | None, sep: str = " · ",
           day: Callable[[str | None], str] | None = None) -> str:
    """'Title · Source · 2026-03-07': those of the three that are there, joined by `sep`; the date is the ISO day
    of `published_at`, or `day(published_at)` when given ('7 March 2026'). Every citation line is written so."""
    when = day(published_at) if day else (published_at or "")[:10]
    return sep.join(x for x in (title, source, when) if x)


def citation_line(n: int, c: Citation) -> str:
    meta = byline(c.title, c.source, c.published_at, ", ")
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


def render_served(answer: dict) -> str:
    """A running server's /api/ask JSON as `assistant ask` prints an answer."""
    cites = tuple(Citation(**c) for c in answer["citations"])
    return render_text(Answer(answer["answer"], answer["short_answer"], answer["abstained"], cites))


def show(text: str) -> None:
    """Print text that may come from articles (titles, sentences, ids) with its terminal controls made visible."""
    print(terminal_safe(text))


def show_json(value) -> None:
    print(json_safe(json.dumps(value, indent=2, ensure_ascii=False)))

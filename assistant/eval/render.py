"""Renders a report, given as a list of blocks, as Markdown and as one self-contained HTML page (CSS inline, plots
embedded as data: URLs, readable offline, every text escaped)."""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from pathlib import Path

# Blocks: ("h1"|"h2"|"p"|"lead"|"note", text); ("list", items); ("table", header, rows); ("img", alt, file name
# in the report's folder). Text is plain: Markdown gets it as written, HTML escaped.
Block = tuple

CSS = """
:root{color-scheme:light dark;--fg:#1f2328;--bg:#fff;--muted:#57606a;--line:#d0d7de;--head:#f6f8fa;--bad:#82071e}
@media (prefers-color-scheme: dark){:root{--fg:#e6edf3;--bg:#0d1117;--muted:#9da7b3;--line:#30363d;--head:#161b22;
  --bad:#ffb4ad}}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.55 system-ui,-apple-system,'Segoe UI',sans-serif}
main{max-width:72rem;margin:0 auto;padding:24px 20px 48px}
h1{font-size:1.6rem;margin:0 0 12px}h2{font-size:1.2rem;margin:28px 0 8px;border-bottom:1px solid var(--line)}
p.lead{font-size:1.1rem}p.note{color:var(--muted);font-size:14px}
table{border-collapse:collapse;margin:8px 0;font-size:13px;width:auto;max-width:100%}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:var(--head)}td.verdict{color:var(--bad);font-weight:600;min-width:7rem}
td.id{font-size:11px;color:var(--muted);word-break:break-all;min-width:6rem;max-width:9rem}
td.question,td.expected-answer{min-width:9rem}
img{max-width:100%;height:auto;border:1px solid var(--line);background:#fff;margin:8px 0}
"""


def markdown(blocks: Sequence[Block]) -> str:
    out: list[str] = []
    for block in blocks:
        kind = block[0]
        if kind == "h1":
            out += [f"# {block[1]}", ""]
        elif kind == "h2":
            out += [f"## {block[1]}", ""]
        elif kind in ("p", "lead", "note"):
            out += [block[1], ""]
        elif kind == "list":
            out += [*(f"- {item}" for item in block[1]), ""]
        elif kind == "table":
            out += [*_md_table(block[1], block[2]), ""]
        elif kind == "img":
            out += [f"![{block[1]}]({block[2]})", ""]
    return "\n".join(out)


def _md_cell(value: object) -> str:
    return " ".join(str(value).split()).replace("|", "\\|")


def _md_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return out + ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]


def _slug(header: object) -> str:
    return "-".join("".join(ch if ch.isalnum() else " " for ch in str(header).lower()).split())


def html_page(blocks: Sequence[Block], folder: Path) -> str:
    """The whole report as one HTML page; images are read from `folder` and embedded."""
    esc = html.escape
    title = next((b[1] for b in blocks if b[0] == "h1"), "Evaluation")
    parts = []
    for block in blocks:
        kind = block[0]
        if kind in ("h1", "h2"):
            parts.append(f"<{kind}>{esc(block[1])}</{kind}>")
        elif kind == "p":
            parts.append(f"<p>{esc(block[1])}</p>")
        elif kind == "list":
            parts.append("<ul>" + "".join(f"<li>{esc(item)}</li>" for item in block[1]) + "</ul>")
        elif kind in ("lead", "note"):
            parts.append(f'<p class="{kind}">{esc(block[1])}</p>')
        elif kind == "table":
            head = "".join(f"<th>{esc(str(h))}</th>" for h in block[1])
            body = "".join(
                "<tr>" + "".join(
                    f'<td class="{_slug(h)}">{esc(str(c))}</td>' for h, c in zip(block[1], row))
                + "</tr>" for row in block[2])
            parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        elif kind == "img":
            data = base64.b64encode((folder / block[2]).read_bytes()).decode("ascii")
            parts.append(f'<img alt="{esc(block[1])}" src="data:image/png;base64,{data}">')
    return (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{esc(title)}</title>'
            f"<style>{CSS}</style></head><body><main>\n" + "\n".join(parts) + "\n</main></body></html>\n")

"""Drafts of single-article files: .txt and .md with optional front matter, .html (extraction in index/html.py)."""

from __future__ import annotations

import re

from index.loaders.base import Draft, Failed
from index.loaders.titles import first_line_title

_FRONT_KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_-]*)[ \t]*:(.*)$")
_FRONT_FIELDS = {"title", "source", "published_at", "date", "url", "id"}


def from_text(text: str, origin: str) -> Draft:
    """A .txt or .md file: front matter fields when it opens with a valid block (the text is the body after it),
    else the whole file as the text. Without a front matter title, a first line that reads as one is the title
    (titles.first_line_title); the text keeps that line."""
    meta, body = split_front_matter(text)
    if meta is None:
        return Draft(path=origin, text=text, title=first_line_title(text))
    if not body.strip():
        raise Failed(
            "no article text after the front matter", "put the article text after the closing --- line"
        )
    published = meta.get("published_at", meta.get("date"))
    return Draft(
        path=origin,
        text=body,
        title=meta.get("title") or first_line_title(body),
        source=meta.get("source"),
        published_at=published,
        url=meta.get("url"),
        id=meta.get("id"),
    )


def split_front_matter(text: str) -> tuple[dict[str, str] | None, str]:
    """(fields, body) when `text` opens with a `---` ... `---` block of `key: value` lines, else (None, text)."""
    if not text.startswith("---\n"):
        return None, text
    pos = 4
    meta: dict[str, str] = {}
    while pos <= len(text):
        end = text.find("\n", pos)
        line = text[pos:] if end < 0 else text[pos:end]
        nxt = len(text) + 1 if end < 0 else end + 1
        if line.rstrip() == "---":
            return meta, text[nxt:] if nxt <= len(text) else ""
        stripped = line.strip()
        match = _FRONT_KEY.match(line)
        if match:
            key = match.group(1).lower()
            if key in _FRONT_FIELDS and key not in meta:
                value = _unquote(match.group(2).strip())
                if value:
                    meta[key] = value
        elif (
            stripped
            and not stripped.startswith("#")
            and not line[:1].isspace()
            and not stripped.startswith("- ")
        ):
            return None, text  # not a front matter block: keep the file as it is
        if end < 0:
            break
        pos = nxt
    return None, text  # no closing ---


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1].strip()
    return value


def from_html(html: str, origin: str) -> Draft:
    from index.html import NoArticleText, extract_article  # BeautifulSoup (0.1-0.2 s to import): only for HTML files

    try:
        page = extract_article(html)
    except NoArticleText as exc:
        raise Failed(exc.reason, exc.fix) from None
    return Draft(
        path=origin,
        text=page.text,
        title=page.title,
        source=page.source,
        published_at=page.published_at,
        url=page.url,
    )

"""Extracts an article's text, headline and metadata from an HTML page (no scripts, styles or navigation)."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning
from bs4.element import (
    Comment,
    Declaration,
    Doctype,
    NavigableString,
    PageElement,
    ProcessingInstruction,
    Tag,
)

from common.dates import parse_published_at


@dataclass(frozen=True)
class HtmlArticle:
    """What a page yields: the text (headline as its first line) and the metadata found in it, date unparsed."""

    text: str
    title: str | None
    source: str | None
    published_at: str | None  # raw, from a <meta> or <time>; the caller parses it
    url: str | None


class NoArticleText(ValueError):
    """The page has no article text; carries the reason and the fix to show the user."""

    def __init__(self, reason: str, fix: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.fix = fix


_DROP_TAGS = frozenset(
    {
        "script", "style", "nav", "header", "footer", "aside", "form", "noscript", "template", "iframe", "svg",
        "button", "select", "textarea", "canvas", "object", "embed", "audio", "video", "math", "head", "title",
    }
)  # fmt: skip
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "blockquote", "body", "caption", "dd", "details", "dialog", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "html", "li", "main",
        "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
_TITLE_BLOCKERS = _DROP_TAGS - {"header"}  # a headline inside the article's <header> still counts
_DATE_METAS = (
    ("property", "article:published_time"),
    ("name", "article:published_time"),
    ("name", "date"),
    ("itemprop", "datepublished"),
    ("name", "pubdate"),
    ("name", "publishdate"),
    ("name", "dc.date"),
    ("name", "dc.date.issued"),
)
_SPACE = re.compile(r"\s+")
_NOT_TEXT = (Comment, Declaration, Doctype, ProcessingInstruction)


def extract_article(html: str) -> HtmlArticle:
    """The article in `html`; raises NoArticleText when the page has no text outside scripts and navigation."""
    with warnings.catch_warnings():  # bs4 warns when a short page "looks like a filename" or like XML
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(html, "html.parser")
    metas = _html_metas(soup)
    root = _html_root(soup)
    h1 = _headline(soup, root)
    headline = _collapse(h1.get_text(" ")) if h1 is not None else ""
    title = headline or None
    if title is None:
        title_tag = soup.find("title")
        if isinstance(title_tag, Tag):
            title = _collapse(title_tag.get_text(" ")) or None

    lines: list[str] = []
    buf: list[str] = []
    h1_line: int | None = None

    def flush() -> None:
        if buf:
            line = _collapse("".join(buf))
            buf.clear()
            if line:
                lines.append(line)

    # iterative walk (deeply nested pages must not hit the recursion limit); a block starts and ends a line
    stack: list[tuple[PageElement, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        if leaving:
            flush()
            if node is h1 and lines and lines[-1] == headline:
                h1_line = len(lines) - 1
            continue
        if isinstance(node, Tag):
            name = (node.name or "").lower()
            if name in _DROP_TAGS or node.has_attr("hidden"):
                continue
            if name == "br":
                flush()
                continue
            if name in _BLOCK_TAGS or node is h1:
                flush()
                stack.append((node, True))
            stack.extend((child, False) for child in reversed(node.contents))
        elif isinstance(node, NavigableString) and not isinstance(node, _NOT_TEXT):
            buf.append(str(node))
    flush()

    if headline:  # the headline is the first line of the text, exactly once
        if h1_line is not None:
            del lines[h1_line]
        lines.insert(0, headline)
    text = "\n".join(lines)
    if not text.strip():
        raise NoArticleText(
            "no article text found in the HTML", "check that the file is an article page with text in it"
        )
    return HtmlArticle(
        text=text,
        title=title,
        source=metas.get("source"),
        published_at=metas.get("published_at") or _time_element_date(soup, root),
        url=metas.get("url"),
    )


def _time_element_date(soup: BeautifulSoup, root: Tag | BeautifulSoup) -> str | None:
    """The publication date from <time> markup when no <meta> gives one: a <time> marked as the publication
    date (itemprop="datePublished" or pubdate) counts as declared; otherwise the first parseable
    <time datetime> inside an <article> is taken as its date line (a guess, so unparseable ones are skipped)."""
    for time_tag in soup.find_all("time"):
        itemprop = time_tag.get("itemprop")
        declared = time_tag.has_attr("pubdate") or (
            isinstance(itemprop, str) and itemprop.strip().lower() == "datepublished"
        )
        value = time_tag.get("datetime")
        if declared and isinstance(value, str) and value.strip():
            return value.strip()
    if isinstance(root, Tag) and root.name == "article":
        for time_tag in root.find_all("time"):
            value = time_tag.get("datetime")
            if isinstance(value, str) and value.strip():
                try:
                    parse_published_at(value)
                except ValueError:
                    continue
                return value.strip()
    return None


def _headline(soup: BeautifulSoup, root: Tag | BeautifulSoup) -> Tag | None:
    """The first <h1> in the article (its own <header> allowed), else the page's first <h1> outside
    navigation, headers, footers and asides; None when there is none."""
    for scope, blockers in ((root, _TITLE_BLOCKERS), (soup, _DROP_TAGS)):
        for h1 in scope.find_all("h1"):
            if not _inside(h1, soup, blockers) and _collapse(h1.get_text(" ")):
                return h1
    return None


def _html_metas(soup: BeautifulSoup) -> dict[str, str]:
    found: dict[tuple[str, str], str] = {}
    for meta in soup.find_all("meta"):
        content = meta.get("content")
        if not isinstance(content, str) or not content.strip():
            continue
        for attr in ("property", "name", "itemprop"):
            key = meta.get(attr)
            if isinstance(key, str):
                found.setdefault((attr, key.strip().lower()), content.strip())
    out: dict[str, str] = {}
    for key in _DATE_METAS:
        if key in found:
            out["published_at"] = found[key]
            break
    site = found.get(("property", "og:site_name")) or found.get(("name", "og:site_name"))
    if site and _collapse(site):
        out["source"] = _collapse(site)
    for link in soup.find_all("link"):
        rel = link.get("rel") or []
        rels = rel.split() if isinstance(rel, str) else rel
        href = link.get("href")
        if "canonical" in [r.lower() for r in rels] and isinstance(href, str) and href.strip():
            out["url"] = href.strip()
            break
    if "url" not in out and found.get(("property", "og:url")):
        out["url"] = found[("property", "og:url")]
    return out


def _html_root(soup: BeautifulSoup) -> Tag | BeautifulSoup:
    """The <article> with the most text, else <main>, else <body>, else the whole document."""
    best, best_len = None, -1
    for art in soup.find_all("article"):
        if _inside(art, soup, _DROP_TAGS):
            continue
        size = len(art.get_text())
        if size > best_len:
            best, best_len = art, size
    if best is not None:
        return best
    for name in ("main", "body"):
        found = soup.find(name)
        if isinstance(found, Tag) and not _inside(found, soup, _DROP_TAGS):
            return found
    return soup


def _inside(tag, root, names: frozenset[str]) -> bool:
    node = tag.parent
    while node is not None and node is not root:
        if (node.name or "").lower() in names:
            return True
        node = node.parent
    return False


def _collapse(text: str) -> str:
    return _SPACE.sub(" ", text).strip()

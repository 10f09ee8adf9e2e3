"""HTML pages: the article's text only (no scripts, styles or navigation), its headline and metadata."""

from __future__ import annotations

from datetime import UTC, datetime

from index.loaders import load_paths

from .loading import good, ids, only_failure, write

HTML = """<!doctype html>
<html><head><title>Flood toll rises | Velmora Times</title>
<meta property="article:published_time" content="2026-03-09T08:30:00Z">
<meta property="og:site_name" content="Velmora Times">
<link rel="canonical" href="https://velmora.example/flood">
<style>.secret { color: red }</style>
<script>var leaked = "SCRIPT TEXT";</script>
</head><body>
<header><a class="logo">Velmora Times</a><nav><a href="/">Home</a> <a href="/world">NAV TEXT</a></nav></header>
<main><article>
<header><h1>Flood toll rises to 12 in   Velmora</h1></header>
<p>Rescue teams &amp; volunteers searched the <b>river</b>banks on Monday.</p>
<p>The mayor said: &ldquo;We will rebuild.&rdquo;</p>
<ul><li>Item one</li><li>Item two</li></ul>
<blockquote><p>Quoted line.</p></blockquote>
<aside>ASIDE TEXT</aside>
<form>FORM TEXT<input></form>
<noscript>NOSCRIPT TEXT</noscript>
<!-- COMMENT TEXT -->
</article></main>
<footer>FOOTER TEXT</footer>
<script>alert("MORE SCRIPT")</script>
</body></html>
"""


def test_html_article_text_only(tmp_path):
    (article,) = load_paths([write(tmp_path / "flood.html", HTML)]).articles
    assert article.title == "Flood toll rises to 12 in Velmora"
    assert article.text.split("\n") == [
        "Flood toll rises to 12 in Velmora",
        "Rescue teams & volunteers searched the riverbanks on Monday.",
        "The mayor said: “We will rebuild.”",
        "Item one",
        "Item two",
        "Quoted line.",
    ]
    for excluded in (
        "SCRIPT",
        "secret",
        "NAV TEXT",
        "ASIDE",
        "FORM",
        "NOSCRIPT",
        "COMMENT",
        "FOOTER",
        "Home",
    ):
        assert excluded not in article.text
    assert article.source == "Velmora Times"
    assert article.url == "https://velmora.example/flood"
    assert article.published_at == datetime(2026, 3, 9, 8, 30, tzinfo=UTC)


def test_html_without_article_uses_body_and_title_tag(tmp_path):
    html = (
        "<html><head><title>Council &amp; budget</title><meta name='date' content='January 22, 2022'></head>"
        "<body><script>x()</script><div>Intro <i>text</i><p>Para one.</p>tail</div><p>Para\n   two.</p></body></html>"
    )
    (article,) = load_paths([write(tmp_path / "council.htm", html)]).articles
    assert article.title == "Council & budget"
    assert article.text == "Intro text\nPara one.\ntail\nPara two."
    assert article.published_at == datetime(2022, 1, 22, tzinfo=UTC)


def test_html_headline_is_first_line_once(tmp_path):
    html = "<body><article><p>Kicker</p><h1>The Headline</h1><p>Body.</p></article></body>"
    (article,) = load_paths([write(tmp_path / "h.html", html)]).articles
    assert article.title == "The Headline"
    assert article.text == "The Headline\nKicker\nBody."


def test_html_date_from_time_element_when_no_meta(tmp_path):
    html = (
        '<article><h1>H</h1><p>By A <time datetime="2026-03-13T07:45:00Z">13 March</time></p>'
        '<p>Later: <time datetime="2026-04-01">1 April</time></p></article>'
    )
    (article,) = load_paths([write(tmp_path / "t.html", html)]).articles
    assert article.published_at == datetime(2026, 3, 13, 7, 45, tzinfo=UTC)
    declared = (
        '<body><span><time itemprop="datePublished" datetime="whenever">x</time></span><p>Text.</p></body>'
    )
    assert "'whenever'" in only_failure(load_paths([write(tmp_path / "d.html", declared)])).reason


def test_unparseable_html_meta_date_fails_article(tmp_path):
    html = write(tmp_path / "p.html", '<meta name="date" content="soonish"><p>Text.</p>')
    failure = only_failure(load_paths([html]))
    assert "'soonish'" in failure.reason


def test_html_with_no_text_fails(tmp_path):
    html = write(tmp_path / "empty.html", "<html><body><script>only()</script><nav>menu</nav></body></html>")
    result = load_paths([html, good(tmp_path)])
    assert "no article text" in only_failure(result).reason
    assert ids(result) == ["good"]

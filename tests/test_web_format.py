"""The web UI's HTML builders and input checks, without a browser: escaping, markers, highlight, limits, exposure."""

from __future__ import annotations

from datetime import UTC, datetime
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from assistant.web.format import (
    NOT_IN_ARTICLES,
    answer_body,
    article_html,
    exchange,
    history,
    locate,
    pick,
    report_html,
    safe_url,
    sources_html,
    transcript_html,
)
from assistant.web.input import check_history, check_question, parse_filters, split_list
from assistant.web.server import check_exposure, is_loopback
from common.config import Config
from common.errors import ConfigError, InputError, InvalidRequest, TooLarge
from common.records import Answer, Article, Citation
from index.pipeline import IngestReport

from .serving import XSS_SENTENCE

EVIL = '<img src=x onerror="window.__xss=1"> <script>window.__xss=2</script> [x](javascript:alert(1)) ${x}'


class Tags(HTMLParser):
    """Every start tag with its attributes, to check what a browser would build from the HTML."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def assert_inert(html: str) -> None:
    for tag, attrs in Tags(html).tags:
        assert tag not in {"img", "script", "iframe", "object", "svg"}, tag
        assert not any(k.startswith("on") for k in attrs), attrs
        assert not (attrs.get("href") or "").lower().startswith("javascript"), attrs


def cite(n: int = 0, text: str = "Fourteen died.", **kw) -> Citation:
    base = dict(article_id="a/1", title="Toll <b>rises</b>", source="Wire", published_at="2026-03-09T08:30:00+00:00",
                sentence_index=n, char_start=0, char_end=len(text), text=text, score=0.9)
    return Citation(**{**base, **kw})


def answered(text="Fourteen [1] and [2], not [3] or [0].") -> Answer:
    return Answer(text, "14", False, (cite(0), cite(1, "Nine died.")))


def test_untrusted_text_is_escaped_everywhere():
    c = cite(0, EVIL, title=EVIL, source=EVIL)
    ans = Answer(f"{EVIL} [1]", EVIL, False, (c,))
    ex = exchange(EVIL, ans)
    abstained = exchange(EVIL, Answer("The articles don't say.", None, True, (), (c,)))
    article = Article("a/1", f"{EVIL} middle {EVIL}", title=EVIL, source=EVIL, url="javascript:window.__xss=5")
    spans = [(0, len(EVIL)), (len(EVIL) + 1, len(EVIL) * 2 + 8)]
    for html in (transcript_html([ex, abstained]), transcript_html([ex], {"question": EVIL}, EVIL),
                 sources_html([ex]), sources_html([abstained]), article_html(article, spans, 0)):
        assert_inert(html)
        assert "<img src=x" not in html and "&lt;img src=x onerror=&quot;window.__xss=1&quot;&gt;" in html
        assert "${x}" in html  # literal, for the Gradio template too (it substitutes, never evaluates, the value)


def test_markers_become_buttons_only_for_existing_citations():
    html = answer_body("Fourteen [1] and [2], not [3] or [0].", 2, turn=4)
    buttons = [a for t, a in Tags(html).tags if t == "button"]
    assert [(b["data-turn"], b["data-cite"], b["data-kind"]) for b in buttons] == [("4", "1", "cite"), ("4", "2", "cite")]
    assert "[3]" in html and "[0]" in html


def test_abstained_turn_is_distinct_and_lists_related_sentences():
    related = (cite(0, "Close but no."), cite(3, "Also close."))
    html = transcript_html([exchange("Who?", Answer("The articles don't say.", None, True, (), related))])
    assert 'class="msg bot abstained"' in html and NOT_IN_ARTICLES in html
    kinds = [a.get("data-kind") for t, a in Tags(html).tags if t == "button"]
    assert kinds == ["related", "related"]
    side = sources_html([exchange("Who?", Answer("The articles don't say.", None, True, (), related))])
    assert "Related sentences" in side and "Close but no." in side


def test_pending_and_streaming_turns():
    assert "Searching the articles" in transcript_html([], {"question": "Q?"})
    partial = transcript_html([], {"question": "Q?"}, "Fourteen people")
    assert "streaming" in partial and "Fourteen people" in partial
    assert "Ask a question" in transcript_html([])


def test_sources_panel_lists_title_source_date_sentence_and_marks_selection():
    html = sources_html([exchange("Q", answered())], selected=(2, "cite"))
    text = unescape(html)
    assert "Toll <b>rises</b>" in text and "Wire · 2026-03-09" in text and "Nine died." in text
    selected = [a for t, a in Tags(html).tags if t == "button" and "selected" in a["class"]]
    assert [a["data-cite"] for a in selected] == ["2"]


def test_history_is_question_plus_answer_to_dict():
    ans = Answer("The articles don't say.", None, True, (), (cite(),))
    ex = exchange("Q", ans)
    assert ex["related"] and history([ex]) == [{"question": "Q", **ans.to_dict()}]


def test_pick_bounds():
    exs = [exchange("Q", answered())]
    assert pick(exs, 0, 2)["text"] == "Nine died."
    assert pick(exs, 0, 3) is None and pick(exs, 1, 1) is None and pick(exs, 0, 0) is None
    assert pick(exs, 0, 1, "related") is None


def test_article_highlights_exactly_the_cited_sentence():
    text = f"First sentence here. {XSS_SENTENCE} Last one."
    s = text.index(XSS_SENTENCE)
    spans = [(0, 20), (s, s + len(XSS_SENTENCE)), (s + len(XSS_SENTENCE) + 1, len(text))]
    html = article_html(Article("x", text, title="T", published_at=datetime(2026, 3, 12, tzinfo=UTC)), spans, 1)
    inside = html.split('<mark id="highlight" data-sentence="1">')[1].split("</mark>")[0]
    assert unescape(inside) == XSS_SENTENCE
    assert html.count("<mark") == 1 and "2026-03-12" in html
    assert "<mark" not in article_html(Article("x", text), spans, None)


def test_only_http_urls_become_links():
    assert safe_url("https://example.org/a?b=1") == "https://example.org/a?b=1"
    for bad in ("javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,x", "https://x\" onclick=\"y", None, ""):
        assert safe_url(bad) is None
    html = article_html(Article("x", "Text.", url="https://example.org/a"), [(0, 5)], 0)
    links = [a for t, a in Tags(html).tags if t == "a"]
    assert links == [{"href": "https://example.org/a", "target": "_blank", "rel": "noopener noreferrer nofollow"}]


def test_locate_follows_a_reingested_article():
    text = "Alpha one. Beta two. Gamma three."
    spans = [(0, 10), (11, 20), (21, 33)]
    c = cite(1, "Beta two.", char_start=11, char_end=20)
    assert locate(text, spans, c.to_dict()) == 1
    moved = "New lead. " + text
    assert locate(moved, [(0, 9), (10, 20), (21, 30), (31, 43)], c.to_dict()) == 2
    assert locate("Something else entirely.", [(0, 24)], c.to_dict()) is None


def test_report_lists_each_failure_with_file_line_reason_fix(tmp_path):
    report = IngestReport(added=["a"], unchanged=["b"])
    report.failed.append(InputError(str(tmp_path / "bad.jsonl"), "not valid <JSON>", "write one object a line", 3))
    report.failed.append(InputError(str(tmp_path / "x.md"), "empty", "add text"))
    html = report_html(report, tmp_path)
    rows = [r for r in html.split("<tr>")[2:]]
    assert "<td>bad.jsonl</td><td>3</td><td>not valid &lt;JSON&gt;</td><td>write one object a line</td>" in rows[0]
    assert "<td>x.md</td><td></td><td>empty</td>" in rows[1]
    assert "Added 1, updated 0, unchanged 1, failed 2" in html and "failed" in html.split('"')[1]


def config(**kw) -> Config:
    return Config.from_env(env={}, index_dir=Path("/nonexistent"), embedder="hash", **kw)


def test_question_and_history_limits():
    cfg = config(max_question_chars=10, max_history_turns=2)
    assert check_question("  short?  ", cfg) == "short?"
    with pytest.raises(TooLarge, match="11 characters"):
        check_question("x" * 11, cfg)
    with pytest.raises(InvalidRequest, match="empty"):
        check_question(" \n ", cfg)
    assert check_history([1, 2], cfg) == [1, 2]
    with pytest.raises(TooLarge, match="last 2 turns"):
        check_history([1, 2, 3], cfg)


def test_filters_parse_dates_as_whole_days():
    f = parse_filters(["Wire", ""], "2026-03-07", "2026-03-09")
    assert f.sources == ("Wire",)
    assert f.date_from == datetime(2026, 3, 7, tzinfo=UTC)
    assert f.date_to == datetime(2026, 3, 9, 23, 59, 59, 999999, tzinfo=UTC)
    assert parse_filters(None, "", None).empty
    with pytest.raises(InvalidRequest, match="not a date"):
        parse_filters([], "soon", None)
    with pytest.raises(InvalidRequest, match="after"):
        parse_filters([], "2026-03-10", "2026-03-01")


def test_server_settings_from_env_and_secrets_out_of_repr():
    cfg = Config.from_env(env={"ASSISTANT_API_KEYS": "k1, k2,", "ASSISTANT_UI_PASSWORD": "pw-secret",
                               "ASSISTANT_ALLOWED_ORIGINS": "http://a.test,http://b.test", "ASSISTANT_PORT": "9001"},
                          index_dir=Path("/nonexistent"))
    assert split_list(cfg.api_keys) == ("k1", "k2") and cfg.port == 9001
    assert split_list(cfg.allowed_origins) == ("http://a.test", "http://b.test")
    assert "k1" not in repr(cfg) and "pw-secret" not in repr(cfg)
    assert (cfg.max_question_chars, cfg.max_history_turns, cfg.host) == (2000, 20, "127.0.0.1")


def test_exposure_needs_auth_off_loopback():
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1") and is_loopback("127.8.0.1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4") and not is_loopback("example.org")
    check_exposure(config())  # loopback, no auth: fine
    with pytest.raises(ConfigError, match="refusing to listen on 0.0.0.0") as err:
        check_exposure(config(host="0.0.0.0", api_keys="k"))
    assert "ASSISTANT_UI_USER" in err.value.fix and "--allow-insecure" in err.value.fix
    assert "ASSISTANT_API_KEYS" not in err.value.fix
    check_exposure(config(host="0.0.0.0"), allow_insecure=True)
    check_exposure(config(host="0.0.0.0", api_keys="k", ui_user="u", ui_password="p"))
    # loopback behind a proxy that serves public names is reachable from other machines too
    with pytest.raises(ConfigError, match="assistant.example.org") as err:
        check_exposure(config(public_hosts="assistant.example.org"))
    assert "ASSISTANT_API_KEYS" in err.value.fix and "ASSISTANT_UI_USER" in err.value.fix
    check_exposure(config(public_hosts="assistant.example.org", api_keys="k", ui_user="u", ui_password="p"))
    with pytest.raises(ConfigError, match="ASSISTANT_UI_EDIT_WITHOUT_LOGIN"):
        check_exposure(config(host="0.0.0.0", api_keys="k", ui_edit_without_login=True))
    check_exposure(config(ui_edit_without_login=True))  # loopback only: allowed
    with pytest.raises(ConfigError, match="only one of"):
        check_exposure(config(ui_user="u"))


def test_unexpected_errors_are_json_500_without_internals():
    from fastapi import FastAPI
    from starlette.testclient import TestClient

    from assistant.web.api import install_error_handlers
    from common.errors import ArticleNotFound

    app = FastAPI()
    install_error_handlers(app)

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internal detail")

    @app.get("/missing")
    def missing():
        raise ArticleNotFound("no article with id 'x'", "list the ids")

    client = TestClient(app, raise_server_exceptions=False)
    r = client.get("/boom")
    assert r.status_code == 500 and r.json()["error"] == "server_error" and "secret" not in r.text
    assert client.get("/missing").json() == {"error": "not_found", "message": "no article with id 'x'", "fix": "list the ids"}


def test_public_host_names_and_own_origins():
    """ASSISTANT_PUBLIC_HOSTS may be written as names, name:port or URLs; the chat's own origin is the Host the
    request names, or a public name on its default port (a proxy passing its own Host)."""
    from assistant.web.http_guard import LoginThrottle, RequestGuard

    guard = RequestGuard(None, ("https://Assistant.Newsroom.example/", "b.example:8443"), LoginThrottle())
    assert guard.foreign_host("assistant.newsroom.example:443") is None and guard.foreign_host("B.example") is None
    assert guard.foreign_host("127.0.0.1:7860") is None and guard.foreign_host("[::1]:7860") is None
    assert guard.foreign_host("evil.example") is not None and guard.foreign_host("assistant.newsroom.example.evil") is not None
    assert guard.own_origin("https://assistant.newsroom.example", "127.0.0.1:7860")
    assert guard.own_origin("http://127.0.0.1:7860", "127.0.0.1:7860")
    assert not guard.own_origin("http://127.0.0.1:7861", "127.0.0.1:7860")  # another port: another origin
    assert not guard.own_origin("https://assistant.newsroom.example:8080", "127.0.0.1:7860")
    assert not guard.own_origin("null", "127.0.0.1:7860") and not guard.own_origin("file://x", "127.0.0.1:7860")

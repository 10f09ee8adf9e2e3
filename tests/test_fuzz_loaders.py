"""Hostile input files (hypothesis): loading never raises, bad files fail alone with a fix, spans stay exact,
and ingesting into a real Chroma index never harms the articles already stored."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import event, example, given
from hypothesis import strategies as st

from common.config import Config
from common.errors import AssistantError
from common.records import Article
from index.loaders import MAX_ID_CHARS, SUPPORTED_SUFFIXES, load_paths
from index.pipeline import Ingestor, prepare
from index.sentences import split_sentences
from index.store import ChromaStore

from .conftest import EXAMPLES
from .fuzzing import HOSTILE_TEXT, JSON_VALUE, fuzz
from .test_sentences import check_invariants

MAX_BYTES = 6000  # small, so that oversized files and lines are generated too
CHUNK_CONFIG = Config.from_env(
    env={}, index_dir=Path("/nonexistent"), embedder="hash", chunk_tokens=40, chunk_overlap_tokens=10
)
GOOD_ID = "fuzz-good-article"
GOOD_TEXT = "The canary article loads in every batch.\nIt has two sentences.\n"
GOOD_FILE = f"---\nid: {GOOD_ID}\ntitle: Canary\npublished_at: 2026-01-02\n---\n{GOOD_TEXT}".encode()
BASELINE_IDS = sorted(p.stem for p in EXAMPLES.iterdir() if p.suffix in SUPPORTED_SUFFIXES)

# --- how hostile files are made ------------------------------------------------------------------------------

NEWLINES = st.sampled_from(["\n", "\r\n", "\r", "\u2028", "\x85"])
WORDS = st.sampled_from(
    [
        "The", "mayor", "said", "14", "people", "died.", "Dr.", "U.S.", "—", "“Yes,”", "ok?!", "\t", "\xa0",
        "e\u0301", "🙂", "\x00", "\x1b[31m", "\ufeff", "a" * 300, "&amp;"
    ]
)
PROSE = st.lists(st.one_of(WORDS, st.text(max_size=12), NEWLINES), max_size=60).map(" ".join)
HUGE_LINE = st.sampled_from([
    "word " * 1500, "x" * 7000, ("Sentence without end " * 200) + ".", "a. " * 2000, "\n" * 3000 + "late text."
])  # fmt: skip
DATES = st.one_of(
    st.sampled_from(
        [
            "2026-03-01", "yesterday", "2026-13-45", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00",
            "March 3", "2026", "1e309", "Mon, 24 Jan 2022 10:00:00 XYZ", "-1", "२०२६-०३-०१", " "
        ]
    ),
    JSON_VALUE,
)
FIELD_VALUES = {
    "id": st.one_of(HOSTILE_TEXT, JSON_VALUE),
    "title": st.one_of(HOSTILE_TEXT, JSON_VALUE, st.just("T" * 5000)),
    "source": st.one_of(HOSTILE_TEXT, JSON_VALUE),
    "published_at": DATES,
    "url": st.one_of(st.just("javascript:alert(1)"), HOSTILE_TEXT, JSON_VALUE),
    "text": st.one_of(PROSE, HOSTILE_TEXT, JSON_VALUE, HUGE_LINE),
}
RECORDS = st.fixed_dictionaries({}, optional={**FIELD_VALUES, "extra": JSON_VALUE, "": JSON_VALUE}).filter(
    lambda r: r.get("id") not in (GOOD_ID, *BASELINE_IDS)
)


def _json_line(record: dict, ascii_only: bool) -> bytes:
    return json.dumps(record, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


JSONL_LINES = st.one_of(
    st.builds(_json_line, RECORDS, st.booleans()),
    st.sampled_from(
        [
            b"", b"   ", b"[1, 2]", b"null", b'"text"', b"{", b'{"text": "a"', b"\xff\xfe{}",
            b"[" * 5000 + b"]" * 5000, b'{"text": "' + b"y" * 7000 + b'"}', b"\x00", b'{"text": "ok", "text": 5}',
            b'{"text": "NaN", "published_at": NaN}'
        ]
    ),
    st.binary(max_size=60),
)
JSONL = st.tuples(st.lists(JSONL_LINES, max_size=8), st.sampled_from([b"\n", b"\r\n", b"\r"])).map(
    lambda t: t[1].join(t[0])
)

FRONT_KEYS = st.sampled_from(["title", "source", "published_at", "date", "url", "id", "ID", "tags", "- item", "#"])
FRONT_LINE = st.tuples(FRONT_KEYS, st.sampled_from([": ", ":", " : ", ":: "]), st.one_of(HOSTILE_TEXT, DATES.map(str)))
MARKDOWN = st.builds(
    lambda lines, close, body: "---\n" + "".join(f"{k}{sep}{v}\n" for k, sep, v in lines) + close + body,
    st.lists(FRONT_LINE, max_size=8),
    st.sampled_from(["---\n", "--- \n", "---", "", "...\n", "----\n"]),
    st.one_of(PROSE, HUGE_LINE, st.just("")),
)

TAGS = [
    "p", "div", "h1", "article", "main", "script", "style", "nav", "br", "title", "meta", "time", "template",
    "svg", "math", "table", "td", "pre", "iframe", "noscript", "textarea", "head", "body", "html", "!--",
    "![CDATA["
]  # fmt: skip
HTML_PIECES = st.one_of(
    st.sampled_from(TAGS).map(lambda t: f"<{t}>"),
    st.sampled_from(TAGS).map(lambda t: f"</{t}>"),
    st.sampled_from(
        [
            '<meta property="article:published_time" content="nope">', '<meta name="date" content="2026-03-01">',
            '<time datetime="9999-99-99">x</time>', "<p hidden>hidden</p>", "&#0;", "&#xD800;", "&#99999999;",
            "&nbsp;", "<?xml version='1.0'?>", "<!DOCTYPE html>", "-->", "]]>", "<a href='javascript:x'>",
            "<div " + "a=b " * 500 + ">", "<" * 50, "<p>" * 3000
        ]
    ),
    PROSE,
)
HTML = st.lists(HTML_PIECES, max_size=40).map("".join)


def _encode(text: str, bom: bool, cut: int | None) -> bytes:
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8", "surrogatepass")
    if cut is not None and data:  # a stray byte that is never valid UTF-8 at a random place
        at = cut % (len(data) + 1)
        data = data[:at] + b"\xc3\x28" + data[at:]
    return data


def _text_file(texts: st.SearchStrategy[str]) -> st.SearchStrategy[bytes]:
    return st.builds(_encode, texts, st.booleans(), st.none() | st.integers(min_value=0))


CONTENT = {
    ".txt": st.one_of(_text_file(st.one_of(PROSE, HUGE_LINE)), st.binary(max_size=300)),
    ".md": st.one_of(_text_file(MARKDOWN), st.binary(max_size=300)),
    ".html": st.one_of(_text_file(HTML), st.binary(max_size=300)),
    ".jsonl": JSONL,
    ".pdf": st.binary(max_size=50),
}
SUFFIXES = st.sampled_from([".txt", ".md", ".html", ".jsonl", ".TXT", ".Md", ".htm", ".markdown", ".pdf"])
KIND = {".htm": ".html", ".markdown": ".md"}
STEMS = st.one_of(st.text(alphabet="abxyz019-_. ", min_size=1, max_size=12), st.just("ümlaut name"))


@st.composite
def batches(draw) -> list[tuple[str, bytes]]:
    """(file name, content) of up to six hostile files."""
    files = []
    for i in range(draw(st.integers(min_value=0, max_value=6))):
        suffix = draw(SUFFIXES)
        kind = KIND.get(suffix.lower(), suffix.lower())
        files.append((f"{i}-{draw(STEMS)}{suffix}", draw(CONTENT[kind])))
    return files


def _write(folder: Path, batch: list[tuple[str, bytes]]) -> list[Path]:
    paths = [folder / "canary.md"]
    paths[0].write_bytes(GOOD_FILE)
    for name, data in batch:
        path = folder / name
        path.write_bytes(data)
        paths.append(path)
    return paths


# --- checks --------------------------------------------------------------------------------------------------


# What the catch-alls say: a failure worded like this is a crash in disguise.
BUG_REASONS = ("could not be loaded (", "could not split into sentences", "could not be stored")


def check_failures(failures, names: set[str]) -> None:
    for f in failures:
        assert f.path in names, f"failure names an unknown file: {f}"
        assert f.reason.strip() and f.fix.strip(), f"failure without reason or fix: {f!r}"
        assert f.line is None or f.line >= 1
        assert not any(bug in f.reason for bug in BUG_REASONS), f"a crash reported as a failure: {f}"


def check_loaded(paths: list[Path], articles: tuple[Article, ...], failures) -> None:
    check_failures(failures, {str(p) for p in paths})
    for path in paths:
        origins = [a for a in articles if a.origin == str(path) or (a.origin or "").startswith(f"{path}:")]
        failed = [f for f in failures if f.path == str(path)]
        assert origins or failed, f"{path.name}: neither loaded nor reported"
    ids = [a.id for a in articles]
    assert len(ids) == len(set(ids)), "two loaded articles share an id"
    for a in articles:
        assert a.id == a.id.strip() and 1 <= len(a.id) <= MAX_ID_CHARS
        assert not any(ch in a.id for ch in "\x00\n\r"), repr(a.id)
        assert a.text.strip()
        a.content_hash  # noqa: B018 - hashing encodes the text: must not raise
    canary = [a for a in articles if a.id == GOOD_ID]
    assert len(canary) == 1 and canary[0].text == GOOD_TEXT and canary[0].title == "Canary"


def check_spans(article: Article) -> None:
    text = article.text
    spans = split_sentences(text)
    check_invariants(text, spans)
    prepared = prepare(article, CHUNK_CONFIG)
    assert [(s.char_start, s.char_end) for s in prepared.sentences] == spans
    for s in prepared.sentences:
        assert text[s.char_start : s.char_end] == s.text
    covered = 0
    for i, c in enumerate(prepared.chunks):
        assert c.index == i and 0 <= c.char_start < c.char_end <= len(text)
        assert text[c.char_start : c.char_end] == c.text
        first, last = prepared.sentences[c.sentence_start], prepared.sentences[c.sentence_end - 1]
        assert (c.char_start, c.char_end) == (first.char_start, last.char_end)
        assert c.sentence_start <= covered < c.sentence_end  # ordered, no sentence skipped
        covered = c.sentence_end
    assert covered == len(prepared.sentences)


# --- properties ----------------------------------------------------------------------------------------------

REGRESSIONS = [
    [("0-a.jsonl", b'{"text": "Cited.", "id": "../../x"}\n{"text": "x", "published_at": 1e300}')],
    [("0-b.jsonl", b'{"text": "T\\u0000 here.", "title": "a\\u0000", "id": "nul"}\n{"id": "\\ud800", "text": "s"}')],
    [("0-c.md", b"---\nid: ../../x\ndate: 0001-01-01T00:00:00+14:00\n---\nBody.\n"), ("1-c.txt", b"\xc3\x28")],
]


@fuzz(60)
@given(batch=batches())
@example(batch=REGRESSIONS[0])
@example(batch=REGRESSIONS[1])
@example(batch=REGRESSIONS[2])
def test_hostile_files_load_or_fail_alone(batch):
    with tempfile.TemporaryDirectory(prefix="fuzz-load-") as tmp:
        paths = _write(Path(tmp), batch)
        result = load_paths(paths, max_file_bytes=MAX_BYTES)
        loaded, failed = len(result.articles) - 1, len(result.failures)  # the canary aside
        event(f"hostile articles loaded: {loaded if loaded < 3 else '3 or more'}")
        event(f"failures reported: {failed if failed < 3 else '3 or more'}")
        check_loaded(paths, result.articles, result.failures)
        for article in result.articles:
            check_spans(article)


@fuzz(40)
@given(batch=batches())
def test_hostile_folder_loads_like_its_files(batch):
    """Given as a folder, the same batch: nothing raises and every failure names a file inside the folder."""
    with tempfile.TemporaryDirectory(prefix="fuzz-folder-") as tmp:
        folder = Path(tmp)
        _write(folder, batch)
        result = load_paths([folder], max_file_bytes=MAX_BYTES)
        for f in result.failures:
            assert Path(f.path).parent == folder and f.fix.strip()
        assert GOOD_ID in {a.id for a in result.articles}


@pytest.fixture(scope="module")
def ingestor(tmp_path_factory) -> Ingestor:
    """A real local Chroma index holding the sample corpus, shared by every example of the ingest property."""
    config = Config.from_env(env={}, index_dir=tmp_path_factory.mktemp("fuzz-index") / "index", embedder="hash")
    ing = Ingestor(config, store=ChromaStore(config))
    report = ing.ingest_paths([EXAMPLES])
    assert sorted(report.added) == BASELINE_IDS, report.summary()
    return ing


def snapshot(store: ChromaStore, ids: list[str]) -> dict:
    return {i: store.get_article(i) for i in ids}


def broken_updates() -> st.SearchStrategy[bytes]:
    """JSONL lines that name an already stored article but are bad: the stored article must stay as it was."""
    bad = st.sampled_from([
        {"published_at": "not a date"}, {"text": ""}, {"text": 5}, {"title": ["x"]}, {"text": "ok", "url": {}},
        {"text": "\ud800"}, {"text": "ok", "published_at": float("inf")},
    ])  # fmt: skip
    line = st.builds(lambda i, b: json.dumps({"id": i, **b}).encode(), st.sampled_from(BASELINE_IDS), bad)
    return st.lists(line, min_size=1, max_size=3).map(b"\n".join)


@fuzz(25)
@given(batch=batches(), broken=broken_updates())
@example(batch=REGRESSIONS[1], broken=b'{"id": "velmora-flood-toll", "text": ""}')
def test_hostile_batch_ingests_without_harming_stored_articles(ingestor, batch, broken):
    store = ingestor.store
    before = snapshot(store, BASELINE_IDS)
    with tempfile.TemporaryDirectory(prefix="fuzz-ingest-") as tmp:
        paths = _write(Path(tmp), [*batch, ("9-broken.jsonl", broken)])
        loaded = load_paths(paths, max_file_bytes=ingestor.config.max_file_bytes)
        try:
            report = ingestor.ingest_paths(paths)
        except AssistantError:
            report = None  # allowed: a clear, fixable error (store trouble); everything else would escape
    assert snapshot(store, BASELINE_IDS) == before, "a bad batch changed an article that was already stored"
    assert store.check() == []
    if report is None:
        return
    check_failures(report.failed, {str(p) for p in paths})
    stored = {*report.added, *report.updated, *report.unchanged}
    for article in loaded.articles:
        assert article.id in stored or any(repr(article.id) in f.reason for f in report.failed), article.id
        if article.id not in stored:
            continue
        got = store.get_article(article.id)
        assert got.article.text == article.text and got.content_hash == article.content_hash
        for s, e in got.sentence_spans:
            assert 0 <= s < e <= len(article.text)
        assert list(got.sentence_spans) == split_sentences(article.text)

"""Loading articles: each format (HTML extraction: test_html.py), ids, and every bad-input case failing alone."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import index.loaders.files as loaders
from index.loaders import LoadResult, load_paths
from index.loaders.lead import LEAD_MARK

from .loading import good, ids, jsonl, only_failure, write

SHARED = Path(os.environ.get("ASSISTANT_SHARED_DIR") or Path(__file__).resolve().parents[2] / "shared")


# --- formats -------------------------------------------------------------------------------------------------


def test_txt_whole_file_is_text_bom_stripped_crlf_normalised(tmp_path):
    path = write(tmp_path / "velmora-flood-toll.txt", b"\xef\xbb\xbfFirst line.\r\nSecond line.\r\n")
    result = load_paths([path])
    assert result.failures == ()
    (article,) = result.articles
    assert article.id == "velmora-flood-toll"
    assert article.text == "First line.\nSecond line.\n"
    assert article.title.endswith(LEAD_MARK) and article.published_at is None  # "First line." is not a headline
    assert article.source == "velmora-flood-toll.txt"  # no outlet given: the file it came from
    assert article.origin == str(path)


def test_md_front_matter_fields_and_exact_body(tmp_path):
    body = "# Flood toll rises\n\nThe toll rose to 12 on Monday.\n"
    content = (
        "---\n"
        'title: "Flood toll rises: 12 dead"\n'
        "source: Velmora Times\n"
        "date: 2022-01-24\n"
        "url: 'https://velmora.example/flood'\n"
        "tags:\n"
        "  - flood\n"
        "colour: blue\n"
        "---\n" + body
    )
    path = write(tmp_path / "velmora-flood-toll.md", content)
    (article,) = load_paths([path]).articles
    assert article.id == "velmora-flood-toll"
    assert article.title == "Flood toll rises: 12 dead"
    assert article.source == "Velmora Times"
    assert article.url == "https://velmora.example/flood"
    assert article.published_at == datetime(2022, 1, 24, tzinfo=UTC)
    assert article.text == body
    start = body.index("The toll")
    assert article.text[start : start + 8] == "The toll"


def test_front_matter_id_and_published_at_win(tmp_path):
    content = "---\nid:  ../../x  \npublished_at: 2026-03-09T08:30:00Z\ndate: 1999-01-01\n---\nBody text.\n"
    path = write(tmp_path / "note.txt", content)
    (article,) = load_paths([path]).articles
    assert article.id == "../../x"  # path-like ids are only metadata; whitespace stripped
    assert article.published_at == datetime(2026, 3, 9, 8, 30, tzinfo=UTC)
    assert article.text == "Body text.\n"


@pytest.mark.parametrize(
    "content",
    [
        "---\ntitle: never closed\nBody.\n",  # no closing ---
        "---\nThis opens with a rule, then prose.\n---\nMore prose.\n",  # not key: value lines
    ],
)
def test_md_without_valid_front_matter_keeps_whole_text(tmp_path, content):
    (article,) = load_paths([write(tmp_path / "story.md", content)]).articles
    assert article.text == content
    assert article.title.endswith(LEAD_MARK)  # no headline line: the lead's first words, marked


def test_jsonl_records_lines_and_origin(tmp_path):
    path = jsonl(
        tmp_path / "batch.jsonl",
        {
            "id": "a1",
            "title": "T",
            "source": "S",
            "published_at": "2022-01-24",
            "url": "u",
            "text": "Alpha.\r\nBeta.",
            "author": "x",
        },
        "",
        "   ",
        {"id": "a2", "text": "Gamma.", "published_at": None, "title": None},
        {"text": "No id here."},
    )
    result = load_paths([path])
    assert result.failures == ()
    assert ids(result) == ["a1", "a2", "batch:5"]
    a1, a2, a3 = result.articles
    assert a1.text == "Alpha.\r\nBeta."  # JSONL text is kept exactly (evidence offsets index into it)
    assert (a1.title, a1.source, a1.url) == ("T", "S", "u")
    assert a1.published_at.isoformat() == "2022-01-24T00:00:00+00:00"
    assert a1.origin == f"{path}:1"
    assert a2.origin == f"{path}:4" and a2.published_at is None
    assert a3.origin == f"{path}:5"


def test_jsonl_bom_crlf_and_numeric_id(tmp_path):
    path = write(
        tmp_path / "w.jsonl",
        b'\xef\xbb\xbf{"id": 7, "text": "Seven."}\r\n\r\n{"id": "b", "text": "Bee."}\r\n',
    )
    result = load_paths([path])
    assert result.failures == ()
    assert ids(result) == ["7", "b"]
    assert result.articles[1].origin == f"{path}:3"


# --- folders and ids -----------------------------------------------------------------------------------------


def test_folder_walk_recursive_sorted_hidden_and_other_types_skipped(tmp_path):
    root = tmp_path / "news"
    write(root / "b.txt", "B.")
    write(root / "a.md", "A.")
    write(root / "sub" / "c.html", "<p>C.</p>")
    write(root / "sub" / "d.markdown", "D.")
    write(root / "zz" / "e.jsonl", '{"id": "e", "text": "E."}\n')
    write(root / "notes.pdf", "%PDF")
    write(root / "image.png", b"\x89PNG\x00")
    write(root / ".hidden.txt", "H.")
    write(root / ".git" / "x.txt", "G.")
    result = load_paths([root])
    assert result.failures == ()
    assert ids(result) == ["a", "b", "c", "d", "e"]
    assert ids(load_paths([root])) == ids(result)


def test_explicit_unsupported_extension_fails(tmp_path):
    pdf = write(tmp_path / "report.pdf", "%PDF-1.4")
    result = load_paths([pdf, good(tmp_path)])
    failure = only_failure(result)
    assert failure.path == str(pdf)
    assert "unsupported file type .pdf" in failure.reason
    assert "convert it to .txt, .md, .html or .jsonl" in failure.fix
    assert ids(result) == ["good"]


def test_same_stem_in_two_folders_gets_relative_path_ids(tmp_path):
    root = tmp_path / "news"
    write(root / "2026" / "march" / "flood.md", "March flood.")
    write(root / "2025" / "flood.txt", "Old flood.")
    write(root / "other.txt", "Other.")
    first = load_paths([root])
    assert first.failures == ()
    assert sorted(ids(first)) == ["2025/flood", "2026/march/flood", "other"]
    assert ids(load_paths([root])) == ids(first)  # stable across runs


def test_same_stem_under_two_given_folders_and_base(tmp_path):
    write(tmp_path / "news" / "a" / "flood.md", "A flood.")
    write(tmp_path / "news" / "b" / "flood.md", "B flood.")
    result = load_paths([tmp_path / "news" / "a", tmp_path / "news" / "b"])
    assert ids(result) == ["a/flood", "b/flood"]
    with_base = load_paths([tmp_path / "news" / "a", tmp_path / "news" / "b"], base=tmp_path)
    assert ids(with_base) == ["news/a/flood", "news/b/flood"]


def test_same_stem_same_folder_keeps_extension(tmp_path):
    md = write(tmp_path / "story.md", "Markdown version.")
    txt = write(tmp_path / "story.txt", "Text version.")
    assert ids(load_paths([md, txt])) == ["story.md", "story.txt"]


def test_same_file_twice_loads_once(tmp_path):
    path = good(tmp_path)
    result = load_paths([path, tmp_path / "ok", str(path)])
    assert result.failures == ()
    assert ids(result) == ["good"]


# --- bad input: each fails alone, the rest of the batch loads ------------------------------------------------


def test_missing_path(tmp_path):
    missing = tmp_path / "nope.txt"
    result = load_paths([missing, good(tmp_path)])
    failure = only_failure(result)
    assert failure.path == str(missing) and "not found" in failure.reason
    assert ids(result) == ["good"]


@pytest.mark.parametrize("content", [b"", b"  \n\t\r\n  "])
@pytest.mark.parametrize("suffix", [".txt", ".md", ".html", ".jsonl"])
def test_empty_file(tmp_path, content, suffix):
    empty = write(tmp_path / f"empty{suffix}", content)
    result = load_paths([empty, good(tmp_path)])
    failure = only_failure(result)
    assert failure.path == str(empty) and "empty file" in failure.reason
    assert ids(result) == ["good"]


@pytest.mark.parametrize("suffix", [".txt", ".jsonl"])
def test_binary_file(tmp_path, suffix):
    binary = write(tmp_path / f"blob{suffix}", b"PK\x03\x04\x00\x00binary\x00stuff")
    result = load_paths([binary, good(tmp_path)])
    failure = only_failure(result)
    assert failure.path == str(binary) and "binary file" in failure.reason
    assert ids(result) == ["good"]


def test_invalid_utf8_names_byte_offset(tmp_path):
    """Neither UTF-8 nor Windows-1252 (0x81 is undefined there): refused, naming the first bad byte."""
    latin1 = write(tmp_path / "latin1.txt", b"Caf\xe9 \x81opens.")
    result = load_paths([latin1, good(tmp_path)])
    failure = only_failure(result)
    assert failure.path == str(latin1)
    assert "invalid UTF-8" in failure.reason and "byte offset 3" in failure.reason
    assert failure.fix == "re-save the file as UTF-8"
    assert ids(result) == ["good"]


def test_invalid_utf8_in_jsonl_line_names_line_and_file_offset(tmp_path):
    path = write(tmp_path / "x.jsonl", b'{"id": "a", "text": "ok"}\n{"id": "b", "text": "caf\xe9"}\n')
    result = load_paths([path])
    failure = only_failure(result)
    assert failure.line == 2 and "byte offset 50" in failure.reason
    assert ids(result) == ["a"]


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ("{not json", "not valid JSON"),
        ('["a", "list"]', "JSON list, not an object"),
        ('"just a string"', "JSON string, not an object"),
        ('{"id": "x", "title": "no text"}', 'no "text" field'),
        ('{"id": "x", "text": "   "}', '"text" is empty'),
        ('{"id": "x", "text": 42}', '"text" is a number, not a string'),
        ('{"id": "x", "text": "ok", "title": ["a"]}', '"title" is a list, not a string'),
        ('{"id": "x", "text": "ok", "source": 7}', '"source" is a number, not a string'),
        ('{"id": "x", "text": "ok", "url": {"href": "u"}}', '"url" is a object, not a string'),
        ('{"id": "x", "text": "ok", "published_at": "sometime soon"}', "'sometime soon'"),
        ('{"id": "x", "text": "ok", "published_at": "5"}', "'5'"),
        ('{"id": "x", "text": "\\ud800"}', "lone surrogate"),
        ('{"id": "", "text": "ok", "id2": 1}', None),  # empty id → derived id, loads
        ('{"id": "   ", "text": "ok"}', "the id is empty"),
        ('{"id": "' + "x" * 201 + '", "text": "ok"}', "over 200"),
        ('{"id": "a\\u0007b", "text": "ok"}', "control character"),
        ('{"id": ["x"], "text": "ok"}', '"id" is a list'),
        ("[" * 100_000, "not valid JSON"),
    ],
)
def test_bad_jsonl_line_fails_alone(tmp_path, line, fragment):
    path = jsonl(
        tmp_path / "mixed.jsonl", {"id": "first", "text": "First."}, line, {"id": "last", "text": "Last."}
    )
    result = load_paths([path, good(tmp_path)])
    if fragment is None:
        assert result.failures == ()
        return
    failure = only_failure(result)
    assert failure.path == str(path) and failure.line == 2
    assert fragment in failure.reason, failure.reason
    assert ids(result) == ["first", "last", "good"]


def test_unparseable_date_names_value_and_formats(tmp_path):
    md = write(tmp_path / "dated.md", "---\ntitle: T\ndate: next Tuesday\n---\nBody.\n")
    result = load_paths([md, good(tmp_path)])
    failure = only_failure(result)
    assert failure.path == str(md) and failure.line is None
    assert "'next Tuesday'" in failure.reason
    assert "ISO 8601" in failure.fix
    assert ids(result) == ["good"]


def test_file_over_size_limit_is_not_read(tmp_path, monkeypatch):
    big = write(tmp_path / "big.txt", "x" * 500)
    small = write(tmp_path / "small.txt", "small file")
    opened: list[str] = []
    real_open = open

    def spy(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(loaders, "open", spy, raising=False)
    result = load_paths([big, small], max_file_bytes=100)
    failure = only_failure(result)
    assert failure.path == str(big) and "over the" in failure.reason
    assert failure.fix == "split it into smaller files or raise ASSISTANT_MAX_FILE_MB"
    assert str(big) not in opened
    assert ids(result) == ["small"]


def test_jsonl_limit_is_per_line(tmp_path):
    records = [{"id": f"r{i}", "text": f"Record {i}."} for i in range(50)]
    records.insert(3, {"id": "huge", "text": "y" * 1000})
    path = jsonl(tmp_path / "many.jsonl", *records)
    assert path.stat().st_size > 200
    result = load_paths([path], max_file_bytes=200)
    failure = only_failure(result)
    assert failure.line == 4 and "line 4 is" in failure.reason
    assert "ASSISTANT_MAX_FILE_MB" in failure.fix
    assert len(result.articles) == 50 and "huge" not in ids(result)
    assert result.articles[3].origin == f"{path}:5"


def test_duplicate_id_first_wins_and_names_first(tmp_path):
    first = jsonl(tmp_path / "one.jsonl", {"id": "dup", "text": "First."}, {"id": "dup", "text": "Second."})
    md = write(tmp_path / "two.md", "---\nid: dup\n---\nThird.\n")
    result = load_paths([first, md, good(tmp_path)])
    assert ids(result) == ["dup", "good"]
    assert result.articles[0].text == "First."
    assert [(f.path, f.line) for f in result.failures] == [(str(first), 2), (str(md), None)]
    for failure in result.failures:
        assert "duplicate id 'dup'" in failure.reason
        assert f"{first}:1" in failure.reason


def test_unreadable_file(tmp_path, monkeypatch):
    locked = write(tmp_path / "locked.txt", "secret")
    if os.geteuid() != 0:
        locked.chmod(0)
    else:  # root reads anything: simulate the permission error
        real_open = open

        def deny(file, *args, **kwargs):
            if str(file) == str(locked):
                raise PermissionError(13, "Permission denied", str(file))
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr(loaders, "open", deny, raising=False)
    try:
        result = load_paths([locked, good(tmp_path)])
    finally:
        locked.chmod(0o644)
    failure = only_failure(result)
    assert failure.path == str(locked) and "permission denied" in failure.reason
    assert "permissions" in failure.fix
    assert ids(result) == ["good"]


def test_front_matter_without_body_fails(tmp_path):
    md = write(tmp_path / "bare.md", "---\ntitle: Only a title\n---\n")
    assert "no article text after the front matter" in only_failure(load_paths([md])).reason


def test_empty_folder_fails(tmp_path):
    folder = tmp_path / "empty"
    write(folder / "x.pdf", "%PDF")
    failure = only_failure(load_paths([folder]))
    assert failure.path == str(folder) and "no .txt, .md, .html or .jsonl" in failure.reason


def test_failure_to_dict_shape(tmp_path):
    path = jsonl(tmp_path / "x.jsonl", "{bad")
    failure = only_failure(load_paths([path]))
    assert failure.to_dict() == {"file": str(path), "line": 1, "reason": failure.reason, "fix": failure.fix}
    assert str(failure).startswith(f"{path}:1: not valid JSON")


# --- shared data ---------------------------------------------------------------------------------------------


def _shared(rel: str) -> Path:
    path = SHARED / rel
    if not path.exists():
        pytest.skip(f"shared data not found at {path} (set ASSISTANT_SHARED_DIR to the shared folder)")
    return path


def test_loads_multihop_rag_articles():
    result = load_paths([_shared("data/multihop_rag/articles.jsonl")])
    assert result.failures == ()
    assert len(result.articles) == 609
    assert len(set(ids(result))) == 609
    assert all(a.published_at is not None and a.published_at.tzinfo is not None for a in result.articles)


def test_loads_seed_article_with_date_only_as_midnight_utc():
    result = load_paths([_shared("seeds/articles.jsonl")])
    assert result.failures == ()
    (article,) = result.articles
    assert article.id == "ghwayran-prison-attack"
    assert article.published_at_iso == "2022-01-24T00:00:00+00:00"


# --- never raises --------------------------------------------------------------------------------------------


FUZZ_PIECES = [
    b"---\n", b"title: x\n", b"<p>", b"</p>", b"<h1>", b"<script>", b"<article>", b"{", b"}",
    b'"text": "a"', b'{"text": "t", "id": "i"}\n', b"\n", b"\r\n", b"\xff", b"\x00", b"<!--", b"]]>",
]  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.one_of(
        st.binary(max_size=400),
        st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.lists(st.sampled_from(FUZZ_PIECES), max_size=30).map(b"".join),
    ),
    suffix=st.sampled_from([".jsonl", ".txt", ".html", ".md"]),
)
def test_random_bytes_never_raise(tmp_path_factory, data, suffix):
    folder = tmp_path_factory.mktemp("fuzz")
    path = write(folder / f"f{suffix}", data)
    result = load_paths([path], max_file_bytes=300)
    assert isinstance(result, LoadResult)
    assert result.articles or result.failures
    for article in result.articles:
        assert article.text.strip() and article.id
        article.content_hash  # noqa: B018 - must not raise (text is encodable)

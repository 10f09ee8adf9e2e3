"""Smaller desk items of issue 25 on input files: Windows-1252/Latin-1 exports are read (and the report says so);
a JSONL syntax error reads as one sentence ("starting at column 10", not "at at column")."""

from __future__ import annotations

from common.config import Config
from index.loaders import load_paths
from index.loaders.files import CP1252_NOTE
from index.pipeline import Ingestor
from index.store import ChromaStore

from .loading import write


def test_a_windows_1252_export_is_read_and_the_report_says_so(tmp_path):
    """A newsroom export in Windows-1252: é is 0xe9 and the curly quotes are 0x93/0x94, invalid as UTF-8. Every
    byte is defined in Windows-1252, so it is read as that (the quotes come out curly) and noted, not refused."""
    path = write(tmp_path / "export.txt", b"Caf\xe9 opens \x93today\x94 in Velmora.\r\n\r\nIt sold 10 cups.\r\n")
    result = load_paths([path])
    assert result.failures == ()
    (article,) = result.articles
    assert article.text == "Café opens “today” in Velmora.\n\nIt sold 10 cups.\n"
    assert result.notes == (f"{path}: {CP1252_NOTE}",)


def test_the_ingest_report_lists_the_note(tmp_path):
    path = write(tmp_path / "latin1.txt", "Zoë Ménard was elected.\n\nShe won 54%.\n".encode("latin-1"))
    config = Config.from_env(env={}, index_dir=tmp_path / "index", embedder="hash", analysis=False)
    report = Ingestor(config, store=ChromaStore(config)).ingest_paths([path])
    assert report.ok and report.added == ["latin1"]
    assert f"  NOTE {path}: {CP1252_NOTE}" in report.summary().splitlines()
    assert report.to_dict()["notes"] == [f"{path}: {CP1252_NOTE}"]


def test_json_error_does_not_say_at_at(tmp_path):
    path = write(tmp_path / "feed.jsonl", b'{"text": "ok"}\n{"text": "unterminated\n')
    (failure,) = load_paths([path]).failures
    assert failure.reason == "not valid JSON (Unterminated string starting at column 10)"
    assert " at at " not in str(failure)

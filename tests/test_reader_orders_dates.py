"""Worked examples of the trained reader on "when …?": its date picks the sentence, not the first dated one the rules
scored highest; a decade it reads is a time. Real Chroma in tmp_path, the hash embedder, the reader shipped here."""

from __future__ import annotations

import pytest

from assistant.core import Assistant
from assistant.kinds.date import Date
from common.config import Config
from index.pipeline import Ingestor
from index.store import ChromaStore

TRIAL = """Velmora mayor to stand trial

The former mayor of Velmora appeared in court on Tuesday to deny charges of taking bribes from a builder. \
Prosecutors say Piet Aran accepted 40,000 euros between 2019 and 2021. His trial will begin on 2 October, the court \
said. Aran, who led the town for eight years, resigned in March.
"""
QUESTION = "When will the former Velmora mayor's trial begin?"
TRAM = """Velmora tram depot to become a market

The old tram depot in Velmora will reopen as a covered market next year, the council said. The town's tram line was \
closed during the 1970s after years of losses, and the depot has stood empty since. The market will hold 60 stalls.
"""


@pytest.fixture(scope="module")
def trial(tmp_path_factory) -> Assistant:
    root = tmp_path_factory.mktemp("trial")
    (root / "articles").mkdir()
    (root / "articles" / "trial.txt").write_text(TRIAL, encoding="utf-8")
    (root / "articles" / "tram.txt").write_text(TRAM, encoding="utf-8")
    config = Config.from_env(env={}, index_dir=root / "index", embedder="hash")
    ingestor = Ingestor(config, store=ChromaStore(config))
    assert ingestor.ingest_paths([root / "articles"]).ok
    return Assistant(config, store=ingestor.store, embedder=ingestor.embedder)


def test_the_readers_date_picks_the_sentence(trial):
    """The lead sentence shares most words with the question ("former mayor of Velmora … court on Tuesday") and
    its date is the day of the hearing; the trial begins "on 2 October", two sentences on, where the reader finds
    it. Before the reader re-ranked dates this answered "on Tuesday"."""
    answer = trial.ask(QUESTION)
    assert trial.reader_status == "on"
    assert answer.short_answer == "2 October"
    first = answer.citations[0]
    assert first.text == "His trial will begin on 2 October, the court said."
    assert TRIAL[first.char_start : first.char_end] == first.text


def test_without_the_readers_order_the_rules_take_the_first_dated_sentence(trial, monkeypatch):
    """The same question with the date kind keeping its own order: the hearing's day. This is what the reader's
    order fixes (and shows the example above depends on it)."""
    monkeypatch.setattr(Date, "reader_orders", False)
    assert trial.ask(QUESTION).short_answer == "Tuesday"


def test_a_decade_the_reader_reads_is_a_time(trial):
    """The date rules find no day, month or year in "during the 1970s"; the reader reads "the 1970s" (sure: above
    the overrule bar), and the date kind now vouches for a decade as a time, with the "during" before it. Before,
    the answer had no short answer at all."""
    answer = trial.ask("When was Velmora's tram line closed?")
    assert answer.short_answer == "during the 1970s"
    first = answer.citations[0]
    assert first.text.startswith("The town's tram line was closed during the 1970s")
    assert TRAM[first.char_start : first.char_end] == first.text

"""Worked examples of the trained reader (assistant/qa/) in the four stages: a tiny wire story, a question, the exact
span expected and why. Real Chroma in tmp_path, the hash embedder, the reader shipped in the repository."""

from __future__ import annotations

import json
import shutil

import pytest

from assistant.core import Assistant
from assistant.qa.model import MANIFEST, ReaderModel, ReaderUnavailable
from assistant.qa.reader import verb_phrase
from common.config import Config
from index.pipeline import Ingestor
from index.store import ChromaStore

HARBOUR = """Harbour blast forces evacuation in Port Kessaly

PORT KESSALY, Ostrakand (Wire) -- Police set off a controlled explosion at the old harbour on Tuesday after divers \
found a wartime mine beneath the ferry pier. About 300 residents were moved out of their homes for six hours. The \
dock workers' strike, backed by the Northline Transport Union, entered its second week on Monday. Harbour master \
Edvin Roth urged ferry operators to keep their vessels out of the inner basin until Friday. The lunar survey ship \
Kessaly Star, moored nearby, was not damaged.
"""
MATCH = """Kessaly Rovers edge Dunmarrow in cup thriller

Kessaly Rovers reached the cup semi-final on Saturday after beating Dunmarrow Athletic at Harbour Park. Striker Mila \
Osk scored twice before half-time, and goalkeeper Tomas Ferr saved a late penalty. The match was watched by a crowd \
of 8,400. Rovers will play Velmora Town in the semi-final next month.
"""


def assistant_over(tmp_path, **settings) -> Assistant:
    folder = tmp_path / "articles"
    folder.mkdir(exist_ok=True)
    (folder / "harbour.txt").write_text(HARBOUR, encoding="utf-8")
    (folder / "match.txt").write_text(MATCH, encoding="utf-8")
    config = Config.from_env(env={}, index_dir=tmp_path / "index", embedder="hash", **settings)
    ingestor = Ingestor(config, store=ChromaStore(config))
    assert ingestor.ingest_paths([folder]).ok
    return Assistant(config, store=ingestor.store, embedder=ingestor.embedder)


@pytest.fixture(scope="module")
def reading(tmp_path_factory):
    return assistant_over(tmp_path_factory.mktemp("reader"))


@pytest.mark.parametrize(("question", "short", "why"), [
    ("What did police set off at the old harbour?", "a controlled explosion",
     "the object of 'set off', not its subject 'Police' (the reader's head noun widened to its whole phrase)"),
    ("What did the harbour master urge ferry operators to do?", "keep their vessels out of the inner basin",
     "what was urged; the hand rules answered with the subject, 'Harbour master Edvin Roth'"),
    ("Which group backs the dock workers' strike?", "Northline Transport Union",
     "the group that backs the strike, not the strike itself"),
])
def test_the_reader_answers_with_the_asked_phrase(reading, question, short, why):
    answer = reading.ask(question)
    assert reading.reader_status == "on"
    assert not answer.abstained and answer.short_answer is not None, why
    assert answer.short_answer.removeprefix("the ") == short, why
    first = answer.citations[0]
    assert answer.short_answer in first.text
    text = HARBOUR if first.title.startswith("Harbour") else MATCH
    assert text[first.char_start : first.char_end] == first.text


QUAY = """Quay repairs to start in spring

The Port Kessaly council approved the repair of the north quay on Monday. “The quay is turning into a danger for \
every crew that ties up there,” harbour engineer Lina Marsk said. The council said it would close the quay to \
passenger ferries from April.
"""


@pytest.fixture(scope="module")
def quay(tmp_path_factory):
    folder = tmp_path_factory.mktemp("quay")
    (folder / "quay.txt").write_text(QUAY, encoding="utf-8")
    config = Config.from_env(env={}, index_dir=folder / "index", embedder="hash")
    ingestor = Ingestor(config, store=ChromaStore(config))
    assert ingestor.ingest_paths([folder / "quay.txt"]).ok
    return Assistant(config, store=ingestor.store, embedder=ingestor.embedder)


def test_what_a_speaker_said_something_is_is_the_phrase_of_her_statement(quay):
    """"What did Lina Marsk say the quay is turning into?" asks for a phrase of her quote, not the quote: the
    reader's span inside her words is the short answer ('a danger', or 'a danger for every crew …'), her statement
    listed as ever below it."""
    answer = quay.ask("What did Lina Marsk say the quay is turning into?")
    assert answer.short_answer is not None, answer.text
    assert answer.short_answer.removeprefix("a ").startswith("danger"), answer.text
    assert answer.statements and answer.short_answer in answer.statements[0].text
    assert answer.statements[0].kind == "direct"


def test_a_phrase_running_past_the_closing_mark_is_cut_there():
    """A reader's span 'a danger for every crew that ties up there,” harbour engineer Lina Marsk' runs on out of
    her words into the narration: the short answer is cut at her closing quotation mark (and its comma)."""
    from assistant.kinds.read import phrase_of_statement
    from assistant.qa.reader import Reading
    from assistant.understand import understand

    from .method import candidates, stored

    article = stored(QUAY)
    query = understand("What did Lina Marsk say the quay is turning into?")
    built = query.kind.build(query, candidates(article, [0.2, 0.3, 0.9, 0.1]))  # her quote is sentence 2
    text = article.article.text
    a, b = text.index("a danger"), text.index(" said.")
    reading = Reading(article.article.id, 2, 2, a, b, text[a:b], margin=5.0, here=5.0)
    assert phrase_of_statement(built, (reading,)).short == "a danger for every crew that ties up there"


def test_what_someone_would_do_is_a_verb_phrase(quay):
    """'What did the council say it would do?' is answered with what it would do, from its own sentence."""
    answer = quay.ask("What did the council say it would do?")
    assert answer.short_answer is not None and answer.short_answer.startswith("close the quay"), answer.text
    first = answer.citations[0]
    assert QUAY[first.char_start : first.char_end] == first.text and answer.short_answer in first.text


def test_a_bare_verb_is_widened_to_its_phrase(quay):
    """The reader may stop at the verb ('help' for 'What did the US say it would do?' on the seed article): the
    verb's phrase is the answer, its objects and complements, without its subject ('it') or auxiliary ('would')."""
    stored = quay.store.get_article("quay")
    text = stored.article.text
    at = text.index("close the quay")
    sentence = next(sp for sp in stored.sentence_spans if sp[0] <= at < sp[1])
    start, end = verb_phrase(stored.analysis, sentence, at, at + len("close"))
    assert text[start:end] == "close the quay to passenger ferries from April"
    start, end = verb_phrase(stored.analysis, sentence, at, at + len("close the quay"))
    assert text[start:end] == "close the quay"  # a phrase the reader gave stays as it is
    # a span of nouns inside the phrase (the retrained reader gave "Daesh" on the seed) is the phrase it belongs to
    ferries = text.index("passenger ferries")
    start, end = verb_phrase(stored.analysis, sentence, ferries, ferries + len("passenger ferries"))
    assert text[start:end] == "close the quay to passenger ferries from April"


def test_a_question_the_story_does_not_answer_is_declined(reading, tmp_path):
    """The match report names both teams but gives no score: the hand rules answered 'Dunmarrow Athletic' (the
    sentence shares the question's words); the reader finds no span that answers, so the assistant declines."""
    question = "What was the final score of the Rovers v Dunmarrow match?"
    answer = reading.ask(question)
    assert answer.abstained and answer.short_answer is None and answer.citations == ()
    hand = assistant_over(tmp_path, reader=False).ask(question)
    assert not hand.abstained  # the decline is the reader's


def flip_a_byte(path) -> None:
    """Alter a model file the way a bad copy would: one byte, well inside it."""
    with open(path, "r+b") as f:
        f.seek(4000)
        byte = f.read(1)
        f.seek(4000)
        f.write(bytes([byte[0] ^ 0xFF]))


def test_an_altered_reader_is_refused_by_name_and_answers_go_on_without_it(tmp_path):
    """A reader file that is not the one reader.json describes is never run: loading it names the fix, and the
    assistant answers from the hand rules, saying so in its status."""
    folder = tmp_path / "reader"
    folder.mkdir()
    shutil.copy(MANIFEST, folder / "reader.json")
    graph = folder / json.loads(MANIFEST.read_text())["onnx"]
    shutil.copy(MANIFEST.parent / graph.name, graph)
    flip_a_byte(graph)
    with pytest.raises(ReaderUnavailable, match="sha256 differs.*retrain"):
        ReaderModel(folder / "reader.json")
    assistant = assistant_over(tmp_path, reader_dir=str(folder))
    answer = assistant.ask("What did police set off at the old harbour?")
    assert assistant.reader_status.startswith("off:") and "sha256" in assistant.reader_status
    assert not answer.abstained and answer.citations
    graph.unlink()
    with pytest.raises(ReaderUnavailable, match="missing"):
        ReaderModel(folder / "reader.json")


def test_a_figure_the_rules_miss_is_read_when_the_reader_is_sure(reading, tmp_path):
    """'How many crowd members watched the match?': the sentence has a 'crowd' but no 'members', so the figure
    rules (every counted word in the sentence) found nothing and declined; the reader is sure of '8,400' there, and
    the sentence names the crowd the question counts, so it answers."""
    question = "How many crowd members watched the match?"
    answer = reading.ask(question)
    assert answer.short_answer == "8,400", answer.text
    assert MATCH[answer.citations[0].char_start : answer.citations[0].char_end] == answer.citations[0].text
    assert assistant_over(tmp_path, reader=False).ask(question).abstained


def test_a_count_the_story_does_not_give_is_still_declined(reading):
    """The report says Osk 'scored twice' but gives no count of corners: no figure of the asked thing, and no
    reading sure enough to overrule that, so the assistant declines rather than offer 8,400 or 'twice'."""
    answer = reading.ask("How many corners did Kessaly Rovers win?")
    assert answer.abstained and answer.short_answer is None, answer.text


def test_a_span_that_repeats_the_question_starts_after_it():
    """'The quay is turning into a danger …' for 'What did she say the quay is turning into?': the answer is what the
    question does not already say; fewer than three echoed words are left alone ('the Ghwayran prison')."""
    from assistant.qa.reader import past_question_words

    text = "The quay is turning into a danger for every crew."
    question = "What did Lina Marsk say the quay is turning into?"
    assert text[past_question_words(text, 0, len(text), question) :] == "a danger for every crew."
    assert past_question_words("the Ghwayran prison", 0, 19, "Which prison did the militants attack?") == 0


@pytest.mark.parametrize(("question", "quantity", "span", "sentence", "fits"), [
    ("What was the final score of the Rovers v Dunmarrow match?", "score", "8,400",
     "The match was watched by a crowd of 8,400.", False),
    ("What was the final score of the cup final?", "score", "3-1", "Rovers won 3-1.", True),
    ("what is the population of saint-galmier?", "population", "5,600", "The town has 5,600 residents.", True),
    ("what salary will richard teng get as binance's new ceo", "salary", "2023", "Teng joined in 2023.", False),
    ("what is astros owner jim crane's net worth", "net worth", "$1.4 billion", "Crane is worth $1.4 billion.", True),
    ("What else did Ned Price say?", None, "", "", False),
    ("what are inter miami's 2024 ticket prices being compared to?", None, "", "", False),
])
def test_a_quantity_asked_by_name_needs_its_shape(question, quantity, span, sentence, fits):
    """A match score, a population, a salary: the new user's three unanswerable questions got confident wrong
    short answers (a crowd of 8,400 as a score). A quantity asked for by name must have its shape, else the
    assistant declines; a name ('Ned Price') or a noun that is not the thing asked for is no quantity."""
    from assistant.kinds.quantity import asked_quantity, has_shape

    assert asked_quantity(question) == quantity
    if quantity:
        assert has_shape(quantity, span, sentence) is fits


def test_how_many_is_never_answered_with_a_price(tmp_path):
    """The story gives the price of a season ticket, not how many were sold: "How many season tickets have the
    Rovers sold?" was answered "$867" (a crowd-style dev question got exactly that); a sum or a share never
    answers "how many", from the rules or from the reader, so the assistant declines."""
    folder = tmp_path / "tickets"
    folder.mkdir()
    (folder / "tickets.txt").write_text(
        "Rovers raise season ticket prices\n\nThe cheapest season ticket for Kessaly Rovers next year is $867, "
        "which works out to $51 per match across the 17 home games. The club said demand had been strong.\n",
        encoding="utf-8")
    config = Config.from_env(env={}, index_dir=tmp_path / "index", embedder="hash")
    ingestor = Ingestor(config, store=ChromaStore(config))
    assert ingestor.ingest_paths([folder]).ok
    answer = Assistant(config, store=ingestor.store, embedder=ingestor.embedder).ask(
        "How many season tickets have Kessaly Rovers sold?")
    assert answer.abstained and answer.short_answer is None, answer.text


def test_an_altered_ranker_is_refused_by_name_and_answers_go_on_without_the_trained_models(tmp_path):
    """The sentence ranker ships beside the reader (ranker.json, ranker.onnx) and is checked the same way: an altered
    file is never run, the error names the ranker and how to remake it, and the assistant answers from the hand rules,
    saying so in its status."""
    folder = tmp_path / "reader"
    folder.mkdir()
    for name in ("reader.json", "ranker.json"):
        shutil.copy(MANIFEST.parent / name, folder / name)
        shutil.copy(MANIFEST.parent / json.loads((MANIFEST.parent / name).read_text())["onnx"], folder)
    graph = folder / "ranker.onnx"
    flip_a_byte(graph)
    with pytest.raises(ReaderUnavailable, match="ranker.onnx is not the file ranker.json describes.*train_ranker"):
        ReaderModel(folder / "ranker.json")
    assistant = assistant_over(tmp_path, reader_dir=str(folder))
    answer = assistant.ask("What did police set off at the old harbour?")
    assert assistant.reader_status.startswith("off:") and "ranker" in assistant.reader_status
    assert not answer.abstained and answer.citations
    (tmp_path / "off").mkdir()
    assert assistant_over(tmp_path / "off", reader_dir=str(folder), ranker=False).reader is not None  # reader alone

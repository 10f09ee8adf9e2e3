"""Worked examples of stage 1 (understand): the answer kind a question gets, what it reads from the question, and
how a follow-up borrows from the turn before. No index, no model: these run on a fresh clone."""

from __future__ import annotations

import pytest

from assistant.kinds.registry import KINDS, kind_of
from assistant.query import Turn
from assistant.understand import turn_from_dict, understand


@pytest.mark.parametrize(("question", "kind"), [
    ("How many civilians were killed?", "figure"),
    ("What share of the vote did she win?", "figure"),
    ("Who said the strike would go ahead?", "who_said"),  # a speaker, though "who" could ask for a role too
    ("What did Mayor Ilsa Varenko say?", "what_said"),
    ("When was the bridge built?", "date"),
    ("On what day did the river burst its banks?", "date"),
    ("Why did the union call the strike?", "why"),
    ("How did the fire spread?", "how"),  # "how" + auxiliary: a means, not a count
    ("Who is the manager of Kessaly Rovers?", "role"),
    ("When did the death toll rise to 14?", "date"),  # a date, though it names a toll
    ("How did the death toll change?", "figure"),  # a figure over time, not a means
    ("What does SOHR stand for?", "expansion"),
    ("Who is Corvin Stahl?", "describe"),  # a name: asks for the description the articles give
    ("who makes public plea?", "who"),
    ("Where is the prison?", "where"),
    ("Which town flooded?", "which"),
    ("What is the lunar orbiter taking pictures of?", "which"),
    ("Tell me about the flood", "open"),  # no phrase answers it: the best sentences, no short answer
    ("What happened at the prison?", "open"),
    ("What is the latest death toll?", "figure"),  # a figure before "what is the latest on …"
    ("What's the latest on the rail strike?", "open"),
    ("What was the ferry carrying?", "which"),  # a thing: the noun phrase nearest the question's words
])
def test_question_typing(question, kind):
    """The first kind of the registry whose pattern matches wins; Other matches everything, so it is last."""
    assert kind_of(question).name == kind
    assert KINDS[-1].name == "other"


def test_an_open_question_searches_its_topic_without_the_frame():
    """"Tell me about" is in no sentence: only the topic is searched; a bare "what happened?" keeps its words."""
    assert understand("Tell me about the Harrowmere wildfire").search_text == "the Harrowmere wildfire"
    assert understand("What happened?").search_text == "What happened?"


def test_how_many_reads_the_counted_noun_and_what_happened_to_it():
    """'How many Kurdish fighters died?': the words before the verb are what is counted (stemmed: 'kurdish',
    'fighter'); the verb is the predicate ('die'), which a figure should have near it."""
    q = understand("How many Kurdish fighters died?")
    assert (q.kind.name, q.focus, q.predicate) == ("figure", ("kurdish", "fighter"), ("die",))


def test_how_much_will_it_cost_counts_the_thing_before_the_preposition():
    """'How much will the inquiry into the levees cost?': a sum about the inquiry (not the levees), spent."""
    q = understand("How much will the inquiry into the levees cost?")
    assert (q.focus, q.predicate) == (("inquiri",), ("cost",))


def test_passive_when_question_names_its_event():
    """'When was the bridge built?' asks for the building's date: both the participle and the verb's stem are
    kept, so that a sentence saying 'built' or 'build' counts as speaking of it."""
    assert understand("When was the bridge built?").predicate == ("built", "build")


def test_role_question_requires_the_role_and_whose_it_is():
    """'Who is the manager of Kessaly Rovers?': an answer must come from a sentence with 'manager' and one of
    'Kessaly'/'Rovers' (stemmed), else it is not an answer to this question."""
    q = understand("Who is the manager of Kessaly Rovers?")
    assert q.required == (frozenset({"manag"}), frozenset({"kessali", "rover"}))


def test_what_else_did_she_say_takes_the_previous_speaker_and_skips_what_was_shown():
    """'What else did she say?' after an answer quoting the mayor: 'she' is the mayor, the sentence already
    cited is excluded, and the articles of the previous answer are preferred."""
    prev = Turn("What did Mayor Ilsa Varenko say?", speaker="Mayor Ilsa Varenko", article_ids=("flood",),
                cited=(("flood", 4),))
    q = understand("What else did she say?", [prev])
    assert q.person == "Mayor Ilsa Varenko"
    assert q.search_text.startswith("What else did Mayor Ilsa Varenko say?")
    assert q.exclude == {("flood", 4)} and q.prefer_articles == ("flood",)


def test_elliptical_follow_up_borrows_the_previous_question():
    """'and how many children?' says nothing of what happened: the previous question is appended for retrieval
    (the kind and the counted noun come from the new one)."""
    prev = Turn("How many people died in the Velmora flood?", article_ids=("toll",))
    q = understand("and how many children?", [prev])
    assert q.kind.name == "figure" and q.focus == ("children",)
    assert q.search_text == "and how many children? How many people died in the Velmora flood?"
    assert q.prefer_articles == ("toll",)


def test_a_turn_from_the_api_takes_its_speaker_from_the_first_cited_sentence():
    """The API sends back earlier answers as JSON; the speaker of 'Who said that?' comes from the citation."""
    turn = turn_from_dict({"question": "What did the mayor say?", "answer": "…", "citations": [
        {"article_id": "flood", "sentence_index": 3,
         "text": "“We are still pulling people out of attics,” said Mayor Ilsa Varenko of Velmora."}]})
    assert turn.speaker == "Mayor Ilsa Varenko" and turn.cited == (("flood", 3),)

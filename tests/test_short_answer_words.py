"""The short answer does not repeat what the question says: the counted noun of "how many", the "in"/"on" of a
"when", the "because" of a "why". The full answer line keeps the sentence's words. No index, no model."""

from __future__ import annotations

from assistant.compose import compose
from assistant.kinds.figure import figure_focus
from assistant.spans import count_alone
from assistant.understand import understand

from .method import candidates, stored

SEASON = ("Osweiler threw for 1,967 yards, 10 touchdowns and six interceptions. "
          "Polonia was relegated from the top flight in 2013 because of their disastrous financial situation. "
          "The club was founded on Friday by 39 members of the Kurdish community.")


def answer(question: str, scores: list[float]):
    return compose(understand(question), candidates(stored(SEASON), scores), abstain_below=0.36)


def test_how_many_touchdowns_is_answered_by_the_number():
    """'How many touchdowns did Osweiler throw?' names the noun: the short answer is '10' (SQuAD's three
    annotators all wrote '10'), while the answer line still reads '10 touchdowns'."""
    a = answer("How many touchdowns did Osweiler throw?", [0.9, 0.3, 0.2])
    assert a.short_answer == "10" and a.text.startswith("10 touchdowns")


def test_a_figure_of_another_noun_keeps_it():
    """'How many Kurdish fighters …?' answered by '39 members of the Kurdish community' (the head noun asked,
    fighters, is not the one counted): the noun stays, so the reader sees what was counted."""
    for figure, question in [("39 members of the Kurdish", "How many Kurdish fighters died?"),
                             ("more than 200 case reports", "How many sick dog case reports has Oregon received?")]:
        focus, _ = figure_focus(question)
        assert count_alone(figure, question, focus) == ("more than 200" if "dog" in question else figure)
    assert count_alone("$22 million", "How much did it cost?", ("cost",)) == "$22 million"


def test_when_is_answered_without_its_preposition():
    """'When was Polonia relegated?': the date is 'in 2013' in the sentence; the question's "when" already says
    it is a time, so the short answer is '2013'."""
    a = answer("When was Polonia relegated from the top flight?", [0.2, 0.9, 0.3])
    assert a.short_answer == "2013" and a.text.startswith("in 2013")


def test_why_is_answered_by_the_reason_itself():
    """'Why was Polonia relegated?': the reason is 'their disastrous financial situation'; 'because of' is the
    question's "why" said again."""
    a = answer("Why was Polonia relegated from the top flight?", [0.2, 0.9, 0.3])
    assert a.short_answer == "their disastrous financial situation"


def test_where_a_company_is_based_is_the_place_before_based():
    """'Where is Cubic Telecom based?': the reader's span was 'the Dublin-based startup' (the whole noun phrase);
    the place is the name before "-based", as the where kind already cuts 'the Al-Hasakah city' to its name."""
    from assistant.kinds.where import Where

    for span, place in [("the Dublin-based startup", "Dublin"), ("the Portland, Maine-based startup", "Portland, Maine"),
                        ("the Al-Hasakah city", "Al-Hasakah"), ("an Oslo court", "an Oslo court")]:
        a, b = Where().trim(span)
        assert span[a:b] == place


def test_who_is_answered_by_the_name_after_a_role():
    """'Who won the Super Bowl MVP?': the reader's span 'Denver linebacker Von Miller' holds the role the sentence
    gives; "who" asks for the name. A name with "of" inside keeps it; a name with a title is all name."""
    from assistant.kinds.who import Who

    for span, name in [("Denver linebacker Von Miller", "Von Miller"), ("co-defendant Jodi Hildebrandt", "Jodi Hildebrandt"),
                       ("Archbishop of Canterbury Justin Welby", "Archbishop of Canterbury Justin Welby"),
                       ("Chief Scientist Ilya Sutskever", "Chief Scientist Ilya Sutskever"),
                       ("the Pittsburgh Steelers", "the Pittsburgh Steelers")]:
        a, b = Who().trim(span)
        assert span[a:b] == name

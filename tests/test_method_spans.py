"""Worked examples of span finding and date resolution: the exact span each finder returns from one real-looking
sentence, and the calendar date a relative expression names. No index, no model."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from assistant.kinds.other import short_span
from assistant.spans import attribution, dates, figures, means, reason
from common.dates import format_date, resolve_date

MONDAY = datetime(2022, 1, 24, 12, tzinfo=UTC)


def test_figures_keep_their_nouns_and_qualifiers_but_not_years_or_clock_times():
    """Each number comes with the noun it counts; 'More than' stays with 100; the year 2022, the clock time
    '4 a.m.' and the day '3' of 'March 3' are not figures."""
    assert [f.text for f in figures("The office said 14 people had died, including nine residents, three rescue "
                                    "workers and two children.")] == ["14 people", "nine residents",
                                                                      "three rescue workers", "two children"]
    assert [f.text for f in figures("More than 100 militants attacked the prison in 2022 at 4 a.m. on March 3.")] \
        == ["More than 100 militants"]


def test_dates_are_found_with_their_preposition():
    """'on Thursday' (not just 'Thursday') so the answer reads as written; a time of day before it is left to
    the sentence; a year after 'in' is a date too, and so is 'last year'."""
    assert [d.text for d in dates("The river burst its banks shortly after 11 p.m. on Thursday.")] == ["on Thursday"]
    assert [d.text for d in dates("It was built in 1887 and rebuilt last year.")] == ["in 1887", "last year"]
    # a span of years is one expression ("1945 and 1970" answered when the heyday was)
    assert [d.text for d in dates("Its heyday was between 1945 and 1970, and from 2019 to 2021 it faded.")] == \
        ["between 1945 and 1970", "from 2019 to 2021"]
    # a weekday with its day in British order is one date (it was cut to "on Friday")
    assert [d.text for d in dates("Belgium play Scotland on Friday 1 December in Leuven.")] == ["on Friday 1 December"]


def test_months_without_a_day_are_dates_and_a_year_is_not_a_day():
    """'in January and July last year' is one time (two bombings, one in each month); a month needs a preposition
    or a year after it ('may' and 'to march' are no months); 'April 2021' is a month of 2021, not 'April 20'."""
    sentence = "It launched two major suicide bombings in January and July last year, each of which killed 30 people."
    assert [d.text for d in dates(sentence)] == ["in January and July last year"]
    assert [d.text for d in dates("Prices rose in March and April 2021.")] == ["in March and April 2021"]
    assert [d.text for d in dates("April 2021 was the wettest month.")] == ["April 2021"]
    assert [d.text for d in dates("They may march again.")] == []


@pytest.mark.parametrize(("expression", "context", "expected"), [
    ("on Thursday", "", date(2022, 1, 20)),  # the Thursday before Monday 24 January
    ("on Friday", "The strike will start on Friday.", date(2022, 1, 28)),  # 'will': the coming one
    ("last Monday", "", date(2022, 1, 17)),  # 'last' on the same weekday: a week back
    ("yesterday", "", date(2022, 1, 23)),
    ("Jan. 22", "", date(2022, 1, 22)),  # no year: the article's
    ("December 30", "", date(2021, 12, 30)),  # would be 11 months ahead: last year's
])
def test_relative_dates_resolve_against_the_publication_date(expression, context, expected):
    assert resolve_date(expression, MONDAY, context) == expected


def test_a_date_is_written_out_with_its_weekday():
    assert format_date(date(2022, 1, 23)) == "Sunday 23 January 2022"


def test_speaker_role_and_quote():
    """A quote followed by 'said NAME' gives the speaker; a role before the name is kept as the role; a
    pronoun speaker is flagged for the neighbours to resolve; a post's byline gives the handle as role."""
    a = attribution("“We are still pulling people out of attics and off rooftops,” said Mayor Ilsa Varenko of Velmora.")
    assert (a.speaker, a.quote) == ("Mayor Ilsa Varenko", "We are still pulling people out of attics and off rooftops")
    a = attribution("US State Department spokesperson Ned Price said on Saturday that the attack highlights the need.")
    assert (a.speaker, a.role) == ("Ned Price", "US State Department spokesperson")
    a = attribution("He also said that Daesh’s attack “underscores the urgent need”.")
    assert a.speaker is None and a.pronoun and a.quote == "underscores the urgent need"
    a = attribution("— Liz Sly (@LizSly) January 22, 2022")
    assert (a.speaker, a.role) == ("Liz Sly", "@LizSly")


def test_reason_and_means_clauses():
    """'in a bid to' opens a purpose; 'after' + a clause (not a length of time, not a moment: 'after the game'
    answered "how did Phillies players celebrate?") opens how it happened."""
    assert reason("ISIS attacked a prison on Thursday in a bid to free its members.").text == \
        "in a bid to free its members"
    assert means("Hundreds escaped after militants detonated a car bomb near the prison gates.").text == \
        "after militants detonated a car bomb near the prison gates"
    assert means("Hundreds escaped after three days of fighting.") is None
    assert means("Phillies players celebrated after the game, chanting in the clubhouse.") is None


def test_a_cause_named_by_a_noun_ends_at_its_comma_and_the_reporting_is_no_reason():
    """'postponed due to snow, remain in second place …' (a crowd-style dev question got the whole run-on): a cause
    given as a noun ends at the comma, while a clause of reason keeps its commas ('because inflation rose, rates
    climbed and …'); a trailing ', officials said' is the reporting, not part of the reason."""
    assert reason("The game was postponed due to snow, leaving Bayern second on 32 points.").text == "due to snow"
    assert reason("It fell because inflation rose, rates climbed and investors fled.").text == \
        "because inflation rose, rates climbed and investors fled"
    assert reason("ISIS attacked the prison in a bid to free its members, officials said.").text == \
        "in a bid to free its members"


@pytest.mark.parametrize(("question", "sentence", "role", "expected"), [
    # the name right after the role word, not the team's name that comes first
    ("Who is the manager of Kessaly Rovers?", "Kessaly Rovers manager Jonas Pelk said the win was deserved.",
     frozenset({"manag"}), "Jonas Pelk"),
    # a place after 'in', and not the prison's own name, which the question already says
    ("Where is the Ghwayran prison?", "Militants attacked the Ghwayran prison in the Al-Hasakah city.", frozenset(),
     "Al-Hasakah"),
    ("In what year was the boat found?", "The boat was found in 1987 by divers.", frozenset(), "1987"),
    ("Why did it sink?", "The boat sank in a storm.", frozenset(), None),  # not a who/where/year question
])
def test_short_answer_inside_the_best_sentence(question, sentence, role, expected):
    assert short_span(question, sentence, role) == expected


def test_in_what_month_is_answered_by_the_month():
    """'Every May since 1987, the university has held its scavenger hunt': two times, and 'in what month …?' asks
    for the one naming a month, answered by the month itself (the SQuAD question's gold is 'May')."""
    from assistant.kinds.date import year_asked

    sentence = "Every May since 1987, the University of Chicago has held the University of Chicago Scavenger Hunt."
    assert [d.text for d in dates(sentence)] == ["Every May", "since 1987"]
    assert year_asked("In what month is the university's scavenger hunt?", "Every May") == "May"
    assert year_asked("When is the university's scavenger hunt?", "Every May") == "Every May"


def test_a_sum_keeps_its_currency_and_scale():
    """A sum as wire copy writes it: the code before the number ('NIS 405 million') and the letter of its scale
    after a sign ('$2M', '£300m') are part of the figure, so a 'how much did X pay?' answer names its currency;
    '100m' without a sign stays a hundred (metres, most likely), and '30 NIS' keeps its code as a noun."""
    assert [f.text for f in figures("Rani Zim paid NIS 405 million for Psagot.")] == ["NIS 405 million"]
    assert [f.text for f in figures("Losses grew to almost £300m, or $2M weekly.")] == ["almost £300m", "$2M weekly"]
    assert [f.text for f in figures("He ran the 100m in 9.8 seconds.")] == ["100", "9.8 seconds"]

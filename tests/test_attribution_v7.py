"""Quote attribution, round seven: worked examples from the recall misses of the first gold's test half (development
data since round seven, tests/gold/README.md), each a short story of its own (spaCy model only)."""

from __future__ import annotations

from .test_attribution import by_words


def test_a_that_clause_after_the_cue_phrase_is_the_statement(nlp):
    """first gold: "England tweeted at half-time that Greenwood was concious …" was not found: the parser took the
    that-clause for a relative clause of "half-time". A clause opened by "that" (not its subject or object) with
    its own subject, hung on the phrase after the cue, is the statement, and the cue's subject says it
    (clauses.py, hung_clause)."""
    text = "England tweeted at half-time that Greenwood was conscious and talking to medical staff."
    assert by_words(nlp, text) == {"Greenwood was conscious and talking to medical staff": ("reported", "England")}


def test_according_to_figures_from_someone_is_theirs(nlp):
    """first gold: "…, according to estimates from AMC Theatres Sunday." was unattributed: "estimates" was the
    speaker's head, and figures name no one. Figures, estimates or data "from" or "by" a named organisation or
    person are that one's statement (clauses.py, data_source)."""
    text = ("Her concert film opened in first place with $21 million in North American ticket sales, according to "
            "estimates from AMC Theatres Sunday.")
    words = "Her concert film opened in first place with $21 million in North American ticket sales"
    assert by_words(nlp, text) == {words: ("reported", "AMC Theatres")}


def test_a_line_in_capitals_is_a_link_and_no_blocker(nlp):
    """first gold: "“Those include …,” he told Fox News Digital." was unattributed: between it and the doctor who
    spoke stood a linked headline in capitals ("PIG HEART RECIPIENT'S … DYING MAN SAID: ‘WE WILL MISS HIM'") whose
    unnamed speaker stopped "he" going back. A line all in capitals is a caption, and "he" goes back past a caption
    to the one who spoke (attribution.py, _CAPTION; speakers.py, _antecedent)."""
    text = ("Dr. George Mazariegos, a transplant surgeon at the hospital, said Lucas is showing early signs of liver "
            "failure.\n\n"
            "PIG HEART RECIPIENT'S ‘LAST WISH’ WAS TO HELP DOCTORS LEARN, DYING MAN SAID: ‘WE WILL MISS HIM'\n\n"
            "\"Those include not being able to grow normally,\" he told Fox News Digital.")
    assert by_words(nlp, text)["Those include not being able to grow normally"] == ("direct", "Dr. George Mazariegos")


def test_an_organisation_before_a_post_is_no_description_of_the_person(nlp):
    """heldout6 (development data since round seven): "…, the festival said." was given to "Festival director Odile
    Fenwright": "festival" was among the words of her role. A noun for no person that only stands before the
    person's post (director, manager …) names what the person works for, not the person; the statement stays
    unattributed. "the detective" of "Detective Inspector" and "the MP" of "Local MP" still hold (described.py,
    held)."""
    text = ("Festival director Odile Fenwright said: “Safety has to come first.”\n\n"
            "Ticket holders will get a full refund within 14 days, the festival said.")
    assert by_words(nlp, text)["Ticket holders will get a full refund within 14 days"] == ("reported", None)
    text = ("Detective Inspector Rob Hale appealed for witnesses.\n\n"
            "“Somebody will have noticed something,” the detective said.")
    assert by_words(nlp, text)["Somebody will have noticed something"] == ("direct", "Detective Inspector Rob Hale")


def test_a_name_with_an_age_set_off_after_it_is_a_person(nlp):
    """heldout6 (development data since round seven): "She added that she had slept for only four hours." after
    "“…,” Ferenczy said." was unattributed: the tagger took "Nadia Ferenczy, 19," for an organisation, and "she"
    looks for a person. A name with an age set off by commas after it is a person's name, whatever the tagger
    said (names.py, _set_off_person)."""
    text = ("Nadia Ferenczy, 19, won the tournament on Saturday.\n\n"
            "“I did not expect that,” Ferenczy said. She added that she had slept for only four hours.")
    assert by_words(nlp, text)["she had slept for only four hours"] == ("reported", "Nadia Ferenczy")

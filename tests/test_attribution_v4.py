"""Quote attribution, worked examples from the misses of held-out v2 and heldout3 (development data since round
four, tests/gold/README.md): each a short story of its own (spaCy model only)."""

from __future__ import annotations

from .test_attribution import quotes, said


def test_a_title_in_quotation_marks_inside_narration_is_no_statement(nlp):
    """heldout3: "“Salt Winter” cost less than €1m to make." opened the paragraph after the jury president's closed
    quotation and was listed as his words, and so was the documentary "“Ninety Days”" after it (narration listed).
    Quoted words with the reporter's own words before or after them in the sentence are a title or phrase inside
    narration; only quotations that stand as sentences of their own continue a speaker (attribution.py, _alone)."""
    text = ("Jury president Alain Roux said the decision had been unanimous. “It is a film that trusts its audience,” "
            "the jury president said.\n\n“Salt Winter” cost less than €1m to make. The festival's second prize went "
            "to the Polish documentary “Ninety Days”.")
    found = quotes(nlp, text)
    assert [q.sentence for q in found] == [0, 1]
    assert said(nlp, text, 1) == ("direct", "Alain Roux", "It is a film that trusts its audience")


def test_he_after_an_unnamed_description_as_subject_is_left_unattributed(nlp):
    """heldout3: "The 23-year-old scored 21 goals for Belvik last season. He said he had chosen Dunmore because of
    Petrov." gave "He" to the coach quoted before (a wrong name): the pronoun means the 23-year-old, whom the article
    never names with that description. A sentence whose subject is such an unnamed person stops the search for
    the pronoun's antecedent: unattributed (speakers.py, _antecedent; nouns.py, opens_with_person)."""
    text = ("Dunmore Athletic have signed striker Kofi Mensah from Belvik for £18m.\n\n"
            "“Kofi is exactly the player we have been looking for,” said Dunmore coach Ivan Petrov.\n\n"
            "The 23-year-old scored 21 goals for Belvik last season. He said he had chosen Dunmore because of Petrov.")
    assert said(nlp, text, 3) == ("reported", None, "he had chosen Dunmore because of Petrov")


def test_a_full_name_the_recogniser_missed_is_a_pronoun_antecedent(nlp):
    """held-out v2: "Cole Palmer is a man on the move …" has no entity in spaCy's small model, so the "he said" of
    his quotes found nobody and the rest of his statements went unattributed. Two capitalised proper nouns as a
    subject, whose last the article also uses alone ("Palmer feels …"), are a person's name (names.py,
    _missed_name)."""
    text = ("Please try again later {{ /verifyErrors }}\n\n"  # the scraped page's sign-up box, as in the article
            "Cole Palmer is a man on the move, from Manchester City to Chelsea, from perennial substitute to pivotal "
            "starter, from England Under-21 player to, perhaps, a senior international. It has been a few months of "
            "swift change.\n\n“The most annoying thing? The traffic, that's the biggest thing for me,” he said. "
            "Certainly Palmer feels hot property right now.")
    assert said(nlp, text, 3) == ("direct", "Cole Palmer", "The most annoying thing?")
    assert said(nlp, text, 4) == ("direct", "Cole Palmer", "The traffic, that's the biggest thing for me")


def test_a_quotation_right_after_the_cue_sentence_goes_on_quoting_its_speaker(nlp):
    """held-out v2: in "“Who knows what would have happened if I had stayed?” Palmer mused. “Maybe I would have
    played more, maybe not. But I think …”" the sentence splitter ends a sentence at "?”", so the cue stands alone
    and the next quotation found no speaker (not even found). An uncued quotation right after the sentence whose
    cue attributed the quotation before it, in the same paragraph, continues that speaker (attribution.py,
    _before)."""
    text = ("Chelsea signed Cole Palmer from Manchester City for £42.5m. “Who knows what would have happened if I had "
            "stayed?” Palmer mused. “Maybe I would have played more, maybe not. But I think the decision to go to "
            "Chelsea so far is paying off.”")
    assert said(nlp, text, 3) == ("direct", "Cole Palmer", "Maybe I would have played more, maybe not")
    assert said(nlp, text, 4) == ("direct", "Cole Palmer", "But I think the decision to go to Chelsea so far is "
                                                           "paying off")


def test_a_name_set_off_after_a_persons_role_is_a_person_with_that_role(nlp):
    """held-out v2: "Port Kessaly's harbour master, Ines Varga, said …" (the tagger labels "Ines Varga" ORG), then
    "“We cannot wait another season,” the harbour master said." was unattributed: an organisation has no role, so
    the description matched nobody. A name in apposition right after a singular noun for a person is a person's,
    and that noun phrase is the role (names.py, _set_off_person)."""
    text = ("Port Kessaly's harbour master, Ines Varga, said on Monday that dredging of the main channel would begin "
            "in April. The channel has silted up since the storms of 2024.\n\n"
            "“We cannot wait another season,” the harbour master said.")
    assert said(nlp, text, 2) == ("direct", "Ines Varga", "We cannot wait another season")


def test_that_as_the_subject_of_the_reported_clause_is_kept(nlp):
    """heldout3: "the spokeswoman said that was a matter for the water authority" gave the span "was a matter for
    the water authority": "that" was cut as if it were the conjunction. When "that" is the clause's subject it is
    part of the statement (cues.py, reported)."""
    text = ("The environment ministry's spokeswoman, Greta Aalto, said ministers were watching closely. "
            "Asked whether farmers would be exempt, the spokeswoman said that was a matter for the water authority.")
    assert said(nlp, text, 1) == ("reported", "Greta Aalto", "that was a matter for the water authority")


"""Quote attribution, round nine: worked examples from heldout8's wrong names, unexact direct quotes and misses
(development data since round nine, tests/gold/README.md), each a short story of its own (spaCy model only)."""

from __future__ import annotations

from .test_attribution import by_words


def test_a_pronoun_does_not_go_back_past_a_name_taken_for_no_person(nlp):
    """heldout8: "In the men's race, Ethiopia's Dawit Gebremeskel-Alemu won in 2:05:12. He said …" gave his words
    to the women's coach quoted a paragraph before: the tagger took the winner's name for an organisation, so "he"
    skipped him. A subject name of two or three capitalised words with no organisation's noun or ending, whatever
    its label, may be the "he" (described.py, person_like; speakers.py, _antecedent): unattributed, not guessed."""
    text = ("Her coach, Benedikt Sommerauer, said she had trained at altitude for ten weeks. ‘She is disciplined "
            "in a way I have never seen,’ he said.\n\n"
            "In the men's race, Ethiopia's Dawit Gebremeskel-Alemu won in 2:05:12. He said the cobbled final "
            "kilometre had ‘hurt more than the whole race’.")
    got = by_words(nlp, text)
    assert got["She is disciplined in a way I have never seen"] == ("direct", "Benedikt Sommerauer")
    assert got["the cobbled final kilometre had ‘hurt more than the whole race’"][1] in (None, "Dawit Gebremeskel-Alemu")


def test_a_hyphenated_surname_cut_at_its_hyphen_is_whole(nlp):
    """heldout8: "Energy Secretary Rosalind Achterfeld-Yeo said … . “…,” the secretary said." named "Energy
    Secretary Rosalind Achterfeld": the recogniser's entity stopped at the hyphen, and "the secretary" was
    resolved to that mention. A name goes on over a hyphen written without spaces to the capitalised proper noun
    after it (entity_tokens.py, joined)."""
    text = ("Energy Secretary Rosalind Achterfeld-Yeo said she had asked the regulator for a full report. “People "
            "who rely on oxygen machines at home were frightened, and rightly so,” the secretary said.")
    got = by_words(nlp, text)
    assert got["she had asked the regulator for a full report"][1].endswith("Rosalind Achterfeld-Yeo")
    words = "People who rely on oxygen machines at home were frightened, and rightly so"
    assert got[words] == ("direct", "Energy Secretary Rosalind Achterfeld-Yeo")


def test_the_union_of_people_a_plural_possessive_names_is_its_own(nlp):
    """heldout8: "The drivers' union said it had warned the company in September that …" was given to Coastline
    Rail, the company named as a subject just before: "the union" took the nearest organisation. An organisation
    noun after a plural possessive ("the drivers' union", "the farmers' association") is its own unnamed speaker,
    named by that description (nouns.py, of_members; speakers.py, _description)."""
    text = ("Coastline Rail has apologised after hundreds of trains were cancelled. Coastline Rail runs 1,100 "
            "trains a day.\n\n"
            "The drivers' union said it had warned the company in September that training was behind schedule.")
    got = by_words(nlp, text)
    words = "it had warned the company in September that training was behind schedule"
    assert got[words][0] == "reported"
    assert got[words][1] in (None, "drivers' union")


def test_straight_single_quotation_marks_quote_like_curly_ones(nlp):
    """heldout8: "'That tree will be gone by Monday,' he said." (straight single marks) was listed as reported
    speech with a span not the quoted words: only ‘…’ were read as single quotation marks. A straight ' before a
    capital after a space opens a quotation when a closing ' (after the words, before a space or a punctuation
    mark, not a plural's apostrophe) is still to come on the line; never in a line in capitals (marks.py,
    _straight_single); an apostrophe inside ("centre's", "keepers' hut") is no mark."""
    text = ("A red panda that escaped from Whitlow Zoo was found in a garden centre on Tuesday.\n\n"
            "'She was curled up under a camellia as if she had paid for it,' said the garden centre's manager, "
            "Perpetua Lanyon-Frith. The keepers' hut is by the gate.\n\n"
            "Her assistant, Cornelius Abaroa, said the panda had eaten the bamboo display. 'That tree will be gone "
            "by Monday,' he said.")
    got = by_words(nlp, text)
    assert got["She was curled up under a camellia as if she had paid for it"] == ("direct", "Perpetua Lanyon-Frith")
    assert got["That tree will be gone by Monday"] == ("direct", "Cornelius Abaroa")
    headline = "WOMAN WITH STAGE 4 BREAST CANCER DENIED MAMMOGRAM AT AGE 29: 'I'LL BE FIGHTING FOREVER'\n\nShe is 31."
    assert not by_words(nlp, headline)

"""Quote attribution, round eight: worked examples from heldout7's wrong names and direct quotes not found
(development data since round eight, tests/gold/README.md), each a short story of its own (spaCy model only)."""

from __future__ import annotations

from benchmarks.statements import _alias

from .test_attribution import by_words


def test_a_bare_noun_set_off_before_the_subject_is_no_speaker(nlp):
    """heldout7: "Outside court, the daughter of one resident, Mireille Chaudhry, said: “…”" was given to "Outside
    court": the parser made "court" the subject and the phrase after the comma its appositive. A bare lower-case
    noun (no determiner) opening the sentence before a comma is a phrase set off, not the subject; the phrase after
    it is (phrases.py, fronted). Whose daughter the name is stays unsure here, so the quote is unattributed."""
    text = ("Outside court, the sister of one victim, Rosalie Quenneville, said: “Eight years is nothing. "
            "She will never get that summer back.”")
    got = by_words(nlp, text)
    assert got["Eight years is nothing"][0] == "direct"
    assert got["Eight years is nothing"][1] in (None, "Rosalie Quenneville")
    assert got["She will never get that summer back"][1] in (None, "Rosalie Quenneville")


def test_a_noun_phrase_the_parser_split_before_the_cue_still_speaks(nlp):
    """heldout7: "‘That’s not an excuse. She played better than me today,’ the 26-year-old said." was not found:
    the parser hung "the" and "26-year-old" on "said" itself, so the cue had no subject. A cue with no subject
    whose own determiner and modifiers stand right before it has that phrase as its subject (phrases.py,
    broken); the quote is found (who "the 31-year-old" is, is left to the description rules)."""
    text = ("Top seed Annika Thorsgaard, 31, lost in the first round on Wednesday.\n\n"
            "Thorsgaard said she had felt unwell since Monday. ‘I played badly,’ the 31-year-old said.")
    assert by_words(nlp, text)["I played badly"][0] == "direct"


def test_a_past_tense_after_an_aside_introduces_the_quote_after_its_colon(nlp):
    """heldout7: "Actor Sir Barnaby Quilliam, who made his debut at the Lyceum in 1961, posted on Instagram: “This
    building made me.”" was not found: the tagger read "posted" as a participle hung on the name. A participle of
    saying right after an aside set off by commas, hung on a proper noun and followed by a colon, is the past tense
    of that name (cues.py, _aside_then_colon); the platform after "on" is where it was said, never who said it
    (cues.py, name_after)."""
    text = ("Actor Dame Hester Fennimore, who made her debut at the Alderwick in 1958, posted on Instagram: "
            "“This building made me.” The final performance is on 6 January.")
    assert by_words(nlp, text)["This building made me"] == ("direct", "Dame Hester Fennimore")


def test_a_second_attribution_after_and_is_its_own_statement(nlp):
    """heldout7: "Fenwater captain Ewan Strathdee said his team had “thrown away” a 14-point lead, and their
    coach, Mattias Nyqvist, said the referee had missed …" gave the coach's words to the captain: the parser hung
    the second "said" on the first as one more clause it reports. A clause after the first that is a verb of
    saying with its own subject is another attribution; the first statement ends before its "and" (cues.py,
    reported, _own_cue)."""
    text = ("Kelworth captain Iestyn Barraclough said his team had “thrown away” a 14-point lead, and their coach, "
            "Torvald Eikenes, said the referee had missed a forward pass before the fourth try.")
    got = by_words(nlp, text)
    assert got["his team had “thrown away” a 14-point lead"] == ("reported", "Iestyn Barraclough")
    assert got["the referee had missed a forward pass before the fourth try"] == ("reported", "Torvald Eikenes")


def test_a_quotation_open_at_a_paragraph_end_is_the_next_speakers(nlp):
    """heldout7: "He said engineers would … . “We are talking about moving 40,000 tonnes of earth on a slope that
    is still wet.⏎⏎“Nobody should expect trains before next Christmas,” he added." left the first paragraph's
    quote unfound (no cue of its own, the introducer a pronoun). A quotation left open at a paragraph's end goes
    on in the quotation that opens the next paragraph; whoever speaks there spoke it (attribution.py, _adjacent)."""
    text = ("“I have worked on this canal for 30 years,” said the trust's waterways director, Oswin Pelletreau.\n\n"
            "He said engineers would have to rebuild the bank from the valley floor. “We are talking about moving "
            "40,000 tonnes of earth on a slope that is still wet.\n\n"
            "“Nobody should expect boats before next Easter,” he added.")
    got = by_words(nlp, text)
    words = "We are talking about moving 40,000 tonnes of earth on a slope that is still wet"
    assert got[words] == ("direct", "Oswin Pelletreau")


def test_a_description_without_its_article_is_the_same_description():
    """heldout7's fourth "wrong name" was a measuring slip: "The environment department said …", an unnamed
    speaker whose aliases hold "The environment department", was counted wrong for "environment department". The
    benchmark compares unnamed speakers' descriptions without a leading "the" (benchmarks/statements.py, _alias);
    another description is still wrong."""
    item = {"speaker_aliases": ["The environment department"]}
    assert _alias("environment department", item)
    assert not _alias("health department", item)

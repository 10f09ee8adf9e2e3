"""Worked examples of answers that read the stored dependency parse: which clause a figure belongs to, and who
speaks when the parser misreads the speaker's phrase. Real spaCy analysis of tiny texts, no index."""

from __future__ import annotations

from assistant.compose import compose
from assistant.quotes.speakers import speaker_of
from assistant.understand import understand

from .method import candidates, stored

PRISON = ("Militants attacked the Ghwayran prison on Thursday. "
          "Hundreds of ISIS prisoners managed to escape from the prison, where over 3,500 Daesh prisoners are being "
          "held, after militants detonated a car bomb near the prison gates.")

SDF = ("Militants attacked the Ghwayran prison on Thursday. "
       "The United States (US) backed Syrian Democratic Forces (SDF), a group of largely Kurdish fighters, said that "
       "several inmates had taken control over parts of the prison.")

POST = ("Several inmates had taken control over parts of the prison.\n"
        "The ISIS prison break in Syria is turning into an insurgency. Civilians are fleeing.\n"
        "— Liz Sly (@LizSly) January 22, 2022\n"
        "The SDF vowed to strengthen their efforts.")


def ask(question: str, text: str, scores: list[float]):
    return compose(understand(question), candidates(stored(text), scores), abstain_below=0.36)


def test_the_figure_whose_own_clause_has_the_asked_verb_answers():
    """'How many prisoners are held …?': both figures count prisoners, but 'Hundreds' is the subject of 'managed
    to escape' while 'over 3,500' is the subject of 'are being held', the question's verb (lemma 'hold'). The
    parse's clause makes 'over 3,500 …' the answer, alone: the escaped prisoners are another count, not an
    update of the same one (before: a 'figure changed' timeline ending with 'Hundreds of ISIS prisoners')."""
    a = ask("How many prisoners are held at the Ghwayran prison?", PRISON, [0.5, 0.9])
    assert a.short_answer == "over 3,500" and a.timeline == ()
    a = ask("How many prisoners managed to escape from the prison?", PRISON, [0.5, 0.9])
    assert a.short_answer == "Hundreds"  # the noun the question names is not repeated


def test_a_speaker_the_parser_reads_as_a_clause_before_the_cue():
    """spaCy reads 'The United States (US) backed Syrian Democratic Forces (SDF), …, said that …' as 'the US
    backed the SDF' reported by a 'said' that has no subject. 'said' already reports the clause after it, so the
    clause before it is the speaker's phrase: its object, ending right before 'said', speaks (with the
    appositive as the role)."""
    quotes = stored(SDF).analysis.by_sentence[1]
    assert [(q.speaker, q.role) for q in quotes] == [("Syrian Democratic Forces", "a group of largely Kurdish fighters")]
    a = ask("Who said that several inmates had taken control over parts of the prison?", SDF, [0.3, 0.9])
    assert a.short_answer == "Syrian Democratic Forces"


def test_a_post_byline_does_not_speak_for_the_sentence_before_the_post():
    """The analysis places the post (its two sentences and the '— Liz Sly' byline) and attributes nothing to the
    sentence before it; reading ahead to the next byline (the fallback for an index without analysis) named Liz
    Sly as its speaker. With the analysis, a sentence it gives no speaker has none (and the answer names nobody
    rather than the wrong person); the post's own sentences are still Liz Sly's."""
    article = stored(POST)
    cands = sorted(candidates(article, [0.9, 0.3, 0.2, 0.1, 0.05]), key=lambda c: c.index)
    assert [speaker_of(c)[0] for c in cands[:3]] == [None, "Liz Sly", "Liz Sly"]
    a = ask("Who said that several inmates had taken control over parts of the prison?", POST, [0.9, 0.3, 0.2, 0.1,
                                                                                              0.05])
    assert a.short_answer is None


SHOP = ("Kessaly Retail's pre-tax losses grew to almost £300m in the year to September, the company said. "
        "The buying habits of its shoppers have changed in the 23 years since it opened.")


def test_how_much_a_company_lost_is_a_sum():
    """'How much did Kessaly Retail lose …?' asks for a sum: '£300m' is one (the 'm' after a currency sign is its
    scale, so the figure is not cut to '£300'), '23 years' is not, however well its sentence scores (the rules
    answered '23 years' for such a question on dev). A rise asked for may be any figure."""
    a = ask("How much did Kessaly Retail lose before tax?", SHOP, [0.6, 0.9])
    assert a.short_answer == "almost £300m"
    a = ask("How much did Kessaly Retail lose before tax?", SHOP.split(". ")[1], [0.9])
    assert a.short_answer != "23 years"


def test_when_something_is_expected_is_the_time_ahead_not_a_possessive_today():
    """'Today’s guidelines are proposals … before the UK Parliament approves them toward the end of next year':
    'when is Parliament expected to approve them?' looks ahead ('expected'), and 'toward the end of next year'
    is a time ahead though it names no day; 'Today’s guidelines' names the guidelines, not when (a crowd-style
    dev question got 'Today')."""
    text = ("Ofcom published its first online safety guidelines on Thursday. Today’s guidelines are being released "
            "as proposals so Ofcom can gather feedback before the UK Parliament approves them toward the end of "
            "next year.")
    a = ask("When is the UK Parliament expected to approve the Ofcom guidelines?", text, [0.5, 0.9])
    assert a.short_answer == "toward the end of next year"

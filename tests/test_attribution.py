"""Quote attribution from spaCy's parse (index/analysis/attribution.py): worked examples on short news sentences
(spaCy model only), and an accuracy floor on the hand-labelled gold (tests/gold/quotes_gold.jsonl, needs ../shared)."""

from __future__ import annotations

import pytest

from common.analysis import Quote
from index.analysis.attribution import attribute
from index.sentences import split_sentences

PRICE = ("US State Department spokesperson Ned Price said on Saturday that the attack highlights the need to fully "
         "fund the Global Coalition To Defeat ISIS’s efforts.")


def quotes(nlp, text: str) -> list[Quote]:
    """The article's quotes, each checked to be an exact span inside its own sentence."""
    spans = split_sentences(text)
    found = attribute(nlp(text), text, spans)
    for q in found:
        s, e = spans[q.sentence]
        assert s <= q.start < q.end <= e, q
        assert q.speaker_start == -1 or s <= q.speaker_start < q.speaker_end <= e, q
        assert 0 <= q.named_in < len(spans) and 0 <= q.cue_start < q.cue_end <= len(text), q
    return found


def by_words(nlp, text: str) -> dict[str, tuple[str, str | None]]:
    """words → (kind, speaker) of every statement of the story."""
    return {text[q.start:q.end]: (q.kind, q.speaker) for q in quotes(nlp, text)}


def only(found: list[Quote], sentence: int) -> Quote:
    here = [q for q in found if q.sentence == sentence]
    assert len(here) == 1, here
    return here[0]


def span(text: str, start: int, end: int) -> str:
    return text[start:end] if start >= 0 else ""


def said(nlp, text: str, sentence: int) -> tuple[str, str | None, str]:
    """(kind, speaker, words) of the one statement in `sentence`."""
    q = only(quotes(nlp, text), sentence)
    return q.kind, q.speaker, span(text, q.start, q.end)


def test_direct_quote_with_inverted_said(nlp):
    """'“…,” said Mayor X of Y': the words inside the marks (without the cue comma) are the quote, the subject after
    the cue is the speaker, and the title stays with the name as written (it is also the role)."""
    text = "“We are still pulling people out of attics and off rooftops,” said Mayor Ilsa Varenko of Velmora."
    q = only(quotes(nlp, text), 0)
    assert (q.kind, q.speaker, q.role, q.named_in) == ("direct", "Mayor Ilsa Varenko", "Mayor", 0)
    assert span(text, q.start, q.end) == "We are still pulling people out of attics and off rooftops"
    assert span(text, q.cue_start, q.cue_end) == "said"
    assert span(text, q.speaker_start, q.speaker_end) == "Mayor Ilsa Varenko"


def test_role_before_the_name(nlp):
    """'US State Department spokesperson Ned Price said that …': the words before the name are the role, the clause
    after "that" is the reported statement."""
    q = only(quotes(nlp, PRICE), 0)
    assert (q.kind, q.speaker, q.role) == ("reported", "Ned Price", "US State Department spokesperson")
    assert span(PRICE, q.start, q.end) == ("the attack highlights the need to fully fund the Global Coalition To "
                                           "Defeat ISIS’s efforts")


def test_appositive_role(nlp):
    """'X, commander of the joint task force, said': the appositive is the role; "Maj." split from its full stop by
    the tokenizer is still part of the title."""
    text = ("“In their own desperate attempt to display relevance, Daesh delivered a death sentence to many of their "
            "own who participated in this attack,” Maj. Gen. John W. Brennan, commander of the joint task force, said.")
    q = only(quotes(nlp, text), 0)
    assert (q.speaker, q.role, q.kind) == ("Maj. Gen. John W. Brennan", "commander of the joint task force", "direct")
    assert span(text, q.start, q.end).endswith("who participated in this attack")


def test_he_also_said_resolves_to_the_earlier_name(nlp):
    """'He also said that …' names nobody: the speaker is the person quoted before, and `named_in` points to the
    sentence that gives the name; a quotation the clause opens ends with its closing mark."""
    text = PRICE + (" He also said that Daesh’s attack “underscores the urgent need for countries of origin to "
                    "repatriate their nationals detained in northeast Syria.”")
    q = only(quotes(nlp, text), 1)
    assert (q.speaker, q.named_in, q.kind) == ("Ned Price", 0, "reported")
    assert span(text, q.speaker_start, q.speaker_end) == "He"
    assert span(text, q.start, q.end).startswith("Daesh’s attack “underscores")
    assert span(text, q.start, q.end).endswith("northeast Syria.”")


def test_the_spokesman_resolves_to_the_named_spokesman(nlp):
    """'the spokesman said' matches the role words given with a name earlier ("Oskar Feldt, the harbour
    authority's spokesman")."""
    text = ("Oskar Feldt, the harbour authority’s spokesman, said the landing stage had passed its inspection. "
            "“The first ferry leaves at seven,” the spokesman said.")
    q = only(quotes(nlp, text), 1)
    assert (q.speaker, q.named_in, q.kind) == ("Oskar Feldt", 0, "direct")
    assert span(text, q.speaker_start, q.speaker_end) == "the spokesman"
    assert "spokesman" in q.role


def test_according_to_the_sohr(nlp):
    """'According to the SOHR, …': the rest of the sentence is the statement, and the acronym resolves to the name it
    was introduced with ("Syrian Observatory for Human Rights (SOHR)")."""
    text = ("The UK-based Syrian Observatory for Human Rights (SOHR) monitors the war from Britain. "
            "According to the SOHR, 123 people had died in the clashes so far.")
    q = only(quotes(nlp, text), 1)
    assert (q.kind, q.speaker, q.named_in) == ("reported", "Syrian Observatory for Human Rights", 0)
    assert span(text, q.cue_start, q.cue_end) == "According to"
    assert span(text, q.start, q.end) == "123 people had died in the clashes so far"
    assert span(text, q.speaker_start, q.speaker_end) == "SOHR"


def test_post_with_its_byline(nlp):
    """An embedded post ("… pic.twitter.com/…" then "— Liz Sly (@LizSly) January 22, 2022"): each of its sentences
    is a quote of kind "post", the byline name is the speaker, the handle the role, the dash the cue."""
    text = ("The ISIS prison break in Syria is turning into an insurgency. Civilians are fleeing. "
            "pic.twitter.com/B1ypPf7keK\n— Liz Sly (@LizSly) January 22, 2022\n"
            "The SDF vowed to strengthen their efforts to combat Daesh.")
    found = quotes(nlp, text)
    posts = [q for q in found if q.kind == "post"]
    assert [span(text, q.start, q.end) for q in posts] == [
        "The ISIS prison break in Syria is turning into an insurgency", "Civilians are fleeing"]
    byline = split_sentences(text)[posts[0].named_in]
    assert text[byline[0]:byline[1]].startswith("— Liz Sly")
    assert {(q.speaker, q.role, span(text, q.cue_start, q.cue_end)) for q in posts} == {("Liz Sly", "@LizSly", "—")}
    assert all(q.speaker_start == -1 for q in posts)  # the post's own sentences do not name her


def test_quote_running_on_takes_the_attribution_before(nlp):
    """A quotation in the sentence after '“…,” X said following the win.' has no cue of its own: it continues X's
    words, and a quotation over two sentences gives each sentence its part."""
    text = ("\"Great win for the program,\" Arizona head coach Jedd Fisch said following the win. \"Great win for "
            "our seniors. I think we can sell out again.\"")
    found = quotes(nlp, text)
    assert [span(text, q.start, q.end) for q in found] == [
        "Great win for the program", "Great win for our seniors", "I think we can sell out again"]
    assert {(q.speaker, q.role) for q in found} == {("Jedd Fisch", "Arizona head coach")}
    assert [q.speaker_start == -1 for q in found] == [False, True, True]


def test_quoted_name_inside_a_reported_clause_is_no_quote(nlp):
    """'an AI-powered “Let’s Chat” Alexa experience …, he says': the marks set off a product name inside the
    reported clause, so the statement is the clause, not the two quoted words."""
    text = ("Arjun Venkataswamy is a senior product manager for Alexa Kids. Amazon is also preparing to launch an "
            "AI-powered “Let’s Chat” Alexa experience for adults later this year, he says.")
    q = only(quotes(nlp, text), 1)
    assert (q.kind, q.speaker) == ("reported", "Arjun Venkataswamy")
    assert span(text, q.start, q.end).startswith("Amazon is also preparing")
    assert q.role == "a senior product manager for Alexa Kids"


def test_unnamed_speaker_is_not_guessed(nlp):
    """'one person said' introduces someone new: no earlier name is pinned on them; the quote is listed as
    unattributed (speaker None), its words still exact."""
    text = ("Sarah Michelle Gellar shared a screenshot on Instagram. "
            "“This is the most important beef of 2023,” one person said.")
    q = only(quotes(nlp, text), 1)
    assert (q.kind, q.speaker, span(text, q.start, q.end)) == ("direct", None, "This is the most important beef of 2023")


@pytest.mark.slow
def test_gold_accuracy_floor(shared_dir):
    """The hand-labelled gold (145 quotes; measured 0.98 found / 0.87 speaker overall, 0.96 / 0.81 on the held-out
    half since issue 22, which leaves a description the article never gives its speaker unattributed instead of
    naming the nearest person): floors well below, so that a regression fails and noise does not."""
    from benchmarks.attribution import evaluate

    halves, results, _ = evaluate()

    def rate(items, column):
        return sum(bool(results[o["id"]][column]) for o in items) / len(items)

    assert rate(halves["all"], "found") >= 0.85
    assert rate(halves["all"], "speaker") >= 0.80
    assert rate(halves["test"], "speaker") >= 0.70


def test_a_description_resolves_only_to_whom_the_article_gives_it(nlp):
    """'the minister' is Karin Dahl, whom the story calls "Finance minister"; "said the Chelsea boss" when nobody
    is called that is unattributed, never the nearest name (Arteta) nor the club."""
    text = ("Finance minister Karin Dahl said the government would cover half of the bill. "
            "“Velmora will not be left to pay for this alone,” the minister said. "
            "Arsenal manager Mikel Arteta praised his old friend. “It's going to be really nice,” said the Chelsea boss.")
    found = quotes(nlp, text)
    assert (only(found, 1).speaker, only(found, 1).named_in) == ("Karin Dahl", 0)
    assert only(found, 3).speaker is None and only(found, 3).kind == "direct"


def test_quote_then_adding_that_is_a_direct_quote_and_reported_speech(nlp):
    """'“It is for the company and the union to settle this,” the minister said, adding that passengers should
    check before they travel.': the words inside the marks are a direct quote, the clause after "adding that" is
    reported speech; neither is the whole sentence."""
    text = ("Transport minister Hugo Benn said he would not intervene. “It is for the company and the union to settle "
            "this,” the minister said, adding that passengers should check before they travel.")
    got = sorted((q.kind, span(text, q.start, q.end), q.speaker) for q in quotes(nlp, text) if q.sentence == 1)
    assert got == [("direct", "It is for the company and the union to settle this", "Hugo Benn"),
                   ("reported", "passengers should check before they travel", "Hugo Benn")]


def test_two_speakers_in_one_sentence(nlp):
    """'Ruth Caddick said …, and Reyl said …': two reported statements, each with its own speaker."""
    text = ("Rovers manager Tomas Reyl defended his player. Dunmarrow manager Ruth Caddick said the league had been "
            "too lenient, and Reyl said he understood her anger.")
    got = sorted((span(text, q.start, q.end), q.speaker) for q in quotes(nlp, text) if q.sentence == 1)
    assert got == [("he understood her anger", "Tomas Reyl"), ("the league had been too lenient", "Ruth Caddick")]


def test_quote_paragraph_after_a_closed_quotation_continues_its_speaker(nlp):
    """A paragraph that opens with quoted words and has no cue of its own, right after a paragraph ending with
    Arteta's closed quotation, goes on quoting Arteta (the wire convention)."""
    text = ("“It was my first professional opportunity in Paris,” Arteta said on Friday.\n\n"
            "“He was critical, he has been one of the most influential people in my career.”")
    q = only(quotes(nlp, text), 1)
    assert (q.kind, q.speaker, q.named_in) == ("direct", "Arteta", 0)
    assert span(text, q.start, q.end) == "He was critical, he has been one of the most influential people in my career"


def test_unattributed_and_narration(nlp):
    """'A council spokesperson said …' is a statement by someone the story never names: listed, speaker None.
    'Pochettino explained why he thinks …' reports no statement (a why-clause), and career history next to a
    quote is nobody's statement."""
    text = ("Marta Osei said the sirens had worked. A council spokesperson said the cost had not yet been set. "
            "Picking out Arteta's strengths, Pochettino explained why he thinks the Gunners boss is destined for the top. "
            "Varenko, who was elected in 2019, spent eleven years as a civil engineer.")
    found = quotes(nlp, text)
    q = only(found, 1)
    assert (q.kind, q.speaker, span(text, q.start, q.end)) == ("reported", None, "the cost had not yet been set")
    assert [q for q in found if q.sentence in (2, 3)] == []


@pytest.mark.slow
def test_issue22_gold_precision_first(shared_dir):
    """Issue 22's gold (tests/gold/quotes_gold_22.jsonl, all three parts, and the v3 gold's dev3 part): no narration
    sentence listed, no reported speech shown as a direct quote, and a wrong name almost never (measured: speaker
    precision 1.000 on dev, held-out v1 and v2 and dev3, recall 0.99 / 1.00 / 0.74 / 0.96); the floors sit below
    what was measured. heldout3 is measured by benchmarks/attribution.py only."""
    from benchmarks.attribution import GOLD22, GOLD_V3, analyse, load_articles, read_gold, speaker_right
    from benchmarks.statements import ROWS, measure

    gold = read_gold(GOLD22) + [o for o in read_gold(GOLD_V3) if o["split"] == "dev3"]
    quotes_of = {aid: q for aid, (q, _) in analyse(gold, load_articles()).items()}
    got = measure(gold, quotes_of, speaker_right)
    assert got[ROWS[7]][0] == 0 and got[ROWS[8]][0] == 0, got
    named_right, named = got[ROWS[5]]
    right, wanted = got[ROWS[4]]
    assert named_right / named >= 0.97 and right / wanted >= 0.7, got


def test_a_caption_without_a_full_stop_does_not_swallow_the_next_paragraph(nlp):
    """A video caption ends without a full stop; spaCy's parser ran it into the paragraph after, so "Pochettino has
    fond memories … and says …" lost its subject and its statement was not found. A sentence now starts after
    every line break (index/analysis/core.py, paragraph_starts)."""
    text = ("Please use Chrome browser for a more accessible video player Chelsea head coach Mauricio Pochettino says "
            "his old team-mate can become one of the best coaches in the world\n\n"
            "Pochettino has equally fond memories of that period and says the signs were already there that Arteta "
            "would make a successful coach.")
    assert said(nlp, text, 1) == ("reported", "Mauricio Pochettino",
                                  "the signs were already there that Arteta would make a successful coach")


def test_by_saying_is_said_by_the_subject_of_the_main_verb(nlp):
    """'X has disagreed with … - by saying …': "saying" hangs on "by", not on a subject of its own; the one who
    disagrees is the one who says it."""
    text = ("Rovers manager Tomas Reyl has disagreed with Jamie Carragher's comments that his side are going "
            "backwards - by saying the statistics show that his team has improved.")
    assert said(nlp, text, 0) == ("reported", "Tomas Reyl", "the statistics show that his team has improved")


def test_a_past_tense_after_an_aside_or_an_elided_subject_is_a_cue(nlp):
    """'Arteta - who … - revealed … that …' and '… - although admitted there would be …': the tagger reads the verb
    as a participle (its subject is out of sight) and the parse hangs it on the aside; the name the sentence opens
    with says it, by the full name the article gives him further on ("Mikel Arteta", a subject the recogniser
    misses). A participle that is passive ("was told that") stays no cue."""
    text = ("Arteta - who labelled his friend's early work at Chelsea as 'phenomenal' - revealed in his press "
            "conference that the influence continued into his coaching career.\n\n"
            "Pochettino is relishing the prospect of going head-to-head with Arteta on Saturday - although admitted "
            "there would be no favours for an old friend.\n\n"
            "Mikel Arteta was told that the game would go ahead.")
    found = quotes(nlp, text)
    assert (only(found, 0).speaker, span(text, only(found, 0).start, only(found, 0).end)) == (
        "Mikel Arteta", "the influence continued into his coaching career")
    assert (only(found, 1).speaker, span(text, only(found, 1).start, only(found, 1).end)) == (
        "Pochettino", "there would be no favours for an old friend")
    assert [q for q in found if q.sentence == 2] == []


def test_a_description_right_after_a_speaker_continues_that_speaker(nlp):
    """'… although Erik ten Hag says the defence is not up to scratch.' then '“…,” the United boss told TNT
    Sports.': the reporter varies the name of the one who just spoke, nobody else named in between, so the
    description is ten Hag, and so is the "he added" after it. Not when the description's noun was someone else
    in between ("the suspect"), nor for a noun that is no person ("The schedule suggests …")."""
    text = ("Onana has been criticised for the second goal, although Erik ten Hag says the defence as a whole is not "
            "up to scratch.\n\n"
            "“We're winning and then we're losing, we should have taken three points,” the United boss told TNT "
            "Sports.\n\n"
            "“Every goal has its own story,” he added.")
    found = quotes(nlp, text)
    assert (only(found, 1).speaker, only(found, 1).named_in) == ("Erik ten Hag", 0)
    assert only(found, 2).speaker == "Erik ten Hag"
    other = ("Detective Ruth Okafor said the suspect had fled the scene before officers arrived. "
             "“I was at home all night,” the suspect said. "
             "Judge Mara Donato set the hearing for Monday. The schedule suggests the court will sit for a week.")
    found = quotes(nlp, other)
    assert only(found, 1).speaker is None
    assert all(q.speaker != "Judge Mara Donato" for q in found if q.sentence == 3)


def test_a_name_with_a_persons_role_is_a_person_whatever_the_tagger_said(nlp):
    """spaCy tags "Rio Ferdinand" a place (GPE); "former defender" before it is a role only a person has, so it is
    a person, who "cites" a reason (a verb of saying) and is "The 2007/08 Champions League winner" who then
    speaks."""
    text = ("United's defensive woes have been their downfall, and former defender Rio Ferdinand cites a lack of "
            "balance as to why.\n\n"
            "The 2007/08 Champions League winner with Man United said: “I think they've got to look at themselves.”")
    q = only(quotes(nlp, text), 1)
    assert (q.kind, q.speaker, q.role) == ("direct", "Rio Ferdinand", "former defender")
    assert span(text, q.start, q.end) == "I think they've got to look at themselves"


def test_the_company_is_the_organisation_the_tagger_took_for_a_person(nlp):
    """spaCy tags "Kessaly Robotics" a PERSON; a name ending in "Robotics" (or "Rail", "Holdings", "United", …) is an
    organisation's, so "…, the company said" resolves to it as the subject of the same sentence."""
    text = "Kessaly Robotics will cut 200 jobs, about a sixth of its workforce, the company said on Monday."
    assert said(nlp, text, 0) == ("reported", "Kessaly Robotics", "Kessaly Robotics will cut 200 jobs, about a sixth of its workforce")


def test_an_omission_mark_after_a_full_stop_is_not_part_of_the_quote(nlp):
    """'“… selling out the stadium. ... I think …”': the reporter's omission mark between two quoted sentences ends
    neither; the first sentence's quote stops at "stadium" (a speaker trailing off, "and then...", keeps it)."""
    text = ("“Great win for the program,” Arizona head coach Jedd Fisch said following the win. “Great win for our "
            "seniors, selling out the stadium. ... I think you might as well put the season tickets on sale.”")
    got = [span(text, q.start, q.end) for q in quotes(nlp, text) if q.sentence == 1]
    assert got == ["Great win for our seniors, selling out the stadium"]


def test_a_promotion_line_is_no_one_on_stage(nlp):
    """'WATCH THIS STORY: NASCAR’s Charter Conundrum' between Stern's quote and 'The SBJ journalist then explained'
    is a link to another story, not a sentence naming someone else; the description continues Stern, and "SBJ" is
    the initials of the Sports Business Journal his role names (no contradiction)."""
    text = ("Sports Business Journal journalist Adam Stern appeared on the podcast.\n\n"
            "As Stern said, “They did it to spread their eggs in multiple baskets.”\n\n"
            "WATCH THIS STORY: NASCAR’s Charter Conundrum: A Twist in the Tale?\n\n"
            "The SBJ journalist then explained that NASCAR was left with no choice when it came to this deal.")
    found = quotes(nlp, text)
    q = only(found, 3)
    assert (q.kind, q.speaker, q.named_in) == ("reported", "Adam Stern", 1)
    assert span(text, q.start, q.end) == "NASCAR was left with no choice when it came to this deal"
    assert [q for q in found if q.sentence == 2] == []  # the promotion line itself is nobody's statement


def test_a_description_continues_a_speaker_only_if_it_fits_their_post(nlp):
    """'Her lawyer, Peter Sand, said …' then '“…,” the Dunmarrow midfielder said': a lawyer is no midfielder, so the
    quote stays unattributed (never the nearest speaker). 'Engel … told the Kestrel Post' then 'The former Rovers
    coach added that …': the newspaper he spoke to is nobody on stage, and a coach may be the manager the article
    named, so it is Engel."""
    text = ("Maria Holm was fined £5,000 on Monday.\n\n"
            "Her lawyer, Peter Sand, said the fine was “out of proportion”. The 29-year-old has never been sent off.\n\n"
            "“We'll take this all the way,” the Dunmarrow midfielder said.")
    assert only(quotes(nlp, text), 3).speaker is None
    text = ("Kestrel Athletic have sacked manager Tom Engel after eight games without a win.\n\n"
            "“I believed in this group,” Engel told the Kestrel Post. The former Rovers coach added that he wished the "
            "players well.")
    q = only(quotes(nlp, text), 2)
    assert (q.kind, q.speaker, span(text, q.start, q.end)) == ("reported", "Tom Engel", "he wished the players well")

"""Names set off in the parse: after a noun for a person or an organisation ("harbour master, Ines Varga", "The
charity, Little Lanterns"), with an age set off after them ("Nadia Ferenczy, 19,"), or after a title the recogniser
missed ("Detective Sergeant Alasdair Kinghorne-Petrie")."""

from __future__ import annotations

from index.analysis.nouns import INSTITUTIONS, ORG_NOUNS, person_noun


def set_off_person(doc, head, first: int) -> bool:
    """The name stands in apposition right after a singular noun for a person, set off by a comma ("harbour
    master, Ines Varga"), or an age is set off after it ("Nadia Ferenczy, 19,"): a person, whatever the tagger said."""
    noun, lemma, age = head.head, head.head.lemma_.lower(), [t.text for t in doc[head.i + 1:head.i + 4]]
    aged = len(age) == 3 and age[0] == age[2] == "," and age[1].isdigit() and len(age[1]) <= 2
    return aged or head.dep_ == "appos" and noun.tag_ == "NN" and 0 < first - noun.i <= 2 \
        and doc[noun.i + 1:first].text == "," and person_noun(lemma) and lemma not in ORG_NOUNS | INSTITUTIONS


def set_off(doc, head, first: int, nouns) -> bool:
    """The name stands in apposition right after a singular noun of `nouns`, set off by a comma."""
    noun = head.head
    return head.dep_ == "appos" and noun.tag_ == "NN" and 0 < first - noun.i <= 2 \
        and doc[noun.i + 1:first].text == "," and noun.lemma_.lower() in nouns


def titled(tok, titles) -> bool:
    """A proper noun after a title (one of `titles`, or a capitalised noun for a person: "Sergeant") and a name the
    recogniser left without an entity ("Detective Sergeant Alasdair Kinghorne-Petrie said"): a person's full name."""
    lefts = list(tok.doc[tok.left_edge.i:tok.i])
    if not all(t.text == "-" or t.dep_ == "compound" and t.tag_ == "NNP" and t.text[:1].isupper() for t in lefts):
        return False
    lefts = [t for t in lefts if t.text != "-"]
    held = [t for t in lefts if t.lower_.strip(".") in titles or person_noun(t.lower_)]
    names = [t for t in lefts if t not in held]
    return tok.tag_ == "NNP" and tok.text[:1].isupper() and not tok.text.isupper() and bool(held) and bool(names) \
        and tok.lower_ not in titles and not person_noun(tok.lower_) \
        and max(t.i for t in held) < min(t.i for t in names)


def role_word(tok, lead: list) -> bool:
    """A word before a name the tagger took for a verb that is part of its role: a noun for a person ("said
    ecologist Tamsin Quarrendon") or a participle modifying the role's noun ("Presiding judge", "retired teacher")."""
    return tok.dep_ in ("compound", "amod") and (person_noun(tok.lower_) or tok.head.tag_ == "NN" and tok.head in lead)

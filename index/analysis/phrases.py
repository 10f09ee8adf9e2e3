"""Speaker phrases the parser split or misplaced around a cue ("Outside court, the daughter …", "the 26-year-old said")."""

from __future__ import annotations


def fronted(subj):
    """A bare noun opening the sentence that the parser made the subject of a phrase set off before it ("Outside
    court, the daughter of one resident, Mireille Chaudhry, said"): the phrase after the comma is the subject."""
    doc = subj.doc
    if subj.tag_ != "NN" or not subj.text.islower() or any(c.dep_ in ("det", "poss") for c in subj.children) \
            or subj.i + 1 >= len(doc) or doc[subj.i + 1].text != ",":
        return None
    return next((c for c in subj.children if c.dep_ == "appos" and c.i == subj.i + 3
                 and doc[subj.i + 2].dep_ == "det"), None)


def role_before(subj):
    """A role noun the parser made the cue's subject beside the name right after it, which it made a second subject
    ("Her teammate Isolde Vargellan said"): the name is the speaker, the noun its role."""
    cue, nxt = subj.head, subj.doc[subj.i + 1] if subj.i + 1 < len(subj.doc) else None
    if subj.tag_ != "NN" or subj.right_edge.i != subj.i or nxt is None or nxt.tag_ != "NNP" \
            or not nxt.text[:1].isupper() or not any(c.dep_ in ("det", "poss") for c in subj.lefts):
        return None
    return next((c for c in cue.children if c.dep_ == "nsubj" and c.tag_ == "NNP" and c.left_edge.i == nxt.i), None)


def broken(cue):
    """A noun phrase right before a cue the parser split into the cue's own determiner and modifiers ("…,’ the
    26-year-old said"): its last word stands for the phrase."""
    doc = cue.doc
    left = [c for c in cue.children if c.i < cue.i]
    while left and (left[0].is_punct or left[0].dep_ == "ccomp"):  # the quotation before: "‘…,’ the …"
        left = left[1:]
    if not left or left[0].dep_ != "det" or any(c.dep_ not in ("det", "amod", "compound", "nummod") for c in left):
        return None
    if any(t.tag_.startswith("VB") or t.is_punct and t.text != "-" for t in doc[left[0].i:cue.i]):
        return None
    return doc[cue.i - 1]


"""An entity's tokens as spaCy gave them, cleaned of what the tagger wrongly took in, and whether they can be a name."""

from __future__ import annotations

NAME_TAGS = ("NNP", "NNPS")
# Letters written after a person's name ("Helena Marsh KC", "Ann Lee MP"): honours and offices, never the name
POST_NOMINALS = frozenset("KC QC SC MP MEP MSP MS MLA TD OBE MBE CBE KBE DBE PhD Jr Sr".split())


def clean(toks: list) -> list:
    """An entity's tokens without what the tagger wrongly took in: a possessive and what follows ("Time’s 2023
    Person of the Year"), a photo credit ("Instagram / …"), a leading verb, article or lower-case role words."""
    cut = next((n for n, t in enumerate(toks) if n and (t.tag_ == "POS" and not _plural_possessive(toks, n)
                                                         and not _named_possessive(toks, n)
                                                         or t.tag_.startswith("VB") and t.is_lower)), None)
    if cut is not None:
        toks = toks[:cut]
    bar = max((n for n, t in enumerate(toks) if t.text in ("/", "|")), default=-1)
    toks = toks[bar + 1:]
    while toks and (toks[0].lower_ in ("the", "’s", "'s") or toks[0].is_punct or toks[0].is_space
                    or toks[0].tag_.startswith("VB") or toks[0].is_lower):
        toks = toks[1:]
    while toks and (toks[-1].tag_ == "POS" or toks[-1].is_punct or toks[-1].is_space or toks[-1].lower_ in ("’s", "'s")
                    or len(toks) > 1 and toks[-1].text.strip(".") in POST_NOMINALS):
        toks = toks[:-1]
    return toks


def _plural_possessive(toks: list, n: int) -> bool:
    """A bare apostrophe after a plural inside a name that goes on in capitals ("the Pilots' Association", "Rail
    Drivers’ Union"): part of the name, not a possessive to cut ("Time’s 2023 Person of the Year")."""
    rest = toks[n + 1:]
    return toks[n].text in ("'", "’") and toks[n - 1].text.endswith("s") and toks[n - 1].text[:1].isupper() \
        and bool(rest) and all(t.tag_ in NAME_TAGS and t.text[:1].isupper() for t in rest)


def _named_possessive(toks: list, n: int) -> bool:
    """ "The King's Fund", "The Children's Society": "the" before a capitalised possessor determines the whole
    name after it (no one writes "the Biden's plan"), so the possessive is part of the name."""
    rest = toks[n + 1:]
    return n >= 2 and toks[0].lower_ == "the" and all(t.tag_ in NAME_TAGS and t.text[:1].isupper() for t in toks[1:n]) \
        and bool(rest) and all(t.tag_ in NAME_TAGS and t.text[:1].isupper() for t in rest)


def joined(toks: list) -> list:
    """A hyphenated name the recogniser cut at its hyphen ("Rosalind Achterfeld" of "Rosalind Achterfeld-Yeo"):
    the name goes on over a hyphen written without spaces to the capitalised proper noun after it."""
    doc = toks[-1].doc if toks else None
    while toks and toks[-1].i + 2 < len(doc) and doc[toks[-1].i + 1].text == "-" and not toks[-1].whitespace_ \
            and not doc[toks[-1].i + 1].whitespace_ and doc[toks[-1].i + 2].tag_ in NAME_TAGS \
            and doc[toks[-1].i + 2].text[:1].isupper():
        toks = toks + [doc[toks[-1].i + 1], doc[toks[-1].i + 2]]
    return toks


def plausible(toks: list, label: str) -> bool:
    """Not an adjective ("National"), a heading in capitals ("CANCER") or a dateline ("DRAVENHOLT, Ostrakand (…")."""
    if not any(t.tag_ in NAME_TAGS for t in toks):
        return False
    if label == "PERSON" and all(t.text.isupper() for t in toks if t.is_alpha):
        return False
    return not (any(t.text in "()" for t in toks) or (len(toks) == 1 and toks[0].text.isupper() and len(toks[0]) > 6))


def named_head(tok):
    """The name a subject stands for: "Prosecutor Helena Marsh KC told": the parser made the letters after the
    name its head; the speaker is the name before them."""
    doc = tok.doc
    if tok.text.strip(".") in POST_NOMINALS and tok.i > 0 and doc[tok.i - 1].tag_ in NAME_TAGS \
            and doc[tok.i - 1].text[:1].isupper() and doc[tok.i - 1].head.i == tok.i:
        return doc[tok.i - 1]
    return tok

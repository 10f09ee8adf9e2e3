"""Speakers given by a description that names nobody itself: an age ("the 34-year-old"), staff of an organisation
("Analysts at Hellberg Securities"), "the company" after an organisation described by a noun for one."""

from __future__ import annotations

import re

from index.analysis.names import ORG_ENDINGS, PERSON_ROLES, Name, Names
from index.analysis.nouns import INSTITUTIONS, ORG_NOUNS, person_noun

_AGE_AFTER = re.compile(r",\s*(\d{1,3}),")  # "Euan McBride, 34, has …"
_AGE_BEFORE = re.compile(r"\b(\d{1,3})-year-old\s+(?:[A-Z][\w'-]*\s+){0,3}$")  # "34-year-old Farhan Qureshi"


def age(subj) -> int | None:
    """The age a subject "the 34-year-old" describes someone by, else None."""
    doc = subj.doc
    left, right = subj.left_edge.i, subj.i + 1
    words = doc[left:right].text
    found = re.fullmatch(r"(?:the|The) (\d{1,3})\s*-\s*year\s*-\s*old", words)
    return int(found.group(1)) if found else None


def aged(names: Names, text: str, years: int, offset: int) -> Name | None:
    """The one person named before `offset` with that age written beside the name ("Euan McBride, 34,"),
    else None: the article names nobody with that description."""
    found: dict[str, Name] = {}
    for m in names.before(offset):
        if m.label != "PERSON" or m.quoted:
            continue
        after = _AGE_AFTER.match(text, m.end)
        before = _AGE_BEFORE.search(text, max(0, m.start - 60), m.start)
        if (after and int(after.group(1)) == years) or (before and int(before.group(1)) == years):
            found.setdefault(m.key, m)
    return next(iter(found.values())) if len(found) == 1 else None


def aged_subject(toks, names: Names, text: str) -> Name | None:
    """The one person named with the age that a sentence's subject "the 28-year-old" gives ("Cathal Brennock, 28,
    was taken to hospital …"), else None."""
    for t in toks:
        if t.dep_ == "nsubj" and (years := age(t)) is not None:
            return aged(names, text, years, t.left_edge.idx)
    return None


def staff_of(names: Names, head, sentence: int) -> Name | None:
    """ "Analysts at Hellberg Securities said": people at an organisation, unnamed and several, speak for it."""
    lemma = head.lemma_.lower()
    if head.tag_ != "NNS" or not (person_noun(lemma) or lemma in PERSON_ROLES) \
            or any(c.dep_ == "nummod" for c in head.children):
        return None
    for c in head.rights:
        if c.dep_ == "prep" and c.lower_ in ("at", "from"):
            for t in c.children:
                found = names.name_of(t, sentence) if t.dep_ == "pobj" else None
                if found is not None and found.label == "ORG":
                    return found
    return None


def person_like(m: Name) -> bool:
    """A subject name the tagger gave no person's label that reads as one: two or three capitalised words, none an
    organisation's noun or ending ("Ethiopia's Dawit Gebremeskel-Alemu won …", ORG to the tagger)."""
    words = m.text.replace("-", " ").split()
    return m.label != "PERSON" and m.subject and not m.quoted and 2 <= len(m.text.split()) <= 3 \
        and all(w[:1].isupper() and w.isalpha() for w in words) \
        and not {w.lower() for w in words} & (ORG_ENDINGS | ORG_NOUNS | INSTITUTIONS)


def described_org(names: Names, offset: int, sentence: int) -> Name | None:
    """ "the company" when no organisation spoke or was a subject in this or the two sentences before: the one
    organisation described there by a noun for one ("Nordpay, the Swedish payments app", "Baltic carrier
    AirNova"), or further back when it is the only organisation the article has named so far ("Crumbwell, the
    high-street bakery chain, will close …" and, after its chief executive's two quoted sentences, "The company
    said …")."""
    named = [m for m in names.before(offset) if m.label == "ORG" and not m.quoted]
    found = {m.key: m for m in named if m.role_words() & ORG_NOUNS and m.sentence > sentence - 3}
    alone = {m.key: m for m in named if m.role_words() & ORG_NOUNS} if len({m.key for m in named}) == 1 else {}
    return next(iter(found.values())) if len(found) == 1 else next(iter(alone.values()), None)


RANKS = frozenset("deputy vice assistant acting interim former shadow associate junior".split())  # "deputy governor"


def held(role: str | None, roles: set[str], family: set[str], written: set[str]) -> bool:
    """A description names the role the article gave someone (`roles`, its words): by its noun or a same-role word
    ("the Liverpool manager", "the judge", "the detective" of "Detective Inspector"), never by a noun for no person
    that only stands before the person's post ("the festival" is not "Festival director Odile Fenwright"), and with
    any rank the role has (deputy, acting …) among the `written` words ("the governor" is no deputy governor)."""
    words = [w.strip(".,").lower() for w in (role or "").replace("-", " ").split()]
    at = [i for i, w in enumerate(words) if w in family and not (person_noun(w) or w in PERSON_ROLES)]
    before = bool(at) and all(i + 1 < len(words) and (person_noun(words[i + 1]) or words[i + 1] in PERSON_ROLES)
                              for i in at)
    return bool(family & roles) and not before and roles & RANKS <= written


def in_description(tok) -> bool:
    """A place or nationality written inside a description of someone ("the former Denmark forward"): the phrase
    goes on after it with a lower-case word; not "the Netherlands said", "the Swiss monitoring network Glamos"."""
    nxt = tok.doc[tok.i + 1] if tok.i + 1 < len(tok.doc) else None
    return nxt is not None and nxt.is_alpha and nxt.is_lower and not nxt.tag_.startswith("VB") and nxt.tag_ != "MD"


def for_a_person(noun) -> bool:
    """The noun an appositive name is set off after stands for a person ("his mother", "director of cricket")."""
    lemma = noun.lemma_.lower()
    return noun.tag_ == "NN" and person_noun(lemma) and lemma not in ORG_NOUNS and lemma not in INSTITUTIONS


def acronym(tok) -> Name | None:
    """An organisation's acronym set off after its description ("Their trade body, LACA, said"), which the tagger
    left without an entity."""
    text = tok.text
    if tok.tag_ != "NNP" or not (text.isalpha() and text.isupper() and 2 <= len(text) <= 6):
        return None
    return Name(text, "ORG", tok.idx, tok.idx + len(text), -1, None, False, False)

"""The people and organisations an article names, with title and role as written, found from spaCy's parse: what
quote attribution resolves a speaker's pronoun, description or surname to."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from index.analysis.entity_tokens import NAME_TAGS, clean, joined, plausible
from index.analysis.nouns import INSTITUTIONS, ORG_NOUNS, person_noun
from index.analysis.set_off import role_word, set_off, set_off_person, titled

SPEAKER_LABELS = ("PERSON", "ORG", "NORP", "GPE")
# Capitalised words kept with a name as its title ("Maj. Gen. John W. Brennan", "Mayor Ilsa Varenko")
TITLES = frozenset(
    "mr mrs ms miss dr prof sen senator rep gov governor gen general maj col lt capt cpl sgt adm cmdr brig mayor judge "
    "justice president pres chancellor secretary-general secretary minister sir dame lord lady rev father pope "
    "king queen prince princess sheikh chief commissioner inspector detective officer ambassador speaker".split()
)
# The last word of a role that only a person has: a name given one is a person's, whatever the tagger said
PERSON_ROLES = frozenset(
    "defender striker forward midfielder goalkeeper keeper winger captain player manager coach boss chairman "
    "chairwoman executive director founder co-founder owner minister spokesperson spokesman spokeswoman lawyer "
    "attorney prosecutor councillor officer detective doctor nurse professor teacher analyst economist journalist "
    "reporter editor author writer singer actor actress pundit referee driver presenter chef engineer scientist "
    "researcher".split()
)
ORG_ENDINGS = frozenset(
    "robotics rail railways airlines airways bank bancorp group holdings inc ltd plc corp corporation co company "
    "systems technologies technology labs motors industries energy media ventures pharmaceuticals foods "
    "entertainment studios networks logistics solutions services partners associates insurance university college "
    "council club fc united city rovers athletic wanderers albion hotspur".split()
)
PARTICLES = frozenset("ten van von de der den da di del della le la du bin al el".split())  # inside a surname
HONORIFICS = frozenset("mr mrs ms miss dr prof sir dame lord lady rev".split())  # titles that are no role
_STRIP = " \t\n\r,;:.’'\"“”()"


@dataclass(frozen=True)
class Name:
    """One mention of a person or organisation: the name as written with its title, and the role given with it."""

    text: str
    label: str
    start: int
    end: int
    sentence: int
    role: str | None
    subject: bool  # the subject of its clause (the salient mentions for resolution)
    quoted: bool  # inside quotation marks (spoken about, not a candidate speaker)

    @property
    def words(self) -> list[str]:
        return [w.strip(".").lower() for w in self.text.split()]

    @property
    def key(self) -> str:
        """A person's surname, an organisation's whole name (lower-cased, without titles)."""
        words = [w for w in self.words if w not in TITLES]
        if self.label == "PERSON" and words:
            return words[-1]
        return " ".join(words)

    def role_words(self) -> set[str]:
        return {w.strip(".,").lower() for w in (self.role or "").replace("-", " ").split()} | {
            w for w in self.words if w in TITLES} | {  # a role written as a title: "Headteacher Carolyn Moss"
            w for w in self.words[:-2] if self.label == "PERSON" and person_noun(w)}


class Names:
    """Every named PERSON/ORG/NORP/GPE mention of an article, in text order, plus acronyms ("(SOHR)")."""

    def __init__(self, doc, text: str, sentence_of, quoted) -> None:
        self.doc, self.text = doc, text
        self.ent_of = {}
        for ent in doc.ents:
            for t in ent:
                self.ent_of[t.i] = ent
        self.mentions: list[Name] = []
        self.acronyms: dict[str, Name] = {}
        self.persons: set[str] = set()  # surnames of the people named so far with more than one word
        for ent in doc.ents:
            if ent.label_ not in SPEAKER_LABELS:
                continue
            name = self.name_of(ent.root, sentence_of(ent.start_char), quoted(ent.start_char))
            if name is None:
                continue
            self.mentions.append(name)
            if name.label == "PERSON" and len(name.words) > 1:
                self.persons.add(name.key)
            after = text[name.end:name.end + 14]
            if after.startswith(" (") and ")" in after:
                acronym = after[2:after.index(")")]
                if acronym.isupper() and 1 < len(acronym) <= 10:
                    self.acronyms[acronym.lower()] = name
        for tok in doc:  # a full name the recogniser missed, its surname used alone elsewhere ("Cole Palmer is …"),
            # or written after a title ("Detective Sergeant Alasdair Kinghorne-Petrie said")
            if tok.i not in self.ent_of and tok.dep_ in ("nsubj", "nsubjpass") \
                    and (_missed_name(doc, tok) or titled(tok, TITLES) or tok.lower_ in ORG_ENDINGS):
                name = self.name_of(tok, sentence_of(tok.idx), quoted(tok.idx))
                if name is not None and name.label == "PERSON" and len(name.words) > 1:
                    self.mentions.append(name)
                    self.persons.add(name.key)
                elif name is not None and name.label == "ORG" and len(name.words) > 1:
                    self.mentions.append(name)  # "Carrick Foods is to close …": an organisation the recogniser missed
        for tok in doc:  # a surname the tagger missed or took for a place or a plural ("Gellar - who shares …")
            ent = self.ent_of.get(tok.i)
            if (ent is None or ent.label_ not in SPEAKER_LABELS) and tok.lower_ in self.persons and _surname(tok):
                self.mentions.append(Name(tok.text, "PERSON", tok.idx, tok.idx + len(tok.text),
                                          sentence_of(tok.idx), None, _is_subject(tok), quoted(tok.idx)))
        self.mentions.sort(key=lambda m: m.start)
        self._starts = [m.start for m in self.mentions]

    def name_of(self, tok, sentence: int, quoted: bool = False) -> Name | None:
        """The name whose head is `tok` (an entity of a speaker label, or proper nouns the tagger missed), with
        the titles written before it ("Maj. Gen. John W. Brennan", "Fire Chief Arno Distel")."""
        ent = self.ent_of.get(tok.i)
        if ent is not None and ent.label_ in SPEAKER_LABELS:
            toks, label = joined(clean(list(ent))), ent.label_
        elif tok.tag_ in NAME_TAGS and tok.text[:1].isupper():
            toks = [t for t in tok.lefts if t.dep_ == "compound" and t.tag_ in NAME_TAGS] + [tok]
            toks, label = clean([t for t in toks if t.i >= toks[-1].i - 4]), "PERSON"
        elif tok.lower_ in self.persons and _surname(tok):  # "“…,” Harries added" (a plural to the tagger)
            return Name(tok.text, "PERSON", tok.idx, tok.idx + len(tok.text), sentence, None, _is_subject(tok), quoted)
        else:
            return None
        if not plausible(toks, label):
            return None
        doc = self.doc
        titled = max((n for n, t in enumerate(toks[:-1]) if _is_title(t)), default=-1)
        first, toks = (toks[0].i, toks[titled + 1:]) if titled >= 0 else (toks[0].i, toks)
        if titled >= 0:
            label = "PERSON"  # a title makes it a person, whatever the tagger said
        if label == "PERSON":  # "Mirza Salman" + "Hossain Beg": one name, whatever the tagger split
            while toks[-1].dep_ == "compound" and toks[-1].head.i > toks[-1].i and _is_name(doc[toks[-1].i + 1]):
                toks.append(doc[toks[-1].i + 1])
            while toks[0].i > 0 and _is_name(doc[toks[0].i - 1]) and doc[toks[0].i - 1].head.i >= toks[0].i:
                toks.insert(0, doc[toks[0].i - 1])
            while toks[0].i > 1 and doc[toks[0].i - 1].lower_ in PARTICLES and _is_name(doc[toks[0].i - 2]):
                toks[:0] = [doc[toks[0].i - 2], doc[toks[0].i - 1]]  # "Erik ten Hag", "Virgil van Dijk"
            first = min(first, toks[0].i)
        while first > 0 and _is_title(doc[first - 1]) and first - 1 not in self.ent_of:
            first -= 1
        if first < toks[0].i and first > 0 and doc[first - 1].dep_ == "compound" and doc[first - 1].tag_ == "NNP" \
                and doc[first - 1].text[:1].isupper() and first - 1 not in self.ent_of:
            first -= 1  # "Fire Chief", "Attorney General"
        start, end = doc[first].idx, toks[-1].idx + len(toks[-1].text)
        text = self.text[start:end]
        if label in ("ORG", "GPE", "NORP") and len(toks) == 1 and text.lower() in self.persons:
            label = "PERSON"  # a surname the tagger took for an organisation ("Sorohan said")
        if label == "PERSON" and titled < 0 and len(toks) > 1 and toks[-1].lower_.strip(".") in ORG_ENDINGS:
            label = "ORG"  # "Kessaly Robotics", "Manchester United": no person's surname
        if label != "PERSON" and len(toks) > 1 and set_off_person(doc, toks[-1], first):
            label = "PERSON"  # "Port Kessaly's harbour master, Ines Varga" (ORG to the tagger)
        elif label == "PERSON" and titled < 0 and set_off(doc, toks[-1], first, ORG_NOUNS | INSTITUTIONS):
            label = "ORG"  # "The charity, Little Lanterns" (PERSON to the tagger)
        role = _role(doc, toks, first, label)
        if label != "PERSON" and len(toks) > 1 and role and role.split()[-1].lower() in PERSON_ROLES:
            label, role = "PERSON", _role(doc, toks, first, "PERSON")  # "former defender Rio Ferdinand" (GPE)
        elif label in ("PERSON", "GPE") and titled < 0 and (any(
                c.dep_ == "appos" and c.lemma_.lower() in ORG_NOUNS for c in toks[-1].rights)
                or first == toks[0].i > 0 and doc[first - 1].lemma_.lower() in ORG_NOUNS  # "The coffee chain X"
                and doc[first - 1].dep_ in ("compound", "nmod") and doc[first - 1].head.i == toks[-1].i):
            label = "ORG"  # "Corvane, the Marlow-based maker of packaging machines" (GPE to the tagger)
        return Name(text, label, start, end, sentence, role, _is_subject(toks[-1]), quoted)

    def before(self, offset: int) -> list[Name]:
        """Mentions that start before `offset`, nearest first."""
        return self.mentions[:bisect_right(self._starts, offset - 1)][::-1]

    def full(self, name: Name) -> Name:
        """The fullest earlier (or same) mention of the same person or organisation: "Brennan" → "Maj. Gen. John
        W. Brennan", "SOHR" → "Syrian Observatory for Human Rights"."""
        key = name.key
        if key in self.acronyms and self.acronyms[key].start <= name.start:
            return self.acronyms[key]
        best = name
        for m in self.before(name.end):
            if m.quoted and not name.quoted:
                continue
            if name.label == "PERSON" or key in self.persons:
                same = m.label == "PERSON" and m.key == key
            else:
                same = m.label == name.label and _contains(m.words, key.split())
            if same and len(m.words) > len(best.words):
                best = m
        if best is name and name.label in ("PERSON", "ORG") and len(name.words) == 1:  # named in full further on
            best = next((m for m in self.mentions[bisect_right(self._starts, name.start):]
                         if m.label == "PERSON" and m.key == key and len(m.words) > 1 and not m.quoted), name)
        if best is not name and best.role is None and name.role:
            return Name(best.text, best.label, best.start, best.end, best.sentence, name.role, best.subject,
                        best.quoted)
        return best

    def role_of(self, name: Name, before: int) -> str | None:
        """The role the article last gave this person or organisation before offset `before` (any mention)."""
        for m in self.before(before + 1):
            if m.role and m.key == name.key and m.label == name.label:
                return m.role
        return None

    def last_mention(self, name: Name, before: int) -> int:
        """The sentence of the nearest mention of `name` (any form) before offset `before`, else its own."""
        for m in self.before(before):
            if m.key == name.key or (name.label != "PERSON" and _contains(name.words, m.words)):
                return m.sentence
        return name.sentence


def _missed_name(doc, tok) -> bool:
    """Two or three capitalised proper nouns without an entity (first name and surname), the last of which the
    article also uses alone as a proper noun: a person's name and surname ("Cole Palmer is …", "Palmer mused")."""
    parts = [t for t in tok.lefts if t.dep_ == "compound"] + [tok]
    if not 2 <= len(parts) <= 3 or not all(_is_name(t) for t in parts) \
            or parts[-1].i - parts[0].i != len(parts) - 1:
        return False
    last = tok.lower_
    return any(t.lower_ == last and t.tag_ == "NNP" and t.i != tok.i and not (t.i and doc[t.i - 1].tag_ == "NNP")
               for t in doc)


def _surname(tok) -> bool:
    """A capitalised word the tagger made a proper noun, or a common noun as a subject (a person's surname used alone
    that it read as a plural: "“…,” Harries added")."""
    return tok.text[:1].isupper() and not tok.text.isupper() and (
        tok.tag_ == "NNP" or tok.tag_ in ("NN", "NNS") and tok.dep_ in ("nsubj", "nsubjpass"))


def _is_name(tok) -> bool:
    return (tok.tag_ == "NNP" and tok.text[:1].isupper() and not tok.text.isupper()
            and tok.ent_type_ in ("", "PERSON") and not _is_title(tok))


def _is_title(tok) -> bool:
    if tok.text in ("-", "."):  # "Secretary-General", "Maj." split as "Maj" "."
        return tok.i > 0 and _is_title(tok.doc[tok.i - 1])
    return tok.text[:1].isupper() and tok.text.strip(".").lower() in TITLES


def _is_subject(tok) -> bool:
    """The subject of its clause, or the topic a sentence opens with ("For Kieran Crowley, …"); one of several
    names in a list ("Mason Mount, Kai Havertz, Christian Pulisic and Joao Felix") is no one subject."""
    if any(c.dep_ == "conj" for c in tok.children):
        return False
    while tok.dep_ in ("compound", "appos", "conj", "flat") and tok.head is not tok:
        if tok.dep_ == "conj":
            return False
        tok = tok.head
    if tok.dep_ == "pobj" and tok.head.lower_ == "for":
        before = tok.doc[tok.head.i - 1] if tok.head.i else None
        return before is None or before.is_space or before.text in ".!?”\""
    return tok.dep_ in ("nsubj", "nsubjpass")


def _contains(words: list[str], part: list[str]) -> bool:
    n = len(part)
    return n > 0 and any(words[i:i + n] == part for i in range(len(words) - n + 1))


def _role(doc, toks, first: int, label: str) -> str | None:
    """The appositive ("John W. Brennan, commander of the joint task force"), else the words before the name and
    its title ("US State Department spokesperson Ned Price"), else the title ("Mayor")."""
    head = toks[-1]
    for child in head.rights:
        if child.dep_ == "appos" and child.ent_type_ not in ("DATE", "CARDINAL") and not child.like_num \
                and doc[child.left_edge.i - 1].text != "(":  # "(SOHR)", "(@LizSly)" are aliases, not roles
            sub = [t for t in child.subtree]
            end = next((t.i for t in sub if t.i > child.i and t.text == "," and t.nbor().tag_ in ("WDT", "WP")),
                       sub[-1].i + 1)  # without ", which hosted …"
            return span_text(doc, sub[0].i, end) or None
    noun = head.head
    if label == "PERSON" and head.dep_ == "appos" and noun.tag_ in ("NN", "NNS") and 0 < first - noun.i <= 2 \
            and doc[noun.i + 1:first].text in ("", ","):  # "his agent, Nez Balelo", "Stufish partner Ric Lipson"
        return span_text(doc, head.head.left_edge.i, head.head.i + 1) or None
    verb = head.head
    if label == "PERSON" and head.dep_ == "nsubj" and verb.lemma_ == "be" and verb.tag_ == "VBZ":  # "Carlos Díaz-Marín is a mechanical engineer at MIT"
        attr = next((c for c in verb.rights if c.dep_ == "attr" and c.tag_ == "NN"), None)
        if attr is not None and any(c.dep_ == "det" and c.lower_ in ("a", "an", "the") for c in attr.lefts):
            return span_text(doc, attr.left_edge.i, attr.right_edge.i + 1) or None
    lead = list(doc[head.left_edge.i:first])
    lead = lead[max((n + 1 for n, t in enumerate(lead) if t.is_space), default=0):]  # not over a line break
    comma = max((n for n, t in enumerate(lead) if t.text == ","), default=None)
    if comma is not None and comma > 0:  # "Northline Rail’s chief executive, Corvin Stahl"
        lead = lead[:comma]
    while lead and (lead[0].tag_ in ("IN", "DT", "PRP$", "POS", "CC") or lead[0].is_punct):
        lead = lead[1:]
    verbs = [t for t in lead if t.tag_.startswith("VB") and not role_word(t, lead)]  # "said ecologist X": none
    if lead and not verbs and not any(t.tag_ in ("IN", "WP", "WDT") for t in lead):
        return span_text(doc, lead[0].i, lead[-1].i + 1 if comma else toks[0].i)  # with the title: "U.S. Senator"
    sibling = _sibling_role(doc, head, first) if label == "PERSON" and not lead and first == toks[0].i else None
    if sibling:
        return sibling
    title = doc[first:toks[0].i].text.strip()
    if title and title.lower().strip(".") not in HONORIFICS:
        return title  # "Mayor", "Maj. Gen."
    return None


def _sibling_role(doc, head, first: int) -> str | None:
    """Lower-case words right before a name that the parser made a sibling of it instead of its modifiers
    ("beating world number one Mara Stein": "number" and "Stein" both objects of "beating")."""
    i = first
    while i > 0 and doc[i - 1].is_lower and doc[i - 1].tag_ in ("NN", "CD", "JJ") and first - i < 4:
        i -= 1
    words = doc[i:first]
    roots = [t for t in words if not i <= t.head.i < first]
    if len(roots) != 1 or roots[0].tag_ != "NN" or roots[0].head.i != head.head.i or roots[0].dep_ != head.dep_:
        return None
    return span_text(doc, i, first) or None


def span_text(doc, i: int, j: int) -> str:
    """The text of tokens [i, j) as written, without surrounding punctuation ("" when it runs over a line)."""
    if j <= i:
        return ""
    core = doc[i:j].text  # (Doc.text would join the whole article each time)
    text = core.strip(_STRIP)
    if text.count("(") > text.count(")") and core[core.find(text) + len(text):].startswith(")"):
        text += ")"  # "(APHIS)" keeps its bracket
    return "" if "\n" in text else text

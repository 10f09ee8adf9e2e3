"""Who a cue's subject is: a name in the sentence (made full from earlier mentions), or a pronoun or description
("the spokesman", "the company") resolved to a person or organisation named earlier in the article."""

from __future__ import annotations

from dataclasses import dataclass

from index.analysis.described import acronym, age, aged, described_org, for_a_person, held, in_description, staff_of
from index.analysis.entity_tokens import named_head
from index.analysis.names import HONORIFICS, PERSON_ROLES, TITLES, Name, Names, span_text
from index.analysis.nouns import (
    DOC_NOUNS,
    GENERIC,
    INSTITUTIONS,
    ISSUING,
    ORG_NOUNS,
    SAME_ROLE,
    SEVERAL,
    SPOKES_NOUNS,
    STATE_NOUNS,
    of_members,
    person_noun,
)

PERSONAL = {"he": "m", "him": "m", "she": "f", "her": "f", "i": None}
GROUP = ("it", "they", "we", "them")
WINDOW = 12  # sentences a pronoun or description looks back for its speaker
KIN = frozenset("family relatives parents".split())  # a named person's family speaks as one, not as that person


POSITIONS = (PERSON_ROLES | TITLES) - HONORIFICS  # posts a person holds: one is no other ("lawyer", "midfielder")


@dataclass(frozen=True)
class Speaker:
    start: int  # the speaker as written in the sentence, -1 when the sentence names nobody
    end: int
    name: str | None
    label: str
    role: str | None
    named_in: int
    key: str = ""


class Resolver:
    """Speakers of one article, resolved in text order (earlier quotes' speakers are preferred antecedents)."""

    def __init__(self, doc, names: Names, sentence_of) -> None:
        self.doc, self.names, self.sentence_of = doc, names, sentence_of
        self.history: list[tuple[int, Name]] = []  # (sentence, full name) of each speaker resolved so far
        self.spoke_at: dict[str, int] = {}  # speaker key → offset of their last cue subject as written
        self.gender: dict[str, str] = {}
        self.described: dict[str, Name] = {}  # description head → the speaker it was resolved to
        self.unnamed_at: set[int] = set()  # sentences whose statement is by someone the article never names
        self.captions: set[int] = set()  # photo and video captions: no antecedents ("4 Onana … Credit: Getty")
        self.described_at: set[int] = set()  # whose subject may be someone unnamed ("The 23-year-old …", person_like)
        self.aged_at: dict[int, Name] = {}  # sentences whose subject is an age ("the 28-year-old") given one person

    def speaker(self, subj, sentence: int, depth: int = 0) -> Speaker | None:
        """The speaker whose phrase has head token `subj` in sentence `sentence`."""
        doc, names = self.doc, self.names
        subj = named_head(subj)
        lower = subj.lower_
        if subj.tag_ == "PRP" or lower in PERSONAL or lower in GROUP:
            return self._pronoun(subj, sentence)
        found = names.name_of(subj, sentence)
        if found is not None and found.label in ("NORP", "GPE") and subj.left_edge.lower_ == "the" \
                and (found.label == "NORP" or in_description(subj)):
            found = None  # "the Argentinean", "the former Denmark forward": a description, not a name
        appos = next((c for c in subj.rights if c.dep_ == "appos"), None)
        if found is None and appos is not None and (names.name_of(appos, sentence) or acronym(appos)) is not None:
            found = names.name_of(appos, sentence) or acronym(appos)  # "his mother, Jessica Goeller"
            role = span_text(doc, subj.left_edge.i, appos.left_edge.i)
            label = "PERSON" if for_a_person(subj) else found.label  # "director of cricket, Graeme Salter" (ORG)
            found = Name(found.text, label, found.start, found.end, sentence, role or found.role, True, False)
        if found is not None:
            full = names.full(found)
            named_in = sentence if len(full.words) <= len(found.words) else full.sentence
            return self._done(found.start, found.end, full, found.role or full.role, named_in, sentence)
        if subj.tag_.startswith("NN") or subj.tag_ == "CD":
            return self._description(subj, sentence, depth)
        years = age(subj)  # "the 34-year-old said": the person the article gave that age
        found = aged(names, doc.text, years, subj.left_edge.idx) if years is not None else None
        return None if found is None else self._resolved(subj.left_edge.idx, subj.idx + len(subj.text), found,
                                                         sentence)

    def _done(self, start, end, full: Name, role, named_in: int, sentence: int, gender=None) -> Speaker:
        role = role or self.names.role_of(full, max(start, 0))
        self.history.append((sentence, full))
        self.spoke_at[full.key] = max(start, self.spoke_at.get(full.key, -1))
        if gender:
            self.gender.setdefault(full.key, gender)
        return Speaker(start, end, full.text, full.label, role, named_in, full.key)

    def _pronoun(self, tok, sentence: int) -> Speaker | None:
        lower = tok.lower_
        if lower in PERSONAL:
            labels, gender = ("PERSON",), PERSONAL[lower]
        else:  # "it", "they": an organisation, a place or a people (several people are no one name)
            labels, gender = ("ORG", "GPE", "NORP"), None
        found = self._antecedent(tok.idx, sentence, labels, gender, subjects_only=True)
        return None if found is None else self._resolved(tok.idx, tok.idx + len(tok.text), found, sentence, gender)

    def _resolved(self, start: int, end: int, found: Name, sentence: int, gender=None, role=None,
                  lemma: str = "", named_in: int | None = None) -> Speaker:
        full = self.names.full(found)
        if lemma:
            self.described[lemma] = full
        if named_in is None:
            named_in = self.names.last_mention(full, start)
        return self._done(start, end, full, role or full.role, named_in, sentence, gender)

    def _antecedent(self, offset: int, sentence: int, labels, gender, subjects_only: bool) -> Name | None:
        """The nearest earlier speaker of the wanted type, else the nearest subject mention, sentence by sentence
        back from `offset`; none when the evidence is weak."""
        mentions = [m for m in self.names.before(offset) if m.label in labels and not m.quoted
                    and self._gender_ok(m, gender) and m.sentence not in self.captions]
        for s in range(sentence, max(-1, sentence - WINDOW), -1):
            if s != sentence and s in self.captions:
                continue  # a caption or a link's headline between them is no part of the thread ("… SAID: ‘…’")
            spoke = [n for si, n in self.history if si == s and n.label in labels and self._gender_ok(n, gender)]
            if spoke:
                return spoke[-1]
            if gender and s != sentence and any(si == s and n.label not in labels for si, n in self.history):
                return None  # "… said Y. The club said …. He added": the club's man, taken for the club? Unsure
            if s in self.unnamed_at and s != sentence:
                return None  # "“…,” the United boss told TNT Sports. … “…,” he added": that unnamed speaker
            here = [m for m in mentions if m.sentence == s and (m.subject or not subjects_only)]
            if here and gender and self._rival(here[-1], mentions):
                return None  # "Kovac is coached by Zoran Petric. He said …": two people, a sex the text never gave
            if here:
                return here[-1]  # the first subject of the sentence
            if gender and s in self.aged_at and self._gender_ok(self.aged_at[s], gender):
                return self.aged_at[s]  # "…, the 28-year-old thanked the crew. “…,” he said": the one of that age
            if gender and s != sentence and s in self.described_at:
                return None  # "The 23-year-old scored 21 goals. He said …": he may be that one, not the last speaker
        return None  # no speaker or subject of the type nearby: not merely the nearest mention anywhere

    def _rival(self, subject: Name, mentions: list[Name]) -> bool:
        """A person the subject's sentence introduces in full, with a role, beside its subject and outside the
        subject's phrase ("Kovac is coached by Zoran Petric, a former Davis Cup player"; not "Gellar - who shares son
        Rocky … - shared a screenshot … in the App Store")."""
        span = self.doc.char_span(subject.start, subject.end, alignment_mode="expand")
        if span is None:
            return False
        lo, hi = span.root.left_edge.idx, span.root.right_edge.idx + len(span.root.right_edge)
        return any(m.sentence == subject.sentence and m.key != subject.key and m.label == "PERSON" and not m.subject
                   and len(m.words) > 1 and m.role and not lo <= m.start < hi
                   and not any(o.key == m.key for o in mentions if o.start < m.start) for m in mentions)

    def _gender_ok(self, name: Name, gender) -> bool:
        known = self.gender.get(name.key)
        return not gender or not known or known == gender

    def _description(self, head, sentence: int, depth: int) -> Speaker | None:
        doc, names = self.doc, self.names
        sub = [t for t in head.subtree if t.dep_ not in ("relcl", "acl", "appos") or t is head]
        left = head.left_edge.i
        start, end = doc[left].idx, head.idx + len(head.text)
        lemma = head.lemma_.lower()
        inner = [t for t in sub if t.i != head.i and names.ent_of.get(t.i) is not None
                 and names.ent_of[t.i].label_ in ("ORG", "GPE", "NORP", "PERSON")]
        role = span_text(doc, left, head.i + 1)
        poss = [c for c in head.children if c.dep_ == "poss" and names.name_of(c, sentence) is not None]
        if lemma in KIN and poss and head.tag_ in ("NN", "NNS"):  # "Mr Qureshi's family said": they, not he
            return self._done(start, end, Name(role, "ORG", start, end, sentence, None, True, False), None, sentence,
                              sentence)
        if inner and (lemma in SPOKES_NOUNS or lemma in DOC_NOUNS):  # "a Roblox spokesperson"
            found = names.name_of(inner[0], sentence)
            if found is not None:
                return self._resolved(start, end, found, sentence, role=role if lemma in SPOKES_NOUNS else None,
                                      named_in=sentence)
        if lemma in SPOKES_NOUNS:  # "a spokeswoman for the organisation"
            pobj = [t for c in head.rights if c.dep_ == "prep" and c.lower_ in ("for", "of", "at") for t in c.children
                    if t.dep_ == "pobj"]
            if pobj and depth < 2:
                org = self.speaker(pobj[0], sentence, depth + 1)
                if org is not None:
                    self.history.pop()
                    return self._named(start, end, org, sentence, role)
        mods = [t.lower_ for t in doc[left:head.i] if t.dep_ in ("amod", "compound", "nmod") and t.is_alpha
                and t.lower_ not in GENERIC]
        key = " ".join(mods + [lemma])
        written = {t.lower_ for t in doc[left:head.i]}  # "the former champion" is "a former national champion"
        if key in self.described:  # the same description as an earlier speaker's ("the magazine")
            return self._resolved(start, end, self.described[key], sentence, lemma=key)
        def holds(m: Name) -> bool:  # "the Liverpool manager", "the judge": the role the article gave m
            roles, family = m.role_words(), {lemma} | SAME_ROLE.get(lemma, set())
            return lemma not in INSTITUTIONS and held(m.role, roles, family, written) \
                and set(mods) <= roles | set(m.words)

        for m in names.before(start):
            if m.quoted:
                continue
            if holds(m):
                if len({o.key for o in names.before(start) if not o.quoted and holds(o)}) > 1:
                    return None  # two people the article gave that role: "the minister" may be either
                return self._resolved(start, end, m, sentence, lemma=key)
            if m.label != "PERSON" and head.lower_ in m.words and set(mods) <= set(m.words):  # "the coalition"
                return self._resolved(start, end, m, sentence, lemma=key)
        if lemma in DOC_NOUNS and depth < 2:
            issuer = self._issuer(head, sentence, lemma, depth)
            if issuer is not None:
                return Speaker(start, end, issuer.name, issuer.label, issuer.role, issuer.named_in, issuer.key)
        staff = staff_of(names, head, sentence)  # "Analysts at Hellberg Securities said"
        if staff is not None:
            return self._resolved(start, end, staff, sentence, named_in=sentence)
        if head.tag_ in ("NNS", "NNPS") or lemma in SEVERAL:
            return None  # "officials said", "Kurdish forces said", "the pair said": no one name
        if any(c.dep_ in ("det", "nummod") and c.lower_ in ("a", "an", "one", "another", "some") for c in head.lefts):
            return None  # "one person said", "a fan wrote": someone new, not someone named before
        if lemma in INSTITUTIONS and mods or of_members(head):  # "the provincial emergency office said": its own
            own = Name(span_text(doc, left, head.i + 1), "ORG", start, end, sentence, None, True, False)
            if own.words and own.words[0] in ("the", "its", "their", "his", "her"):
                own = Name(span_text(doc, left + 1, head.i + 1), "ORG", doc[left + 1].idx, end, sentence, None,
                           True, False)
            self.described[key] = own
            return self._done(start, end, own, None, sentence, sentence)
        if lemma not in ORG_NOUNS and lemma not in INSTITUTIONS:
            found = self._continued(head, start, sentence, lemma, mods)  # "“…,” the United boss told TNT Sports"
            return None if found is None else self._resolved(start, end, found, sentence, lemma=key)
        labels = ("ORG", "GPE", "NORP") if lemma in STATE_NOUNS else ("ORG",)
        found = self._main(start, sentence, labels) or (described_org(names, start, sentence)
                                                        if lemma in ORG_NOUNS else None)
        return None if found is None else self._resolved(start, end, found, sentence, lemma=key)

    def _continued(self, head, start: int, sentence: int, lemma: str, mods: list[str]) -> Name | None:
        """The person who just spoke, when a definite description ("the United boss", "The 2007/08 Champions
        League winner with Man United") is the next speaker and nobody else has been named since: the reporter
        varies the name of the one on stage ("Erik ten Hag says … . “…,” the United boss told TNT Sports"). Never
        when the description is someone's relation ("his lawyer", "the mother of …"), was itself mentioned in
        between ("… said the suspect had fled. “…,” the suspect said"), or contradicts the role the article gave
        that person ("Arsenal manager Mikel Arteta …" is not "the Chelsea boss")."""
        if not any(c.dep_ == "det" and c.lower_ == "the" for c in head.lefts) or head.tag_ not in ("NN", "NNP") \
                or not person_noun(lemma) \
                or any(c.dep_ == "poss" for c in head.children) or lemma in SPOKES_NOUNS or lemma in DOC_NOUNS \
                or any(c.dep_ == "prep" and c.lower_ in ("of", "for", "to") for c in head.rights):
            return None
        lo = None
        for s in range(sentence - 1, max(-1, sentence - 4), -1):
            if s in self.captions:
                continue
            if s in self.unnamed_at:
                return None
            spoke = {n.key: n for si, n in self.history if si == s}
            if spoke:
                if len(spoke) != 1 or next(iter(spoke.values())).label != "PERSON":
                    return None
                found, lo = next(iter(spoke.values())), s
                break
        else:
            return None
        since = self.spoke_at.get(found.key, -1)  # another person named after the speaker is on stage
        if self._mentioned(head, lo, lemma) or any(
                m.start > since and m.label == "PERSON" and not m.quoted and m.key != found.key
                and m.sentence not in self.captions for m in self.names.before(start)[:50]):
            return None
        role = " ".join(r for r in (self.names.full(found).role, self.names.role_of(found, start)) if r)
        roles = self.names.full(found).role_words() | set(role.lower().split())
        family = {lemma} | SAME_ROLE.get(lemma, set())
        held = [w for w in role.lower().replace("-", " ").split() if w in POSITIONS]
        if lemma in POSITIONS and held and not family & (roles | set(found.words)):
            return None  # "Her lawyer, Peter Sand" is not "the Dunmarrow midfielder"
        initials = "".join(w[0] for w in role.lower().split())
        other = {m for m in mods if m not in roles and not (len(m) > 1 and m in initials)}  # "SBJ": its initials
        if family & roles and other and self._of_an_organisation(role):
            return None  # "Arsenal manager Mikel Arteta" is not "the Chelsea boss" ("Business Journalist" may be)
        return found

    def _of_an_organisation(self, role: str) -> bool:
        """The role names an organisation or place the article names ("Arsenal manager")."""
        words = role.lower().split()
        return any(m.label in ("ORG", "GPE", "NORP") and m.text.lower().split()[0] in words
                   for m in self.names.mentions if m.text)

    def _mentioned(self, head, since: int, lemma: str) -> bool:
        """The description's noun was used between sentence `since` and itself (someone else, spoken about)."""
        for t in reversed(self.doc[max(0, head.i - 200):head.left_edge.i]):
            if self.sentence_of(t.idx) < since:
                return False
            if t.lemma_.lower() == lemma and t.tag_.startswith("NN"):
                return True
        return False

    def _main(self, offset: int, sentence: int, labels) -> Name | None:
        """ "the company": an organisation that spoke, or was the subject, in this or the two sentences before;
        never merely the nearest name."""
        mentions = [m for m in self.names.before(offset) if m.label in labels and not m.quoted and m.subject]
        for s in range(sentence, max(-1, sentence - 3), -1):
            spoke = [n for si, n in self.history if si == s and n.label in labels]
            here = spoke or [m for m in mentions if m.sentence == s]
            if len({self.names.full(m).key for m in here}) > 1:
                return None  # two organisations there: "the company" may be either
            if here:
                return here[-1] if spoke else here[0]
        return None

    def _named(self, start, end, org: Speaker, sentence: int, role) -> Speaker:
        self.history.append((sentence, Name(org.name or "", org.label, start, end, org.named_in, role, True, False)))
        return Speaker(start, end, org.name, org.label, role, org.named_in, org.key)

    def _issuer(self, head, sentence: int, lemma: str, depth: int) -> Speaker | None:
        """Who issued the statement / post: the subject of the nearest earlier sentence that mentions one."""
        doc = self.doc
        for t in reversed(doc[max(0, head.i - 400):head.i]):
            if t.lemma_.lower() != lemma and not (lemma == "post" and t.lower_ == "blog"):
                continue
            s = self.sentence_of(t.idx)
            if s < sentence - WINDOW:
                return None
            verb = t.head.head if t.head.dep_ == "prep" else t.head
            if not verb.tag_.startswith("VB") or verb.lemma_.lower() not in ISSUING:
                continue  # "… beyond what's already in the blog post" names no issuer
            subj = next((c for c in verb.children if c.dep_ == "nsubj"), None)
            if subj is not None and subj.i != head.i:
                found = self.speaker(subj, s, depth + 1)
                if found is not None:
                    self.history.pop()
                    return found
        return None

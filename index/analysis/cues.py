"""Cue verbs and what they govern in spaCy's parse: the speaker phrase of a cue ("…,” said Mayor Ilsa Varenko"),
the reported clause ("said that …", "…, the judge said", "according to X, …") and whether quoted words stand next
to their attribution; spans are character offsets into the article text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.analysis.clauses import data_source, hung_clause, set_off_name, trim
from index.analysis.marks import Marked
from index.analysis.nouns import DOC_NOUNS
from index.analysis.phrases import broken, fronted, role_before
from index.analysis.speakers import Speaker

CUE_LEMMAS = frozenset(
    "say tell add note state warn write post tweet claim announce argue explain insist ask declare vow urge describe "
    "report confirm deny reply respond admit acknowledge stress reveal reflect observe suggest predict recall "
    "comment concede complain emphasise emphasize maintain allege assert contend caution promise pledge "
    "testify remark tout boast muse quip joke answer cite".split()
)
QUOTE_ONLY = frozenset("continue interject".split())  # cues only next to quotation marks ("he continued: “…”")
_WORD = re.compile(r"\w+")
_DASHES = ("-", "–", "—")
_MEANS = ("by", "after", "while", "before", "in")  # "… by saying …": the main verb's subject says it
_DANGLING = re.compile(r"[\s,]+(?:and|but|while)\s*$")
_ELIDED = ("although", "though", "but", "and", "while")  # "…, although admitted that …": the subject left out
PROMISES = frozenset("vow promise pledge threaten urge".split())  # their statement is an infinitive
_INFERRING = frozenset("suggest indicate".split())  # "…, suggesting that …" infers from the facts, nobody says it


@dataclass(frozen=True)
class Speaking:
    """A cue's speaker and the extent of the speaker's phrase in the sentence ("Arizona head coach Jedd Fisch")."""

    speaker: Speaker
    start: int
    end: int


def is_cue(tok) -> bool:
    """A verb of saying by its lemma ("said", "tells", "vowed"), "according to", or "read" after a document."""
    if tok.lower_ == "according":
        return any(c.lower_ == "to" for c in tok.children)
    if not tok.tag_.startswith("VB") or tok.dep_ == "amod":
        return False
    if tok.tag_ == "VBN" and not any(c.dep_ == "aux" and c.lemma_ == "have" for c in tok.children) \
            and not _past_misread(tok):
        return False  # "Asked if …, X said", "was told": the speaker is someone else
    lemma = tok.lemma_.lower()
    if lemma in _INFERRING and tok.tag_ == "VBG" and not any(c.dep_ == "nsubj" for c in tok.children):
        return False  # "it was the most-googled brand …, suggesting that …": the reporter's inference
    if lemma == "read":  # "the statement read"
        return any(c.dep_ == "nsubj" and c.lemma_.lower() in DOC_NOUNS for c in tok.children)
    return lemma in CUE_LEMMAS or lemma in QUOTE_ONLY


def _aside_then_colon(tok) -> bool:
    """ "Actor Sir Barnaby Quilliam, who made his debut …, posted on Instagram: “…”", "The opera's composer, Sunniva
    Ekdahl-Brun, posted on Instagram: “…”": a past tense the parser hung on the name (or on the noun the name is set
    off after) as a participle after the aside; it introduces the quotation after its colon."""
    doc, after = tok.doc, tok.right_edge.i + 1
    named = tok.head.tag_ == "NNP" or any(c.dep_ == "appos" and c.tag_ == "NNP" and c.i == tok.i - 2
                                          for c in tok.head.children)
    return tok.dep_ == "acl" and named and tok.i > 0 and doc[tok.i - 1].text == "," \
        and tok.lemma_.lower() not in ("tell", "ask") and after < len(doc) and doc[after].text == ":" \
        and not any(c.dep_ in ("auxpass", "agent", "nsubjpass") for c in tok.children)


def _past_misread(tok) -> bool:
    """A past tense the tagger took for a participle because its subject is out of sight: after an aside set off by
    dashes ("Arteta - who labelled … - revealed … that …") or with the subject left out after a conjunction
    ("Pochettino is relishing … - although admitted there would be …"). It reports a clause (a ccomp after it) and
    is no passive; "told" and "asked" are left out (someone else does the telling: "Smith, told that …")."""
    before = tok.doc[tok.i - 1] if tok.i else None
    if _aside_then_colon(tok):
        return True
    return before is not None and (before.text in _DASHES or before.lower_ in _ELIDED) \
        and tok.lemma_.lower() not in ("tell", "ask") \
        and any(c.dep_ == "ccomp" and c.i > tok.i for c in tok.children) \
        and not any(c.dep_ in ("auxpass", "agent", "nsubjpass") for c in tok.children)


def cue_end(cue) -> int:
    """Where the cue ends ("according to" is two words)."""
    if cue.lower_ == "according":
        to = next(c for c in cue.children if c.lower_ == "to")
        return to.idx + len(to.text)
    return cue.idx + len(cue.text)


def subject(cue, s: int, e: int):
    """The cue's speaker phrase head: its subject (also inverted: "…,” said X"), the subject of the verb it is
    conjoined to ("condemned the attack and said"), or of the statement it describes ("a statement saying")."""
    if cue.lower_ == "according":
        to = next(c for c in cue.children if c.lower_ == "to")
        pobj = next((c for c in to.children if c.dep_ == "pobj"), None)
        return set_off_name(pobj) or data_source(pobj) or pobj
    tok = cue
    for _ in range(3):
        subj = next((c for c in tok.children if c.dep_ == "nsubj" and s <= c.idx < e), None)
        if subj is not None and subj.i > cue.i and not subj.ent_type_:
            return name_after(cue) or subj  # "says co-founder and COO Mirza Salman Hossain Beg"
        if subj is not None and subj.tag_ in ("WP", "WDT") and tok is not cue:
            return lead_name(cue, s)  # "Arteta - who labelled … - revealed": the cue hung on the aside's verb
        if subj is not None:
            return fronted(subj) or (role_before(subj) if cue.lemma_.lower() not in QUOTE_ONLY else None) or subj
        if tok.dep_ == "pcomp" and tok.head.lower_ in _MEANS and tok.head.head is not tok.head:
            tok = tok.head.head  # "X has disagreed with … by saying …": X says it
            continue
        if tok.dep_ not in ("conj", "xcomp", "advcl", "acl", "dobj") or tok.head is tok:
            break
        tok = tok.head
    return name_after(cue) or speaker_misread(cue) or appositive_before(cue) or lead_name(cue, s) or broken(cue)


def appositive_before(cue):
    """A noun right before a cue without a subject that the parser hung on the name before it as an appositive
    ("In a statement read by Detective Inspector Sam Whitlock, Mr Qureshi's family said: …"): the cue's subject."""
    before = cue.doc[cue.i - 1] if cue.i else None
    if before is None or before.dep_ != "appos" or not before.tag_.startswith("NN") or before.head.i >= before.i:
        return None
    return before


def lead_name(cue, s: int):
    """A cue the parse left without a subject, in a sentence that opens with a name and goes on to the cue with at
    most an aside set off by commas ("Finance minister Karin Dahl, speaking in the capital, said …"): that name (the
    parser had run the previous sentence into this one)."""
    doc = cue.doc
    for ent in _lead_names(doc, s, cue.i):
        if ent.start_char < s or ent.start >= cue.i:
            continue
        if ent.label_ not in ("PERSON", "ORG") or len(doc.text[s:ent.start_char].split()) > 4:
            return None
        between = doc[ent.end:cue.i]
        if not len(between) or (between[0].text in (",", *_DASHES) and between[-1].text == between[0].text):
            return ent.root  # "X, speaking in the capital, said", "X - who labelled … - revealed"
        if between[0].lower_ in ("has", "have", "had", "is", "was") and cue.dep_ == "conj":
            return ent.root  # "Pochettino has fond memories of that period and says …"
        return None
    return None


def _lead_names(doc, s: int, before: int) -> list:
    """The entities of a sentence starting at offset `s`, with a proper noun the recogniser missed that opens it
    ("Arteta - who …") as a PERSON span."""
    ents = [e for e in doc.ents if e.start_char >= s and e.start < before]
    i = before
    while i > 0 and doc[i - 1].idx >= s:
        i -= 1
    first = next((t for t in doc[i:before] if not t.is_space), None)
    if first is not None and first.tag_ == "NNP" and not first.ent_type_ and first.text[:1].isupper() \
            and (not ents or ents[0].start > first.i):
        from spacy.tokens import Span

        ents.insert(0, Span(doc, first.i, first.i + 1, label="PERSON"))
    return ents


def speaker_misread(cue):
    """A cue without a subject because the parser read the speaker's phrase as a clause the cue reports (a ccomp
    before it), though the cue reports the clause after it, and a cue reports one statement. "The US backed Syrian
    Democratic Forces (SDF), a group …, said that …": an unhyphenated modifier ("US backed", nothing but the
    name between subject and verb), so the object ending right before the cue speaks. "Martin Riedl, a professor
    who … co-authored the paper, said that …": a verb inside the description set off by commas after a name, so
    the name speaks."""
    after = any(c.dep_ in ("ccomp", "xcomp") and c.i > cue.i for c in cue.children)
    before = next((c for c in cue.children if c.dep_ == "ccomp" and c.i < cue.i), None)
    if not after or before is None or not before.tag_.startswith("VB") \
            or any(not t.is_punct for t in cue.doc[before.right_edge.i + 1:cue.i]):
        return None
    subj = next((c for c in before.children if c.dep_ == "nsubj" and c.i < before.i), None)
    if subj is None:
        return None
    if any(t.text == "," for t in cue.doc[subj.i:before.i]):
        return subj if subj.tag_ in ("NNP", "NNPS") else None
    obj = next((c for c in before.children if c.dep_ == "dobj" and c.tag_.startswith("NN")), None)
    if obj is None or any(not t.is_punct for t in cue.doc[obj.right_edge.i + 1:cue.i]):
        return None
    return obj


def name_after(cue):
    """The person or organisation named right after an inverted cue ("…,” said Mayor Ilsa Varenko")."""
    for t in cue.doc[cue.i + 1:cue.i + 9]:
        if t.is_punct and t.text != "-" or t.tag_.startswith("VB") or "\n" in t.text:
            break  # never a name in the next paragraph ("…’, says director" closing a headline)
        if t.ent_type_ in ("PERSON", "ORG"):
            ent = next(e for e in cue.doc.ents if e.start <= t.i < e.end)
            if ent.root.dep_ == "pobj":
                return None  # "posted on Instagram": where it was said, not who said it
            if ent.root.dep_ in ("compound", "poss", "nmod") and ent.root.head.tag_ in ("NN", "NNS"):
                return None  # "said the Chelsea boss": a description, the club only describes its head
            return ent.root
    return None


def _own_cue(t) -> bool:
    """A verb of saying with a subject of its own that is no pronoun: another attribution."""
    return t.lemma_.lower() in CUE_LEMMAS and any(c.dep_ == "nsubj" and c.tag_ != "PRP" for c in t.children)


def reported(text: str, cue, marks: list[Marked], here: list[int], s: int, e: int) -> tuple[int, int] | None:
    """The reported clause of "X said (that) …" when the cue comes first (quoted words inside it are part of it)."""
    comp = next((c for c in cue.children if c.dep_ == "ccomp" and c.i > cue.i), None)
    if comp is None and cue.lemma_.lower() in PROMISES:  # "The SDF vowed to strengthen …"
        comp = next((c for c in cue.children if c.dep_ == "xcomp" and c.i > cue.i), None)
    if comp is None:
        comp = hung_clause(cue)
    if comp is None:
        return None
    left = comp.left_edge
    if left.i < cue.i and left.tag_ in ("WDT", "WP"):  # "a review, which he said had become “…”": after the cue
        left = next(t for t in comp.subtree if t.i > cue.i)
    if any(t.text == ":" for t in cue.doc[cue.i:left.i]) or left.tag_ in ("WRB", "WP", "WDT") \
            and left.lower_ != "that" or left.lower_ in ("whether", "if"):  # "that" tagged WDT: "said … that he had"
        return None  # "explained why he thinks …", "asked whether …": no statement
    right = comp.right_edge.idx + len(comp.right_edge.text)
    for c in cue.children:  # "said it was “one of the most callous cases” she had seen": one clause the parser split
        if c.dep_ == "ccomp" and c.i > comp.i and _own_cue(c):
            break  # "X said A, and their coach, Y, said B": Y's statement, hung on X's cue
        if c.dep_ == "ccomp" and c.i > comp.i and text[right:c.left_edge.idx].strip() in ("", "”", '"', "’"):
            right = c.right_edge.idx + len(c.right_edge.text)
    for t in comp.subtree:  # "X said A, while Y said B": Y's attribution and statement are no part of X's
        if t is not comp and t.dep_ in ("advcl", "conj") and t.lemma_.lower() in CUE_LEMMAS \
                and any(c.dep_ == "nsubj" and c.tag_ != "PRP" for c in t.children) and t.left_edge.idx > left.idx \
                and not any(c.dep_ == "mark" and c.lower_ in ("that", "if", "whether") for c in t.children):
            right = min(right, t.left_edge.idx)
    right = left.idx + len(_DANGLING.sub("", text[left.idx:right]))  # "…, and": the next clause's conjunction
    start, end = trim(text, max(s, left.idx), min(e, right))
    inside = [marks[k] for k in here if start <= marks[k].start < end]
    if inside and inside[0].open_at - start <= 1 and inside[0].end >= end - 2:
        return None  # the clause is the quotation ('said: "…"', 'told “Globes” “…”'): a direct quote
    for m in marks:  # a quotation the clause opens ends with it: '… “even higher” as the “fate … unknown.”'
        if start <= m.open_at < end < m.close_at + 1 <= e:
            end = m.close_at + 1
    first = next((t for t in comp.subtree if t.idx == start), None)
    for lead in ("that ", "to "):
        if first is not None and first.dep_ in ("nsubj", "nsubjpass"):
            break  # "said that was a matter for …": "that" is the clause's subject, not its conjunction
        if text[start:start + len(lead)].lower() == lead and end - start > len(lead):
            start += len(lead)
    return (start, end) if end > start else None


def postposed(text: str, cue, s: int, e: int) -> tuple[int, int] | None:
    """ "Those tactics crossed a line, the judge said": the clause before the cue (its ccomp or the verb it hangs on)."""
    comp = next((c for c in cue.children if c.dep_ == "ccomp" and c.i < cue.i), None)
    if comp is None and cue.dep_ == "parataxis" and cue.head.i < cue.i:
        comp = cue.head
        end = cue.left_edge.idx
    elif comp is not None:
        end = comp.right_edge.idx + len(comp.right_edge.text)
    else:
        return None
    start, end = trim(text, max(s, comp.left_edge.idx), min(e, end))
    return (start, end) if end > start else None


def parenthetical(text: str, cue, s: int, e: int) -> tuple[int, int] | None:
    """ "And the Mombies, Scalera said, are focused on fun", 'For "eight beautiful years," Goeller said, Lucas …':
    an attribution inside its statement makes the whole sentence the statement."""
    doc = cue.doc
    subj = next((c for c in cue.children if c.dep_ == "nsubj" and c.i < cue.i), None)
    left = subj.left_edge.i if subj is not None else cue.i
    before = doc[left - 1] if left > 0 else None
    if before is not None and before.text in "\"”" and left > 1:
        if cue.doc.text[s:before.idx].lstrip()[:1] in "\"“":
            return None  # "“…,” the minister said, adding that …": a direct quote and its attribution
        before = doc[left - 2]
    after = doc[cue.i + 1:cue.i + 3]
    if before is None or before.text != "," or before.idx < s or len(after) < 2 or after[0].text != "," \
            or after[1].text in "\"“" or not any(t.tag_.startswith("VB") for t in doc[cue.i + 2:] if t.idx < e):
        return None
    start, end = trim(text, s, e)
    return (start, end) if end > start else None


def after_colon(cue, text: str, s: int, e: int) -> tuple[int, int] | None:
    """ "X said: we will …" (no quotation marks): the words after the colon."""
    nxt = cue.doc[cue.i + 1] if cue.i + 1 < len(cue.doc) else None
    if nxt is None or nxt.text != ":":
        return None
    start, end = trim(text, nxt.idx + 1, e)
    return (start, end) if end - start > 3 else None


def distance(m: Marked, cue) -> int:
    if cue.idx >= m.end:
        return cue.idx - m.end
    return max(0, m.start - cue.idx)


def borders(text: str, m: Marked, cue, sp: Speaking) -> bool:
    """The quotation stands next to its attribution ("“…,” he said", "said in a statement: “…”", or after a colon
    ending a longer phrase when its words are the cue's own clause: "said in a statement read by the family's
    solicitor: “Dad spent …”"), not inside a clause of its own ('an AI-powered “Let’s Chat” Alexa experience …, he
    says')."""
    first = min(cue.idx, sp.start)
    last = max(cue_end(cue), sp.end)
    if m.end <= cue.idx:
        gap = text[m.close_at if m.close_at >= 0 else m.end:first]
        return len(_WORD.findall(gap)) <= 2
    gap = text[last:m.open_at if m.open_at >= 0 else m.start]
    words = len(_WORD.findall(gap))
    return words <= 1 or (words <= 8 and gap.rstrip().endswith((":", ","))) or gap.rstrip().endswith(":") and any(
        c.dep_ == "ccomp" and m.start <= c.idx < m.end for c in cue.children)


def is_object(cue, m: Marked) -> bool:
    """A quoted title the cue takes as its object ('told "Globes"'), not words spoken."""
    return any(c.dep_ in ("dobj", "dative") and c.idx <= m.start < c.idx + len(c.text) + 1 and m.end - m.start
               <= len(c.text) + 1 for c in cue.children)

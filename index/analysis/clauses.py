"""Clauses the parse leaves in odd places: a reported clause hung on the cue's phrase or listener ("said in a
statement that …", "told a court he …"), the statement and speaker of "according to X"; a span's trimming."""

from __future__ import annotations

import re

_DATA_NOUNS = frozenset("estimate figure data number statistic count tally calculation".split())
_DATELINE = re.compile(r"[A-Z][A-Z .'-]{2,40}, [^—\n]{0,60}— ")  # "DRAVENHOLT, Ostrakand (Ostrakand Wire) — "


def hung_clause(cue):
    """The reported clause the parser hung elsewhere: on the noun of the cue's phrase ("said in a statement that …",
    "said in a video posted on Friday that …": a that-clause after the cue), or on the listener of "told", as if
    a relative clause ("told a court he had been at his sister's house": a clause opening with its own subject)."""
    for c in cue.children:
        if c.i < cue.i:
            continue
        if c.dep_ == "prep":
            for t in c.subtree:
                if t.dep_ in ("acl", "ccomp") and t.tag_.startswith("VB") \
                        and any(m.dep_ == "mark" and m.lower_ == "that" and m.i < t.i for m in t.children):
                    return t
                if t.dep_ == "relcl" and _that_clause(t):
                    return t
        if c.dep_ in ("dobj", "dative") and cue.lemma_.lower() == "tell":
            for t in c.rights:
                subj = next((x for x in t.children if x.dep_ in ("nsubj", "nsubjpass")), None)
                if t.dep_ == "relcl" and subj is not None and subj.i == t.left_edge.i == c.i + 1 \
                        and subj.tag_ not in ("WDT", "WP", "WP$") or _told_clause(c, t, subj):
                    return t
    return None


def _told_clause(listener, t, subj) -> bool:
    """ "told the hearing that Rowan Feathers had been …", "told the inquest the emergency department had been
    …": a clause after the listener that the parser took for its relative clause, opening with "that" as its
    conjunction or with its own subject phrase, and wanting no object ("told the story the old man had written"
    is a relative clause: "written" lacks its object)."""
    if t.dep_ != "relcl" or subj is None or subj.tag_ in ("WDT", "WP", "WP$", "PRP") or subj.i < listener.i:
        return False
    that = t.doc[listener.i + 1]
    if that.lower_ == "that" and that.dep_ == "mark" and that.head.i == t.i:
        return subj.left_edge.i == that.i + 1
    whole = subj.left_edge.i == t.left_edge.i == listener.i + 1 and subj.i > subj.left_edge.i
    return whole and (t.lemma_ == "be" or subj.dep_ == "nsubjpass" or any(c.dep_ == "dobj" for c in t.children))


def _that_clause(t) -> bool:
    """A that-clause after the cue's phrase the parser took for a relative clause of its noun ("tweeted at
    half-time that Greenwood was conscious"): "that" opens it as no subject or object, and it has its own subject."""
    that = t.left_edge
    return that.lower_ == "that" and that.head.i == t.i and that.dep_ in ("advmod", "mark") \
        and any(c.dep_ in ("nsubj", "nsubjpass") and c.i > that.i for c in t.children)


def data_source(pobj):
    """ "according to estimates from AMC Theatres": whoever the figures come from speaks for them."""
    if pobj is None or pobj.lemma_.lower() not in _DATA_NOUNS:
        return None
    for prep in pobj.children:
        if prep.dep_ == "prep" and prep.lower_ in ("from", "by"):
            src = next((c for c in prep.children if c.dep_ == "pobj"), None)
            if src is not None and src.ent_type_ in ("ORG", "PERSON"):
                return src
    return None


def set_off_name(pobj):
    """ "according to the union's regional organiser, Sean Doyle, …": the name set off by commas after the role
    (the parser hangs it on the main verb)."""
    doc = pobj.doc if pobj is not None else None
    if doc is None or pobj.tag_ not in ("NN", "NNS") or pobj.i + 2 >= len(doc) or doc[pobj.i + 1].text != ",":
        return None
    ent = next((e for e in doc.ents if e.start == pobj.i + 2 and e.label_ == "PERSON"), None)
    return ent.root if ent is not None and ent.end < len(doc) and doc[ent.end].text == "," else None


def according(text: str, cue, s: int, e: int) -> tuple[int, int] | None:
    """ "According to the SOHR, 123 people died": the rest of the sentence is the statement."""
    sub = list(cue.subtree)
    a, b = sub[0].idx, sub[-1].idx + len(sub[-1].text)
    name = set_off_name(sub[-1])
    if name is not None:  # "…, Sean Doyle, most of the jobs …": the statement starts after the name
        b = name.doc[next(x.end for x in name.doc.ents if x.start <= name.i < x.end)].idx
    before, after = trim(text, s, a), trim(text, b, e)
    best = before if before[1] - before[0] >= after[1] - after[0] else after
    return best if best[1] - best[0] > 3 else None


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    dateline = _DATELINE.match(text, start, end)
    if dateline:
        start = dateline.end()
    while start < end and (text[start].isspace() or text[start] in ",;:—–"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",.;:—–"):
        if text[end - 1] == "." and text[end - 3:end] == "...":
            k = end - 3
            while k > start and text[k - 1].isspace():
                k -= 1
            if not (k > start and text[k - 1] in ".!?"):
                break  # the speaker trailing off ("and then …") keeps the dots
            end = k  # "… the stadium. ...": an omission mark between sentences, not the speaker's
            continue
        end -= 1
    return start, end

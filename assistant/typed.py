"""Typed answer spans in a sentence (entities of a label, noun phrases), and the one the question points at: the
span nearest, in the sentence's dependency tree, to the words the sentence shares with the question."""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass

from assistant.candidates import Candidate
from common.analysis import Token
from common.text import terms, words


@dataclass(frozen=True)
class Typed:
    start: int  # article offsets
    end: int
    text: str
    label: str  # an entity label, or "NP" for a noun phrase
    distance: int  # edges in the dependency tree to the nearest anchor (99: no anchor in the sentence)


def tokens_of(c: Candidate) -> list[Token]:
    s, e = c.span
    return c.stored.analysis.in_span("tokens", s, e) if c.stored.analysis else []


def entity_spans(c: Candidate, labels: tuple[str, ...]) -> list[tuple[int, int, str]]:
    if c.stored.analysis is None:
        return []
    s, e = c.span
    return [(x.start, x.end, x.label) for x in c.stored.analysis.in_span("entities", s, e) if x.label in labels]


def phrase_spans(c: Candidate, head: str | None = None) -> list[tuple[int, int, str]]:
    """Noun phrases of the sentence (only those whose head word's lemma is `head` or its singular, if given)."""
    if c.stored.analysis is None:
        return []
    s, e = c.span
    lemmas = {t.start: t.lemma for t in tokens_of(c)}
    wanted = {head, singular(head)} if head else None
    return [(p.start, p.end, "NP") for p in c.stored.analysis.in_span("phrases", s, e)
            if wanted is None or lemmas.get(p.head_start) in wanted]


def singular(noun: str) -> str:
    """'prisons' → 'prison', 'cities' → 'city', 'buses' → 'bus' (enough for the nouns questions ask with)."""
    if noun.endswith("ies") and len(noun) > 4:
        return noun[:-3] + "y"
    if noun.endswith(("ses", "xes", "ches", "shes")):
        return noun[:-2]
    if noun.endswith("s") and not noun.endswith(("ss", "us", "is")):
        return noun[:-1]
    return noun


def new_to(question: str, span_text: str) -> bool:
    """The span says something the question does not: not all of its words are in the question, and it is not
    what an abbreviation in the question stands for ('Syrian Democratic Forces' when the question says 'SDF')."""
    asked = set(words(question))
    own = [w for w in words(span_text) if w not in {"the", "a", "an", "of"}]
    if not own or set(own) <= asked:
        return False
    initials = "".join(w[0] for w in span_text.split() if w[:1].isupper())
    return not (len(initials) > 1 and re.search(rf"\b{re.escape(initials)}\b", question))


def nearest(c: Candidate, spans: list[tuple[int, int, str]], question: str) -> Typed | None:
    """Of the spans that are new to the question, the one closest in the parse to the sentence's words that the
    question also has (ties: the earlier span); None when no span is new."""
    toks = tokens_of(c)
    text = c.article.text
    fresh = [(s, e, label) for s, e, label in spans if new_to(question, text[s:e])]
    if not fresh:
        return None
    qterms = set(terms(question))
    anchors = [t.index for t in toks if set(terms(text[t.start : t.end])) & qterms]
    dist = _distances(toks, anchors)
    best = None
    for s, e, label in fresh:
        inside = [t.index for t in toks if s <= t.start and t.end <= e]
        d = min((dist.get(i, 99) for i in inside), default=99)
        key = (d, s)
        if best is None or key < best[0]:
            best = (key, Typed(s, e, text[s:e].strip(), label, d))
    return best[1] if best else None


def _distances(toks: list[Token], anchors: list[int]) -> dict[int, int]:
    """Edges from the nearest anchor to every token of the sentence, over the undirected dependency tree."""
    present = {t.index for t in toks}
    adjacent: dict[int, set[int]] = {t.index: set() for t in toks}
    for t in toks:
        if t.head != t.index and t.head in present:
            adjacent[t.index].add(t.head)
            adjacent[t.head].add(t.index)
    dist = {a: 0 for a in anchors}
    todo = deque(anchors)
    while todo:
        i = todo.popleft()
        for j in adjacent.get(i, ()):
            if j not in dist:
                dist[j] = dist[i] + 1
                todo.append(j)
    return dist


def tied_to(c: Candidate, spans: list[tuple[int, int, str]], lemmas: set[str],
            most: int = 2) -> list[tuple[int, int, str]]:
    """The spans within `most` parse edges of a word with one of these lemmas ("ISIS leader Abu Bakr", "the
    leader, Abu Bakr"): a role word names the person next to it, not one elsewhere in the sentence."""
    toks = tokens_of(c)
    dist = _distances(toks, [t.index for t in toks if t.lemma in lemmas])
    out = []
    for s, e, label in spans:
        inside = [t.index for t in toks if s <= t.start and t.end <= e]
        if inside and min(dist.get(i, 99) for i in inside) <= most:
            out.append((s, e, label))
    return out


_NOT_A_CLAUSE = ("amod", "prep", "pcomp", "aux", "auxpass", "compound")  # "including 77 fighters" is no clause


def clause_words(c: Candidate, start: int, end: int) -> set[str] | None:
    """The stemmed form and lemma of the verb whose clause the words at [start, end) (article offsets) belong to,
    with its complements ('managed to escape' → manag, manage, escap, escape; 'are being held' → held, hold;
    'are dead' → dead): the predicate of that clause. None without a parse or a verb above the words."""
    toks = tokens_of(c)
    at = {t.index: t for t in toks}
    inside = {t.index for t in toks if start <= t.start and t.end <= end}
    tok = next((at[i] for i in sorted(inside) if at[i].head not in inside or at[i].head == i), None)
    while tok is not None and tok.head != tok.index:
        tok = at.get(tok.head)
        if tok is not None and tok.tag.startswith("VB") and tok.dep not in _NOT_A_CLAUSE:
            break
    else:
        return None
    verbs = [tok] + [t for t in toks if t.head == tok.index and t.dep in ("xcomp", "acomp")]
    text = c.article.text
    return {w for v in verbs for w in terms(f"{text[v.start:v.end]} {v.lemma}")}

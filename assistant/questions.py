"""Question typing and follow-up resolution: what kind of answer is wanted, and about what."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from common.text import terms

_FIGURE = re.compile(r"\bhow (many|much)\b|\bwhat (number|percentage|share|proportion|amount)\b|\b(death )?toll\b",
                     re.I)
_DATE = re.compile(r"^\W*(?:and\s+|so\s+)?(when\b|(on |in )?(what|which) (day|date|time|year|month|week)\b)", re.I)
_WHO_SAID = re.compile(
    r"\bwho (?:said|says|stated|told|warned|noted|claimed|called|described|posted|tweeted|wrote|announced|"
    r"condemned|vowed|declared|argued|insisted|asked|added)\b", re.I)
_WHAT_SAID = re.compile(
    r"\bwhat (?:else )?(?:did|does|has|have|had) (?P<who>.+?) (?:say|said|tell|told|note|warn|claim|announce|post|"
    r"tweet|write|add|argue|declare|vow|call for|describe)\b", re.I)
_WHY = re.compile(r"^\W*(?:and\s+|so\s+)?why\b", re.I)
_HOW = re.compile(r"^\W*(?:and\s+|so\s+)?how\s+(?:did|do|does|was|were|is|are|can|could|will|would|has|have|had)\b",
                  re.I)
# "who is the manager of Dunmarrow Athletic?": the role and whose it is must both be in the cited sentence
_ROLE_OF = re.compile(r"^\W*(?:who|what\s+(?:is|was)\s+the\s+name\s+of)\s+(?:(?:is|was|are|were)\s+)?(?:the\s+|a\s+|an\s+)?"
                      r"(?P<role>(?:[\w'’-]+\s+){0,2}?[\w'’-]+)\s+(?:of|at|for)\s+(?P<whose>.+?)\W*$", re.I)
# "when was the prison built?": the event the date is asked for
_WHEN_PASSIVE = re.compile(r"^\W*when\s+(?:was|were|is|are|will|has|have|had)\b.*?\s(?P<verb>[a-z]+(?:ed|en|wn|lt|nt))\W*$",
                           re.I)
_IRREGULAR = {"built": "build", "begun": "begin", "born": "bear", "chosen": "choos", "written": "write",
              "given": "give", "taken": "take", "held": "hold", "sent": "send", "spent": "spend", "won": "win",
              "sworn": "swear", "shown": "show", "drawn": "draw", "known": "know", "thrown": "throw"}
_FOLLOW_UP = re.compile(r"^\W*(and|what about|how about|also|what else|anything else)\b", re.I)
_PRONOUN_Q = re.compile(r"\b(he|she|they|him|her|them|his|their)\b", re.I)


@dataclass(frozen=True)
class Turn:
    """One earlier exchange, as the chat or API passes it back in `history`."""

    question: str
    answer: str = ""
    short_answer: str | None = None
    speaker: str | None = None
    article_ids: tuple[str, ...] = ()
    cited: tuple[tuple[str, int], ...] = ()  # (article_id, sentence_index) already shown


@dataclass(frozen=True)
class Query:
    text: str  # the question as asked
    kind: str  # figure | date | who_said | what_said | why | how | other
    search_text: str  # the question with its context filled in from earlier turns
    focus: tuple[str, ...] = ()  # stemmed words the answer must be about (the noun after "how many")
    predicate: tuple[str, ...] = ()  # what happened to them ("died", "were killed")
    person: str | None = None  # for what_said: whose statements
    exclude: frozenset = field(default_factory=frozenset)  # (article_id, index) already given ("what else")
    prefer_articles: tuple[str, ...] = ()
    # stemmed-word groups the cited sentence must contain, one word of each group, for any answer to stand
    # ("who is the manager of Dunmarrow Athletic?" → ({manag}, {dunmarrow, athlet}))
    required: tuple[frozenset[str], ...] = ()


def classify(question: str) -> str:
    if _WHO_SAID.search(question):
        return "who_said"
    if _WHAT_SAID.search(question):
        return "what_said"
    if _FIGURE.search(question):
        return "figure"
    if _DATE.search(question):
        return "date"
    if _WHY.search(question):
        return "why"
    if _HOW.search(question):
        return "how"
    return "other"


_STOP_NOUN = {"in", "at", "on", "during", "from", "by", "for", "to", "since", "after", "before", "that", "who",
              "die", "died", "dead", "killed", "fled", "escaped", "left", "remain", "remained", "live", "lived",
              # irregular past tenses end the counted noun too ("how many militants took part")
              "took", "made", "gave", "got", "went", "came", "saw", "said", "held", "lost", "won", "built",
              "fought", "ran", "became", "began", "sent", "brought", "kept", "met", "struck", "hit", "fell"}
_AUX = r"\b(?:did|do|does|were|was|are|is|have|has|had|will|would|can|could|been)\b"


def figure_focus(question: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """('how many Kurdish fighters died?') → (('kurdish', 'fighter'), ('die',)): the counted noun and the
    predicate words that follow it."""
    cost = re.search(r"\bhow much\s+(?:will|would|did|does|do|could|is|was|has|have)\s+(?:it\s+)?(?P<what>.+?)\s+"
                     r"(?P<verb>cost|spend|pay|raise|earn|charge|save|lose)\b", question, re.I)
    if cost:  # "how much will the inquiry into the levees cost?": a sum about the inquiry
        what = re.split(r"\s+(?:into|of|for|on|in|at|to|by|with|from)\s+", cost.group("what"), maxsplit=1)[0]
        return tuple(terms(what)[:3]), tuple(terms(cost.group("verb")))
    m = re.search(r"\bhow (?:many|much)\s+(.*)", question, re.I)
    if not m:
        return (), ()
    tokens = m.group(1).rstrip("?.! ").split()
    of = re.match(r"of (?:the |these |those )?(.*?)" + _AUX + r"\s+(.*)", " ".join(tokens), re.I)
    if of:  # "how many of the escaped prisoners were foreign nationals": count the nationals
        return tuple(terms(of.group(2))[:3]), tuple(terms(of.group(1))[:2])
    head: list[str] = []
    for tok in tokens:
        bare = tok.lower().strip(",;:?")
        if re.fullmatch(_AUX, bare) or bare in _STOP_NOUN or (head and re.fullmatch(r"[a-z]+ed", bare)):
            break
        head.append(tok)
    rest = " ".join(tokens[len(head):])
    focus = tuple(terms(" ".join(head[:4])))
    return focus, tuple(terms(rest)[:1])


def understand(question: str, history: list[Turn] | None = None) -> Query:
    """Type the question and fill in what a follow-up leaves out ("and how many civilians?",
    "what else did he say?") from the latest turn."""
    history = history or []
    kind = classify(question)
    prev = history[-1] if history else None
    search_text = question
    person = None
    asks_else = bool(re.search(r"\b(else|more|other)\b", question, re.I))
    exclude: frozenset = frozenset()
    prefer: tuple[str, ...] = ()
    if kind == "what_said":
        who = _WHAT_SAID.search(question).group("who").strip()
        person = who
        if _PRONOUN_Q.fullmatch(who) and prev is not None:
            person = prev.speaker or who
            search_text = question.replace(who, person, 1) if person != who else question
    if prev is not None:
        elliptical = bool(_FOLLOW_UP.match(question)) or len(terms(question)) <= 2
        pronoun = bool(_PRONOUN_Q.search(question))
        if elliptical or pronoun:
            if pronoun and prev.speaker and kind != "what_said":
                search_text = _PRONOUN_Q.sub(prev.speaker, search_text, count=1)
            if elliptical:
                search_text = f"{search_text} {prev.question}"
            prefer = prev.article_ids
        if asks_else:
            exclude = frozenset(prev.cited)
    focus, predicate = figure_focus(question) if kind == "figure" else ((), ())
    if kind == "date":
        predicate = when_event(question)
    return Query(
        text=question,
        kind=kind,
        search_text=search_text,
        focus=focus,
        predicate=predicate,
        person=person,
        exclude=exclude,
        prefer_articles=prefer,
        required=required_words(question),
    )


def when_event(question: str) -> tuple[str, ...]:
    """('when was the Ghwayran prison built?') → ('build', 'built'): the stems of the event asked about,
    for passive questions whose verb ends them; () when the question does not say it that way."""
    m = _WHEN_PASSIVE.match(question.strip())
    if not m:
        return ()
    verb = m.group("verb").lower()
    return tuple(dict.fromkeys(terms(verb) + terms(_IRREGULAR.get(verb, verb))))


def required_words(question: str) -> tuple[frozenset[str], ...]:
    """Word groups a sentence must contain to answer 'who is the ROLE of WHOM' questions (else: none)."""
    m = _ROLE_OF.match(question.strip())
    if not m or len(m.group("whose").split()) > 4:  # a long description is not a name to look for
        return ()
    role, whose = frozenset(terms(m.group("role"))[-1:]), frozenset(terms(m.group("whose")))
    return tuple(g for g in (role, whose) if g)

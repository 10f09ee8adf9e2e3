"""Stage 1, understand: the question typed by its answer kind, and what a follow-up leaves out filled in."""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.conversation import about_previous
from assistant.kinds.registry import for_previous, kind_of
from assistant.query import Query, Turn
from assistant.spans import attribution
from common.text import terms

_FOLLOW_UP = re.compile(r"^\W*(and|what about|how about|also|what else|anything else)\b", re.I)
_PRONOUN = re.compile(r"\b(he|she|they|him|her|them|his|their)\b", re.I)
_ELSE = re.compile(r"\b(else|more|other)\b", re.I)
# Words that point back at the conversation: a pronoun, "then", "it", or "that" standing for something said
# ("about that", "Why that?"), not the relative "that" of "the town that flooded".
_BACK = re.compile(
    r"\b(?:he|she|they|him|her|them|his|their|it|its|then)\b"
    r"|\b(?:that|this|these|those)\W*$"
    r"|\b(?:in|on|of|about|after|before|from|with|by|at|for|did|does|do|is|was|like)\s+(?:that|this|these|those)\b",
    re.I)
ELLIPTICAL_TERMS = 2  # a follow-up with at most this many content words borrows the previous question's


def understand(question: str, history: list[Turn] | None = None) -> Query:
    """Type the question and fill in what a follow-up leaves out ("and how many civilians?",
    "what else did he say?") from the latest turn."""
    prev = history[-1] if history else None
    kind = kind_of(question)
    if about_previous(question):  # "Who said that?", "When?": about the previous answer (core says when there is none)
        return Query(text=question, kind=for_previous(kind), search_text=question, about_previous=True)
    query = kind.enrich(Query(text=question, kind=kind, search_text=question), prev)
    if prev is None or not refers_back(question):  # "What is the capital of France?" after any answer: a new question
        return query
    search_text, prefer, exclude = query.search_text, query.prefer_articles, query.exclude
    elliptical = bool(_FOLLOW_UP.match(question)) or len(terms(question)) <= ELLIPTICAL_TERMS
    pronoun = bool(_PRONOUN.search(question))
    if elliptical or pronoun:
        if pronoun and prev.speaker and not kind.own_pronouns:
            search_text = _PRONOUN.sub(prev.speaker, search_text, count=1)
        if elliptical:
            search_text = f"{search_text} {prev.question}"
        prefer = prev.article_ids
    if _ELSE.search(question):
        exclude = frozenset(prev.cited)
    return replace(query, search_text=search_text, prefer_articles=prefer, exclude=exclude, follow_up=True)


def refers_back(question: str) -> bool:
    """Whether a question leans on the conversation: "and …?", "what else …", a pronoun, "then", "about that"."""
    return bool(_FOLLOW_UP.match(question) or _BACK.search(question))


def turn_from_dict(d: dict) -> Turn:
    """An earlier exchange as the API and the chat send it back ({"question", **answer}); its speaker is the
    first cited sentence's, unless given."""
    # an abstention cites nothing: the sentences it listed as closest were never offered as an answer
    cites = [] if d.get("abstained") is True else [
        c for c in d.get("citations") or [] if isinstance(c, dict) and _storable(c.get("article_id"))]
    speaker = d.get("speaker")
    for c in cites if not speaker else []:
        found = attribution(str(c.get("text", "")))
        if found and found.speaker:
            speaker = found.speaker
            break
    return Turn(
        question=str(d.get("question", "")),
        answer=str(d.get("answer", "")),
        short_answer=d.get("short_answer"),
        speaker=speaker,
        article_ids=tuple(dict.fromkeys(c["article_id"] for c in cites)),
        cited=tuple((c["article_id"], c["sentence_index"]) for c in cites
                    if type(c.get("sentence_index")) is int and c["sentence_index"] >= 0),
    )


def _storable(article_id) -> bool:
    """Whether a citation sent back in `history` names an id an article can have: text that is valid UTF-8 (a lone
    surrogate such as "\\ud800" cannot be stored, and the store refuses to look it up rather than finding nothing)."""
    if not isinstance(article_id, str) or not article_id:
        return False
    try:
        article_id.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True

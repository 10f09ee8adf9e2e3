"""A quantity asked for by name ("what was the final score …?", "how much did X pay?"): the answer must
have that quantity's shape, else the articles do not say it (a crowd of 8,400 is no score)."""

from __future__ import annotations

import re

from assistant.spans import CURRENCY_CODES
from common.text import NUMBER_WORDS

# a sum: a currency's sign, name or code ("NIS 405 million"; codes in capitals only)
MONEY = re.compile(rf"[$€£¥₹₪]|\b(?:dollars?|euros?|pounds?|yen|yuan|kron[a-z]*|rupees?|francs?|shekels?|pesos?)\b"
                   rf"|\b(?-i:{CURRENCY_CODES})\b", re.I)
_NUMBER = re.compile(r"\d|\b(?:" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")\b", re.I)
_SCORE = re.compile(r"\d+\s*[-–]\s*\d+|\b\d+\s+to\s+\d+\b")
_PEOPLE = re.compile(r"\b(?:population|people|residents|inhabitants|citizens)\b", re.I)
_CROWD = re.compile(r"\b(?:attendance|crowd|fans|spectators|supporters)\b", re.I)

_MONEY_NOUNS = r"salary|salaries|price|prices|cost|costs|fee|fees|net worth|worth|budget|wage|wages|fine|pay|payout"
_NOUNS = rf"score|population|attendance|{_MONEY_NOUNS}"
# "what is the population of …?", "what was the final score …?", "what is Jim Crane's net worth?" (the noun heads
# the phrase asked about) or "what salary will …?"; not "what are the ticket prices being compared to?"
_ASKED = re.compile(
    rf"^\W*(?:what|which)(?:'s|’s|\s+(?:is|was|are|were|will\s+be))\s+(?:(?:the|a|an|his|her|its|their)\s+)?"
    rf"(?:(?:[\w.-]+\s+){{0,3}}[\w.-]+(?:'s|’s)\s+)?(?:[\w-]+\s+){{0,2}}?(?P<noun>{_NOUNS})(?=\s*(?:of|for|at|in|on|,|\?|$))"
    rf"|^\W*(?:what|which)\s+(?P<direct>{_NOUNS})\b", re.I)


def asked_quantity(question: str) -> str | None:
    """The quantity the question names ('score', 'population', 'salary', …), or None."""
    m = _ASKED.search(question)
    return (m.group("noun") or m.group("direct")).lower() if m else None


def has_shape(quantity: str, span: str, sentence: str) -> bool:
    """Whether `span` (in `sentence`) can be that quantity: a score reads "3-1", a sum has its currency, a
    population or attendance is a number in a sentence about people or a crowd."""
    if quantity == "score":
        return bool(_SCORE.search(span))
    if quantity == "population":
        return bool(_NUMBER.search(span) and _PEOPLE.search(sentence))
    if quantity == "attendance":
        return bool(_NUMBER.search(span) and _CROWD.search(sentence))
    return bool(MONEY.search(span) and _NUMBER.search(span))


# "how much did ASOS lose?", "how much is Ohtani's contract?": a sum is asked, so a figure without its currency
# ("23 years", "more than six seasons") is no answer; not "how much did prices rise?" (a change) nor "how much
# weight did he lose?" (a noun after "how much" says what is measured)
_SUM_ASKED = re.compile(
    r"\bhow much (?:money\b|(?:did|does|do|is|was|were|are|will|would|could|has|have|had)\b.*\b(?:pay|paid|pays|"
    r"cost|costs|lose|lost|loses|owe|owes|owed|spend|spent|earn|earned|earns|raise|raised|charge|charged|charges|"
    r"sell|sold|buy|bought|invest|invested|worth|fund|funded|fine|fined|bid|offer|offered|contract|deal|salary|"
    r"price|fee|revenue|profit|loss|debt|budget|wage)\b)", re.I)
_CHANGE_ASKED = re.compile(r"\b(?:rise|rose|risen|fall|fell|fallen|increase|increased|decrease|decreased|grow|grew|"
                           r"drop|dropped|climb|climbed|jump|jumped|cut|shrink|shrank)\b", re.I)


def asks_sum(question: str) -> bool:
    """Whether 'how much …?' asks for a sum of money (not a change, not a measured noun)."""
    return bool(_SUM_ASKED.search(question)) and not _CHANGE_ASKED.search(question)

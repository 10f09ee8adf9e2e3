"""Follow-ups about the previous answer ("Who said that?", "When?"): answered from the sentences it cited."""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.article_cache import ArticleCache
from assistant.candidates import Candidate
from assistant.query import Turn
from assistant.quotes.speakers import speaker_of
from common.text import terms

_VERB = r"(?:said|says|say|reported|reports|report|told|tell|wrote|write|posted|claimed|announced|stated|confirmed)"
_IT = r"(?:that|this|it|so|these|those|them)"
ABOUT_PREVIOUS = re.compile(
    rf"^\W*(?:and\s+|so\s+|but\s+|ok\W*\s*)?(?:"
    rf"(?:who|which\s+(?:outlet|paper|newspaper|agency|official|source|site))\s+{_VERB}\s+{_IT}"  # who said that
    rf"|(?:who|which\s+\w+)\s+(?:is|was)\s+(?:the\s+)?(?:source|speaker)(?:\s+of\s+{_IT})?"  # who is the source
    rf"|says\s+who|according\s+to\s+whom|(?:what(?:'s| is| was)\s+the\s+)?sources?"
    rf"|(?:when|where)(?:\s+(?:was|is|did)\s+{_IT}(?:\s+(?:said|reported|happen|happened|say|report))?)?"
    rf"|(?:when|where)\s+did\s+(?:he|she|they|it|the\s+\w+)\s+(?:say|report|tell|write|post)\s+{_IT}"
    rf")\W*$", re.I)
# "Who said that?" first, or after "the articles don't say" (whose closest sentences were never an answer)
NO_PREVIOUS_ANSWER = "There is no previous answer to refer to. Ask the whole question (who said what, about what)."


def about_previous(question: str) -> bool:
    """Whether the question asks about the previous answer itself rather than about the news."""
    return bool(ABOUT_PREVIOUS.match(question)) and len(terms(question)) <= 3


def previous_candidates(turn: Turn, articles: ArticleCache) -> list[Candidate]:
    """The sentences the previous answer cited, in the order it cited them, as candidates it already stood on."""
    stored = articles.get([aid for aid, _ in turn.cited])
    out = []
    for rank, (aid, index) in enumerate(turn.cited):
        art = stored.get(aid)
        if art is not None and 0 <= index < len(art.sentence_spans):
            score = 1.0 - 0.01 * rank
            out.append(Candidate(art, index, score=score, support=score, terms=set()))
    for c in out:
        c.terms = set(terms(c.text))
    return out


def with_speaker(turn: Turn, articles: ArticleCache) -> Turn:
    """The turn with the speaker of the first sentence it cited that names one (its analysis resolves "he said"
    to the name given earlier in the article), so that "What else did he say?" knows who; no speaker when none
    does (the words of the cited text are no guide: "Holm was fined" names no speaker)."""
    for c in previous_candidates(turn, articles):
        speaker, _, _ = speaker_of(c)
        if speaker:
            return replace(turn, speaker=speaker)
    return replace(turn, speaker=None)  # none of its sentences is anyone's statement: no one to ask about

"""What the read side knows about a question once understood (Query), and an earlier exchange (Turn)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # a kind's methods take a Query: the annotation only, no import at run time
    from assistant.kinds.base import Kind


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
    kind: Kind  # its answer kind (assistant.kinds.registry), which says how it is routed; .name in reports
    search_text: str  # the question with its context filled in from earlier turns
    focus: tuple[str, ...] = ()  # stemmed words the answer must be about (the noun after "how many")
    predicate: tuple[str, ...] = ()  # what happened to them ("died", "were killed")
    person: str | None = None  # for what_said: whose statements
    exclude: frozenset = field(default_factory=frozenset)  # (article_id, index) already given ("what else")
    prefer_articles: tuple[str, ...] = ()
    # stemmed-word groups the cited sentence must contain, one word of each group, for any answer to stand
    # ("who is the manager of Dunmarrow Athletic?" → ({manag}, {dunmarrow, athlet}))
    required: tuple[frozenset[str], ...] = ()
    # "Who said that?", "When?": answered from the sentences the previous answer cited, not from a new search
    about_previous: bool = False
    from_archive: bool = False  # the candidates are the quote archive's statements of `person` (newest first)
    follow_up: bool = False  # it leans on the previous turn (its search text may carry the previous question)

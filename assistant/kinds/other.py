"""Any other question: the best sentences (one per article, and each outlet a comparison names), with the name,
place or year the question asks for as the short answer."""

from __future__ import annotations

import re

from assistant import tuning as t
from assistant.candidates import Candidate
from assistant.citing import Citations, dated, quote
from assistant.kinds.base import Built, Kind
from assistant.query import Query
from assistant.spans import dates
from common.dates import YEAR_RE
from common.text import STOPWORDS, terms, words

_NAME_SPAN = re.compile(r"(?:[A-Z][\w'’.-]*(?:\s+(?:of|the|de|van|von|and|for|al-)\s+|\s+)?)*[A-Z][\w'’.-]*")
_YEAR = re.compile(rf"\b{YEAR_RE}\b")
_NOT_NAMES = {"The", "A", "An", "He", "She", "It", "They", "In"}


def short_span(question: str, sentence: str, role: frozenset[str] = frozenset()) -> str | None:
    """A short answer inside the sentence for who / where / what-year questions: the name, place or year that
    the question itself does not already contain; for "who is the ROLE of …" the name right after the role."""
    q = question.lower()
    asked = set(words(question))
    if re.match(r"\W*(in )?(what|which) year\b", q) or (q.startswith("when") and not dates(sentence)):
        years = [y for y in _YEAR.findall(sentence) if y not in question]
        return years[0] if years else None
    if re.match(r"\W*(who|whom|whose)\b", q):
        kind = "name"
    elif re.match(r"\W*where\b", q):
        kind = "place"
    else:
        return None
    spans = list(_NAME_SPAN.finditer(sentence))
    if kind == "name" and role:
        after_role = [m for m in spans if (w := re.search(r"(\w+)\W{1,3}$", sentence[: m.start()]))
                      and set(terms(w.group(1))) & role]
        spans = after_role + spans
    for m in spans:
        span = m.group(0).strip(" .,")
        if not span or set(words(span)) <= asked or span in _NOT_NAMES:
            continue
        if len(span.split()) == 1 and (span.lower() in STOPWORDS or span == "I"):
            continue
        if kind == "place" and not re.search(r"\b(in|at|from|near|to)\s+(the\s+)?$", sentence[: m.start()]):
            continue
        return span
    return None


def best_sentences(query: Query, cands: list[Candidate], sides: tuple[str, ...] = (),
                   role: frozenset[str] = frozenset(), short: bool | str = True) -> Built:
    """The best sentence, another article's if nearly as good, and the best of each outlet a comparison names;
    `short`: look for a name, place or year in the best sentence as the short answer (a string: that answer)."""
    cites = Citations()
    top = cands[0]
    if isinstance(short, bool):
        short = short_span(query.text, top.text, role) if short else None
    lines = [f"{quote(top)} {cites.cite(top)}{dated(top)}"]
    if short:
        lines.insert(0, f"{short} {cites.cite(top)}")
    shown = [top]
    for c in cands[1 : 1 + t.SECOND_SENTENCES]:
        if c.score >= t.SECOND_SENTENCE_SHARE * top.score and c.article.id != top.article.id:
            shown.append(c)
            lines.append(f"{quote(c)} {cites.cite(c)}{dated(c)}")
    for source in sides:
        if any(c.article.source == source for c in shown):
            continue
        side = next((c for c in cands[: t.SIDE_CANDIDATES] if c.article.source == source), None)
        if side is not None and side.score >= t.SIDE_SHARE_OF_TOP * top.score:
            shown.append(side)
            lines.append(f"{quote(side)} {cites.cite(side)}{dated(side)}")
    return Built("\n\n".join(lines), short, cites)


class Other(Kind):
    name = "other"
    reads = True

    def build(self, query: Query, cands: list[Candidate], sides: tuple[str, ...] = ()) -> Built | None:
        return best_sentences(query, cands, sides)

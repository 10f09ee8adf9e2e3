"""Abbreviations: "what does SOHR stand for?" answered with the name the articles spell out before "(SOHR)"."""

from __future__ import annotations

import re

from assistant.candidates import Candidate
from assistant.kinds.typed_kind import TypedKind
from assistant.query import Query
from assistant.typed import Typed

_ASKS = re.compile(r"\bwhat\s+(?:does|did|do)\s+(?:the\s+)?(?P<abbr>[A-Z][A-Za-z.&]{1,9})\s+stand\s+for\b"
                   r"|\bwhat\s+is\s+(?:the\s+)?(?P<abbr2>[A-Z][A-Z.&]{1,9})\s+short\s+for\b", re.I)


def abbreviation(question: str) -> str | None:
    m = _ASKS.search(question)
    return (m.group("abbr") or m.group("abbr2")) if m else None


class Expansion(TypedKind):
    name = "expansion"
    asks = _ASKS
    exact_lookup = True

    def pick(self, query: Query, cands: list[Candidate]) -> tuple[Candidate, Typed] | None:
        """A lookup, not a ranking: the best-scored sentence that spells the abbreviation out, however far down."""
        for c in cands:
            spans = self.spans(c, query)
            if spans:
                s, e, label = spans[0]
                return c, Typed(s, e, c.article.text[s:e], label, 0)
        return None

    def spans(self, c: Candidate, query: Query) -> list[tuple[int, int, str]]:
        """'Syrian Observatory for Human Rights (SOHR)': the capitalised words before the bracketed letters whose
        initials spell them (small words like 'for' and 'of' may sit between)."""
        abbr = abbreviation(query.text)
        if not abbr:
            return []
        s0, _ = c.span
        letters = abbr.replace(".", "").upper()
        out = []
        for m in re.finditer(rf"\(\s*{re.escape(abbr)}\s*\)", c.text):
            before = c.text[: m.start()].rstrip().split()
            picked: list[str] = []
            initials = ""
            for word in reversed(before):
                bare = word.strip(",;:“”\"'")
                if bare[:1].isupper():
                    picked.insert(0, word)
                    initials = bare[0].upper() + initials
                    if initials == letters or len(initials) >= len(letters):
                        break
                elif picked and bare.lower() in {"for", "of", "and", "the", "on", "in", "de"}:
                    picked.insert(0, word)
                else:
                    break
            if initials.endswith(letters) and picked:
                phrase = " ".join(picked)
                start = c.text.rfind(phrase, 0, m.start())
                out.append((s0 + start, s0 + start + len(phrase), "EXPANSION"))
        return out

"""Checks an LLM answer against the sentences it cites: markers, figures, dates, quotes → verified claims only."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.llm.claim_checks import check_dates, numbers, problems_of
from common.records import Citation
from common.text import terms
from index.sentences import split_sentences

# [S3], [S3, S5], [s3], and the plain [3] a model (or our own renumbered answer) writes
MARKER = re.compile(r"\[\s*[Ss]?(\d{1,4})(?:\s*[,;]\s*[Ss]?\d{1,4})*\s*\]")
_NEXT_CLAIM = re.compile(r"\s+[A-Z“\"]")
_MARKER_NUM = re.compile(r"\d+")
_LEADING_MARKERS = re.compile(rf"^\s*(?:{MARKER.pattern}\s*)+")
_ECHOED_META = re.compile(rf"^((?:\s*{MARKER.pattern})*)\s*\([^()]*\b\d{{4}}-\d{{2}}-\d{{2}}\b[^()]*\)\s*")
NOTE_PREFIX = "(Checked against the articles:"

@dataclass(frozen=True)
class Claim:
    """One sentence of the model's answer: its text (markers as written), the sources it cites, and why it
    fails, if it does."""

    text: str
    cited: tuple[int, ...]  # 1-based numbers of the sources it cites (only numbers that name a source)
    bad_markers: int  # markers naming no source (e.g. [S99])
    problems: tuple[str, ...]
    separator: str = " "  # what stood before it in the answer (a space, a line break, a blank line)

    @property
    def verified(self) -> bool:
        return bool(self.cited) and not self.problems


@dataclass(frozen=True)
class Verification:
    claims: tuple[Claim, ...]
    text: str  # the verified claims only, markers renumbered [1], [2], … onto `citations`
    citations: tuple[Citation, ...]

    @property
    def verified(self) -> int:
        return sum(c.verified for c in self.claims)

    @property
    def dropped(self) -> int:
        return len(self.claims) - self.verified

    @property
    def bad_markers(self) -> int:
        return sum(c.bad_markers for c in self.claims)


def verify(answer: str, sources: Sequence[Citation]) -> Verification:
    """Split the answer into claims, keep those whose cited sources contain every figure, date, quote and name
    in them (and most of their words), and renumber the kept markers onto the cited Citation objects. The
    text returned passes verify() again as it is (checked here: a sentence split differently once its
    markers moved loses what no longer verifies)."""
    first = _verify_once(answer, sources)
    text, citations = first.text, first.citations
    for _ in range(3):
        again = _verify_once(text, citations)
        if again.dropped == 0:
            break
        text, citations = again.text, again.citations
    return Verification(first.claims, text, citations)


def _verify_once(answer: str, sources: Sequence[Citation]) -> Verification:
    claims = [_check(text, sep, sources) for text, sep in split_claims(answer)]
    order: dict[int, int] = {}
    parts: list[str] = []
    for claim in claims:
        if not claim.verified:
            continue
        for n in claim.cited:
            order.setdefault(n, len(order) + 1)
        text = _renumber(claim.text, [order[n] for n in claim.cited])
        parts.append((claim.separator if parts and "\n" in claim.separator else " " if parts else "") + text)
    citations = tuple(sources[n - 1] for n in order)
    return Verification(tuple(claims), "".join(parts).strip(), citations)


def split_claims(answer: str) -> list[tuple[str, str]]:
    """(claim text, separator before it): sentences of the answer. A marker group that opens a sentence on
    the same line ("… 14. [S1] Five …") is given back to the sentence before it; one that opens a line
    ("[S1] The toll …") belongs to that line's sentence."""
    out: list[list[str]] = []
    prev_end = 0
    for s, e in split_sentences(answer):
        seg = answer[s:e]
        sep = answer[prev_end:s]
        prev_end = e
        lead = _LEADING_MARKERS.match(seg)
        if lead and out and "\n" not in sep:
            out[-1][0] = out[-1][0].rstrip() + " " + lead.group(0).strip()
            seg = seg[lead.end():]
        seg = _ECHOED_META.sub(lambda m: m.group(1) + " ", seg)  # "[S2] (2022-01-24) The …": the prompt's metadata
        # a marker then a capital starts another claim even without a full stop: "… Premier Division [S1] The toll
        # was 999 people [S1]." is two claims (a copied headline has no full stop), each checked on its own
        cuts = [m.end() for m in MARKER.finditer(seg) if _NEXT_CLAIM.match(seg, m.end())
                and re.search(r"[^\W\d_]", MARKER.sub("", seg[: m.start()]))]
        for k, part in enumerate(seg[a:b] for a, b in zip([0, *cuts], [*cuts, len(seg)])):
            if part.strip():
                out.append([part.strip(), (sep or " ") if k == 0 else " "])
    return [(text, sep) for text, sep in out]


def _markers(text: str) -> list[int]:
    return [int(n) for m in MARKER.finditer(text) for n in _MARKER_NUM.findall(m.group(0))]


def _renumber(text: str, numbers_: list[int]) -> str:
    """The claim with its markers replaced by its (renumbered) citations at its end: 'The toll rose to 14 [1][3].'"""
    marks = "".join(f"[{n}]" for n in numbers_)
    body = re.sub(r"[ \t]{2,}", " ", re.sub(r"[ \t]+([.,;:!?])", r"\1", MARKER.sub(" ", text))).strip()
    end = re.search(r"[.!?][\"”’)]*$", body)
    return f"{body[: end.start()]} {marks}{end.group(0)}" if end else f"{body} {marks}"


def _check(text: str, separator: str, sources: Sequence[Citation]) -> Claim:
    nums = _markers(text)
    cited = tuple(dict.fromkeys(n for n in nums if 1 <= n <= len(sources)))
    bad = sum(1 for n in nums if not 1 <= n <= len(sources))
    problems: list[str] = []
    if not cited:
        problems.append("cites no provided sentence" if bad else "cites nothing")
        return Claim(text, cited, bad, tuple(problems), separator)
    body = MARKER.sub(" ", text)
    rest = body
    for a, b in check_dates(body, [sources[n - 1] for n in cited])[0]:
        rest = rest[:a] + " " * (b - a) + rest[b:]
    if not re.search(r"\w", rest) or (not terms(body) and not numbers(body)):  # "(2022-01-24": a bare date
        return Claim(text, cited, bad, ("says nothing that can be checked",), separator)
    problems = problems_of(body, [sources[n - 1] for n in cited])
    if not problems:  # keep only the citations the claim needs: a sentence cited along for the ride goes
        for n in list(cited):
            rest = tuple(m for m in cited if m != n)
            if rest and not problems_of(body, [sources[m - 1] for m in rest]):
                cited = rest
    return Claim(text, cited, bad, tuple(problems), separator)


def strip_note(text: str) -> str:
    """The answer without the note the LLM path appends (for re-checking a shown answer)."""
    return "\n".join(line for line in text.splitlines() if not line.startswith(NOTE_PREFIX)).strip()

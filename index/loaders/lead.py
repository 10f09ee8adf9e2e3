"""A title for an article that has none and no headline line: its dateline's place and the lead's first words."""

from __future__ import annotations

import re
from dataclasses import dataclass

LEAD_WORDS = 10
LEAD_MARK = "(opening words)"  # says the title is the lead's start, not a headline
# "HARROWMERE, Ostrakand (Wire) --", "VELMORA, Ostrakand (Ostrakand Wire) —", "LONDON (Reuters) -": a place in
# capitals (perhaps a region after a comma), perhaps an agency in brackets, then a dash.
_DATELINE = re.compile(
    r"^\s*(?P<place>[A-Z][A-Z.'\- ]{1,40}[A-Z.](?:,\s*[A-Z][\w.'\- ]{1,40}?)?)\s*"
    r"(?:\((?P<agency>[^()\n]{1,60})\))?\s*(?:--|—|–|-)\s+"
)


@dataclass(frozen=True)
class Dateline:
    place: str  # "Harrowmere, Ostrakand"
    agency: str | None  # "Wire"
    end: int  # where the lead proper starts


def dateline(text: str) -> Dateline | None:
    m = _DATELINE.match(text)
    if m is None:
        return None
    city, _, region = m.group("place").partition(",")
    place = city.strip().title() + (f", {region.strip()}" if region.strip() else "")
    agency = (m.group("agency") or "").strip() or None
    return Dateline(place, agency, m.end())


def lead_title(text: str) -> str | None:
    """`Harrowmere, Ostrakand: Fire crews battled a wildfire … (opening words)`: the dateline's place (when there is
    one) and the lead's first words, marked as such; None for a text without words."""
    found = dateline(text)
    words = [w for w in text[found.end if found else 0 :].split() if any(ch.isalnum() for ch in w)][:LEAD_WORDS + 1]
    if not any(ch.isalpha() for w in words for ch in w):
        return None
    more = len(words) > LEAD_WORDS
    lead = " ".join(words[:LEAD_WORDS]).rstrip(".,;:")
    prefix = f"{found.place}: " if found else ""
    return f"{prefix}{lead}{' …' if more else ''} {LEAD_MARK}"

"""Finds answer spans inside a sentence: figures with their nouns, date expressions, speakers and quotes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from common.dates import MONTH_RE, WEEKDAY_RE, YEAR_RE
from common.text import NUMBER_WORDS, SCALES, terms

# --- figures --------------------------------------------------------------------------------------------
_NUMWORD = "|".join(sorted((w for w in NUMBER_WORDS if w not in {"zero"}), key=len, reverse=True))
_QUALIFIER = r"(?:more than|over|at least|nearly|almost|about|around|approximately|up to|fewer than|less than|" \
             r"some|roughly|an estimated|as many as|at most|only)"
_NUMBER = (
    # a sum written short: "$2M", "£300m", "€1.5bn" (the letter is its scale only after a currency sign)
    rf"(?:\$|€|£)(?:\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?)(?:bn|tn|m|k|b)\b"
    rf"|(?:\$|€|£)?(?:\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?)(?:\s?(?:%|percent|per cent))?"
    rf"|\b(?:{_NUMWORD})(?:[-\s](?:{_NUMWORD}))?\b"
)
FIGURE = re.compile(
    rf"(?P<qual>\b{_QUALIFIER}\s+)?(?P<num>{_NUMBER})(?:\s+(?P<scale>{'|'.join(SCALES)}))?"
    rf"(?P<noun>(?:\s+(?!(?:and|or|but|in|on|at|to|the|a|an|was|were|had|have|has|who|that|which|are|is|"
    rf"said|says|per cent|percent|since|until|after|before|from|by|with|for|as|when|during|including|so|last|this|"
    rf"than|into|across|because|while|if|it|they|he|she|we|can|could|will|would|may|might|must|should|be|been|"
    rf"being|do|does|did|where|whose|whom|what)\b)(?![a-z]+ed\b)(?:(?:[A-Z]\.){{2,}}|[A-Za-z][\w'’-]*)){{0,4}})",
    re.IGNORECASE,
)


CURRENCY_CODES = r"USD|EUR|GBP|NIS|CHF|JPY|CNY|RMB|INR|AUD|CAD|HKD|SGD|SEK|NOK|DKK|ZAR|KRW|BRL|MXN"
_CODE_BEFORE = re.compile(rf"\b(?:{CURRENCY_CODES})\s?$")  # "NIS 405 million": the code is part of the sum


@dataclass(frozen=True)
class Span:
    start: int  # offsets inside the sentence text
    end: int
    text: str
    kind: str
    value: object = None


def figures(sentence: str) -> list[Span]:
    """Numbers with their qualifier and following noun words ('more than 100 militants', 'seven civilians');
    years and parts of dates/times are left out."""
    out = []
    for m in FIGURE.finditer(sentence):
        num = m.group("num")
        start, end = m.start(), m.end()
        if re.fullmatch(YEAR_RE, num) and not m.group("qual"):
            continue  # a year
        before = sentence[max(0, m.start("num") - 12) : m.start("num")]
        after = sentence[m.end("num") : m.end("num") + 6]
        if re.search(MONTH_RE + r"\s*$", before) or re.match(r"\s*(?:a\.m\.|p\.m\.|:\d)", after):
            continue  # day of month or a clock time
        if re.match(r",\s*\d{4}", after):
            continue
        code = None if m.group("qual") else _CODE_BEFORE.search(sentence, max(0, start - 5), start)
        start = code.start() if code else start
        # "$680 million of his $700 million contract": the figure ends before "of his", not after it
        text = re.sub(r"(?:\s+of(?:\s+(?:his|her|its|their|our|my|your|the|a|an|this|that|these|those))?)+$", "",
                      sentence[start:end].rstrip())
        out.append(Span(start, start + len(text), text, "figure", num))
    return out


HOW_MANY = re.compile(r"\bhow many\b", re.I)


def count_alone(figure: str, question: str, focus: tuple[str, ...]) -> str:
    """'10 touchdowns' → '10' for 'how many touchdowns …?' (focus: the counted noun's terms, head last): the noun
    the question already names is not repeated in the short answer. A figure of another noun keeps it ('39 members
    of Kurdish forces' for 'how many Kurdish fighters …?'), and so does a sum or a share."""
    m = FIGURE.match(figure)
    if not (m and focus and HOW_MANY.search(question)) or not m.group("noun").strip():
        return figure
    if focus[-1] not in terms(m.group("noun")):
        return figure
    return figure[: m.end("scale") if m.group("scale") else m.end("num")]


# --- dates ----------------------------------------------------------------------------------------------
# one month or two joined ("January and July"), capitalised as names are (not "may", not "to march")
MONTH_NAME = r"(?-i:January|February|March|April|May|June|July|August|September|October|November|December)"
_MONTHS = rf"{MONTH_NAME}(?:\s*(?:and|or|to|through|-|–)\s*{MONTH_NAME})?"
_ANCHOR = rf"(?:,?\s+{YEAR_RE}|\s+(?:last|this|next) year)"
DATE = re.compile(
    rf"\b(?:(?:on|last|next|this|since|by|until|from|early|late)\s+)?{WEEKDAY_RE}(?:\s+(?:morning|afternoon|evening|night))?"
    rf"(?:,?\s+(?:{MONTH_RE}\s+\d{{1,2}}(?:,\s*\d{{4}})?|\d{{1,2}}(?:st|nd|rd|th)?\s+{MONTH_RE}(?:,?\s*\d{{4}})?))?"
    rf"|\b(?:(?:on|in|since|by|until|from)\s+)?{MONTH_RE}\s+\d{{1,2}}(?:st|nd|rd|th)?(?!\d)(?:,?\s*\d{{4}})?"
    rf"|\b(?:(?:on|in|since|by|until|from)\s+)?\d{{1,2}}(?:st|nd|rd|th)?\s+{MONTH_RE}(?:,?\s*\d{{4}})?"
    rf"|\b(?:(?:in|since|by|until|from|early|late)\s+)?{MONTH_RE}\s+\d{{4}}"
    # months without a day, "in January and July last year", "since March": a preposition or a year anchors them
    rf"|\b(?:(?:in|since|by|until|from|during|early|late|mid-?|every|each)\s+){_MONTHS}(?:{_ANCHOR})?\b"
    rf"|\b{_MONTHS}{_ANCHOR}\b"
    rf"|\b\d{{4}}-\d{{2}}-\d{{2}}\b"
    # "toward the end of next year", "by the end of 2024", "at the start of March"
    rf"|\b(?:(?:toward|towards|by|at|before|until|from|in|since)\s+)?the (?:end|start|beginning|middle|turn) of "
    rf"(?:(?:this|next|last) (?:week|month|year|decade)|{YEAR_RE}|{_MONTHS}(?:{_ANCHOR})?)\b"
    rf"|\b(?:yesterday|today|tonight|tomorrow|last (?:week|month|year|night)|this (?:week|month|year)|"
    rf"(?:earlier|later|early|late) (?:this|next|last) (?:week|month|year)|"
    rf"next (?:week|month|year)|(?:\w+ )(?:days|weeks|months|years) ago)\b"
    # a span of years is one expression: "between 1945 and 1970", "from 2019 to 2021"
    rf"|\b(?:between|from)\s+{YEAR_RE}\s+(?:and|to|until)\s+{YEAR_RE}\b"
    rf"|\b(?:in|since|by|until|from|during)\s+(?:(?:early|late|mid-?)\s*)?{YEAR_RE}(?:-\d\d)?\b",
    re.IGNORECASE,
)


def dates(sentence: str) -> list[Span]:
    return [Span(m.start(), m.end(), m.group(0), "date") for m in DATE.finditer(sentence)]


# --- speakers and quotes ------------------------------------------------------------------------------
CUE = r"(?:said|says|say|told|added|noted|stated|warned|wrote|posted|tweeted|claimed|announced|argued|" \
      r"explained|insisted|asked|declared|vowed|condemned|urged|called|described|reported|confirmed|denied)"
_NAME = r"(?:[A-Z][a-z]*\.\s)*(?:[A-Z][\w'’.-]+)(?:\s+(?:[A-Z]\.|[A-Z][\w'’-]+|al-|de|van|von|bin))*"
PRONOUN = re.compile(r"^\s*(?:However,\s+|But\s+|And\s+)?((?i:he|she|they)|[Tt]he\s+[a-z]+(?:\s+[a-z]+)?)\s+(?:also\s+)?" + CUE)
_QUOTE = re.compile(r"[“\"]([^”\"]{3,})[”\"]")
_SPEAKER_PATTERNS = [
    # “…,” Maj. Gen. John W. Brennan, commander of the joint task force, said.
    re.compile(rf"[”\"]\s*,?\s*(?P<name>{_NAME})(?P<role>,\s[^,]{{3,80}},)?\s+(?:also\s+)?{CUE}\b"),
    # “…,” said Mayor Ilsa Varenko of Velmora.
    re.compile(rf"[”\"]\s*,?\s*{CUE}\s+(?P<name>{_NAME})(?P<role>,\s[^,.]{{3,80}})?"),
    # according to the SOHR
    re.compile(rf"\baccording to (?:the\s)?(?P<name>{_NAME})"),
]
_NOT_SPEAKERS = {"However", "But", "And", "The", "He", "She", "They", "It", "In", "On", "This", "That", "Moreover"}


@dataclass(frozen=True)
class Attribution:
    speaker: str | None  # None when the sentence's speaker is a pronoun to resolve from neighbours
    role: str | None
    quote: str | None
    pronoun: bool


_POST_BYLINE = re.compile(r"^[—–-]\s*(?P<name>[^(@\n]{2,60}?)\s*\((?P<handle>@\w+)\)")


def attribution(sentence: str) -> Attribution | None:
    """Who speaks in the sentence (name and role as written), the quoted words, or that a pronoun speaks.
    A social-media byline line ("— Liz Sly (@LizSly) January 22, 2022") gives the handle as the role."""
    post = _POST_BYLINE.match(sentence)
    if post:
        return Attribution(post.group("name").strip(), post.group("handle"), None, False)
    quote_m = _QUOTE.search(sentence)
    quote = quote_m.group(1).strip().rstrip(",") if quote_m else None
    if PRONOUN.match(sentence):
        return Attribution(None, None, quote, True)
    for pat in _SPEAKER_PATTERNS:
        for m in pat.finditer(sentence):
            name = _trim_name(m.group("name"))
            if not name or name in _NOT_SPEAKERS:
                continue
            role = (m.groupdict().get("role") or "").strip(" ,") or None
            return Attribution(name, role, quote, False)
    scanned = _scan_before_cue(sentence)
    if scanned:
        return Attribution(scanned[0], scanned[1], quote, False)
    if quote:
        return Attribution(None, None, quote, False)
    return None


_CUE_RE = re.compile(rf"\s+(?:also\s+|had\s+|has\s+|have\s+)?{CUE}\b")
_CONNECT = {"for", "of", "the", "and", "de", "al", "van", "von", "on"}


def _scan_before_cue(sentence: str) -> tuple[str, str | None] | None:
    """'US State Department spokesperson Ned Price said' → ('Ned Price', 'US State Department spokesperson'):
    the run of capitalised words (with 'for', 'of', '(SOHR)') right before a cue verb."""
    for m in _CUE_RE.finditer(sentence):
        tokens = sentence[: m.start()].split()
        name: list[str] = []
        while tokens:
            tok = tokens[-1]
            bare = tok.strip("(),")
            if name and tok.endswith(","):
                break
            if bare[:1].isupper() or (tok.startswith("(") and tok.endswith(")")) or (name and bare in _CONNECT):
                name.insert(0, tokens.pop())
            else:
                break
        while name and (name[0].strip("(),") in _CONNECT or name[0] in _NOT_SPEAKERS):
            name.pop(0)
        if not name or "," in " ".join(name[:-1]):
            continue
        speaker = " ".join(name).strip(",")
        role_words: list[str] = []
        while tokens and not tokens[-1].endswith((",", ".", ";", ":")) and len(role_words) < 6:
            role_words.insert(0, tokens.pop())
        while role_words and (role_words[0].lower() in {"the", "a", "an", "however", "but", "and", "moreover"}):
            role_words.pop(0)
        role = " ".join(role_words) or None
        return speaker, role
    return None


def _trim_name(name: str) -> str:
    words_ = name.split()
    while words_ and words_[0] in _NOT_SPEAKERS:
        words_.pop(0)
    return " ".join(words_).strip(" ,")


# --- reasons and means ------------------------------------------------------------------------------------
# a clause of reason runs to the sentence's end; a cause named by a noun ("due to snow, …") ends at its comma
_WHY_CUE = re.compile(
    r"\b(?:(?:because of|due to|owing to|as a result of|in response to|amid)\b[^.;:!?,]*"
    r"|(?:in (?:a|an) (?:bid|attempt|effort) to|in order to|so as to|so that|because|"
    r"aimed at|intended to|in protest (?:at|against|over)|to protest|"
    r"(?:the )?reason (?:was|is|being)|over fears? (?:of|that))\b[^.;:!?]*)", re.I)
_HOW_CUE = re.compile(
    # "after" is a means only before a clause or a gerund ("after militants detonated …", "after breaking …"),
    # not before a time ("after the game", "after three days")
    r"\b(?:after (?!(?:a|the|its|their|his|her)?\s*(?:\w+\s+)?(?:year|month|week|day|hour|minute)s?\b)"
    r"(?=(?:[\w'’-]+\s+){0,3}?[\w'’-]+(?:ed|ing)\b)|"
    r"by (?=\w+ing\b)|using|through|via|with the help of)\b[^.;:!?,]*", re.I)


def reason(sentence: str) -> Span | None:
    """'… in a bid to free its members' → the clause giving a reason or purpose."""
    m = _WHY_CUE.search(sentence)
    if not m:
        return None
    text = _SAID_AFTER.sub("", m.group(0).rstrip(" ,"))  # "…, officials said": the reporting is not the reason
    return Span(m.start(), m.start() + len(text), text, "reason")


_SAID_AFTER = re.compile(r",\s+(?:[\w'’.-]+\s+){0,6}?(?:said|says|told [\w\s]{1,40}|reported|added)$", re.I)


def means(sentence: str) -> Span | None:
    """'… after militants detonated a car bomb near the prison gates' → the clause saying how."""
    m = _HOW_CUE.search(sentence)
    if not m or len(m.group(0).split()) < 3:
        return None
    return Span(m.start(), m.end(), m.group(0).rstrip(" ,"), "means")

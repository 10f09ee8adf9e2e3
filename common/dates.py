"""The one calendar table (weekdays, months, years), date resolution and formatting, and publication-date parsing."""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, timedelta, timezone

from dateutil import parser as _dateutil_parser

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december"]
MONTH_ABBR = {m[:3]: i + 1 for i, m in enumerate(MONTHS)} | {"sept": 9}
MONTH_RE = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|" \
            r"Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
WEEKDAY_RE = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
# A year as news and reference texts write one (1000-2099): the one pattern for years, wherever they are looked for.
YEAR_RE = r"(?:1[0-9]|20)\d\d"

ACCEPTED_FORMATS = (
    'ISO 8601 ("2023-12-15T21:32:52+00:00", "2022-01-24"), "January 22, 2022", '
    '"Mon, 24 Jan 2022 10:00:00 GMT", "24 January 2022 10:00 UTC", or epoch seconds as a number'
)

_UTC_NAMES = frozenset({"UTC", "GMT", "UT", "Z", "ZULU"})
# Abbreviations common in English-language news datelines. Ambiguous ones (IST, ET, PT...) are left out on
# purpose: guessing an offset would silently shift the date, so they are rejected instead.
_ZONE_HOURS = {
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
    "AKST": -9, "AKDT": -8, "HST": -10, "BST": 1, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3,
    "WET": 0, "WEST": 1, "JST": 9, "KST": 9, "AEST": 10, "AEDT": 11,
}  # fmt: skip
_MAX_CHARS = 100  # dateutil is slow on long strings and no real date is this long
_FOUR_DIGITS = re.compile(r"(?<!\d)\d{4}(?!\d)")  # dateutil filled in no year where none is written
# Two different defaults: a date part that dateutil filled in from the default differs between them.
_DEFAULT_A = datetime(2000, 1, 1)
_DEFAULT_B = datetime(2001, 2, 2)


class _UnknownZone(ValueError):
    pass


def _zone(name: str | None, offset: int | None) -> timezone | None:
    """tzinfos callback for dateutil: deterministic, never the machine's local zone."""
    if offset is not None and (name is None or name.upper() not in _ZONE_HOURS):
        return UTC if offset == 0 else timezone(timedelta(seconds=offset))
    if name is None:
        return None
    key = name.upper()
    if key in _UTC_NAMES:
        return UTC
    if key in _ZONE_HOURS:
        return timezone(timedelta(hours=_ZONE_HOURS[key]))
    raise _UnknownZone(f"unknown time zone {name!r}")


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _aware(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None or dt.utcoffset() is None else dt


def _from_epoch(value: float, original: object) -> datetime:
    if not math.isfinite(value):
        raise ValueError(f"unrecognised publication date {_show(original)} (not a finite number)")
    try:
        return datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise ValueError(
            f"unrecognised publication date {_show(original)} (epoch seconds out of range: {exc})"
        ) from None


def _from_string(raw: str) -> datetime:
    text = raw.strip()
    if len(text) > _MAX_CHARS:
        raise ValueError(f"unrecognised publication date {_show(raw)} (longer than {_MAX_CHARS} characters)")
    try:
        return _aware(datetime.fromisoformat(text))
    except ValueError:
        pass
    if not _FOUR_DIGITS.search(text):
        raise ValueError(f"unrecognised publication date {_show(raw)} (no 4-digit year)")
    try:
        first = _dateutil_parser.parse(text, default=_DEFAULT_A, tzinfos=_zone)
        second = _dateutil_parser.parse(text, default=_DEFAULT_B, tzinfos=_zone)
    except _UnknownZone as exc:
        raise ValueError(f"unrecognised publication date {_show(raw)} ({exc})") from None
    except (ValueError, OverflowError, TypeError):
        raise ValueError(f"unrecognised publication date {_show(raw)}") from None
    if (first.year, first.month, first.day) != (second.year, second.month, second.day):
        raise ValueError(f"incomplete publication date {_show(raw)} (year, month and day are all needed)")
    return _aware(first)


def parse_published_at(value: object) -> datetime | None:
    """A timezone-aware datetime for `value`, None for None/blank; ValueError naming the value otherwise.

    Naive values are taken as UTC, date-only values as 00:00 UTC, numbers as epoch seconds.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return _aware(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, bool):
        raise ValueError(f"unrecognised publication date {_show(value)}")
    if isinstance(value, int | float):
        try:
            seconds = float(value)
        except OverflowError:
            raise ValueError(
                f"unrecognised publication date {_show(value)} (epoch seconds out of range)"
            ) from None
        return _from_epoch(seconds, value)
    if isinstance(value, str):
        if not value.strip():
            return None
        return _from_string(value)
    raise ValueError(
        f"unrecognised publication date {_show(value)} (a {type(value).__name__}, not a string or number)"
    )


def to_epoch(dt: datetime) -> float:
    """Seconds since 1970-01-01 UTC, for sorting and range filters; naive datetimes are taken as UTC."""
    return _aware(dt).timestamp()


# --- dates named in article text, resolved against the article's publication date -----------------------
def resolve_date(expression: str, published: datetime | None, context: str = "") -> date | None:
    """The calendar date an expression names, using the article's publication date for relative ones:
    'on Thursday' in an article of Monday 2022-01-24 → 2022-01-20 ('will … on Friday' → the coming one)."""
    e = expression.lower()
    pub = published.date() if published else None
    m = re.search(r"(\d{4})-(\d{2})-(\d{2})", e)
    if m:
        return _safe_date(int(m[1]), int(m[2]), int(m[3]))
    month = day = year = None
    m = re.search(r"\b([a-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s*(\d{4}))?", e)
    if m and m[1][:3] in MONTH_ABBR and (m[1] in MONTHS or len(m[1]) <= 4):
        month, day, year = MONTH_ABBR[m[1][:3]], int(m[2]), int(m[3]) if m[3] else None
    else:
        m = re.search(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]{3,9})\.?(?:,?\s*(\d{4}))?", e)
        if m and m[2][:3] in MONTH_ABBR:
            day, month, year = int(m[1]), MONTH_ABBR[m[2][:3]], int(m[3]) if m[3] else None
    if month and day:
        if year is None:
            if pub is None:
                return None
            year = pub.year
            guess = _safe_date(year, month, day)
            if guess and guess > pub + timedelta(days=31):
                year -= 1
        return _safe_date(year, month, day)
    if pub is None:
        return None
    if "yesterday" in e or "last night" in e:
        return pub - timedelta(days=1)
    if "today" in e or "tonight" in e:
        return pub
    if "tomorrow" in e:
        return pub + timedelta(days=1)
    for i, name in enumerate(WEEKDAYS):
        if name in e:
            back = (pub.weekday() - i) % 7
            future = re.search(r"\b(will|next|plans? to|is to|are to|due|scheduled|expected)\b", context.lower())
            if "next" in e or (future and "last" not in e):
                ahead = (i - pub.weekday()) % 7
                return pub + timedelta(days=ahead or 7)
            if "last" in e and back == 0:
                back = 7
            return pub - timedelta(days=back)
    return None


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def format_date(d: date) -> str:
    return f"{WEEKDAYS[d.weekday()].capitalize()} {d.day} {MONTHS[d.month - 1].capitalize()} {d.year}"

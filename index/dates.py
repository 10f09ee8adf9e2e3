"""Parses publication dates into timezone-aware datetimes."""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, timedelta, timezone

from dateutil import parser as _dateutil_parser

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
_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")
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
    if not _YEAR.search(text):
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

"""Publication dates: accepted forms become tz-aware datetimes, garbage raises ValueError naming the value."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.dates import parse_published_at, to_epoch


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023-12-15T21:32:52+00:00", datetime(2023, 12, 15, 21, 32, 52, tzinfo=UTC)),
        ("2022-01-24", datetime(2022, 1, 24, tzinfo=UTC)),
        ("2026-03-09T08:30:00Z", datetime(2026, 3, 9, 8, 30, tzinfo=UTC)),
        ("2026-03-09 08:30:00", datetime(2026, 3, 9, 8, 30, tzinfo=UTC)),  # naive → UTC
        ("January 22, 2022", datetime(2022, 1, 22, tzinfo=UTC)),
        ("Mon, 24 Jan 2022 10:00:00 GMT", datetime(2022, 1, 24, 10, tzinfo=UTC)),
        ("24 January 2022 10:00 UTC", datetime(2022, 1, 24, 10, tzinfo=UTC)),
        ("  2022-01-24  ", datetime(2022, 1, 24, tzinfo=UTC)),
        (
            "2022-01-24T10:00:00+05:30",
            datetime(2022, 1, 24, 10, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        ),
        ("Jan 24, 2022 10:00 EST", datetime(2022, 1, 24, 10, tzinfo=timezone(timedelta(hours=-5)))),
        (1700000000, datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        (1700000000.5, datetime(2023, 11, 14, 22, 13, 20, 500000, tzinfo=UTC)),
        (datetime(2022, 1, 24, 10), datetime(2022, 1, 24, 10, tzinfo=UTC)),
        (date(2022, 1, 24), datetime(2022, 1, 24, tzinfo=UTC)),
    ],
)
def test_accepted_forms(value, expected):
    got = parse_published_at(value)
    assert got == expected
    assert got.utcoffset() == expected.utcoffset()
    assert got.tzinfo is not None


def test_date_only_is_midnight_utc_iso():
    assert parse_published_at("2022-01-24").isoformat() == "2022-01-24T00:00:00+00:00"


@pytest.mark.parametrize("value", [None, "", "   "])
def test_blank_is_none(value):
    assert parse_published_at(value) is None


@pytest.mark.parametrize(
    "value",
    [
        "5",  # dateutil would take this as the 5th of the current month
        "12:30",  # today's date would be filled in
        "January 2022",  # no day
        "2022",  # no month or day
        "yesterday",
        "2022-01-24 garbage",
        "2022-13-45",
        "Jan 24 2022 10:00 XYZ",  # unknown zone: never guessed, never the machine's local zone
        "10:00 IST 2022-01-24",  # ambiguous zone
        "x" * 500,
        True,
        [2022, 1, 24],
        {"date": "2022-01-24"},
        float("nan"),
        float("inf"),
        10**30,
        10**400,
    ],
)
def test_rejected_values_raise_value_error_naming_them(value):
    with pytest.raises(ValueError) as info:
        parse_published_at(value)
    shown = repr(value)
    assert shown[:40] in str(info.value)


def test_to_epoch_sorts_and_takes_naive_as_utc():
    a = parse_published_at("2022-01-24T10:00:00+01:00")  # 09:00 UTC
    b = parse_published_at("2022-01-24T09:30:00Z")
    assert to_epoch(a) < to_epoch(b)
    assert to_epoch(datetime(1970, 1, 2)) == 86400.0
    assert to_epoch(parse_published_at(1700000000)) == 1700000000.0


@given(st.text(max_size=60))
def test_any_text_gives_aware_datetime_none_or_value_error(text):
    try:
        got = parse_published_at(text)
    except ValueError:
        return
    assert got is None or got.tzinfo is not None


@given(st.one_of(st.integers(), st.floats()))
def test_any_number_gives_aware_datetime_or_value_error(number):
    try:
        got = parse_published_at(number)
    except ValueError:
        return
    assert got.tzinfo is not None

"""Checks on questions, history and filters arriving over the web, shared by the JSON API and the chat UI."""

from __future__ import annotations

from datetime import datetime, timedelta

from common.config import Config
from common.dates import parse_published_at
from common.errors import InvalidRequest, TooLarge
from common.records import Filters


def split_list(value: str | None) -> tuple[str, ...]:
    """'a, b,,c' → ('a', 'b', 'c'): the comma-separated settings (API keys, origins)."""
    return tuple(x.strip() for x in (value or "").split(",") if x.strip())


def check_question(question: str, config: Config) -> str:
    q = question.strip()
    if not q:
        raise InvalidRequest("the question is empty", "send a non-empty question")
    if len(q) > config.max_question_chars:
        raise TooLarge(f"the question has {len(q)} characters, more than the limit of {config.max_question_chars}",
                       "shorten the question (or raise ASSISTANT_MAX_QUESTION_CHARS on the server)")
    return q


def check_history(turns: list, config: Config) -> list:
    if len(turns) > config.max_history_turns:
        raise TooLarge(f"the history has {len(turns)} turns, more than the limit of {config.max_history_turns}",
                       f"send only the last {config.max_history_turns} turns")
    return turns


def parse_date(value: str | None, name: str, end: bool = False) -> datetime | None:
    """YYYY-MM-DD (a whole day; `end` means its last instant) or an ISO timestamp, as a tz-aware datetime."""
    if value is None or not str(value).strip():
        return None
    value = str(value).strip()
    try:
        dt = parse_published_at(value)
    except ValueError:
        dt = None
    if dt is None:
        raise InvalidRequest(f"{name} {value!r} is not a date", "use YYYY-MM-DD")
    if end and len(value) == 10:
        dt = dt + timedelta(days=1, microseconds=-1)
    return dt


def parse_filters(sources: list[str] | tuple[str, ...] | None, date_from: str | None, date_to: str | None) -> Filters:
    start, end = parse_date(date_from, "date_from"), parse_date(date_to, "date_to", end=True)
    if start and end and start > end:
        raise InvalidRequest(f"date_from {date_from} is after date_to {date_to}", "swap the two dates")
    return Filters(tuple(s for s in (sources or ()) if s), start, end)

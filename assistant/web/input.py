"""Checks on questions, history and filters arriving over the web, shared by the JSON API and the chat UI.

Each refusal carries two wordings: `message`/`fix` for the API and the log (they name fields and settings such as
`date_from` or ASSISTANT_MAX_QUESTION_CHARS), and `plain` for the chat, which speaks to a journalist."""

from __future__ import annotations

from datetime import datetime, timedelta

from common.config import Config
from common.dates import parse_published_at
from common.errors import AssistantError, InvalidRequest, TooLarge
from common.records import Filters

FIELD_LABELS = {"date_from": "Published from", "date_to": "Published until"}  # as the chat's filters name them


def split_list(value: str | None) -> tuple[str, ...]:
    """'a, b,,c' → ('a', 'b', 'c'): the comma-separated settings (API keys, origins)."""
    return tuple(x.strip() for x in (value or "").split(",") if x.strip())


def refusal(cls: type[AssistantError], message: str, fix: str, plain: str) -> AssistantError:
    """An error for the API and the log (`message`, `fix`) that also says in `plain` words what to do in the chat."""
    exc = cls(message, fix)
    exc.plain = plain
    return exc


def lone_surrogate(value, where: str = "") -> str | None:
    """Where in a decoded JSON value a string holds half a UTF-16 pair ('history.0.question'), or None."""
    if isinstance(value, str):
        return where if any("\ud800" <= ch <= "\udfff" for ch in value) else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for k, v in items:
        found = lone_surrogate(k, where) if isinstance(k, str) else None
        found = found if found is not None else lone_surrogate(v, f"{where}.{k}" if where else str(k))
        if found is not None:
            return found
    return None


def check_question(question: str, config: Config) -> str:
    if lone_surrogate(question) is not None:
        raise refusal(InvalidRequest, "the question holds a lone UTF-16 surrogate (\\ud800-\\udfff), not text",
                      "send the question as UTF-8 text", "Your question has a character that is not text. Type it again.")
    q = question.strip()
    if not q:
        raise refusal(InvalidRequest, "the question is empty", "send a non-empty question", "Type a question first.")
    if len(q) > config.max_question_chars:
        raise refusal(TooLarge, f"the question has {len(q)} characters, more than the limit of {config.max_question_chars}",
                      "shorten the question (or raise ASSISTANT_MAX_QUESTION_CHARS on the server)",
                      f"Your question is {len(q):,} characters long; the assistant takes questions of up to "
                      f"{config.max_question_chars:,} characters. Shorten it and ask again.")
    return q


def check_history(turns: list, config: Config) -> list:
    if len(turns) > config.max_history_turns:
        raise refusal(TooLarge, f"the history has {len(turns)} turns, more than the limit of {config.max_history_turns}",
                      f"send only the last {config.max_history_turns} turns",
                      "This conversation is too long to follow; start a new conversation.")
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
        raise refusal(InvalidRequest, f"{name} {value!r} is not a date", "use YYYY-MM-DD",
                      f"“{FIELD_LABELS.get(name, name)}” has “{value}”, which is not a date. Type the date "
                      "like 2026-03-07.")
    if end and len(value) == 10:
        dt = dt + timedelta(days=1, microseconds=-1)
    return dt


def parse_filters(sources: list[str] | tuple[str, ...] | None, date_from: str | None, date_to: str | None) -> Filters:
    start, end = parse_date(date_from, "date_from"), parse_date(date_to, "date_to", end=True)
    if start and end and start > end:
        raise refusal(InvalidRequest, f"date_from {date_from} is after date_to {date_to}", "swap the two dates",
                      f"“Published from” ({date_from}) is after “Published until” ({date_to}). Swap the two dates.")
    return Filters(tuple(s for s in (sources or ()) if s), start, end)

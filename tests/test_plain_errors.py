"""The chat's error texts speak to a journalist (no field or setting names); the API and the log keep those names."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.web.format import plain_error
from assistant.web.input import check_history, check_question, parse_filters
from common.config import Config
from common.errors import ArticleNotFound, AssistantError, EmbeddingError, StoreUnavailable

TECHNICAL = ("ASSISTANT_", "date_from", "date_to", "YYYY", "_")


def config(**kw) -> Config:
    return Config.from_env(env={}, index_dir=Path("/nonexistent"), embedder="hash", **kw)


def refused(fn, *args) -> AssistantError:
    with pytest.raises(AssistantError) as err:
        fn(*args)
    return err.value


def assert_plain(text: str) -> None:
    first = next((ch for ch in text if ch.isalnum()), "")
    assert first.isupper() and text.endswith("."), text
    assert not any(t in text for t in TECHNICAL), text


def test_a_long_question_names_the_setting_for_the_api_and_counts_for_the_chat():
    exc = refused(check_question, "x" * 2501, config(max_question_chars=2000))
    assert "ASSISTANT_MAX_QUESTION_CHARS" in exc.fix and "2501 characters" in exc.message
    assert_plain(plain_error(exc))
    assert "2,501" in plain_error(exc) and "2,000" in plain_error(exc)


def test_empty_question_and_long_conversation():
    assert plain_error(refused(check_question, "  ", config())) == "Type a question first."
    exc = refused(check_history, [{}] * 3, config(max_history_turns=2))
    assert "2 turns" in exc.fix
    assert_plain(plain_error(exc))
    assert "new conversation" in plain_error(exc)


def test_dates_use_the_labels_of_the_chat_filters():
    exc = refused(parse_filters, [], "someday", None)
    assert exc.message == "date_from 'someday' is not a date" and exc.fix == "use YYYY-MM-DD"  # the API keeps these
    assert_plain(plain_error(exc))
    assert "“someday”" in plain_error(exc) and "Published from" in plain_error(exc)
    assert "Published until" in plain_error(refused(parse_filters, [], None, "2026-13-45"))
    swapped = plain_error(refused(parse_filters, [], "2026-03-10", "2026-03-01"))
    assert_plain(swapped)
    assert "Published from" in swapped and "Published until" in swapped and "Swap" in swapped


def test_other_errors_in_plain_words():
    store = StoreUnavailable("the Chroma server at 127.0.0.1:8000 did not answer within 30 s",
                             "start it: chroma run --path DIR; or raise ASSISTANT_CHROMA_TIMEOUT")
    for exc in (store, EmbeddingError("model files missing", "pip install all-MiniLM-L6-v2"),
                ArticleNotFound("no article with id 'desk/42'", "list the ids with assistant list")):
        text = plain_error(exc)
        assert_plain(text)
        assert "desk/42" not in text and "chroma" not in text.lower()
    assert plain_error(AssistantError("another ingest holds the write lock", "wait for it to finish")) == (
        "Another ingest holds the write lock. Wait for it to finish.")

"""Smaller desk items of issue 25 on what the assistant prints: copied sources do not double a sentence's own
quotation marks; `assistant list` does not cut the source column."""

from __future__ import annotations

from assistant.listing import count_line, list_lines
from assistant.web.export import answer_text

QUOTED = "“We are still pulling people out of attics,” said Mayor Ilsa Varenko of Velmora."
PLAIN = "The office said 14 people had died."


def _copied(text: str) -> str:
    ex = {"question": "What did the mayor say?", "answer": "… [1]", "short_answer": None, "abstained": False,
          "citations": [{"title": "Nine dead", "source": "Ostrakand Wire", "published_at": "2026-03-07T09:00:00+00:00",
                         "text": text}]}
    return answer_text(ex)


def test_copied_sentence_that_opens_with_a_quote_is_not_quoted_twice():
    """The sentence already opens with “: wrapping it gave ““We are … Velmora.”; it is copied as it stands."""
    copied = _copied(QUOTED)
    assert f"    {QUOTED}" in copied.splitlines() and "““" not in copied


def test_copied_plain_sentence_is_quoted():
    assert f"    “{PLAIN}”" in _copied(PLAIN).splitlines()


def test_list_keeps_the_whole_source_and_says_undated_once():
    """The source column was cut at 20 characters ("Ostrakand Meteorolog"); now it is as wide as the longest. An
    undated row leaves its date blank; the count line says how many are undated, once (issue 25)."""
    rows = [
        {"id": "a", "published_at": None, "source": "Ostrakand Meteorological Service", "sentences": 3, "chunks": 1,
         "title": "Rain eases"},
        {"id": "velmora-flood-toll", "published_at": "2026-03-09T08:00:00+00:00", "source": "Ostrakand Wire",
         "sentences": 12, "chunks": 2, "title": "Flood toll in Velmora rises to 14"},
    ]
    first, second = list_lines(rows)
    assert "Ostrakand Meteorological Service" in first and "undated" not in first  # said once, on the count line
    assert count_line(rows, "INDEX") == "2 articles in INDEX · 1 undated"
    assert count_line(rows[1:], "INDEX") == "1 article in INDEX"
    assert first.index("Ostrakand") == second.index("Ostrakand Wire")  # the columns line up

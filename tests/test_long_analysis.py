"""A long one-line upload (issue 25): spaCy refuses a text over nlp.max_length (E088), so a long article is parsed
in pieces cut at sentence starts and joined into one doc, its offsets exact. Real en_core_web_sm."""

from __future__ import annotations

import pytest

from common.records import Article
from index.analysis.core import analyse, load_pipeline, pieces
from index.sentences import split_sentences

STORY = ("VELMORA, Ostrakand (Ostrakand Wire) — The death toll from the flood has risen to 14, the provincial "
         "emergency office said on Sunday. “We are still pulling people out of attics,” said Mayor Ilsa Varenko. "
         "Engineers from Dravenholt inspected the levee on Monday. ")


def _analysis(text: str, piece_chars: int):
    spans = split_sentences(text)
    return analyse([Article(id="a", text=text)], [spans], piece_chars=piece_chars)[0]


def test_pieces_join_back_and_cut_only_where_a_sentence_starts():
    text = STORY * 5
    spans = split_sentences(text)
    parts = pieces(text, spans, 300)
    assert "".join(parts) == text and len(parts) > 1
    starts = {s for s, _ in spans}
    offset = 0
    for part in parts[:-1]:
        offset += len(part)
        assert offset in starts


def test_a_story_parsed_in_pieces_gives_what_it_gives_whole():
    """Three copies of a three-sentence story on one line, parsed whole and in pieces of ~300 characters: the same
    entities, noun phrases and attributed quotes (the office's and the mayor's in each copy), every token at its
    offsets."""
    text = STORY * 3
    whole, cut = _analysis(text, 10**9), _analysis(text, 300)
    assert cut.entities == whole.entities and cut.phrases == whole.phrases
    assert [(q.start, q.end) for q in cut.quotes] == [(q.start, q.end) for q in whole.quotes]
    assert [q.speaker for q in cut.quotes].count("Mayor Ilsa Varenko") == 3 and len(cut.quotes) == 6
    for t in cut.tokens:
        assert text[t.start : t.end].strip() and cut.tokens[t.head].index == t.head


def test_a_text_longer_than_spacys_limit_is_analysed_not_refused():
    """The upload showed spaCy's raw "E088 ... nlp.max_length". With the pipeline's limit lowered to 1,000
    characters (the real limit is 1,000,000; parsing that much here would take minutes), a 2,500-character
    article is analysed in pieces instead of failing."""
    nlp = load_pipeline()
    limit = nlp.max_length
    nlp.max_length = 1000
    try:
        text = STORY * 8
        with pytest.raises(ValueError, match="E088"):
            nlp(text)
        result = _analysis(text, 900)
    finally:
        nlp.max_length = limit
    assert len(text) > 2000 and result.tokens[-1].end <= len(text) and len(result.quotes) == 16

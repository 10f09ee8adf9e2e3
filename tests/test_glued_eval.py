"""The glued-text evaluation's copies (benchmarks/glued_eval.py): the glued articles lose only the whitespace after
sentence ends, and every gold evidence is moved to the same words in the glued text."""

from __future__ import annotations

import json
import re

from benchmarks.glued_eval import pick, read_jsonl, write_copies
from index.loaders import load_paths

from .conftest import EXAMPLES


def test_glued_copies_keep_the_words_and_move_the_evidence(tmp_path):
    articles = [{"id": a.id, "title": a.title, "source": a.source, "url": a.url, "text": a.text,
                 "published_at": a.published_at_iso} for a in load_paths([EXAMPLES]).articles]
    questions = read_jsonl(EXAMPLES.parent / "gold.jsonl")
    counts = write_copies(articles, questions, tmp_path)
    assert counts["glued"] > 100 and counts["found"] == counts["sentences"]
    glued = {a["id"]: a for a in read_jsonl(tmp_path / "glued" / "articles.jsonl")}
    for a in articles:
        assert re.sub(r"\s", "", glued[a["id"]]["text"]) == re.sub(r"\s", "", a["text"])
    moved = read_jsonl(tmp_path / "glued" / "gold.jsonl")
    spaced = read_jsonl(tmp_path / "spaced" / "gold.jsonl")
    assert [q["question"] for q in moved] == [q["question"] for q in spaced] == [q["question"] for q in questions]
    for q, old in zip(moved, questions, strict=True):
        for ev, was in zip(q["evidence"], old["evidence"], strict=True):
            assert glued[ev["article_id"]]["text"][ev["char_start"]:ev["char_end"]] == ev["text"]
            assert ev["text"].split() == was["text"].split() or re.sub(r"\s", "", ev["text"]) == \
                re.sub(r"\s", "", was["text"]), (ev, was)
    assert json.loads((tmp_path / "spaced" / "articles.jsonl").read_text().splitlines()[0])["text"] == articles[0]["text"]


def test_a_sample_takes_its_evidence_articles_and_as_many_distractors():
    articles = [{"id": f"a{i}"} for i in range(20)]
    questions = [{"id": f"q{i}", "evidence": [{"article_id": f"a{i}"}, {"article_id": f"a{i + 1}"}]} for i in range(8)]
    chosen_articles, chosen = pick(articles, questions, 3, seed=25)
    needed = {ev["article_id"] for q in chosen for ev in q["evidence"]}
    assert len(chosen) == 3 and needed <= {a["id"] for a in chosen_articles}
    assert len(chosen_articles) == 2 * len(needed)
    assert pick(articles, questions, 3, seed=25) == (chosen_articles, chosen)  # seeded: the same every run
    assert pick(articles, questions, 0, seed=25) == (articles, questions)

"""Evaluation metrics on worked examples: SQuAD EM/F1, span overlap, ranks, citations, abstention, report files."""

from __future__ import annotations

import math

import pytest

from assistant.eval.metrics import (
    evidence_ranks,
    exact_match,
    f1,
    gold_aliases,
    max_over,
    normalize_answer,
    overlaps,
    percentile,
    score_question,
    summarize,
    threshold_curve,
)
from assistant.eval.report import write_report
from common.records import Citation

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def span(article_id: str, start: int, end: int, text: str = "") -> dict:
    return {"article_id": article_id, "char_start": start, "char_end": end, "text": text}


def pred(answer="", short=None, abstained=False, citations=(), ranked=(), latency_ms=10.0) -> dict:
    return {"answer": answer, "short_answer": short, "abstained": abstained, "citations": list(citations),
            "ranked": list(ranked), "latency_ms": latency_ms}


# ---------------------------------------------------------------- SQuAD normalization and F1


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("The  Cat!", "cat"),
        ("a cat sat down", "cat sat down"),
        ("An apple, the pear.", "apple pear"),
        ("Theater", "theater"),  # articles only as whole words
        ("  U.S.   presidents ", "us presidents"),
        ("", ""),
        (None, ""),
    ],
)
def test_normalize_answer(raw, expected):
    assert normalize_answer(raw) == expected


def test_f1_worked_example():
    # pred tokens [cat, sat], gold [cat, sat, down]: precision 2/2, recall 2/3, F1 = 2*1*(2/3)/(1+2/3) = 0.8
    assert f1("the cat sat", "a cat sat down") == pytest.approx(0.8)
    assert f1("cat cat", "cat") == pytest.approx(2 * 0.5 * 1 / 1.5)  # duplicates count once per gold token
    assert f1("Paris", "London") == 0.0


def test_exact_match_false_while_f1_partial():
    assert exact_match("eight U.S. presidents", "eight") == 0.0
    assert f1("eight U.S. presidents", "eight") == pytest.approx(2 * (1 / 3) * 1 / (1 / 3 + 1))  # 0.5
    assert exact_match("The Eight!", "eight") == 1.0


def test_f1_empty_edge_cases():
    assert f1("", "") == 1.0
    assert f1("the", "") == 1.0  # both normalize to nothing
    assert f1("", "cat") == 0.0
    assert f1("cat", "") == 0.0
    assert exact_match("", "cat") == 0.0


def test_max_over_aliases():
    golds = ["eight U.S. presidents", "eight"]
    assert max_over(exact_match, "eight", golds) == 1.0
    assert max_over(f1, "eight presidents", golds) == pytest.approx(0.8)  # vs "eight us presidents": P 1, R 2/3
    assert max_over(f1, "anything", []) == 0.0


def test_gold_aliases_union_dedup_and_yes_no():
    q = {"answer": "eight U.S. presidents", "answers": ["Eight U.S. Presidents.", "", "8"],
         "answers_all": [{"text": "eight"}, {"text": "eight"}, {"text": "eight U.S. presidents"}]}
    assert gold_aliases(q) == ["eight U.S. presidents", "8", "eight"]
    assert gold_aliases({"answer": "no"}) == ["No"]
    assert gold_aliases({"answer": "Yes", "answers": ["yes."]}) == ["Yes"]
    assert gold_aliases({"answer": "Insufficient information.", "answerable": False}) == []


# ---------------------------------------------------------------- spans and ranks


def test_overlaps():
    assert overlaps(span("a", 0, 10), span("a", 9, 20))
    assert overlaps(span("a", 5, 6), span("a", 0, 100))  # containment
    assert not overlaps(span("a", 0, 10), span("a", 10, 20))  # touching, half-open
    assert not overlaps(span("a", 10, 20), span("a", 0, 10))
    assert not overlaps(span("a", 0, 10), span("b", 0, 10))  # different article


def test_overlaps_accepts_citation_objects():
    c = Citation("a", "T", "S", None, 3, 100, 150, "x", 0.5)
    assert overlaps(c, span("a", 149, 160))


def test_evidence_ranks_and_mrr():
    evidence = [span("a", 100, 200), span("b", 0, 50)]
    ranked = [span("a", 0, 99), span("c", 0, 50), span("a", 150, 250), span("a", 180, 190)]
    assert evidence_ranks(ranked, evidence) == [3, None]
    q = {"id": "q", "answer": "x", "answerable": True, "evidence": evidence, "question_type": "t"}
    row = score_question(q, pred(answer="x", ranked=ranked))
    assert row["first_evidence_rank"] == 3
    assert row["mrr@10"] == pytest.approx(1 / 3)
    assert row["evidence_hit@1"] == 0.0
    assert row["evidence_hit@5"] == 1.0
    assert row["evidence_hit@10"] == 1.0
    assert row["evidence_recall@10"] == 0.5


def test_rank_beyond_k_scores_zero():
    q = {"answer": "x", "evidence": [span("a", 0, 10)]}
    ranked = [span("z", 0, 1)] * 3 + [span("a", 0, 5)]
    row = score_question(q, pred(ranked=ranked), k=3)
    assert row["mrr@3"] == 0.0 and row["evidence_hit@3"] == 0.0 and row["evidence_recall@3"] == 0.0
    assert row["first_evidence_rank"] == 4


# ---------------------------------------------------------------- citations and answers


def test_citation_precision_recall_one_good_one_bad():
    evidence = [span("a", 100, 200), span("b", 0, 50)]
    q = {"answer": "OpenAI", "evidence": evidence}
    good = span("a", 120, 180, "Some sentence.")
    bad = span("c", 0, 40, "Unrelated sentence.")
    row = score_question(q, pred(answer="OpenAI [1]", citations=[good, bad]))
    assert row["citation_precision"] == 0.5
    assert row["citation_recall"] == 0.5


def test_citation_counts_when_it_contains_an_alias():
    q = {"answer": "OpenAI", "evidence": [span("a", 100, 200)]}
    row = score_question(q, pred(citations=[span("z", 0, 30, "Staff at OpenAI protested.")]))
    assert row["citation_precision"] == 1.0
    assert row["citation_recall"] == 0.0


def test_yes_no_alias_is_not_searched_in_citations():
    q = {"answer": "Yes", "answer_kind": "yes_no", "evidence": [span("a", 0, 10)]}
    row = score_question(q, pred(answer="Yes.", citations=[span("z", 0, 9, "Yes, he said.")]))
    assert row["citation_precision"] == 0.0
    assert row["answer_em"] == 1.0 and row["answer_contained"] == 1.0
    row = score_question(q, pred(answer="There is no yes-or-no verdict"))
    assert row["answer_contained"] == 0.0  # yes/no must lead the answer


def test_no_citations_gives_none_precision():
    q = {"answer": "x", "evidence": [span("a", 0, 10)]}
    row = score_question(q, pred(answer="x"))
    assert row["citation_precision"] is None
    assert row["citation_recall"] == 0.0


def test_answer_metrics_use_short_answer_and_containment():
    q = {"answer": "eight U.S. presidents", "answers_all": [{"text": "eight"}], "evidence": [span("a", 0, 10)]}
    row = score_question(q, pred(answer="Harvard's alumni include eight U.S. presidents [1].", short="eight"))
    assert row["answer_em"] == 1.0 and row["answer_f1"] == 1.0 and row["answer_contained"] == 1.0
    row = score_question(q, pred(answer="Harvard's alumni include eight U.S. presidents [1]."))
    assert row["answer_em"] == 0.0
    assert 0 < row["answer_f1"] < 1
    assert row["answer_contained"] == 1.0
    row = score_question({"answer": "Art"}, pred(answer="The party started."))
    assert row["answer_contained"] == 0.0  # token-aligned: "art" is not found inside "party"


def test_abstaining_on_answerable_scores_zero_and_unanswerable_gets_none():
    q = {"answer": "Not found", "evidence": [span("a", 0, 10)]}
    row = score_question(q, pred(answer="Not found", abstained=True))
    assert (row["answer_em"], row["answer_f1"], row["answer_contained"]) == (0.0, 0.0, 0.0)
    null = {"answer": "Insufficient information.", "answerable": False, "evidence": []}
    row = score_question(null, pred(answer="It was Paris.", citations=[span("a", 0, 5, "Paris")]))
    for key in ("answer_em", "answer_f1", "answer_contained", "evidence_hit@1", "mrr@10", "citation_recall"):
        assert row[key] is None
    assert row["citation_precision"] == 0.0  # any citation for an unanswerable question is wrong


# ---------------------------------------------------------------- aggregation


def toy_set():
    """4 questions: q1/q2 answerable, q3/q4 unanswerable; we abstain on q2 (wrongly) and q3 (rightly)."""
    ev = [span("a", 0, 10)]
    questions = [
        {"id": "q1", "answer": "x", "answerable": True, "evidence": ev, "question_type": "inference_query"},
        {"id": "q2", "answer": "y", "answerable": True, "evidence": ev, "question_type": "inference_query"},
        {"id": "q3", "answer": "Insufficient information.", "answerable": False, "evidence": [],
         "question_type": "null_query"},
        {"id": "q4", "answer": "Insufficient information.", "answerable": False, "evidence": [],
         "question_type": "null_query"},
    ]
    preds = [
        pred(answer="x", ranked=[span("a", 0, 5)], citations=[span("a", 0, 5)], latency_ms=10),
        pred(answer="The articles don't say.", abstained=True, ranked=[span("b", 0, 5), span("a", 5, 9)],
             latency_ms=20),
        pred(answer="The articles don't say.", abstained=True, latency_ms=30),
        pred(answer="z", ranked=[span("a", 0, 5)], latency_ms=40),
    ]
    rows = [score_question(q, p) for q, p in zip(questions, preds, strict=True)]
    return rows, questions


def test_summarize_abstention_and_means():
    rows, questions = toy_set()
    s = summarize(rows, questions)
    assert s["n"] == 4
    assert s["abstention_rate"] == 0.5
    assert s["abstention_precision"] == 0.5  # q3 of {q2, q3}
    assert s["abstention_recall"] == 0.5  # q3 of {q3, q4}
    assert s["false_abstention_rate"] == 0.5  # q2 of {q1, q2}
    assert s["answer_em"] == 0.5  # q1 right, q2 abstained → 0; q3/q4 not counted
    assert s["evidence_hit@1"] == 0.5 and s["evidence_hit@5"] == 1.0
    assert s["mrr@10"] == 0.75  # (1 + 1/2) / 2
    assert s["citation_precision"] == 1.0  # only q1 cited
    assert s["latency_p50_ms"] == 20.0 and s["latency_p95_ms"] == 40.0


def test_summarize_by_question_type():
    rows, questions = toy_set()
    by_type = summarize(rows, questions)["by_question_type"]
    assert list(by_type) == ["inference_query", "null_query"]
    inf, null = by_type["inference_query"], by_type["null_query"]
    assert inf["n"] == 2 and null["n"] == 2
    assert inf["answer_em"] == 0.5 and inf["mrr@10"] == 0.75
    assert inf["abstention_precision"] == 0.0 and inf["abstention_recall"] is None
    assert null["answer_em"] is None and null["evidence_hit@10"] is None
    assert null["abstention_precision"] == 1.0 and null["abstention_recall"] == 0.5
    assert null["false_abstention_rate"] is None
    assert null["latency_p50_ms"] == 30.0


def test_summarize_conventions():
    rows, questions = toy_set()
    answered = [r | {"abstained": False} for r in rows]
    assert summarize(answered, questions)["abstention_precision"] is None  # never abstained
    with pytest.raises(ValueError):
        summarize(rows, list(reversed(questions)))
    with pytest.raises(ValueError):
        summarize(rows, questions[:2])
    empty = summarize([], [])
    assert empty["n"] == 0 and empty["abstention_rate"] is None and empty["latency_p50_ms"] is None


def test_summarize_rounds_to_four_decimals():
    q = {"id": "q", "answer": "x", "evidence": [span("a", 0, 10)], "question_type": "t"}
    row = score_question(q, pred(ranked=[span("z", 0, 1)] * 2 + [span("a", 0, 5)]))
    assert summarize([row], [q])["mrr@10"] == 0.3333


def test_latency_percentiles_nearest_rank():
    values = [float(v) for v in range(1, 21)]  # 1..20
    assert percentile(values, 50) == 10.0  # ceil(0.5*20) = 10th
    assert percentile(values, 95) == 19.0  # ceil(0.95*20) = 19th
    assert percentile(values, 100) == 20.0
    assert percentile(values, 0) == 1.0
    assert percentile([7.0], 95) == 7.0
    assert percentile([], 50) is None


def test_threshold_curve():
    items = [(0.9, True, True), (0.5, True, False), (0.3, False, False), (0.1, False, False)]
    curve = threshold_curve(items)
    assert [c["threshold"] for c in curve] == [-math.inf, 0.1, 0.3, 0.5, 0.9, math.inf]
    first, last = curve[0], curve[-1]
    assert first["abstention_rate"] == 0.0 and first["abstention_precision"] is None
    assert first["abstention_recall"] == 0.0 and first["answered_accuracy"] == 0.5
    at_05 = curve[3]  # abstain on 0.3 and 0.1: both unanswerable
    assert at_05 == {"threshold": 0.5, "answered": 2, "abstention_rate": 0.5, "abstention_precision": 1.0,
                     "abstention_recall": 1.0, "answered_accuracy": 0.5}
    at_09 = curve[4]  # also abstain on the wrong answerable one
    assert at_09["abstention_precision"] == pytest.approx(0.6667)
    assert at_09["answered_accuracy"] == 1.0
    assert last["abstention_rate"] == 1.0 and last["answered"] == 0 and last["answered_accuracy"] is None
    assert threshold_curve([]) == [
        {"threshold": t, "answered": 0, "abstention_rate": None, "abstention_precision": None,
         "abstention_recall": None, "answered_accuracy": None} for t in (-math.inf, math.inf)
    ]


# ---------------------------------------------------------------- report


def test_write_report(tmp_path):
    rows, questions = toy_set()
    summary = summarize(rows, questions)
    curve = threshold_curve([(0.9, True, True), (0.2, False, False), (0.6, True, False)])
    out = tmp_path / "eval"
    path = write_report(out, summary, rows, curve, "Toy eval")
    assert path == out / "report.md"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Toy eval")
    for name in ("metrics_by_type.png", "latency.png", "abstention_curve.png"):
        assert (out / name).read_bytes()[:8] == PNG_MAGIC
        assert f"({name})" in text
    for key in summary:
        if key != "by_question_type":
            assert key in text
    for qtype in summary["by_question_type"]:
        assert qtype in text


def test_write_report_without_curve(tmp_path):
    rows, questions = toy_set()
    rows = [r | {"latency_ms": None} for r in rows]
    write_report(tmp_path, summarize(rows, questions), rows, None, "No curve")
    assert (tmp_path / "latency.png").read_bytes()[:8] == PNG_MAGIC
    assert not (tmp_path / "abstention_curve.png").exists()
    assert "abstention_curve.png" not in (tmp_path / "report.md").read_text(encoding="utf-8")


def test_report_threshold_table_is_thinned(tmp_path):
    rows, questions = toy_set()
    curve = threshold_curve([(i / 100, i % 3 != 0, i % 2 == 0) for i in range(100)])
    text = write_report(tmp_path, summarize(rows, questions), rows, curve, "Long curve").read_text(encoding="utf-8")
    table = text.split("## Abstention threshold", 1)[1].split("## Conventions", 1)[0]
    body = [line for line in table.splitlines() if line.startswith("| ") and not line.startswith("| threshold")]
    assert len(body) == 21
    assert body[0].startswith("| -inf |") and body[-1].startswith("| +inf |")
    assert "21 of 102 thresholds shown" in text

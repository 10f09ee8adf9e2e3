"""`assistant eval` end to end on the sample corpus: the three outputs, deterministic numbers, exact citations."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from .conftest import EXAMPLES, REPO, read_jsonl


def run_eval(tmp_path, name):
    env = {**os.environ, "ASSISTANT_EMBEDDER": "hash"}
    out = tmp_path / name
    proc = subprocess.run(
        [sys.executable, "-m", "assistant", "eval", str(REPO / "examples" / "gold.jsonl"), "--articles",
         str(EXAMPLES), "--index", str(tmp_path / f"idx-{name}"), "--out", str(out), "--no-progress"],
        env=env, capture_output=True, text=True, cwd=REPO,
    )
    assert proc.returncode == 0, proc.stderr
    return out


def test_eval_writes_predictions_summary_report_and_is_deterministic(tmp_path):
    first, second = run_eval(tmp_path, "a"), run_eval(tmp_path, "b")
    summary = json.loads((first / "summary.json").read_text())
    for key in ("n", "answer_em", "answer_f1", "answer_contained", "evidence_hit@1", "evidence_hit@5",
                "evidence_hit@10", "evidence_recall@10", "mrr@10", "citation_precision", "citation_recall",
                "abstention_precision", "abstention_recall", "latency_p50_ms", "latency_p95_ms", "by_question_type"):
        assert key in summary, key
    assert summary["n"] == len(read_jsonl(REPO / "examples" / "gold.jsonl"))
    other = json.loads((second / "summary.json").read_text())
    drop = {"latency_p50_ms", "latency_p95_ms", "gold"}
    assert {k: v for k, v in summary.items() if k not in drop and k != "by_question_type"} == {
        k: v for k, v in other.items() if k not in drop and k != "by_question_type"}
    report = (first / "report.md").read_text()
    assert "evidence_hit@10" in report and (first / "latency.png").read_bytes()[:4] == b"\x89PNG"

    preds = read_jsonl(first / "predictions.jsonl")
    assert {p["id"] for p in preds} == {q["id"] for q in read_jsonl(REPO / "examples" / "gold.jsonl")}
    from index.loaders import load_paths

    texts = {a.id: a.text for a in load_paths([EXAMPLES]).articles}
    for p in preds:
        assert set(p) >= {"id", "question", "answer", "short_answer", "abstained", "citations", "ranked", "latency_ms"}
        for c in p["citations"] + p["ranked"]:
            assert texts[c["article_id"]][c["char_start"] : c["char_end"]] == c["text"]

"""`assistant eval`: runs gold Q&A through ask(), writes predictions.jsonl, summary.json and report.md."""

from __future__ import annotations

import json
import math
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.core import Assistant
from assistant.eval.metrics import score_question, summarize, threshold_curve
from assistant.eval.report import write_report
from assistant.llm.answer import Answerer
from assistant.llm.verify import strip_note, verify
from common.config import Config
from common.errors import InputError
from common.progress import progress as progress_display

if TYPE_CHECKING:
    from index.store.protocols import Store


def load_gold(path: Path) -> list[dict]:
    questions = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                q = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(str(path), f"not JSON ({exc.msg})", "fix the line", n) from None
            if not isinstance(q, dict) or not isinstance(q.get("question"), str):
                raise InputError(str(path), "a gold line needs a string 'question'", "see PROVENANCE.md format", n)
            q.setdefault("id", f"{path.stem}-{n}")
            questions.append(q)
    if not questions:
        raise InputError(str(path), "no questions in the gold file", "give a JSONL file with one question a line")
    return questions


def run_eval(config: Config, gold_path: Path, articles: list[str] | None, out_dir: Path, progress: bool = True,
             assistant: Assistant | None = None, open_store: Callable[[Config], Store] | None = None) -> dict:
    """Answer every gold question with `assistant`, or else with one over the index `open_store` opens (the
    composition root's; `articles` are ingested into it first, a temporary one unless the config names one)."""
    questions = load_gold(gold_path)
    out_dir.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        if assistant is None:
            if articles and not config.index_dir_explicit:
                tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="assistant-eval-"))
                config = config.with_(index_dir=Path(tmp) / "index")
            _say(progress, f"eval: opening the index in {config.describe_store()}")
            if open_store is None:
                raise ValueError("run_eval needs an assistant or a way to open the index (open_store)")
            store = open_store(config)
            assistant = Assistant(config, store=store)
            if articles:
                from index.pipeline import Ingestor

                _say(progress, f"eval: ingesting {', '.join(map(str, articles))}")
                report = Ingestor(config, store=store).ingest_paths(articles, progress=progress)
                print(report.summary(), file=sys.stderr)
                if not report.ok:
                    print("warning: some articles failed to ingest; scores cover what was ingested", file=sys.stderr)
            _say(progress, "eval: loading the embedding model")
            assistant.warm()
        answerer = Answerer.from_config(assistant, config) if config.llm else None
        llm_rows, llm_preds = [], []
        rows, preds = [], []
        bar = _bar(len(questions), progress)
        for q in questions:
            t = time.perf_counter()
            answer = assistant.ask(q["question"])
            latency = (time.perf_counter() - t) * 1000
            pred = {
                "id": q["id"],
                "question": q["question"],
                **answer.to_dict(),
                "ranked": [c.to_dict() for c in answer.ranked],
                "support": round(answer.support, 4),
                "latency_ms": round(latency, 2),
            }
            preds.append(pred)
            rows.append(score_question(q, pred))
            if answerer is not None:
                llm_pred = _ask_llm(answerer, q)
                llm_preds.append(llm_pred)
                llm_rows.append(score_question(q, llm_pred))
            if bar:
                bar.update(1)
        if bar:
            bar.close()
    summary = summarize(rows, questions)
    summary["gold"] = str(gold_path)
    curve = threshold_curve(
        (
            p.get("support", 0.0),
            bool(q.get("answerable", True)),
            bool(r.get("evidence_hit@1") or r.get("answer_contained")),
        )
        for q, p, r in zip(questions, preds, rows)
    )
    with (out_dir / "predictions.jsonl").open("w", encoding="utf-8") as fh:
        for p in preds:
            fh.write(json.dumps(p, ensure_ascii=False) + "\n")
    (out_dir / "threshold_curve.json").write_text(json.dumps(_finite(curve), indent=1), encoding="utf-8")
    if answerer is not None:
        summary["llm_mode"] = {**summarize(llm_rows, questions), **llm_counters(llm_preds), "mode": config.llm_mode}
        with (out_dir / "predictions_llm.jsonl").open("w", encoding="utf-8") as fh:
            for p in llm_preds:
                fh.write(json.dumps(p, ensure_ascii=False) + "\n")
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    write_report(out_dir, summary, rows, curve, title=f"Evaluation of {gold_path.name}", questions=questions,
                 preds=preds, extra=llm_report(summary) if answerer is not None else ())
    return summary


def _ask_llm(answerer: Answerer, q: dict) -> dict:
    t = time.perf_counter()
    answer, outcome = answerer.ask_detailed(q["question"])
    latency = (time.perf_counter() - t) * 1000
    return {"id": q["id"], "question": q["question"], **answer.to_dict(),
            "ranked": [c.to_dict() for c in answer.ranked], "latency_ms": round(latency, 2),
            "llm": {**outcome.to_dict(), "recheck": recheck(answer, outcome)}}


def recheck(answer, outcome) -> dict:
    """Verify the answer as shown once more, from its text and citations alone: claims that fail, and
    citations that no verified claim rests on (both must be 0 for an LLM-mode answer)."""
    if outcome.mode != "llm":
        return {"unverified_claims": 0, "unverified_citations": 0}
    v = verify(strip_note(answer.text), answer.citations)
    used = {n for c in v.claims if c.verified for n in c.cited}
    return {"unverified_claims": v.dropped, "unverified_citations": len(answer.citations) - len(used)}


def llm_counters(preds: list[dict]) -> dict:
    modes = Counter(p["llm"]["mode"] for p in preds)
    reasons = Counter(p["llm"]["reason"].split(":")[0] for p in preds if p["llm"]["reason"])
    total = lambda key: sum(p["llm"][key] for p in preds)  # noqa: E731
    return {
        "llm_answers": modes["llm"], "reader_phrases_kept": modes["reader"], "fallbacks": modes["fallback"],
        "abstained_not_asked": modes["abstained"],
        "claims_total": total("claims_total"), "claims_verified": total("claims_verified"),
        "claims_dropped": total("claims_dropped"), "markers_dropped": total("markers_dropped"),
        "unverified_claims_shown": sum(p["llm"]["recheck"]["unverified_claims"] for p in preds),
        "unverified_citations": sum(p["llm"]["recheck"]["unverified_citations"] for p in preds),
        "fallback_reasons": dict(reasons),
    }


LLM_KEYS = ("answer_em", "answer_f1", "answer_contained", "evidence_hit@1", "citation_precision", "citation_recall",
            "abstention_precision", "abstention_recall", "latency_p50_ms", "latency_p95_ms")


def llm_report(summary: dict) -> list[tuple]:
    """The LLM-mode section of the report (eval/render.py blocks): metrics side by side, then its counters."""
    llm = summary["llm_mode"]
    counters = ("llm_answers", "reader_phrases_kept", "fallbacks", "abstained_not_asked", "claims_total",
                "claims_verified", "claims_dropped", "markers_dropped", "unverified_claims_shown", "unverified_citations",
                "fallback_reasons")
    return [("h2", "LLM mode (side by side)"),
            ("table", ["metric", "extractive", "llm"], [[k, summary.get(k), llm.get(k)] for k in LLM_KEYS]),
            ("table", ["LLM counter", "value"], [[k, llm.get(k)] for k in counters if k in llm])]


def _finite(curve: list[dict]) -> list[dict]:
    return [{k: (None if isinstance(v, float) and math.isinf(v) else v) for k, v in p.items()} for p in curve]


def _say(enabled: bool, line: str) -> None:
    """One line on stderr saying what eval does next (the slow steps before the first question)."""
    if enabled:
        print(line, file=sys.stderr, flush=True)


def _bar(total: int, enabled: bool):
    return progress_display(total, "question", "eval", enabled, stream=sys.stderr)


SUMMARY_KEYS = ("n", "answer_em", "answer_f1", "answer_contained", "evidence_hit@1", "evidence_hit@10", "mrr@10",
                "citation_precision", "citation_recall", "abstention_precision", "abstention_recall",
                "latency_p50_ms", "latency_p95_ms")
LLM_KEYS = ("claims_total", "claims_verified", "claims_dropped", "markers_dropped", "fallbacks", "unverified_citations")


def summary_lines(summary: dict) -> list[str]:
    """The summary as `assistant eval` prints it: a metric a line, beside the LLM mode's when there is one."""
    llm = summary.get("llm_mode")
    lines = [f"{'':22} {'extractive':>12} {'llm':>12}"] if llm else []
    lines += [f"{k:22} {summary.get(k)!s:>12} {llm.get(k)!s:>12}" if llm else f"{k:22} {summary.get(k)}"
              for k in SUMMARY_KEYS]
    return lines + ([f"llm {k:18} {llm.get(k)}" for k in LLM_KEYS] if llm else [])

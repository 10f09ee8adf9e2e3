"""`assistant eval`: runs gold Q&A through ask(), writes predictions.jsonl, summary.json and report.md."""

from __future__ import annotations

import json
import math
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from assistant.config import Config
from assistant.core import Assistant
from assistant.errors import InputError
from assistant.metrics import score_question, summarize, threshold_curve
from assistant.report import write_report


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
             assistant: Assistant | None = None) -> dict:
    questions = load_gold(gold_path)
    out_dir.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        if assistant is None:
            if articles and not config.index_dir_explicit:
                tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="assistant-eval-"))
                config = config.with_(index_dir=Path(tmp) / "index")
            assistant = Assistant.open(config)
            if articles:
                from index.pipeline import Ingestor

                report = Ingestor(config, store=assistant.store).ingest_paths(articles, progress=progress)
                print(report.summary(), file=sys.stderr)
                if not report.ok:
                    print("warning: some articles failed to ingest; scores cover what was ingested", file=sys.stderr)
            assistant.warm()
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
                "latency_ms": round(latency, 2),
            }
            preds.append(pred)
            rows.append(score_question(q, pred))
            if bar:
                bar.update(1)
        if bar:
            bar.close()
    summary = summarize(rows, questions)
    summary["gold"] = str(gold_path)
    curve = threshold_curve(
        (
            p["ranked"][0]["score"] if p["ranked"] else 0.0,
            bool(q.get("answerable", True)),
            bool(r.get("evidence_hit@1") or r.get("answer_contained")),
        )
        for q, p, r in zip(questions, preds, rows)
    )
    with (out_dir / "predictions.jsonl").open("w", encoding="utf-8") as fh:
        for p in preds:
            fh.write(json.dumps(p, ensure_ascii=False) + "\n")
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    (out_dir / "threshold_curve.json").write_text(json.dumps(_finite(curve), indent=1), encoding="utf-8")
    write_report(out_dir, summary, rows, curve, title=f"Evaluation of {gold_path.name}")
    return summary


def _finite(curve: list[dict]) -> list[dict]:
    return [{k: (None if isinstance(v, float) and math.isinf(v) else v) for k, v in p.items()} for p in curve]


def _bar(total: int, enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="question", file=sys.stderr, dynamic_ncols=True)

"""Writes an evaluation's report.md and report.html (one self-contained page): a plain-language summary for an
editor, every wrong or unsupported answer, then the metric tables and PNG plots."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from assistant.eval.metrics import group_summaries
from assistant.eval.render import html_page, markdown
from assistant.eval.verdicts import DEFINITIONS, counts, plain_summary, problems, question_word

BY_TYPE_PNG = "metrics_by_type.png"
LATENCY_PNG = "latency.png"
CURVE_PNG = "abstention_curve.png"
PLOTTED = ("evidence_hit@10", "mrr@10", "answer_f1", "citation_precision")  # bars per question type
CURVE_ROWS = 21  # rows of the threshold table in report.md; the plot shows every point
CURVE_LINES = ("abstention_precision", "abstention_recall", "answered_accuracy", "abstention_rate")
PROBLEM_COLUMNS = ["id", "verdict", "question", "expected answer", "what it said", "sentence it cited"]

NOTES = [
    "Answer metrics (answer_em, answer_f1, answer_contained) and evidence metrics (evidence_hit@k, "
    "evidence_recall@k, mrr@k) cover answerable questions only; SQuAD v1.1 normalization, max over gold aliases. "
    "An abstention on an answerable question scores 0.",
    "Evidence: a ranked or cited sentence counts when it overlaps a gold evidence span by at least one character.",
    "citation_precision: cited sentences that overlap gold evidence or contain a gold alias (questions with citations).",
    "abstention_precision: unanswerable among abstained; abstention_recall: abstained among unanswerable; "
    "false_abstention_rate: abstained among answerable.",
    "Latency percentiles are nearest-rank. \"–\" means undefined (no question the metric applies to); an undefined "
    "value is never drawn as a bar (the plots say n/a).",
]


def write_report(
    out_dir: Path,
    summary: Mapping[str, Any],
    rows: Sequence[Mapping[str, Any]],
    curve: Sequence[Mapping[str, Any]] | None,
    title: str,
    questions: Sequence[Mapping[str, Any]] | None = None,
    preds: Sequence[Mapping[str, Any]] | None = None,
    extra: Sequence[tuple] = (),
) -> Path:
    """Write report.md, report.html, metrics_by_type.png, latency.png and (given `curve`) abstention_curve.png into
    out_dir. With the gold `questions` and the `preds` behind `rows`, the report lists every wrong or unsupported
    answer. `extra`: more blocks (eval/render.py) before the conventions, e.g. the LLM-mode comparison."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    by_type: Mapping[str, Mapping[str, Any]] = summary.get("by_question_type") or {}
    overall = {k: v for k, v in summary.items() if k != "by_question_type"}
    groups, grouping = plot_groups(by_type, rows, questions)

    plot_by_type(plt, out_dir / BY_TYPE_PNG, groups, f"Metrics by {grouping}")
    _plot_latency(plt, out_dir / LATENCY_PNG, [r.get("latency_ms") for r in rows])
    if curve is not None:
        _plot_curve(plt, out_dir / CURVE_PNG, curve)

    blocks: list[tuple] = [("h1", title), ("lead", plain_summary(counts(rows))), ("note", DEFINITIONS)]
    if questions is not None and preds is not None:
        bad = problems(questions, preds, rows)
        blocks.append(("h2", f"Wrong or unsupported answers ({len(bad)})"))
        blocks.append(("table", PROBLEM_COLUMNS, [[b["id"], b["verdict"], b["question"], b["expected"], b["said"],
                                                   b["cited"]] for b in bad]) if bad else ("p", "None."))
    blocks += [("h2", "Overall"), ("p", f"{overall.get('n', len(rows))} questions."),
               ("table", ["Metric", "Value"], [[k, _fmt(k, v)] for k, v in overall.items()])]
    for name, table in (("question type", by_type), (grouping, groups if grouping != "question type" else {})):
        if table:
            keys = list(dict.fromkeys(k for t in table for k in table[t]))
            blocks += [("h2", f"By {name}"), ("p", f"One column per {name.split(' (')[0]}."),
                       ("table", ["Metric", *table], [[k, *(_fmt(k, table[t].get(k)) for t in table)] for k in keys])]
    blocks += [("h2", "Plots"), ("img", f"metrics by {grouping}", BY_TYPE_PNG), ("img", "latency", LATENCY_PNG)]
    if curve is not None:
        blocks.append(("img", "abstention vs threshold", CURVE_PNG))
        shown = _thin(curve, CURVE_ROWS)
        note = "" if len(shown) == len(curve) else f" {len(shown)} of {len(curve)} thresholds shown, evenly spaced."
        cols = ["threshold", "answered", *CURVE_LINES]
        blocks += [("h2", "Abstention threshold"), ("p", f"Abstain when confidence < threshold.{note}"),
                   ("table", cols, [[_fmt(c, p.get(c)) for c in cols] for p in shown])]
    blocks += [*extra, ("h2", "Conventions"), ("list", NOTES)]
    (out_dir / "report.html").write_text(html_page(blocks, out_dir), encoding="utf-8")
    path = out_dir / "report.md"
    path.write_text(markdown(blocks), encoding="utf-8")
    return path


def plot_groups(by_type: Mapping[str, Mapping[str, Any]], rows: Sequence[Mapping[str, Any]],
                questions: Sequence[Mapping[str, Any]] | None) -> tuple[dict[str, Mapping[str, Any]], str]:
    """The groups the by-type plot compares, and what they are: the gold's question types when it has two or more,
    else the questions' wording ('how many', 'who', …), so the plot never repeats the overall numbers."""
    if len(by_type) >= 2 or not questions:
        return dict(by_type), "question type"
    words = group_summaries(rows, questions, lambda _row, q: question_word(str(q.get("question", ""))))
    if len(words) < 2:
        return dict(by_type), "question type"
    only = next(iter(by_type), "unknown")
    return words, f"question word (every question has the type {only})"


def _fmt(key: str, value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if math.isinf(value):
            return "+inf" if value > 0 else "-inf"
        return f"{value:.1f}" if key.startswith("latency") else f"{value:.4f}"
    return str(value)


def _thin(points: Sequence[Any], most: int) -> list[Any]:
    """At most `most` items, evenly spaced, always keeping the first and the last."""
    if len(points) <= most:
        return list(points)
    picks = sorted({round(i * (len(points) - 1) / (most - 1)) for i in range(most)})
    return [points[i] for i in picks]


def _num(v: Any) -> float:
    return float("nan") if v is None else float(v)


def plot_by_type(plt, path: Path, groups: Mapping[str, Mapping[str, Any]], title: str) -> list[dict[str, Any]]:
    """Grouped bars of PLOTTED per group; an undefined value gets no bar, only a grey "n/a" halfway up its slot.
    Returns what the figure holds: one {group, metric, value} per bar drawn (value None: the n/a label)."""
    names = list(groups)
    width = 0.8 / len(PLOTTED)
    fig, ax = plt.subplots(figsize=(max(6.0, 1.6 * len(names) + 2), 4.5))
    slots: dict[float, tuple[str, str]] = {}
    try:
        for i, metric in enumerate(PLOTTED):
            xs = [g + (i - (len(PLOTTED) - 1) / 2) * width for g in range(len(names))]
            values = [groups[n].get(metric) for n in names]
            shown = [(x, float(v)) for x, v in zip(xs, values, strict=True) if v is not None and math.isfinite(v)]
            ax.bar([x for x, _ in shown], [v for _, v in shown], width, label=metric, color=f"C{i}")
            for x, name, v in zip(xs, names, values, strict=True):
                slots[round(x, 6)] = (name, metric)
                if v is None or not math.isfinite(v):
                    ax.text(x, 0.5, "n/a", ha="center", va="center", fontsize=7, rotation=90, color="grey", gid="n/a")
        ax.set_xticks(range(len(names)))
        ax.set_xticklabels([f"{n}\n(n={groups[n].get('n', '?')})" for n in names], fontsize=8)
        ax.set_ylim(0, 1.2)
        ax.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
        ax.set_ylabel("score")
        ax.set_title(f"{title} (n/a = undefined for that group)", fontsize=10)
        ax.legend(fontsize=8, loc="upper center", ncol=len(PLOTTED), frameon=False)
        fig.tight_layout()
        fig.savefig(path, dpi=100)
        drawn = [{"group": slots[round(p.get_x() + p.get_width() / 2, 6)][0],
                  "metric": slots[round(p.get_x() + p.get_width() / 2, 6)][1], "value": round(p.get_height(), 4)}
                 for p in ax.patches]
        drawn += [{"group": slots[round(t.get_position()[0], 6)][0], "metric": slots[round(t.get_position()[0], 6)][1],
                   "value": None} for t in ax.texts if t.get_gid() == "n/a"]
        return drawn
    finally:
        plt.close(fig)


def _plot_latency(plt, path: Path, latencies: Sequence[Any]) -> None:
    values = [float(v) for v in latencies if v is not None]
    fig, ax = plt.subplots(figsize=(6, 4))
    try:
        if values:
            ax.hist(values, bins=min(30, max(5, len(values) // 5)))
        else:
            ax.text(0.5, 0.5, "no latency recorded", ha="center", va="center", transform=ax.transAxes)
        ax.set_xlabel("latency (ms)")
        ax.set_ylabel("questions")
        ax.set_title(f"Latency per question (n={len(values)})")
        fig.tight_layout()
        fig.savefig(path, dpi=100)
    finally:
        plt.close(fig)


def _plot_curve(plt, path: Path, curve: Sequence[Mapping[str, Any]]) -> None:
    points = [p for p in curve if math.isfinite(float(p["threshold"]))]
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    try:
        xs = [float(p["threshold"]) for p in points]
        for key in CURVE_LINES:
            style = "--" if key == "abstention_rate" else "-"
            ax.plot(xs, [_num(p.get(key)) for p in points], style, marker=".", label=key)
        if not points:
            ax.text(0.5, 0.5, "no finite thresholds", ha="center", va="center", transform=ax.transAxes)
        ax.set_ylim(-0.02, 1.05)
        ax.set_xlabel("threshold (abstain when confidence < threshold)")
        ax.set_ylabel("rate")
        ax.set_title("Abstention vs threshold")
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(path, dpi=100)
    finally:
        plt.close(fig)

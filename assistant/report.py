"""Writes an evaluation's report.md with tables and PNG plots."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

BY_TYPE_PNG = "metrics_by_type.png"
LATENCY_PNG = "latency.png"
CURVE_PNG = "abstention_curve.png"
PLOTTED = ("evidence_hit@10", "mrr@10", "answer_f1", "citation_precision")  # bars per question type
CURVE_ROWS = 21  # rows of the threshold table in report.md; the plot shows every point
CURVE_LINES = ("abstention_precision", "abstention_recall", "answered_accuracy", "abstention_rate")

NOTES = """\
## Conventions

- Answer metrics (`answer_em`, `answer_f1`, `answer_contained`) and evidence metrics (`evidence_hit@k`,
  `evidence_recall@k`, `mrr@k`) cover answerable questions only; SQuAD v1.1 normalization, max over gold aliases.
  An abstention on an answerable question scores 0.
- Evidence: a ranked or cited sentence counts when it overlaps a gold evidence span by at least one character.
- `citation_precision`: cited sentences that overlap gold evidence or contain a gold alias (questions with citations).
- `abstention_precision`: unanswerable among abstained; `abstention_recall`: abstained among unanswerable;
  `false_abstention_rate`: abstained among answerable.
- Latency percentiles are nearest-rank. "–" means undefined (no question the metric applies to).
"""


def write_report(
    out_dir: Path,
    summary: Mapping[str, Any],
    rows: Sequence[Mapping[str, Any]],
    curve: Sequence[Mapping[str, Any]] | None,
    title: str,
) -> Path:
    """Write report.md, metrics_by_type.png, latency.png and (given `curve`) abstention_curve.png into out_dir."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    by_type: Mapping[str, Mapping[str, Any]] = summary.get("by_question_type") or {}
    overall = {k: v for k, v in summary.items() if k != "by_question_type"}

    _plot_by_type(plt, out_dir / BY_TYPE_PNG, overall, by_type)
    _plot_latency(plt, out_dir / LATENCY_PNG, [r.get("latency_ms") for r in rows])
    if curve is not None:
        _plot_curve(plt, out_dir / CURVE_PNG, curve)

    lines = [f"# {title}", "", f"{overall.get('n', len(rows))} questions.", "", "## Overall", ""]
    lines += _table(["Metric", "Value"], [[k, _fmt(k, v)] for k, v in overall.items()])
    if by_type:
        types = list(by_type)
        keys = list(dict.fromkeys(k for t in types for k in by_type[t]))
        lines += ["", "## By question type", "", "One column per question type.", ""]
        lines += _table(["Metric", *types], [[k, *(_fmt(k, by_type[t].get(k)) for t in types)] for k in keys])
    lines += ["", "## Plots", "", f"![metrics by question type]({BY_TYPE_PNG})", "", f"![latency]({LATENCY_PNG})"]
    if curve is not None:
        lines += ["", f"![abstention vs threshold]({CURVE_PNG})"]
        shown = _thin(curve, CURVE_ROWS)
        note = "" if len(shown) == len(curve) else f" {len(shown)} of {len(curve)} thresholds shown, evenly spaced."
        lines += ["", "## Abstention threshold", "", f"Abstain when confidence < threshold.{note}", ""]
        cols = ["threshold", "answered", *CURVE_LINES]
        lines += _table(cols, [[_fmt(c, p.get(c)) for c in cols] for p in shown])
    lines += ["", NOTES]
    path = out_dir / "report.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


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


def _table(header: list[str], body: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return out + ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in body]


def _thin(points: Sequence[Any], most: int) -> list[Any]:
    """At most `most` items, evenly spaced, always keeping the first and the last."""
    if len(points) <= most:
        return list(points)
    picks = sorted({round(i * (len(points) - 1) / (most - 1)) for i in range(most)})
    return [points[i] for i in picks]


def _num(v: Any) -> float:
    return float("nan") if v is None else float(v)


def _plot_by_type(plt, path: Path, overall: Mapping[str, Any], by_type: Mapping[str, Mapping[str, Any]]) -> None:
    groups = {"all": overall, **by_type}
    names = list(groups)
    width = 0.8 / len(PLOTTED)
    fig, ax = plt.subplots(figsize=(max(6.0, 1.6 * len(names) + 2), 4.5))
    try:
        for i, metric in enumerate(PLOTTED):
            xs = [g + (i - (len(PLOTTED) - 1) / 2) * width for g in range(len(names))]
            heights = [_num(groups[n].get(metric)) for n in names]
            ax.bar(xs, heights, width, label=metric)
            for x, h in zip(xs, heights, strict=True):
                if math.isnan(h):
                    ax.text(x, 0.01, "n/a", ha="center", va="bottom", fontsize=6, rotation=90, color="grey")
        ax.set_xticks(range(len(names)))
        ax.set_xticklabels([f"{n}\n(n={groups[n].get('n', '?')})" for n in names], fontsize=8)
        ax.set_ylim(0, 1.2)
        ax.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
        ax.set_ylabel("score")
        ax.set_title("Metrics by question type (n/a = undefined for that type)")
        ax.legend(fontsize=8, loc="upper center", ncol=len(PLOTTED), frameon=False)
        fig.tight_layout()
        fig.savefig(path, dpi=100)
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

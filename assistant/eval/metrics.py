"""Evaluation metrics: SQuAD answer EM/F1, sentence-level evidence hits, citation quality, abstention.

Pure functions on plain dicts: no model, no store. A *span* is any mapping (or object with `to_dict()`, such as
`records.Citation`) carrying `article_id`, `char_start`, `char_end`; gold evidence items and citations are both spans.

Conventions used throughout:
- Spans are half-open character ranges [char_start, char_end) in the article text.
- A metric that is undefined for a question is None (not 0), and means skip Nones; a mean over nothing is None.
- Answer and evidence metrics exist only for answerable questions (`answerable` missing counts as true).
- Alias containment is token-aligned on normalized text ("no" is not found in "not"), so a gold alias "seven" is
  contained in "... and seven civilians." but "an" is never matched inside "and".
- Latency percentiles are nearest-rank: the ceil(p/100 * n)-th smallest observed latency (always a real value).
- Summary floats are rounded to 4 decimals.
"""

from __future__ import annotations

import math
import re
import string
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

YES_NO = {"yes": "Yes", "no": "No"}
HIT_KS = (1, 5)  # plus score_question's k
_PUNCT = set(string.punctuation)
_ARTICLES = re.compile(r"\b(a|an|the)\b")
# keys of a score_question row that are not per-question metrics
ROW_INFO_KEYS = ("id", "question_type", "answer_kind", "answerable", "abstained", "latency_ms", "first_evidence_rank")


# ---------------------------------------------------------------- SQuAD answer metrics (v1.1 evaluation script)


def normalize_answer(s: str | None) -> str:
    """SQuAD v1.1: lower-case, drop punctuation, drop the articles a/an/the, collapse whitespace."""
    s = (s or "").lower()
    s = "".join(ch for ch in s if ch not in _PUNCT)
    s = _ARTICLES.sub(" ", s)
    return " ".join(s.split())


def exact_match(pred: str | None, gold: str | None) -> float:
    """1.0 when the normalized strings are equal, else 0.0."""
    return float(normalize_answer(pred) == normalize_answer(gold))


def f1(pred: str | None, gold: str | None) -> float:
    """SQuAD token F1 on normalized tokens; if either side normalizes to nothing: 1.0 when both do, else 0.0."""
    p, g = normalize_answer(pred).split(), normalize_answer(gold).split()
    if not p or not g:
        return float(p == g)
    same = sum((Counter(p) & Counter(g)).values())
    if same == 0:
        return 0.0
    precision, recall = same / len(p), same / len(g)
    return 2 * precision * recall / (precision + recall)


def max_over(fn: Callable[[str, str], float], pred: str | None, golds: Iterable[str]) -> float:
    """Best score of `pred` against any gold alias; 0.0 when there are no aliases."""
    return max((fn(pred, g) for g in golds), default=0.0)


def gold_aliases(q: Mapping[str, Any]) -> list[str]:
    """Accepted answers: `answer`, then `answers`, then `answers_all[*].text`, deduped on their normalized form.

    The first spelling of each normalized form wins, except yes/no answers, which become "Yes"/"No". Aliases that
    normalize to nothing are dropped. Unanswerable questions (`answerable: false`) have no aliases: their `answer`
    ("Insufficient information.") is a placeholder, not something to find in an article.
    """
    if q.get("answerable", True) is False:
        return []
    raw: list[Any] = [q.get("answer")]
    answers = q.get("answers")
    raw.extend([answers] if isinstance(answers, str) else answers or [])
    raw.extend(a.get("text") if isinstance(a, Mapping) else a for a in q.get("answers_all") or [])
    out: dict[str, str] = {}
    for alias in raw:
        if not isinstance(alias, str):
            continue
        norm = normalize_answer(alias)
        if norm and norm not in out:
            out[norm] = YES_NO.get(norm, alias.strip())
    return list(out.values())


def contains_alias(text: str | None, alias: str) -> bool:
    """Whether normalized `alias` occurs in normalized `text` as whole tokens. Unicode punctuation is dropped too
    (SQuAD's normalization drops only ASCII): an answer that quotes “… $57,000.” contains the alias $57,000."""
    a = normalize_answer(_drop_unicode_punctuation(alias))
    return bool(a) and f" {a} " in f" {normalize_answer(_drop_unicode_punctuation(text))} "


def _drop_unicode_punctuation(text: str | None) -> str:
    return "".join(ch for ch in (text or "") if ch.isascii() or not unicodedata.category(ch).startswith("P"))


def _is_yes_no(alias: str) -> bool:
    return normalize_answer(alias) in YES_NO


# ---------------------------------------------------------------- spans


def _span(x: Any) -> Mapping[str, Any]:
    return x if isinstance(x, Mapping) else x.to_dict()


def overlaps(a: Any, b: Any) -> bool:
    """Two spans in the same article sharing at least one character ([0,10) and [10,20) do not)."""
    a, b = _span(a), _span(b)
    if a.get("article_id") != b.get("article_id"):
        return False
    return max(a["char_start"], b["char_start"]) < min(a["char_end"], b["char_end"])


def evidence_ranks(ranked: Sequence[Any], evidence: Sequence[Any]) -> list[int | None]:
    """Per gold evidence item, the 1-based rank of the first ranked sentence overlapping it (None if none does)."""
    spans = [_span(r) for r in ranked]
    return [next((i for i, r in enumerate(spans, 1) if overlaps(r, ev)), None) for ev in evidence]


# ---------------------------------------------------------------- per question


def score_question(q: Mapping[str, Any], pred: Mapping[str, Any], k: int = 10) -> dict[str, Any]:
    """Metrics for one question. `pred`: answer, short_answer, abstained, citations, ranked (best first), latency_ms.

    Returns `id`, `question_type`, `answer_kind`, `answerable`, `abstained`, `latency_ms`, `first_evidence_rank`
    and the metrics (None = undefined for this question):
    - `answer_em`, `answer_f1`: `short_answer` if not None else `answer`, max over gold aliases. An abstention on
      an answerable question scores 0 (its "not found" text is not compared). None for unanswerable questions.
    - `answer_contained`: some alias occurs (token-aligned, normalized) in `short_answer` or `answer`; for a yes/no
      gold the answer must *start* with yes/no (else "there is no evidence" would count as "No"). 0 on abstention.
    - `evidence_hit@1`, `@5`, `@k`: some gold evidence is overlapped by a ranked sentence within the top 1/5/k.
    - `evidence_recall@k`: fraction of gold evidence items overlapped within the top k.
    - `mrr@k`: 1/rank of the first ranked sentence overlapping any gold evidence, 0 when none is in the top k.
      Evidence metrics are None for unanswerable questions and for questions without gold evidence.
    - `citation_precision`: fraction of citations that overlap gold evidence or contain a gold alias (yes/no
      aliases are not searched for: "Yes" in a sentence says nothing). None without citations; on an unanswerable
      question every citation is imprecise.
    - `citation_recall`: fraction of gold evidence items overlapped by some citation. None without gold evidence.
    Values are floats (1.0/0.0 for hits) so they average directly.
    """
    answerable = q.get("answerable", True) is not False
    abstained = bool(pred.get("abstained"))
    evidence = list(q.get("evidence") or [])
    citations = [_span(c) for c in pred.get("citations") or []]
    ranked = [_span(r) for r in pred.get("ranked") or []]
    aliases = gold_aliases(q)
    row: dict[str, Any] = {
        "id": q.get("id"),
        "question_type": q.get("question_type"),
        "answer_kind": q.get("answer_kind"),
        "answerable": answerable,
        "abstained": abstained,
        "latency_ms": pred.get("latency_ms"),
    }

    em = f1_ = contained = None
    if answerable and aliases:
        short, text = pred.get("short_answer"), pred.get("answer")
        compared = "" if abstained else (short if short is not None else text)
        em, f1_ = max_over(exact_match, compared, aliases), max_over(f1, compared, aliases)
        contained = 0.0 if abstained else float(any(_answer_contains(a, short, text) for a in aliases))
    row.update(answer_em=em, answer_f1=f1_, answer_contained=contained)

    ranks = evidence_ranks(ranked, evidence) if evidence else []
    first = min((r for r in ranks if r is not None), default=None)
    row["first_evidence_rank"] = first
    has_evidence = answerable and bool(evidence)
    for cut in sorted({*HIT_KS, k}):
        row[f"evidence_hit@{cut}"] = float(first is not None and first <= cut) if has_evidence else None
    row[f"evidence_recall@{k}"] = (
        sum(r is not None and r <= k for r in ranks) / len(ranks) if has_evidence else None
    )
    row[f"mrr@{k}"] = (1.0 / first if first is not None and first <= k else 0.0) if has_evidence else None

    searchable = [a for a in aliases if not _is_yes_no(a)]
    good = [any(overlaps(c, ev) for ev in evidence) or any(contains_alias(c.get("text"), a) for a in searchable)
            for c in citations]
    row["citation_precision"] = sum(good) / len(good) if good else None
    row["citation_recall"] = (
        sum(any(overlaps(c, ev) for c in citations) for ev in evidence) / len(evidence) if evidence else None
    )
    return row


def _answer_contains(alias: str, short: str | None, text: str | None) -> bool:
    if _is_yes_no(alias):
        target = normalize_answer(alias)
        return any((normalize_answer(s).split() or [""])[0] == target for s in (short, text))
    return contains_alias(short, alias) or contains_alias(text, alias)


# ---------------------------------------------------------------- aggregate


def metric_keys(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """The metric columns of score_question rows, in first-seen order."""
    keys: dict[str, None] = {}
    for row in rows:
        keys.update((key, None) for key in row if key not in ROW_INFO_KEYS)
    return list(keys)


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile: the ceil(p/100 * n)-th smallest value (the minimum for p=0); None when empty."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def summarize(rows: Sequence[Mapping[str, Any]], questions: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Aggregate score_question rows; `questions[i]` is the gold record behind `rows[i]` (ids must agree).

    Returns `n`, the mean of every metric over the rows where it is not None (None when it is None everywhere),
    then `abstention_rate` (abstained / n), `abstention_precision` (unanswerable among abstained; None when we never
    abstained), `abstention_recall` (abstained among unanswerable; None when every question is answerable),
    `false_abstention_rate` (abstained among answerable; None when none is answerable), `latency_p50_ms` and
    `latency_p95_ms` (nearest-rank, over rows with a latency; None when there are none), and `by_question_type`:
    {question_type: the same fields without nesting}, types sorted, a missing type reported as "unknown".
    """
    if len(rows) != len(questions):
        raise ValueError(f"{len(rows)} rows for {len(questions)} questions")
    for row, q in zip(rows, questions, strict=True):
        if row.get("id") is not None and q.get("id") is not None and row["id"] != q["id"]:
            raise ValueError(f"row {row['id']!r} is paired with question {q['id']!r}")
    summary = _aggregate(list(zip(rows, questions, strict=True)), metric_keys(rows))
    summary["by_question_type"] = group_summaries(
        rows, questions, lambda row, q: str(q.get("question_type") or row.get("question_type") or "unknown"))
    return summary


def group_summaries(rows: Sequence[Mapping[str, Any]], questions: Sequence[Mapping[str, Any]],
                    key: Callable[[Mapping[str, Any], Mapping[str, Any]], str]) -> dict[str, dict[str, Any]]:
    """summarize's fields (without nesting) per group of questions, `key(row, question)` naming the group; sorted."""
    groups: dict[str, list] = {}
    for row, q in zip(rows, questions, strict=True):
        groups.setdefault(key(row, q), []).append((row, q))
    return {g: _aggregate(groups[g], metric_keys(rows)) for g in sorted(groups)}


def _aggregate(pairs: list[tuple[Mapping[str, Any], Mapping[str, Any]]], keys: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"n": len(pairs)}
    for key in keys:
        out[key] = _mean(row.get(key) for row, _ in pairs)
    abstained = [bool(row.get("abstained")) for row, _ in pairs]
    answerable = [q.get("answerable", True) is not False for _, q in pairs]
    out["abstention_rate"] = _ratio(sum(abstained), len(pairs))
    out["abstention_precision"] = _ratio(sum(a and not ok for a, ok in zip(abstained, answerable, strict=True)),
                                         sum(abstained))
    out["abstention_recall"] = _ratio(sum(a and not ok for a, ok in zip(abstained, answerable, strict=True)),
                                      sum(not ok for ok in answerable))
    out["false_abstention_rate"] = _ratio(sum(a and ok for a, ok in zip(abstained, answerable, strict=True)),
                                          sum(answerable))
    latencies = [float(row["latency_ms"]) for row, _ in pairs if row.get("latency_ms") is not None]
    out["latency_p50_ms"] = _round(percentile(latencies, 50))
    out["latency_p95_ms"] = _round(percentile(latencies, 95))
    return out


def _mean(values: Iterable[Any]) -> float | None:
    present = [float(v) for v in values if v is not None]
    return _round(sum(present) / len(present)) if present else None


def _ratio(num: int, den: int) -> float | None:
    return _round(num / den) if den else None


def _round(x: float | None) -> float | None:
    return None if x is None else round(float(x), 4)


# ---------------------------------------------------------------- abstention threshold


def threshold_curve(items: Iterable[tuple[float, bool, bool]]) -> list[dict[str, Any]]:
    """Abstention trade-off per candidate threshold, for calibrating `abstain_below`.

    `items`: (confidence, answerable, correct_or_hit) per question. At threshold t we abstain when
    confidence < t, so t = -inf answers everything and t = +inf abstains on everything. Thresholds are -inf, each
    unique confidence and +inf, ascending (infinite values are floats; json.dumps writes them as ±Infinity).
    Each point: `threshold`, `answered`, `abstention_rate`, `abstention_precision` (unanswerable among abstained;
    None when none abstained), `abstention_recall` (abstained among unanswerable; None when there are none) and
    `answered_accuracy` (correct among answered answerable questions; None when none is answered), rounded to 4.
    """
    data = [(float(c), bool(a), bool(ok)) for c, a, ok in items]
    thresholds = [-math.inf, *sorted({c for c, _, _ in data} - {-math.inf, math.inf}), math.inf]
    n_unanswerable = sum(not a for _, a, _ in data)
    curve = []
    for t in thresholds:
        abstain = [(a, ok) for c, a, ok in data if c < t]
        answered = [(a, ok) for c, a, ok in data if c >= t]
        answered_answerable = [ok for a, ok in answered if a]
        curve.append({
            "threshold": t,
            "answered": len(answered),
            "abstention_rate": _ratio(len(abstain), len(data)),
            "abstention_precision": _ratio(sum(not a for a, _ in abstain), len(abstain)),
            "abstention_recall": _ratio(sum(not a for a, _ in abstain), n_unanswerable),
            "answered_accuracy": _ratio(sum(answered_answerable), len(answered_answerable)),
        })
    return curve

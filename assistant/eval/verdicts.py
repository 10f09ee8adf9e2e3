"""An editor's reading of an evaluation: per question right, wrong, declined or unsupported, counted in one sentence,
and the list of answers to look at (question, expected answer, what the assistant said, the sentence it cited)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from assistant.eval.metrics import gold_aliases

RIGHT, WRONG, MISSED, INVENTED, UNSUPPORTED, DECLINED_RIGHTLY, UNSCORED = (
    "right", "wrong answer", "declined, but the articles answer it", "answered, but the articles do not say",
    "right, but the cited sentence does not support it", "declined rightly", "no expected answer")
PROBLEMS = (WRONG, MISSED, INVENTED, UNSUPPORTED)  # the verdicts an editor should read, in this order
QUESTION_WORD = re.compile(r"\b(how many|how much|how|who|whom|whose|what|which|when|where|why)\b", re.I)
YES_NO_START = re.compile(r"^\s*(is|are|was|were|do|does|did|can|could|has|have|had|will|would|should)\b", re.I)
DEFINITIONS = (
    "How to read these numbers. “Right”: one of the accepted forms of the expected answer appears in the "
    "assistant's short answer or its answer text (the answer_contained metric; the stricter exact match, "
    "answer_em, is in the table below). “Cited the right sentence”: at least one cited sentence is a gold "
    "evidence sentence or contains the expected answer. “Declined”: the assistant said the articles do not say; "
    "that is right only for the questions the gold set marks as not answerable from the articles."
)


def verdict(row: Mapping[str, Any]) -> str:
    """One question's verdict from its score_question row."""
    answerable, abstained = row.get("answerable", True), bool(row.get("abstained"))
    if not answerable:
        return DECLINED_RIGHTLY if abstained else INVENTED
    if abstained:
        return MISSED
    if row.get("answer_contained") is None:
        return UNSCORED
    if not row["answer_contained"]:
        return WRONG
    return RIGHT if supported(row) else UNSUPPORTED


def supported(row: Mapping[str, Any]) -> bool:
    """Some cited sentence is gold evidence or contains an accepted answer (citation_precision above 0)."""
    return bool(row.get("citation_precision"))


def counts(rows: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    seen = [verdict(r) for r in rows]
    return {
        "questions": len(rows),
        "right": sum(v in (RIGHT, UNSUPPORTED) for v in seen),
        "cited_right": sum(bool(r.get("answerable", True)) and supported(r) for r in rows),
        "declined": sum(bool(r.get("abstained")) for r in rows),
        "declined_rightly": seen.count(DECLINED_RIGHTLY),
        "wrong": seen.count(WRONG),
        "invented": seen.count(INVENTED),
        "unsupported": seen.count(UNSUPPORTED),
    }


def plain_summary(c: Mapping[str, int]) -> str:
    """'Of 121 questions, the assistant answered 87 right, cited the right sentence for 95, declined 6 …'."""
    declined = f"declined {c['declined']}"
    if c["declined"] and c["declined_rightly"] == c["declined"]:
        declined += ", rightly: the articles do not answer them"
    elif c["declined"] and not c["declined_rightly"]:
        declined += " that the articles do answer"
    elif c["declined"]:
        declined += f" ({c['declined_rightly']} of them rightly: the articles do not answer them)"
    parts = [f"answered {c['right']} right", f"cited the right sentence for {c['cited_right']}", declined,
             f"gave a wrong answer to {c['wrong']}"]
    if c["invented"]:
        parts.append(f"answered {c['invented']} that the articles do not answer")
    text = f"Of {c['questions']} questions, the assistant " + ", ".join(parts[:-1]) + f" and {parts[-1]}."
    if c["unsupported"] == 1:
        text += " 1 of the right answers cites no sentence that supports it."
    elif c["unsupported"]:
        text += f" {c['unsupported']} of the right answers cite no sentence that supports them."
    return text


def problems(questions: Sequence[Mapping[str, Any]], preds: Sequence[Mapping[str, Any]],
             rows: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Every wrong or unsupported answer, worst kinds first: id, verdict, question, expected, said, cited."""
    out = []
    for q, p, r in zip(questions, preds, rows, strict=True):
        v = verdict(r)
        if v not in PROBLEMS:
            continue
        aliases = gold_aliases(q)
        said = "(declined: the articles don't say)" if p.get("abstained") else (p.get("answer") or "")
        if p.get("short_answer") and not p.get("abstained"):
            said = f"{p['short_answer']} — {said}"
        cites = p.get("citations") or []
        cited = " / ".join(f"“{c.get('text', '')}” ({c.get('title') or 'untitled'})" for c in cites[:2])
        out.append({"id": str(q.get("id", "")), "verdict": v, "question": q.get("question", ""),
                    "expected": " | ".join(aliases) if aliases else "(not in the articles)",
                    "said": _short(said), "cited": _short(cited) or "—"})
    return sorted(out, key=lambda row: PROBLEMS.index(row["verdict"]))


def _short(text: str, most: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


def question_word(question: str) -> str:
    """The kind of a question by its wording: 'how many', 'who', 'when', … , 'yes/no' or 'other'."""
    if YES_NO_START.match(question):
        return "yes/no"
    m = QUESTION_WORD.search(question)
    if not m:
        return "other"
    word = m.group(1).lower()
    return "who" if word in ("whom", "whose") else word

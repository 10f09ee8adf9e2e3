"""The eval report an editor can read: a plain-language summary first, every wrong or unsupported answer in a table,
a self-contained HTML twin, a by-type plot that differs from the overall numbers, and undefined values never drawn."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import matplotlib

from assistant.eval.metrics import score_question, summarize
from assistant.eval.report import plot_by_type, plot_groups, write_report
from assistant.eval.run import run_eval
from assistant.eval.verdicts import counts, plain_summary, question_word
from common.config import Config
from index.store import ChromaStore

from .conftest import EXAMPLES, REPO

matplotlib.use("Agg")
HOSTILE = 'What did <img src=x onerror="alert(1)"> say | really?'


def ev(article: str, start: int, end: int, text: str = "") -> dict:
    return {"article_id": article, "char_start": start, "char_end": end, "text": text}


def case(qid, question, answer, said, short=None, cited=(), abstained=False, answerable=True, qtype="span"):
    q = {"id": qid, "question": question, "answer": answer, "answerable": answerable, "question_type": qtype,
         "evidence": [ev("a", 0, 20)] if answerable else []}
    p = {"id": qid, "question": question, "answer": said, "short_answer": short, "abstained": abstained,
         "citations": [ev(*c) | {"title": "Toll rises"} for c in cited], "ranked": [ev(*c[:3]) for c in cited],
         "latency_ms": 5.0}
    return q, p


CASES = [
    case("q1", "How many people died?", "14", "14 people died [1].", "14", [("a", 0, 20, "14 people died.")]),
    case("q2", "Who is the mayor?", "Ilsa Varenko", "Ilsa Varenko [1].", None, [("a", 40, 60, "Something else.")]),
    case("q3", "When did the river flood?", "Thursday", "On Monday [1].", "Monday", [("a", 80, 99, "Monday.")]),
    case("q4", HOSTILE, "the mayor", "The articles don't say.", abstained=True),
    case("q5", "Is tea sold on Mars?", "Insufficient information.", "The articles don't say.", abstained=True,
         answerable=False),
    case("q6", "Who won the 1987 cup?", "Insufficient information.", "Velmora won [1].", "Velmora",
         [("a", 0, 20, "Velmora won.")], answerable=False),
]


def scored(cases=CASES):
    questions, preds = [q for q, _ in cases], [p for _, p in cases]
    return questions, preds, [score_question(q, p) for q, p in cases]


def test_the_summary_counts_in_plain_words():
    _, _, rows = scored()
    assert plain_summary(counts(rows)) == (
        "Of 6 questions, the assistant answered 2 right, cited the right sentence for 1, declined 2 (1 of them "
        "rightly: the articles do not answer them), gave a wrong answer to 1 and answered 1 that the articles do not "
        "answer. 1 of the right answers cites no sentence that supports it.")
    rows = [r for r in rows if r["id"] in ("q1", "q4")]
    assert plain_summary(counts(rows)) == (
        "Of 2 questions, the assistant answered 1 right, cited the right sentence for 1, declined 1 that the articles "
        "do answer and gave a wrong answer to 0.")


class Page(HTMLParser):
    def __init__(self, text):
        super().__init__()
        self.tags, self.text = [], []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def test_report_opens_with_the_summary_then_every_wrong_or_unsupported_answer(tmp_path):
    questions, preds, rows = scored()
    md = write_report(tmp_path, summarize(rows, questions), rows, None, "Toy eval", questions=questions,
                      preds=preds).read_text(encoding="utf-8")
    lines = md.splitlines()
    assert lines[0] == "# Toy eval" and lines[2].startswith("Of 6 questions, the assistant answered 2 right")
    table = md.split("## Wrong or unsupported answers (4)", 1)[1].split("## Overall", 1)[0]
    body = [line for line in table.splitlines() if line.startswith("| q")]
    assert [line.split(" | ")[0:2] for line in body] == [
        ["| q3", "wrong answer"], ["| q4", "declined, but the articles answer it"],
        ["| q6", "answered, but the articles do not say"], ["| q2", "right, but the cited sentence does not support it"]]
    assert body[0] == ("| q3 | wrong answer | When did the river flood? | Thursday | Monday — On Monday [1]. | "
                       "“Monday.” (Toll rises) |")
    assert "What did <img src=x onerror=\"alert(1)\"> say \\| really?" in body[1]  # a pipe does not split the row
    assert body[2].split(" | ")[3] == "(not in the articles)"
    assert md.index("## Wrong or unsupported") < md.index("## Overall") < md.index("## Conventions")

    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    parsed = Page(page)
    text = " ".join(" ".join(parsed.text).split())
    assert "Of 6 questions, the assistant answered 2 right" in text and "answered, but the articles do not say" in text
    assert HOSTILE in text and not any(tag == "script" or (tag == "img" and "onerror" in a) for tag, a in parsed.tags)
    images = [a["src"] for tag, a in parsed.tags if tag == "img"]
    assert len(images) == 2 and all(src.startswith("data:image/png;base64,") for src in images)
    assert not re.search(r"(src|href)=\"(https?:)?//", page)  # nothing to fetch: readable offline


def test_the_by_type_plot_compares_groups_not_the_overall_numbers(tmp_path):
    questions, _, rows = scored()
    single = summarize(rows, questions)  # every question has the type "span"
    groups, grouping = plot_groups(single["by_question_type"], rows, questions)
    assert grouping.startswith("question word") and set(groups) == {"how many", "who", "when", "what", "yes/no"}
    import matplotlib.pyplot as plt

    drawn = plot_by_type(plt, tmp_path / "by.png", groups, "by word")
    values = {(d["group"], d["metric"]): d["value"] for d in drawn}
    assert values[("how many", "answer_f1")] == 1.0 and values[("when", "answer_f1")] == 0.0
    assert values[("who", "answer_f1")] == 0.8  # q2 (F1 0.8) and q6 (unanswerable: None): the mean of what is defined
    assert {v for (_, m), v in values.items() if m == "answer_f1"} != {single["answer_f1"]}
    two_types = [dict(q, question_type="figure" if i < 3 else "who") for i, q in enumerate(questions)]
    groups, grouping = plot_groups(summarize(rows, two_types)["by_question_type"], rows, two_types)
    assert grouping == "question type" and set(groups) == {"figure", "who"}


def test_an_undefined_value_gets_no_bar(tmp_path):
    import matplotlib.pyplot as plt

    groups = {"figure": {"n": 3, "evidence_hit@10": 0.5, "mrr@10": 0.25, "answer_f1": 0.0, "citation_precision": None},
              "null": {"n": 2, "evidence_hit@10": None, "mrr@10": None, "answer_f1": None, "citation_precision": 0.0}}
    drawn = plot_by_type(plt, tmp_path / "by.png", groups, "undefined")
    bars = {(d["group"], d["metric"]): d["value"] for d in drawn if d["value"] is not None}
    labels = {(d["group"], d["metric"]) for d in drawn if d["value"] is None}
    assert bars == {("figure", "evidence_hit@10"): 0.5, ("figure", "mrr@10"): 0.25, ("figure", "answer_f1"): 0.0,
                    ("null", "citation_precision"): 0.0}  # real zeros are bars (of height 0); undefined ones are not
    assert labels == {("figure", "citation_precision"), ("null", "evidence_hit@10"), ("null", "mrr@10"),
                      ("null", "answer_f1")}
    assert (tmp_path / "by.png").read_bytes()[:4] == b"\x89PNG"


def test_question_words():
    assert [question_word(q) for q in ("How many died?", "Whose boat sank?", "The strike starts when?",
                                       "Did the levee hold?", "Name the mayor.")] == [
        "how many", "who", "when", "yes/no", "other"]


def test_eval_writes_both_reports(tmp_path):
    config = Config.from_env(env={}, index_dir=tmp_path / "index", embedder="hash")
    out = tmp_path / "out"
    summary = run_eval(config, REPO / "examples" / "gold.jsonl", [str(EXAMPLES)], out, progress=False,
                       open_store=ChromaStore)
    md = (out / "report.md").read_text(encoding="utf-8")
    assert md.splitlines()[2].startswith(f"Of {summary['n']} questions, the assistant answered ")
    preds = [json.loads(line) for line in (out / "predictions.jsonl").read_text(encoding="utf-8").splitlines()]
    shown = len(re.findall(r"^\| ex-", md, flags=re.M))
    assert shown == sum(1 for line in md.splitlines() if line.startswith("| ex-")) and shown <= len(preds)
    assert f"## Wrong or unsupported answers ({shown})" in md
    assert "Of " in (out / "report.html").read_text(encoding="utf-8")


def test_an_answer_quoting_the_figure_in_curly_quotes_is_right():
    q = {"id": "c", "question": "What is the total cost of attendance?", "answer": "$57,000", "evidence": []}
    p = {"answer": "“… with a total cost of attendance of $57,000.” [1] (Wikipedia)", "short_answer": None,
         "abstained": False, "citations": [], "ranked": []}
    row = score_question(q, p)
    assert row["answer_contained"] == 1.0 and row["answer_em"] == 0.0  # SQuAD's EM stays as the official script has it
    assert score_question(q, p | {"answer": "It cost $57,001."})["answer_contained"] == 0.0

"""Train the sentence ranker on ../shared/data/squad_train, export it as int8 ONNX into assistant/qa/.

    python -m training.train_ranker                 # the shipped model: all 24 articles, then export
    python -m training.train_ranker --cv 5 --folds 0  # cross-validation by article (no export)

The ranker reads a question and one sentence (with its neighbours' nearest pieces after it) and scores how well that
sentence answers it; it is trained listwise (each question's answering sentence against sentences of the same article
retrieval confuses with it), with the span head learning the answer's place beside it. Fixed seed; a progress line every 30 s with rate and time left; wall
time, peak memory and the validation scores at the end (validation: ../shared/data/squad_sample, every sentence of
the question's article ranked)."""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from pathlib import Path

import numpy as np
import torch

from assistant.qa.windows import question_ids, ranker_input
from training.ranker_data import Pair, build_groups
from training.reader_data import (
    SHARED,
    Doc,
    Question,
    folds_by_article,
    nearest_sentences,
    sentence_of,
)
from training.reader_eval import embedder
from training.reader_model import batch_tensors
from training.train_reader import ROOT, Progress, docs_questions, shipped_net, training_data

SPAN_WEIGHT = 0.5  # the span loss beside the listwise one (the ranker learns where the answer is, not only whether)


def train(groups: list[list[Pair]], args):
    net, words, frozen = shipped_net(args)
    params = [p for p in net.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    per_batch = max(1, args.batch // len(groups[0]))
    steps = args.epochs * ((len(groups) + per_batch - 1) // per_batch)
    warm = max(1, int(0.06 * steps))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / (steps - warm))))
    ce = torch.nn.CrossEntropyLoss()
    rng = random.Random(args.seed)
    prog = Progress(f"training the ranker, {args.epochs} epochs", args.epochs * sum(len(g) for g in groups))
    for _ in range(args.epochs):
        net.train()
        order = list(range(len(groups)))
        rng.shuffle(order)
        for b in range(0, len(order), per_batch):
            chunk = [groups[k] for k in order[b : b + per_batch]]
            batch = [p for g in chunk for p in g]
            ids, mask, types, start, end, has = batch_tensors(batch)
            s, e, here = net(words[ids], mask, types)
            losses, at = [], 0
            for g in chunk:
                losses.append(torch.nn.functional.cross_entropy(here[at : at + len(g)][None], torch.tensor([0])))
                at += len(g)
            loss = torch.stack(losses).mean()
            pos = has.bool()
            if pos.any():
                pad = (1 - mask[pos]) * -1e4
                loss = loss + SPAN_WEIGHT * (ce(s[pos] + pad, start[pos]) + ce(e[pos] + pad, end[pos])) / 2
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            prog.add(len(batch))
    net.eval()
    return net, words


def rank_scores(logits, q: Question, doc: Doc, sentences: list[int]) -> np.ndarray:
    q_ids = question_ids(q.text)
    out = []
    for b in range(0, len(sentences), 64):
        pairs = [ranker_input(q_ids, doc.tokens, i)[:2] for i in sentences[b : b + 64]]
        out.append(logits(pairs)[2])
    return np.concatenate(out)


def evaluate(logits, questions: list[Question], docs: dict[str, Doc], embed) -> dict:
    """How often the answer's sentence comes first among all its article's sentences, and among the 8 sentences
    nearest the question by MiniLM cosine + shared words (the retrieval's shortlist): by the ranker, and by that
    retrieval score alone."""
    from common.text import terms

    vecs = {aid: embed([d.text[s:e] for s, e in d.spans]) for aid, d in docs.items()
            if any(q.article_id == aid for q in questions)}
    top_all, top_short, base_short, mrr = [], [], [], []
    for q in questions:
        doc = docs[q.article_id]
        gold = sentence_of(doc, q.answers[0][0])
        sc = rank_scores(logits, q, doc, list(range(len(doc.spans))))
        order = list(np.argsort(-sc, kind="stable"))
        top_all.append(float(order[0] == gold))
        mrr.append(1.0 / (1 + order.index(gold)))
        qt = set(terms(q.text))
        base = vecs[q.article_id] @ embed([q.text])[0] + np.array([len(qt & t) / (len(qt) or 1) for t in doc.terms])
        short = [int(i) for i in np.argsort(-base, kind="stable")[:8]]
        base_short.append(float(short[0] == gold))
        top_short.append(float(max(short, key=lambda i: sc[i]) == gold and gold in short))
    return {"questions": len(questions), "article_top1": round(float(np.mean(top_all)), 4),
            "article_mrr": round(float(np.mean(mrr)), 4), "shortlist8_top1": round(float(np.mean(top_short)), 4),
            "shortlist8_top1_retrieval_alone": round(float(np.mean(base_short)), 4)}


def torch_logits(net, words):
    def run(pairs):
        ids, mask, types, *_ = batch_tensors([Pair("", "", 0, tuple(i), tuple(t), 0, 0, False) for i, t in pairs])
        with torch.no_grad():
            s, e, h = net(words[ids], mask, types)
        return s.numpy(), e.numpy(), h.numpy()

    return run


def export(net, words, args, validation, embed) -> dict:
    from assistant.qa.model import ReaderModel
    from training.export_reader import manifest, write_int8_onnx

    docs, questions = validation
    scores = {"torch_fp32": evaluate(torch_logits(net, words), questions, docs, embed)}
    print(f"validation (torch, fp32): {json.dumps(scores['torch_fp32'])}", flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    graph = args.out / "ranker.onnx"
    write_int8_onnx(net, graph)
    meta = manifest(graph, words, f"python -m training.train_ranker --epochs {args.epochs} --lr {args.lr} "
                                  f"--batch {args.batch} --seed {args.seed}")
    (args.out / "ranker.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    scores["onnx_int8"] = evaluate(ReaderModel(args.out / "ranker.json").logits, questions, docs, embed)
    print(f"validation (onnx, int8): {json.dumps(scores['onnx_int8'])}", flush=True)
    meta["validation_squad_sample"] = scores
    meta["size_bytes"] = graph.stat().st_size
    (args.out / "ranker.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return {"validation": scores, "onnx_bytes": meta["size_bytes"], "onnx_sha256": meta["onnx_sha256"]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--batch", type=int, default=36, help="pairs a batch (whole questions: 6 pairs each)")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--cv", type=int, default=0, help="K-fold cross-validation by article instead of the final model")
    ap.add_argument("--folds", default="", help="with --cv: only these folds (e.g. 0,1)")
    ap.add_argument("--limit", type=int, default=0, help="train on the first N questions only (a smoke run)")
    ap.add_argument("--out", type=Path, default=ROOT / "assistant" / "qa")
    ap.add_argument("--data", type=Path, default=SHARED)
    args = ap.parse_args(argv)
    args.frozen = 0
    t0 = time.monotonic()
    loaded = training_data(args)
    if loaded is None:
        return 2
    docs, questions = loaded
    embed = embedder()
    groups = build_groups(questions, docs, args.seed, nearest_sentences(questions, docs, embed))
    print(f"{len(groups)} questions, {sum(len(g) for g in groups)} pairs", flush=True)
    results = {}
    if args.cv:
        fold = folds_by_article({q.article_id for q in questions}, args.cv)
        wanted = [int(f) for f in args.folds.split(",")] if args.folds else range(args.cv)
        for k in wanted:
            net, words = train([g for g in groups if fold[g[0].article_id] != k], args)
            test_q = [q for q in questions if fold[q.article_id] == k]
            results[f"fold{k}"] = evaluate(torch_logits(net, words), test_q, docs, embed)
            print(f"fold {k}: {json.dumps(results[f'fold{k}'])}", flush=True)
    else:
        net, words = train(groups, args)
        results = export(net, words, args, docs_questions(args.data / "squad_sample"), embed)
    results["wall_seconds"] = round(time.monotonic() - t0, 1)
    results["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    results["settings"] = {k: str(v) for k, v in vars(args).items()}
    print(json.dumps(results, indent=2), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Train the extractive reader on ../shared/data/squad_train, export it as int8 ONNX into assistant/qa/.

    python -m training.train_reader                 # the shipped model: all 24 articles, every layer, then export
    python -m training.train_reader --cv 5          # 5-fold cross-validation by article (no export)

Fixed seed; a progress line every 30 s with rate and time left; wall time, peak memory and the validation scores at
the end (validation: ../shared/data/squad_sample, given the answer's sentence window)."""

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

from training.reader_data import (
    DENSE_NEGATIVES,
    HARD_NEGATIVES,
    SHARED,
    Example,
    build_examples,
    folds_by_article,
    load_docs,
    load_questions,
    nearest_sentences,
)
from training.reader_eval import embedder, evaluate
from training.reader_model import LAYERS, ReaderNet, batch_tensors, load_shipped, torch_logits

ROOT = Path(__file__).resolve().parents[1]


class Progress:
    def __init__(self, what: str, total: int, every: float = 30.0):
        self.what, self.total, self.every = what, total, every
        self.t0 = self.last = time.monotonic()
        self.done = 0
        print(f"{what}: {total} examples", flush=True)

    def add(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if now - self.last >= self.every or self.done == self.total:
            self.last = now
            rate = self.done / max(now - self.t0, 1e-9)
            left = (self.total - self.done) / max(rate, 1e-9)
            print(f"{self.what}: {self.done}/{self.total} ({100 * self.done / self.total:.0f}%), {rate:.1f} examples/s,"
                  f" about {int(left // 60)} min {int(left % 60)} s left", flush=True)


def minilm_weights() -> str:
    from index.embedders import minilm_path

    return str(minilm_path() / "model.safetensors")


def shipped_net(args) -> tuple[ReaderNet, torch.Tensor, list]:
    """The shipped MiniLM as a reader (fresh heads); returns it, the word embeddings and its frozen modules."""
    torch.manual_seed(args.seed)
    net = ReaderNet()
    words = load_shipped(net, minilm_weights())
    frozen = [net.position, net.token_type, net.emb_norm, *net.layers[: args.frozen]]
    for m in frozen:
        m.requires_grad_(False)
    return net, words, frozen


def bottom_outputs(examples: list[Example], args) -> list[torch.Tensor]:
    """The frozen lowest layers' outputs for every example, computed once (fp16): the same for every fold."""
    net, words, _ = shipped_net(args)
    net.eval()
    cached = []
    prog = Progress(f"computing the lowest {args.frozen} layers once", len(examples))
    with torch.no_grad():
        for b in range(0, len(examples), 64):
            ids, mask, types, *_ = batch_tensors(examples[b : b + 64])
            h = net.bottom(words[ids], mask, types, args.frozen).to(torch.float16)
            cached.extend(h[k, : len(e.ids)] for k, e in enumerate(examples[b : b + 64]))
            prog.add(len(ids))
    return cached


def train(examples: list[Example], args, cached: list[torch.Tensor] | None = None,
          subset: list[int] | None = None) -> tuple[ReaderNet, torch.Tensor]:
    """Fine-tune the top layers and heads on `examples` (or those at `subset`); the word embeddings and the lowest
    `args.frozen` layers stay as shipped, so their outputs (`cached`) are computed once and reused every epoch."""
    if cached is None:
        cached = bottom_outputs(examples, args)
    net, words, frozen = shipped_net(args)
    chosen = list(range(len(examples))) if subset is None else list(subset)
    params = [p for p in net.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    steps = args.epochs * ((len(chosen) + args.batch - 1) // args.batch)
    warm = max(1, int(0.06 * steps))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / (steps - warm))))
    ce, bce = torch.nn.CrossEntropyLoss(), torch.nn.BCEWithLogitsLoss()
    rng = random.Random(args.seed)
    prog = Progress(f"training the top {LAYERS - args.frozen} layers, {args.epochs} epochs", args.epochs * len(chosen))
    for _ in range(args.epochs):
        net.train()
        for m in frozen:
            m.eval()
        for idx in batches(examples, chosen, args.batch, rng, whole_questions=bool(args.listwise)):
            batch = [examples[k] for k in idx]
            _, mask, _, start, end, has = batch_tensors(batch)
            h = torch.zeros((len(idx), mask.shape[1], cached[idx[0]].shape[-1]))
            for k, j in enumerate(idx):
                h[k, : len(cached[j])] = cached[j].float()
            s, e, here = net.top(h, mask, args.frozen)
            pad = (1 - mask) * -1e4
            loss = (ce(s + pad, start) + ce(e + pad, end)) / 2 + 0.5 * bce(here, has)
            if args.listwise:
                loss = loss + args.listwise * listwise(here, [examples[k] for k in idx])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            prog.add(len(idx))
    net.eval()
    return net, words


def batches(examples: list[Example], chosen: list[int], size: int, rng: random.Random, whole_questions: bool):
    """Shuffled batches of example indices; with `whole_questions`, a question's windows stay in one batch (about
    `size` windows a batch) so the listwise loss sees them side by side."""
    if not whole_questions:
        order = list(chosen)
        rng.shuffle(order)
        yield from (order[b : b + size] for b in range(0, len(order), size))
        return
    groups: dict[str, list[int]] = {}
    for k in chosen:
        groups.setdefault(examples[k].question_id, []).append(k)
    order = list(groups.values())
    rng.shuffle(order)
    batch: list[int] = []
    for g in order:
        batch.extend(g)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def listwise(here: torch.Tensor, batch: list[Example]) -> torch.Tensor:
    """Cross-entropy of each question's answers-here logits with its positive window as the class: the reader
    learns to put the window that answers above the ones retrieval confuses with it."""
    by_q: dict[str, list[int]] = {}
    for k, x in enumerate(batch):
        by_q.setdefault(x.question_id, []).append(k)
    losses = []
    for ks in by_q.values():
        pos = [j for j, k in enumerate(ks) if batch[k].positive]
        if len(pos) == 1 and len(ks) > 1:
            losses.append(torch.nn.functional.cross_entropy(here[ks][None], torch.tensor([pos[0]])))
    return torch.stack(losses).mean() if losses else here.sum() * 0.0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--frozen", type=int, default=0, help="lowest layers kept as shipped (their outputs cached); 0: train all")
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--cv", type=int, default=0, help="K-fold cross-validation by article instead of the final model")
    ap.add_argument("--folds", default="", help="with --cv: only these folds (e.g. 0,1)")
    ap.add_argument("--negatives", type=int, default=HARD_NEGATIVES,
                    help="hard negative windows per question (sentences sharing most of its words)")
    ap.add_argument("--dense-negatives", type=int, default=DENSE_NEGATIVES,
                    help="more negative windows per question, around the sentences nearest it by MiniLM cosine")
    ap.add_argument("--listwise", type=float, default=0.0,
                    help="weight of a listwise loss over each question's answers-here logits (0: none)")
    ap.add_argument("--limit", type=int, default=0, help="train on the first N questions only (a smoke run)")
    ap.add_argument("--out", type=Path, default=ROOT / "assistant" / "qa")
    ap.add_argument("--data", type=Path, default=SHARED)
    args = ap.parse_args(argv)
    t0 = time.monotonic()
    loaded = training_data(args)
    if loaded is None:
        return 2
    docs, questions = loaded
    results = {}
    if args.cv:
        fold = folds_by_article({q.article_id for q in questions}, args.cv)
        wanted = [int(f) for f in args.folds.split(",")] if args.folds else range(args.cv)
        embed = embedder()
        examples = build_examples(questions, docs, args.seed, args.negatives, near(questions, docs, args, embed),
                                  args.dense_negatives)
        cached = bottom_outputs(examples, args)  # frozen layers: the same outputs serve every fold
        for k in wanted:
            test_q = [q for q in questions if fold[q.article_id] == k]
            subset = [n for n, x in enumerate(examples) if fold[x.article_id] != k]
            net, words = train(examples, args, cached, subset)
            results[f"fold{k}"] = evaluate(torch_logits(net, words), test_q, docs, embed)
            print(f"fold {k}: {json.dumps(results[f'fold{k}'])}", flush=True)
        keys = [k for k in next(iter(results.values())) if k != "questions"]
        results["mean"] = {k: round(float(np.mean([r[k] for r in results.values()])), 4) for k in keys}
    else:
        net, words = train(build_examples(questions, docs, args.seed, args.negatives, near(questions, docs, args),
                                          args.dense_negatives), args)
        from training.export_reader import export

        results = export(net, words, args, docs_questions(args.data / "squad_sample"))
    results["wall_seconds"] = round(time.monotonic() - t0, 1)
    results["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    results["settings"] = {k: str(v) for k, v in vars(args).items()}
    print(json.dumps(results, indent=2), flush=True)
    return 0


def training_data(args):
    """Seed every generator and set torch's threads, then (squad_train's articles, its questions; the first
    `args.limit` only if set), or None after saying where the data should be."""
    torch.set_num_threads(args.threads)
    random.seed(args.seed)
    np.random.seed(args.seed)
    train_dir = args.data / "squad_train"
    if not (train_dir / "qa_train.jsonl").exists():
        print(f"error: {train_dir}/qa_train.jsonl not found: put the project's shared data beside the checkout "
              "(../shared/data)", file=sys.stderr)
        return None
    docs = load_docs(train_dir / "articles.jsonl")
    questions = load_questions(train_dir / "qa_train.jsonl", docs)
    return docs, questions[: args.limit] if args.limit else questions


def near(questions, docs, args, embed=None) -> dict[str, list[int]] | None:
    """The sentences nearest each question by MiniLM cosine, when dense negatives are asked for (`embed`: the
    encoder already loaded, if any)."""
    return nearest_sentences(questions, docs, embed or embedder()) if args.dense_negatives else None


def docs_questions(folder: Path):
    docs = load_docs(folder / "articles.jsonl")
    return docs, load_questions(folder / "qa_dev.jsonl", docs)


if __name__ == "__main__":
    sys.exit(main())

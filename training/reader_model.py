"""The reader network for training and export: the shipped MiniLM encoder (BERT, 6 layers) written out plainly, with
a span head (start, end) and an answers-here head on [CLS]. Its word embeddings stay frozen, so the runtime reads
them from the shipped package; the lowest `frozen` layers stay as shipped too (their outputs are computed once)."""

from __future__ import annotations

import math

import torch
from torch import nn

HIDDEN, HEADS, LAYERS, EPS = 384, 12, 6, 1e-12


class Layer(nn.Module):
    def __init__(self):
        super().__init__()
        self.query, self.key, self.value = (nn.Linear(HIDDEN, HIDDEN) for _ in range(3))
        self.attn_out, self.attn_norm = nn.Linear(HIDDEN, HIDDEN), nn.LayerNorm(HIDDEN, eps=EPS)
        self.inter, self.out = nn.Linear(HIDDEN, 4 * HIDDEN), nn.Linear(4 * HIDDEN, HIDDEN)
        self.out_norm = nn.LayerNorm(HIDDEN, eps=EPS)
        self.drop = nn.Dropout(0.1)

    def forward(self, h: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        b, n, _ = h.shape
        d = HIDDEN // HEADS

        def heads(x):
            return x.view(b, n, HEADS, d).transpose(1, 2)

        q, k, v = heads(self.query(h)), heads(self.key(h)), heads(self.value(h))
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d) + bias, dim=-1)
        ctx = (self.drop(att) @ v).transpose(1, 2).reshape(b, n, HIDDEN)
        h = self.attn_norm(h + self.drop(self.attn_out(ctx)))
        return self.out_norm(h + self.drop(self.out(nn.functional.gelu(self.inter(h)))))


class ReaderNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.position = nn.Embedding(512, HIDDEN)
        self.token_type = nn.Embedding(2, HIDDEN)
        self.emb_norm = nn.LayerNorm(HIDDEN, eps=EPS)
        self.layers = nn.ModuleList(Layer() for _ in range(LAYERS))
        self.span = nn.Linear(HIDDEN, 2)
        self.here = nn.Linear(HIDDEN, 1)
        self.drop = nn.Dropout(0.1)

    def bottom(self, inputs_embeds, attention_mask, token_type_ids, upto: int) -> torch.Tensor:
        """Hidden states after the first `upto` layers."""
        n = inputs_embeds.shape[1]
        h = inputs_embeds + self.token_type(token_type_ids) + self.position.weight[:n]
        h = self.drop(self.emb_norm(h))
        bias = self.mask_bias(attention_mask)
        for layer in self.layers[:upto]:
            h = layer(h, bias)
        return h

    def top(self, h, attention_mask, start_layer: int):
        """The remaining layers and the heads: start and end logits per position, answers-here logit per window."""
        bias = self.mask_bias(attention_mask)
        for layer in self.layers[start_layer:]:
            h = layer(h, bias)
        logits = self.span(h)
        return logits[..., 0], logits[..., 1], self.here(self.drop(h[:, 0])).squeeze(-1)

    def forward(self, inputs_embeds, attention_mask, token_type_ids):
        return self.top(self.bottom(inputs_embeds, attention_mask, token_type_ids, 0), attention_mask, 0)

    @staticmethod
    def mask_bias(attention_mask: torch.Tensor) -> torch.Tensor:
        return ((1.0 - attention_mask[:, None, None, :].float()) * -1e4).to(torch.float32)


def load_shipped(net: ReaderNet, safetensors_path: str) -> torch.Tensor:
    """Copy the shipped MiniLM weights into `net` (the heads stay freshly initialised); returns the frozen word
    embedding table."""
    from safetensors.torch import load_file

    w = load_file(safetensors_path)
    sd = {"position.weight": w["embeddings.position_embeddings.weight"],
          "token_type.weight": w["embeddings.token_type_embeddings.weight"],
          "emb_norm.weight": w["embeddings.LayerNorm.weight"], "emb_norm.bias": w["embeddings.LayerNorm.bias"]}
    names = {"query": "attention.self.query", "key": "attention.self.key", "value": "attention.self.value",
             "attn_out": "attention.output.dense", "attn_norm": "attention.output.LayerNorm",
             "inter": "intermediate.dense", "out": "output.dense", "out_norm": "output.LayerNorm"}
    for i in range(LAYERS):
        for ours, theirs in names.items():
            for p in ("weight", "bias"):
                sd[f"layers.{i}.{ours}.{p}"] = w[f"encoder.layer.{i}.{theirs}.{p}"]
    missing, unexpected = net.load_state_dict(sd, strict=False)
    assert not unexpected and all(m.startswith(("span.", "here.")) for m in missing), (missing, unexpected)
    return w["embeddings.word_embeddings.weight"]


def batch_tensors(examples, pad_id: int = 0):
    """Pad a list of examples to their longest; returns ids, mask, types, start, end, has-answer."""
    n = max(len(e.ids) for e in examples)
    ids = torch.full((len(examples), n), pad_id, dtype=torch.long)
    mask = torch.zeros((len(examples), n), dtype=torch.long)
    types = torch.zeros((len(examples), n), dtype=torch.long)
    for k, e in enumerate(examples):
        ids[k, : len(e.ids)] = torch.tensor(e.ids)
        mask[k, : len(e.ids)] = 1
        types[k, : len(e.types)] = torch.tensor(e.types)
    start = torch.tensor([e.start for e in examples])
    end = torch.tensor([e.end for e in examples])
    return ids, mask, types, start, end, (start > 0).float()


def torch_logits(net: ReaderNet, words: torch.Tensor):
    def run(pairs):
        ids, mask, types, *_ = batch_tensors([_Pair(i, t) for i, t in pairs])
        with torch.no_grad():
            s, e, h = net(words[ids], mask, types)
        return s.numpy(), e.numpy(), h.numpy()

    return run


class _Pair:
    def __init__(self, ids, types):
        self.ids, self.types, self.start, self.end = ids, types, 0, 0

"""The ONNX graph of a BERT sentence encoder (all-MiniLM-L6-v2), built with onnx.helper from its safetensors weights
read by numpy (no torch): token ids and mask in, mean-pooled L2-normalised sentence vectors out."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np

BUILDER_VERSION = 1  # bump when the graph built from the same weights changes (a new cache file name follows)
OPSET = 17  # LayerNormalization is a standard op from 17
_DTYPES = {"F32": np.float32, "I64": np.int64}


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Every tensor of a .safetensors file as a numpy array (the format: u64 header size, JSON header, raw data)."""
    raw = path.read_bytes()
    (size,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + size])
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        start, end = meta["data_offsets"]
        dtype = np.dtype(_DTYPES[meta["dtype"]]).newbyteorder("<")
        out[name] = np.frombuffer(raw, dtype=dtype, count=(end - start) // dtype.itemsize,
                                  offset=8 + size + start).reshape(meta["shape"]).astype(dtype.newbyteorder("="))
    return out


def build_graph(weights: dict[str, np.ndarray], config: dict) -> bytes:
    """Serialized ONNX of BertModel (absolute positions, token type 0, GELU with erf) + mean pooling + L2 norm,
    as sentence-transformers computes it; inputs input_ids and attention_mask (int64, batch x tokens)."""
    import onnx
    from onnx import TensorProto, helper

    hidden, heads = config["hidden_size"], config["num_attention_heads"]
    eps = float(config["layer_norm_eps"])
    nodes, inits = [], []
    counter = iter(range(1_000_000))

    def const(name: str, array) -> str:
        inits.append(helper.make_tensor(name, _proto_type(array), array.shape, array.tobytes(), raw=True))
        return name

    def node(op: str, inputs: list[str], **attrs) -> str:
        out = f"{op.lower()}_{next(counter)}"
        nodes.append(helper.make_node(op, inputs, [out], **attrs))
        return out

    def linear(x: str, prefix: str) -> str:
        w = const(prefix + ".weight_t", np.ascontiguousarray(weights[prefix + ".weight"].T))
        return node("Add", [node("MatMul", [x, w]), const(prefix + ".bias", weights[prefix + ".bias"])])

    def layer_norm(x: str, prefix: str) -> str:
        return node("LayerNormalization", [x, const(prefix + ".weight", weights[prefix + ".weight"]),
                                           const(prefix + ".bias", weights[prefix + ".bias"])], axis=-1, epsilon=eps)

    # embeddings: words + positions (+ token type 0, folded into the positions)
    e = "embeddings."
    positions = weights[e + "position_embeddings.weight"] + weights[e + "token_type_embeddings.weight"][0]
    const("positions", positions.astype(np.float32))
    seq = node("Slice", ["shape_ids", const("one", np.array([1], np.int64)), const("two", np.array([2], np.int64))])
    nodes.insert(0, helper.make_node("Shape", ["input_ids"], ["shape_ids"]))
    pos = node("Slice", ["positions", const("zero", np.array([0], np.int64)), seq, const("axis0", np.array([0], np.int64))])
    words = node("Gather", [const("words", weights[e + "word_embeddings.weight"]), "input_ids"], axis=0)
    x = layer_norm(node("Add", [words, pos]), e + "LayerNorm")

    # attention bias: 0 where a token is real, -10000 where it is padding (batch x 1 x 1 x tokens)
    mask = node("Cast", ["attention_mask"], to=TensorProto.FLOAT)
    bias = node("Mul", [node("Sub", [const("f_one", np.array(1.0, np.float32)), mask]),
                        const("neg", np.array(-10000.0, np.float32))])
    bias = node("Unsqueeze", [bias, const("axes12", np.array([1, 2], np.int64))])
    split_shape = const("split_shape", np.array([0, 0, heads, hidden // heads], np.int64))
    merge_shape = const("merge_shape", np.array([0, 0, hidden], np.int64))
    scale = const("scale", np.array(1.0 / np.sqrt(hidden // heads), np.float32))
    half, root2 = const("half", np.array(0.5, np.float32)), const("root2", np.array(np.sqrt(2.0), np.float32))
    for i in range(config["num_hidden_layers"]):
        p = f"encoder.layer.{i}."

        def heads_of(name: str, perm: list[int], p=p, x=x) -> str:
            return node("Transpose", [node("Reshape", [linear(x, p + "attention.self." + name), split_shape])],
                        perm=perm)

        q, k, v = heads_of("query", [0, 2, 1, 3]), heads_of("key", [0, 2, 3, 1]), heads_of("value", [0, 2, 1, 3])
        scores = node("Add", [node("Mul", [node("MatMul", [q, k]), scale]), bias])
        context = node("MatMul", [node("Softmax", [scores], axis=-1), v])
        context = node("Reshape", [node("Transpose", [context], perm=[0, 2, 1, 3]), merge_shape])
        x = layer_norm(node("Add", [linear(context, p + "attention.output.dense"), x]), p + "attention.output.LayerNorm")
        h = linear(x, p + "intermediate.dense")
        h = node("Mul", [node("Mul", [h, half]), node("Add", [node("Erf", [node("Div", [h, root2])]), "f_one"])])
        x = layer_norm(node("Add", [linear(h, p + "output.dense"), x]), p + "output.LayerNorm")

    # mean over real tokens, then unit length (sentence-transformers' Pooling and Normalize)
    mask3 = node("Unsqueeze", [mask, const("axis2", np.array([2], np.int64))])
    summed = node("ReduceSum", [node("Mul", [x, mask3]), "one"], keepdims=0)
    count = node("Max", [node("ReduceSum", [mask3, "one"], keepdims=0), const("tiny", np.array(1e-9, np.float32))])
    mean = node("Div", [summed, count])
    norm = node("Max", [node("ReduceL2", [mean], axes=[1], keepdims=1), const("tiny12", np.array(1e-12, np.float32))])
    nodes.append(helper.make_node("Div", [mean, norm], ["sentence_embedding"]))

    ids = helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "tokens"])
    att = helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "tokens"])
    out = helper.make_tensor_value_info("sentence_embedding", TensorProto.FLOAT, ["batch", hidden])
    graph = helper.make_graph(nodes, "sentence_encoder", [ids, att], [out], initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="newsroom-assistant")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()


def _proto_type(array: np.ndarray) -> int:
    from onnx import TensorProto

    return {np.dtype(np.float32): TensorProto.FLOAT, np.dtype(np.int64): TensorProto.INT64}[array.dtype]

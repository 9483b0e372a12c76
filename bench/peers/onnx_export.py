"""Writes a dlc JSON model as ONNX (opset 17) with onnx.helper: the fallback exporter.

Used by make_models.py only when the dlc under test has no `dlc export` command. It covers
the ops of the benchmark models, with dlc's semantics (docs/ops.md): graph inputs keep their
names, "N" becomes dim_param "N", weights become initializers, dense is MatMul + Add,
matmul's transpose_b a Transpose, gelu (tanh form) its formula (Gelu is opset 20). An op
outside that set is an error naming the node. Deliberately not a general converter.
"""

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import dlc_model

OPSET = 17
ONNX_DTYPES = {"f32": TensorProto.FLOAT, "float32": TensorProto.FLOAT,
               "u8": TensorProto.UINT8, "uint8": TensorProto.UINT8,
               "i32": TensorProto.INT32, "i64": TensorProto.INT64, "bool": TensorProto.BOOL}
BINARY = {"add": "Add", "sub": "Sub", "mul": "Mul", "div": "Div", "maximum": "Max",
          "minimum": "Min"}
UNARY = {"tanh": "Tanh", "exp": "Exp", "sigmoid": "Sigmoid", "relu": "Relu"}


class _Builder:
    """Accumulates ONNX nodes and initializers; fresh() makes unique helper names."""

    def __init__(self):
        self.nodes, self.initializers, self.count = [], [], 0

    def fresh(self, base):
        self.count += 1
        return f"{base}__{self.count}"

    def const(self, base, array):
        name = self.fresh(base)
        self.initializers.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def add(self, op, inputs, output=None, **attrs):
        output = output or self.fresh(op.lower())
        self.nodes.append(helper.make_node(op, inputs, [output], **attrs))
        return output


def _gelu_tanh(b, x, out):
    cube = b.add("Mul", [b.add("Mul", [x, x]), x])
    inner = b.add("Add", [x, b.add("Mul", [cube, b.const("c", np.float32(0.044715))])])
    t = b.add("Tanh", [b.add("Mul", [inner, b.const("c", np.float32(np.sqrt(2 / np.pi)))])])
    half_x = b.add("Mul", [x, b.const("c", np.float32(0.5))])
    b.add("Mul", [half_x, b.add("Add", [t, b.const("c", np.float32(1.0))])], out)


def _node(b, node, ranks):
    """Appends the ONNX nodes computing dlc `node` into its own name."""
    a, ins, out = node.attrs, node.inputs, node.name
    if node.op in BINARY:
        b.add(BINARY[node.op], ins, out)
    elif node.op in UNARY:
        b.add(UNARY[node.op], ins, out)
    elif node.op == "cast":
        b.add("Cast", ins, out, to=ONNX_DTYPES[a["to"]])
    elif node.op == "flatten":
        b.add("Flatten", ins, out, axis=a.get("axis", 1))
    elif node.op == "reshape":
        shape = [-1 if d == "N" else d for d in a["shape"]]
        b.add("Reshape", [ins[0], b.const("shape", np.array(shape, np.int64))], out)
    elif node.op == "dense":
        if len(ins) == 3:
            b.add("Add", [b.add("MatMul", ins[:2]), ins[2]], out)
        else:
            b.add("MatMul", ins, out)
    elif node.op == "matmul":
        x, y = ins
        if a.get("transpose_a", 0):
            x = b.add("Transpose", [x], perm=_swap_last_two(ranks[x]))
        if a.get("transpose_b", 0):
            y = b.add("Transpose", [y], perm=_swap_last_two(ranks[y]))
        b.add("MatMul", [x, y], out)
    elif node.op == "softmax":
        b.add("Softmax", ins, out, axis=a.get("axis", -1))
    elif node.op == "conv2d":
        b.add("Conv", ins, out, strides=a.get("strides", [1, 1]), pads=a.get("pads", [0, 0, 0, 0]),
              dilations=a.get("dilations", [1, 1]), group=a.get("groups", 1))
    elif node.op == "batch_norm":
        b.add("BatchNormalization", ins, out, epsilon=a.get("epsilon", 1e-5))
    elif node.op == "max_pool2d":
        b.add("MaxPool", ins, out, kernel_shape=a["kernel"], strides=a.get("strides", a["kernel"]),
              pads=a.get("pads", [0, 0, 0, 0]))
    elif node.op == "layer_norm":
        b.add("LayerNormalization", ins, out, axis=a.get("axis", -1), epsilon=a.get("epsilon", 1e-5))
    elif node.op == "transpose":
        b.add("Transpose", ins, out, **({"perm": a["perm"]} if "perm" in a else {}))
    elif node.op == "gelu" and a.get("approximate", "none") == "tanh":
        _gelu_tanh(b, ins[0], out)
    else:
        raise ValueError(f"node {out!r}: op {node.op} {a} is not supported by onnx_export.py")


def _swap_last_two(rank):
    return list(range(rank - 2)) + [rank - 1, rank - 2]


def export(json_path, onnx_path):
    """Writes the dlc model at `json_path` as an ONNX model at `onnx_path`."""
    model = dlc_model.load(json_path)
    b = _Builder()
    ranks = {i.name: len(i.shape) for i in model.inputs}
    ranks.update({k: v.ndim for k, v in model.constants.items()})
    for name, array in model.constants.items():
        b.initializers.append(numpy_helper.from_array(array, name))
    for node in model.nodes:
        _node(b, node, ranks)
        ranks[node.name] = _rank(node, ranks)
    inputs = [helper.make_tensor_value_info(i.name, ONNX_DTYPES[i.dtype],
                                            [d if d == "N" else int(d) for d in i.shape])
              for i in model.inputs]
    graph = helper.make_graph(b.nodes, model.name, inputs, [], b.initializers)
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="bench/peers/onnx_export.py")
    inferred = {v.name: v for v in onnx.shape_inference.infer_shapes(proto).graph.value_info}
    proto.graph.output.extend(inferred[o] for o in model.outputs)
    onnx.checker.check_model(proto)
    onnx.save(proto, onnx_path)


def _rank(node, ranks):
    """The rank of `node`'s result (needed only to transpose matmul operands)."""
    if node.op == "reshape":
        return len(node.attrs["shape"])
    if node.op == "flatten":
        return 2
    if node.op in BINARY:
        return max(ranks[i] for i in node.inputs)
    return ranks[node.inputs[0]]

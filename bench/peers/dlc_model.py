"""Reads a dlc JSON model (docs/format.md) and its weight files into NumPy.

A `Model` holds the graph inputs (name, dtype, shape with "N" for the batch), the constants
as NumPy arrays (inline values splatted, safetensors/.npz/.npy files read), the nodes in
file order and the output names. jax_model.py and onnx_export.py translate it; nothing here
computes. Deliberately not here: the loader's validation (dlc itself checks models; these
are the benchmark's own, known-good models), bf16/f16 weights, topological sorting (the
benchmark models list nodes in order).
"""

import json
import os
import sys
from dataclasses import dataclass, field

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "examples"))
import safetensors_io  # noqa: E402

NUMPY_DTYPES = {"f32": np.float32, "float32": np.float32, "u8": np.uint8,
                "uint8": np.uint8, "i32": np.int32, "int32": np.int32,
                "i64": np.int64, "int64": np.int64, "bool": np.bool_}


@dataclass
class Input:
    name: str
    dtype: str
    shape: list  # ints and at most one "N"

    def concrete_shape(self, batch):
        return tuple(batch if d == "N" else int(d) for d in self.shape)


@dataclass
class Node:
    name: str
    op: str
    inputs: list
    attrs: dict = field(default_factory=dict)


@dataclass
class Model:
    name: str
    path: str
    inputs: list
    constants: dict  # name -> np.ndarray
    inline: set  # names of constants given by an inline "value" (the others are weights)
    nodes: list
    outputs: list


def _read_weights(folder, file_name, cache):
    if file_name not in cache:
        path = os.path.join(folder, file_name)
        if file_name.endswith(".safetensors"):
            cache[file_name] = safetensors_io.read(path)
        elif file_name.endswith(".npz"):
            with np.load(path) as archive:
                cache[file_name] = {k: archive[k] for k in archive.files}
        elif file_name.endswith(".npy"):
            cache[file_name] = {None: np.load(path)}
        else:
            raise ValueError(f"{path}: unknown weights format")
    return cache[file_name]


def _constant(entry, folder, cache):
    dtype = NUMPY_DTYPES[entry["dtype"]]
    shape = tuple(entry["shape"])
    if "value" in entry:
        value = np.asarray(entry["value"], dtype=dtype)
        return np.broadcast_to(value, shape).copy() if value.ndim == 0 else value.reshape(shape)
    tensors = _read_weights(folder, entry["file"], cache)
    key = None if entry["file"].endswith(".npy") else entry.get("key", entry["name"])
    array = tensors[key]
    if array.dtype != dtype or array.shape != shape:
        raise ValueError(f"constant {entry['name']}: {entry['file']}[{key}] is "
                         f"{array.dtype}{list(array.shape)}, declared {entry['dtype']}{list(shape)}")
    return np.ascontiguousarray(array)


def load(path):
    """Returns the Model in the dlc JSON file `path`, weights read from its folder."""
    with open(path) as f:
        doc = json.load(f)
    folder = os.path.dirname(os.path.abspath(path))
    cache = {}
    constants = {c["name"]: _constant(c, folder, cache) for c in doc.get("constants", [])}
    return Model(name=doc.get("name", os.path.basename(path).split(".")[0]), path=path,
                 inputs=[Input(i["name"], i["dtype"], list(i["shape"])) for i in doc["inputs"]],
                 constants=constants,
                 inline={c["name"] for c in doc.get("constants", []) if "value" in c},
                 nodes=[Node(n["name"], n["op"], list(n["inputs"]), dict(n.get("attrs", {})))
                        for n in doc["nodes"]],
                 outputs=list(doc["outputs"]))

"""Runs dlc example models with NumPy and writes their inputs and outputs as .npy files.

For each model JSON (default: the four examples beside this script) it loads the graph and
its weights (inline values, safetensors or .npz files), draws a fixed-seed input at the given
batch (default 2), evaluates every node with numpy_ops.OPS and writes into OUT_DIR:
  <model>.input.<input name>.npy     one per graph input
  <model>.output.<output name>.npy   one per graph output
  <model>.manifest.json              the files above, with dtypes and shapes
dlc's end-to-end tests run the same inputs through the compiled model and compare.

Inputs: f32 ~ N(0,1); u8 uniform in [0,255]; integers in [-8,8); bool fair coin; each model
has its own generator seeded from --seed, so the files are the same on every run.
Deliberately not here: comparing against dlc (the C++ tests do that), bf16 models.
"""

import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy_ops  # noqa: E402
import safetensors_io  # noqa: E402

EXAMPLES = ["fashion_mnist_mlp.json", "elementwise_chain.json", "cnn.json",
            "transformer_block.json"]


class ModelError(ValueError):
    """The model file or its weights are malformed."""


def _dtype(name, where):
    if name not in numpy_ops.DTYPES:
        raise ModelError(f"{where}: unsupported dtype {name!r}")
    return np.dtype(numpy_ops.DTYPES[name])


def _load_weight_file(path, cache):
    if path not in cache:
        if path.endswith(".npz"):
            with np.load(path) as npz:
                cache[path] = {k: npz[k] for k in npz.files}
        elif path.endswith(".safetensors"):
            cache[path] = safetensors_io.read(path)
        else:
            raise ModelError(f"{path}: unknown weight file type (want .npz or .safetensors)")
    return cache[path]


def load_constants(model, model_path):
    """Returns {name: np.ndarray} for the model's constants, checked against their decls."""
    base = os.path.dirname(os.path.abspath(model_path))
    cache, values = {}, {}
    for i, decl in enumerate(model.get("constants", [])):
        where = f"{model_path}: constants[{i}] {decl.get('name')!r}"
        dtype = _dtype(decl["dtype"], where)
        shape = tuple(decl["shape"])
        if "value" in decl:
            value = np.asarray(decl["value"], dtype=dtype)
            if value.ndim == 0 and shape:
                value = np.full(shape, value, dtype=dtype)
        elif "file" in decl:
            tensors = _load_weight_file(os.path.join(base, decl["file"]), cache)
            if decl["key"] not in tensors:
                raise ModelError(f"{where}: key {decl['key']!r} not in {decl['file']}")
            value = tensors[decl["key"]]
            if value.dtype != dtype:
                raise ModelError(f"{where}: {decl['file']} holds {value.dtype}, declared {dtype}")
        else:
            raise ModelError(f"{where}: needs \"value\" or \"file\"")
        if value.shape != shape:
            raise ModelError(f"{where}: shape {list(value.shape)}, declared {list(shape)}")
        values[decl["name"]] = value
    return values


def make_inputs(model, batch, rng):
    inputs = {}
    for decl in model["inputs"]:
        dtype = _dtype(decl["dtype"], f"input {decl['name']!r}")
        shape = [batch if d == "N" else int(d) for d in decl["shape"]]
        if dtype.kind == "f":
            value = rng.standard_normal(shape, dtype=np.float32).astype(dtype)
        elif dtype == np.uint8:
            value = rng.integers(0, 256, shape, dtype=np.uint8)
        elif dtype == np.bool_:
            value = rng.integers(0, 2, shape).astype(np.bool_)
        else:
            value = rng.integers(-8, 8, shape).astype(dtype)
        inputs[decl["name"]] = value
    return inputs


def evaluate(model, values, batch, model_path="model"):
    """Evaluates every node (in dependency order) into `values`; returns the outputs."""
    nodes = {n["name"]: (i, n) for i, n in enumerate(model["nodes"])}
    state = {}  # name -> "visiting" | "done"

    def visit(name):
        if name in values:
            return
        if name not in nodes:
            raise ModelError(f"{model_path}: {name!r} is neither an input, a constant nor a node")
        index, node = nodes[name]
        if state.get(name) == "visiting":
            raise ModelError(f"{model_path}: nodes[{index}] {name!r} is part of a cycle")
        state[name] = "visiting"
        for operand in node.get("inputs", []):
            visit(operand)
        op = numpy_ops.OPS.get(node["op"])
        if op is None:
            raise ModelError(f"{model_path}: nodes[{index}] {name!r}: unknown op {node['op']!r}")
        try:
            values[name] = op([values[o] for o in node["inputs"]], node.get("attrs", {}), batch)
        except (numpy_ops.OpError, ValueError, KeyError) as e:
            raise ModelError(f"{model_path}: nodes[{index}] {name!r} ({node['op']}): {e}") from e
        state[name] = "done"

    for name in model["outputs"]:
        visit(name)
    return {name: values[name] for name in model["outputs"]}


def run_model(model_path, batch, seed):
    """Returns (inputs, outputs) of one model for a seeded input at `batch`."""
    with open(model_path) as f:
        model = json.load(f)
    if model.get("format") != "dlc.model":
        raise ModelError(f"{model_path}: \"format\" must be \"dlc.model\"")
    constants = load_constants(model, model_path)
    inputs = make_inputs(model, batch, np.random.default_rng(seed))
    outputs = evaluate(model, {**constants, **inputs}, batch, model_path)
    return model, inputs, outputs


def write_case(out_dir, model, model_path, inputs, outputs, batch, seed):
    name = model.get("name") or os.path.splitext(os.path.basename(model_path))[0]
    manifest = {"model": os.path.abspath(model_path), "batch": batch, "seed": seed,
                "inputs": {}, "outputs": {}}
    for kind, tensors in (("input", inputs), ("output", outputs)):
        for tensor_name, value in tensors.items():
            file_name = f"{name}.{kind}.{tensor_name}.npy"
            np.save(os.path.join(out_dir, file_name), np.ascontiguousarray(value))
            manifest[kind + "s"][tensor_name] = {"file": file_name, "dtype": str(value.dtype),
                                                 "shape": list(value.shape)}
    with open(os.path.join(out_dir, f"{name}.manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    return name


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", help="directory to write the .npy files into")
    parser.add_argument("models", nargs="*", help="model JSON files (default: the examples)")
    parser.add_argument("--batch", type=int, default=2, help="value of the batch symbol N")
    parser.add_argument("--seed", type=int, default=0, help="input generator seed")
    args = parser.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    models = args.models or [os.path.join(here, m) for m in EXAMPLES]
    try:
        for model_path in models:
            model, inputs, outputs = run_model(model_path, args.batch, args.seed)
            name = write_case(args.out_dir, model, model_path, inputs, outputs, args.batch,
                              args.seed)
            shapes = ", ".join(f"{k} {list(v.shape)}" for k, v in outputs.items())
            print(f"{name}: {shapes}")
    except (ModelError, OSError, KeyError, json.JSONDecodeError) as e:
        print(f"reference_check: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Writes every benchmark model into the work dir, as dlc JSON + weights and as ONNX.

  elementwise_chain, fashion_mnist_mlp, cnn   copied from examples/ with their weights
  transformer_256, transformer_768            examples/transformer_block.json's structure at
                                              seq 128, hidden 256 (4 heads, MLP 1024) and
                                              hidden 768 (12 heads, MLP 3072); weights from
                                              examples/make_examples.py (fixed seed)
  matmul_1024, matmul_4096                    inputs a [n,n], b [n,n], one matmul node

Each model is then exported to <stem>.onnx by `dlc export` from the build under test (input
and output names kept, batch dim_param "N", weights as initializers), or by onnx_export.py
when that dlc has no export command. Returns which exporter ran. Deliberately not here:
running anything.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys

EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples")
sys.path.insert(0, EXAMPLES)
import make_examples  # noqa: E402
import safetensors_io  # noqa: E402

import onnx_export  # noqa: E402

COPIED = {"elementwise_chain.json": [], "fashion_mnist_mlp.json": ["fashion_mnist_mlp.safetensors"],
          "cnn.json": ["cnn.npz"]}
TRANSFORMERS = {"transformer_256.json": (256, 4, 1024), "transformer_768.json": (768, 12, 3072)}
SEQ = 128


def transformer_json(name, weights_file, d_model, heads, d_ff):
    """examples/transformer_block.json at sequence SEQ, d_model, heads and MLP width d_ff."""
    head_dim = d_model // heads

    def const(cname, shape, key):
        return {"name": cname, "dtype": "f32", "shape": shape, "file": weights_file, "key": key}

    constants = [const("ln1_gamma", [d_model], "ln1.gamma"), const("ln1_beta", [d_model], "ln1.beta")]
    for p in "qkvo":
        constants += [const(f"w{p}", [d_model, d_model], f"attn.w{p}"),
                      const(f"b{p}", [d_model], f"attn.b{p}")]
    constants += [{"name": "attn_scale", "dtype": "f32", "shape": [], "value": head_dim ** -0.5},
                  const("ln2_gamma", [d_model], "ln2.gamma"), const("ln2_beta", [d_model], "ln2.beta"),
                  const("w1", [d_model, d_ff], "mlp.w1"), const("c1", [d_ff], "mlp.b1"),
                  const("w2", [d_ff, d_model], "mlp.w2"), const("c2", [d_model], "mlp.b2")]

    def node(nname, op, inputs, **attrs):
        entry = {"name": nname, "op": op, "inputs": inputs}
        if attrs:
            entry["attrs"] = attrs
        return entry

    split = [0, SEQ, heads, head_dim]
    nodes = [node("ln1", "layer_norm", ["x", "ln1_gamma", "ln1_beta"], axis=-1, epsilon=1e-5)]
    for p in "qkv":
        nodes += [node(p, "dense", ["ln1", f"w{p}", f"b{p}"]),
                  node(f"{p}_split", "reshape", [p], shape=split),
                  node(f"{p}_heads", "transpose", [f"{p}_split"], perm=[0, 2, 1, 3])]
    nodes += [node("scores", "matmul", ["q_heads", "k_heads"], transpose_b=1),
              node("scaled_scores", "mul", ["scores", "attn_scale"]),
              node("weights", "softmax", ["scaled_scores"], axis=-1),
              node("ctx_heads", "matmul", ["weights", "v_heads"]),
              node("ctx_split", "transpose", ["ctx_heads"], perm=[0, 2, 1, 3]),
              node("ctx", "reshape", ["ctx_split"], shape=[0, SEQ, d_model]),
              node("attn", "dense", ["ctx", "wo", "bo"]),
              node("h", "add", ["x", "attn"]),
              node("ln2", "layer_norm", ["h", "ln2_gamma", "ln2_beta"], axis=-1, epsilon=1e-5),
              node("mlp_in", "dense", ["ln2", "w1", "c1"]),
              node("mlp_act", "gelu", ["mlp_in"], approximate="tanh"),
              node("mlp_out", "dense", ["mlp_act", "w2", "c2"]),
              node("out", "add", ["h", "mlp_out"])]
    return {"format": "dlc.model", "version": 1, "name": name,
            "inputs": [{"name": "x", "dtype": "f32", "shape": ["N", SEQ, d_model]}],
            "constants": constants, "nodes": nodes, "outputs": ["out"]}


def matmul_json(n):
    return {"format": "dlc.model", "version": 1, "name": f"matmul_{n}",
            "inputs": [{"name": "a", "dtype": "f32", "shape": [n, n]},
                       {"name": "b", "dtype": "f32", "shape": [n, n]}],
            "nodes": [{"name": "c", "op": "matmul", "inputs": ["a", "b"]}], "outputs": ["c"]}


def _write_json(path, doc):
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


def write_models(work):
    """Writes the dlc JSON models and their weights into `work`; returns the JSON paths."""
    os.makedirs(work, exist_ok=True)
    paths = []
    for model, weights in COPIED.items():
        for name in [model] + weights:
            shutil.copyfile(os.path.join(EXAMPLES, name), os.path.join(work, name))
        paths.append(os.path.join(work, model))
    for model, (d_model, heads, d_ff) in TRANSFORMERS.items():
        stem = model[:-len(".json")]
        safetensors_io.write(os.path.join(work, stem + ".safetensors"),
                             make_examples.transformer_weights(d_model, d_ff))
        _write_json(os.path.join(work, model),
                    transformer_json(stem, stem + ".safetensors", d_model, heads, d_ff))
        paths.append(os.path.join(work, model))
    for n in (1024, 4096):
        paths.append(os.path.join(work, f"matmul_{n}.json"))
        _write_json(paths[-1], matmul_json(n))
    return paths


def has_export(dlc):
    """Whether this dlc binary has the `export` command."""
    probe = subprocess.run([dlc, "export", "--help"], capture_output=True, text=True)
    return probe.returncode == 0


def export_onnx(dlc, json_paths):
    """Writes <stem>.onnx beside each model; returns the exporter's name."""
    use_dlc = has_export(dlc)
    for path in json_paths:
        out = path[:-len(".json")] + ".onnx"
        if use_dlc:
            done = subprocess.run([dlc, "export", path, "-o", out], capture_output=True, text=True)
            if done.returncode != 0:
                raise RuntimeError(f"dlc export {path}: {done.stderr.strip() or done.stdout.strip()}")
        else:
            onnx_export.export(path, out)
    return "dlc export" if use_dlc else "bench/peers/onnx_export.py (this dlc has no export command)"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", required=True, help="folder to write the models into")
    parser.add_argument("--dlc", required=True, help="the dlc binary (for dlc export)")
    args = parser.parse_args()
    print(f"onnx exporter: {export_onnx(args.dlc, write_models(args.work))}")


if __name__ == "__main__":
    main()

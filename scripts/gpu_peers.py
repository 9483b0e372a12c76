#!/usr/bin/env python3
"""Times dlc's example MLP and transformer block through torch.compile and jax.jit on the GPU.

The peers of `dlc bench`: the same two models (examples/fashion_mnist_mlp.json and
examples/transformer_block.json), written here by hand op for op, with the weights read
from the examples' safetensors files by examples/safetensors_io.py (NumPy only; no
safetensors package). Before timing, the script checks that each model file still holds
the op sequence written here, so a changed example is an error rather than a silent
mismatch.

Per framework, model and batch it reports the median ms per run of
  device_ms: inputs already on the GPU, output left there (synchronised), and
  host_ms:   a NumPy input in and a NumPy output back, as `dlc bench` measures dlc,
and the throughput in items per second (from host_ms). f32 matrix products use full f32
(TF32 off) in both frameworks, as dlc does without --allow-tf32. It also reports the
largest difference between the frameworks' outputs and a NumPy reference.

Usage: gpu_peers.py [--examples DIR] [--batch 1,64,1024,8192] [--iterations N]
                    [--frameworks torch,jax] [--out FILE.json]
A framework that is missing or fails is recorded with its error; the others still run.
Deliberately not here: training, other dtypes than f32, CPU timings (dlc bench has them).
"""

import argparse
import json
import os
import statistics
import sys
import time
import traceback

import numpy as np

MLP_OPS = ["cast", "mul", "flatten", "dense", "relu", "dense", "softmax"]
BLOCK_OPS = ["layer_norm", "dense", "dense", "dense", "reshape", "reshape", "reshape",
             "transpose", "transpose", "transpose", "matmul", "mul", "softmax", "matmul",
             "transpose", "reshape", "dense", "add", "layer_norm", "dense", "gelu", "dense", "add"]


def load_model(examples, name, expected_ops):
    """The model JSON and its constants as {name: np.ndarray}, after checking its ops."""
    sys.path.insert(0, examples)
    import safetensors_io  # examples/safetensors_io.py

    with open(os.path.join(examples, name + ".json")) as f:
        model = json.load(f)
    ops = [n["op"] for n in model["nodes"]]
    if ops != expected_ops:
        raise ValueError(f"{name}.json: ops {ops} differ from the ones gpu_peers.py implements "
                         f"{expected_ops}; update the script")
    files = {}
    constants = {}
    for c in model.get("constants", []):
        if "value" in c:
            constants[c["name"]] = np.asarray(c["value"], dtype=np.float32)
            continue
        path = os.path.join(examples, c["file"])
        if path not in files:
            files[path] = safetensors_io.read(path)
        array = files[path][c["key"]].astype(np.float32)
        if list(array.shape) != list(c["shape"]):
            raise ValueError(f"{name}.json: constant {c['name']} has shape {array.shape}, "
                             f"the model says {c['shape']}")
        constants[c["name"]] = array
    if name == "transformer_block":
        attrs = {n["name"]: n.get("attrs", {}) for n in model["nodes"]}
        if attrs["q_split"].get("shape") != [0, 16, 4, 16]:
            raise ValueError("transformer_block.json: the heads are no longer split [N,16,4,16]")
    return model, constants


def make_input(name, batch, rng):
    if name == "fashion_mnist_mlp":
        return rng.integers(0, 256, size=(batch, 28, 28), dtype=np.uint8)
    return rng.uniform(-1, 1, size=(batch, 16, 64)).astype(np.float32)


# --- NumPy reference (float64) ------------------------------------------------

def np_layer_norm(x, g, b, eps=1e-5):
    m = x.mean(-1, keepdims=True)
    v = ((x - m) ** 2).mean(-1, keepdims=True)
    return (x - m) / np.sqrt(v + eps) * g + b


def np_softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def np_reference(name, w, x):
    w = {k: v.astype(np.float64) for k, v in w.items()}
    if name == "fashion_mnist_mlp":
        h = (x.astype(np.float64) * w["scale"]).reshape(x.shape[0], 784)
        h = np.maximum(h @ w["w1"] + w["b1"], 0)
        return np_softmax(h @ w["w2"] + w["b2"])
    x = x.astype(np.float64)
    n = x.shape[0]
    ln1 = np_layer_norm(x, w["ln1_gamma"], w["ln1_beta"])
    heads = lambda t: t.reshape(n, 16, 4, 16).transpose(0, 2, 1, 3)
    q, k, v = (heads(ln1 @ w["w" + c] + w["b" + c]) for c in "qkv")
    att = np_softmax(q @ k.transpose(0, 1, 3, 2) * w["attn_scale"])
    ctx = (att @ v).transpose(0, 2, 1, 3).reshape(n, 16, 64)
    h = x + ctx @ w["wo"] + w["bo"]
    m = np_layer_norm(h, w["ln2_gamma"], w["ln2_beta"]) @ w["w1"] + w["c1"]
    m = 0.5 * m * (1 + np.tanh(np.sqrt(2 / np.pi) * (m + 0.044715 * m ** 3)))
    return h + m @ w["w2"] + w["c2"]


# --- torch ----------------------------------------------------------------------

def torch_models(w):
    import torch
    import torch.nn.functional as F

    dev = torch.device("cuda")
    t = {k: torch.from_numpy(np.ascontiguousarray(v)).to(dev) for k, v in w.items()}

    def mlp(image):
        h = (image.to(torch.float32) * t["scale"]).reshape(image.shape[0], 784)
        h = torch.relu(h @ t["w1"] + t["b1"])
        return torch.softmax(h @ t["w2"] + t["b2"], dim=-1)

    def block(x):
        n = x.shape[0]
        ln1 = F.layer_norm(x, (64,), t["ln1_gamma"], t["ln1_beta"], 1e-5)
        heads = lambda u: u.reshape(n, 16, 4, 16).permute(0, 2, 1, 3)
        q = heads(ln1 @ t["wq"] + t["bq"])
        k = heads(ln1 @ t["wk"] + t["bk"])
        v = heads(ln1 @ t["wv"] + t["bv"])
        att = torch.softmax((q @ k.transpose(-1, -2)) * t["attn_scale"], dim=-1)
        ctx = (att @ v).permute(0, 2, 1, 3).reshape(n, 16, 64)
        h = x + (ctx @ t["wo"] + t["bo"])
        m = F.layer_norm(h, (64,), t["ln2_gamma"], t["ln2_beta"], 1e-5) @ t["w1"] + t["c1"]
        return h + F.gelu(m, approximate="tanh") @ t["w2"] + t["c2"]

    return {"fashion_mnist_mlp": mlp, "transformer_block": block}


def time_torch(name, fn, x_np, iterations):
    import torch

    compiled = torch.compile(fn, dynamic=False)
    x = torch.from_numpy(x_np).cuda()
    with torch.no_grad():
        for _ in range(3):  # compile + warm-up
            compiled(x)
        torch.cuda.synchronize()
        device_ms = []
        for _ in range(iterations):
            t0 = time.perf_counter()
            compiled(x)
            torch.cuda.synchronize()
            device_ms.append((time.perf_counter() - t0) * 1e3)
        host_ms = []
        for _ in range(iterations):
            t0 = time.perf_counter()
            out = compiled(torch.from_numpy(x_np).cuda()).cpu().numpy()
            host_ms.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(device_ms), statistics.median(host_ms), out


# --- JAX ------------------------------------------------------------------------

def jax_models(w):
    import jax
    import jax.numpy as jnp

    gpu = jax.devices("gpu")[0]
    t = {k: jax.device_put(jnp.asarray(v), gpu) for k, v in w.items()}

    def layer_norm(x, g, b):
        m = x.mean(-1, keepdims=True)
        v = ((x - m) ** 2).mean(-1, keepdims=True)
        return (x - m) * jax.lax.rsqrt(v + 1e-5) * g + b

    def mlp(image):
        h = (image.astype(jnp.float32) * t["scale"]).reshape(image.shape[0], 784)
        h = jax.nn.relu(h @ t["w1"] + t["b1"])
        return jax.nn.softmax(h @ t["w2"] + t["b2"], axis=-1)

    def block(x):
        n = x.shape[0]
        ln1 = layer_norm(x, t["ln1_gamma"], t["ln1_beta"])
        heads = lambda u: u.reshape(n, 16, 4, 16).transpose(0, 2, 1, 3)
        q = heads(ln1 @ t["wq"] + t["bq"])
        k = heads(ln1 @ t["wk"] + t["bk"])
        v = heads(ln1 @ t["wv"] + t["bv"])
        att = jax.nn.softmax((q @ k.transpose(0, 1, 3, 2)) * t["attn_scale"], axis=-1)
        ctx = (att @ v).transpose(0, 2, 1, 3).reshape(n, 16, 64)
        h = x + (ctx @ t["wo"] + t["bo"])
        m = layer_norm(h, t["ln2_gamma"], t["ln2_beta"]) @ t["w1"] + t["c1"]
        return h + jax.nn.gelu(m, approximate=True) @ t["w2"] + t["c2"]

    return {"fashion_mnist_mlp": mlp, "transformer_block": block}, gpu


def time_jax(name, fn, x_np, iterations, gpu):
    import jax

    jitted = jax.jit(fn)
    x = jax.device_put(x_np, gpu)
    for _ in range(3):
        jitted(x).block_until_ready()
    device_ms = []
    for _ in range(iterations):
        t0 = time.perf_counter()
        jitted(x).block_until_ready()
        device_ms.append((time.perf_counter() - t0) * 1e3)
    host_ms = []
    for _ in range(iterations):
        t0 = time.perf_counter()
        out = np.asarray(jitted(jax.device_put(x_np, gpu)))
        host_ms.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(device_ms), statistics.median(host_ms), out


# --- driver ---------------------------------------------------------------------

def run_framework(framework, weights, batches, iterations):
    report = {"results": [], "errors": []}
    if framework == "torch":
        import torch

        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
        report.update(version=torch.__version__, device=torch.cuda.get_device_name(0))
        models = {name: torch_models(w)[name] for name, w in weights.items()}
        timer = lambda name, fn, x: time_torch(name, fn, x, iterations)
    else:
        import jax

        jax.config.update("jax_default_matmul_precision", "highest")
        models, gpu = {}, None
        for name, w in weights.items():
            fn_map, gpu = jax_models(w)
            models[name] = fn_map[name]
        report.update(version=jax.__version__, device=str(gpu))
        timer = lambda name, fn, x: time_jax(name, fn, x, iterations, gpu)
    for name, fn in models.items():
        for batch in batches:
            rng = np.random.default_rng(0)
            x = make_input(name, batch, rng)
            try:
                device_ms, host_ms, out = timer(name, fn, x)
                ref = np_reference(name, weights[name], x)
                report["results"].append({
                    "model": name, "batch": batch, "device_ms": device_ms, "host_ms": host_ms,
                    "items_per_s": batch * 1e3 / host_ms if host_ms > 0 else 0.0,
                    "device_items_per_s": batch * 1e3 / device_ms if device_ms > 0 else 0.0,
                    "max_abs_diff_vs_numpy": float(np.max(np.abs(out.astype(np.float64) - ref))),
                })
                print(f"{framework:5s} {name:18s} batch {batch:5d}: device {device_ms:9.4f} ms, "
                      f"host {host_ms:9.4f} ms", flush=True)
            except Exception as e:  # one batch failing (e.g. out of memory) is recorded
                report["errors"].append(f"{name} batch {batch}: {type(e).__name__}: {e}")
                print(f"{framework} {name} batch {batch}: {e}", file=sys.stderr, flush=True)
    return report


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--examples", default=os.path.join(here, "..", "examples"))
    parser.add_argument("--batch", default="1,64,1024,8192")
    parser.add_argument("--iterations", type=int, default=50)
    parser.add_argument("--frameworks", default="torch,jax")
    parser.add_argument("--out", default="")
    args = parser.parse_args()
    batches = [int(b) for b in args.batch.split(",")]
    if any(b < 1 for b in batches) or args.iterations < 1:
        parser.error("--batch values and --iterations must be positive")

    weights = {}
    report = {"batches": batches, "iterations": args.iterations, "frameworks": {},
              "unavailable": {}}
    for name, ops in (("fashion_mnist_mlp", MLP_OPS), ("transformer_block", BLOCK_OPS)):
        _, weights[name] = load_model(args.examples, name, ops)
    for framework in args.frameworks.split(","):
        if framework not in ("torch", "jax"):
            parser.error(f"unknown framework {framework!r} (torch, jax)")
        try:
            report["frameworks"][framework] = run_framework(framework, weights, batches,
                                                            args.iterations)
        except Exception as e:  # missing package, no GPU backend, ...
            report["unavailable"][framework] = f"{type(e).__name__}: {e}"
            traceback.print_exc()
    text = json.dumps(report, indent=2)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")
    else:
        print(text)
    return 0 if report["frameworks"] else 1


if __name__ == "__main__":
    sys.exit(main())

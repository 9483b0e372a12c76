"""Writes the random (fixed-seed) weights of dlc's synthetic example models.

  cnn.npz                       weights of cnn.json (np.savez: conv1/bn1/conv2/bn2/dense)
  transformer_block.safetensors weights of transformer_block.json (ln1, attn, ln2, mlp)

Kernels are He-initialised, biases small, batch-norm statistics random but sane
(var in [0.5, 1.5]) so every op does real work. Each file has its own seed, so the output is
the same on every run. The trained MLP's weights come from train_fashion_mnist.py instead;
this script deliberately trains nothing.
"""

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402

CNN_SEED = 1001
TRANSFORMER_SEED = 1002


def he_normal(rng, shape, fan_in):
    return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)


def small(rng, shape, scale=0.05):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def batch_norm_params(rng, prefix, channels):
    return {
        f"{prefix}.scale": rng.uniform(0.8, 1.2, channels).astype(np.float32),
        f"{prefix}.bias": small(rng, channels, 0.1),
        f"{prefix}.mean": small(rng, channels, 0.1),
        f"{prefix}.var": rng.uniform(0.5, 1.5, channels).astype(np.float32),
    }


def cnn_weights():
    """conv(1->8, 3x3) bn relu pool, conv(8->16, 3x3) bn relu pool, dense(16*7*7 -> 10)."""
    rng = np.random.default_rng(CNN_SEED)
    weights = {"conv1.kernel": he_normal(rng, (8, 1, 3, 3), 1 * 9),
               "conv1.bias": small(rng, 8)}
    weights.update(batch_norm_params(rng, "bn1", 8))
    weights.update({"conv2.kernel": he_normal(rng, (16, 8, 3, 3), 8 * 9),
                    "conv2.bias": small(rng, 16)})
    weights.update(batch_norm_params(rng, "bn2", 16))
    weights.update({"dense.kernel": he_normal(rng, (16 * 7 * 7, 10), 16 * 7 * 7),
                    "dense.bias": small(rng, 10)})
    return weights


def transformer_weights(d_model=64, d_ff=256):
    """One pre-LN encoder layer: layer norms, Q/K/V/O projections, a GELU MLP."""
    rng = np.random.default_rng(TRANSFORMER_SEED)
    weights = {"ln1.gamma": (1 + small(rng, d_model, 0.1)).astype(np.float32),
               "ln1.beta": small(rng, d_model, 0.1)}
    for name in ("q", "k", "v", "o"):
        weights[f"attn.w{name}"] = he_normal(rng, (d_model, d_model), d_model)
        weights[f"attn.b{name}"] = small(rng, d_model)
    weights.update({"ln2.gamma": (1 + small(rng, d_model, 0.1)).astype(np.float32),
                    "ln2.beta": small(rng, d_model, 0.1),
                    "mlp.w1": he_normal(rng, (d_model, d_ff), d_model),
                    "mlp.b1": small(rng, d_ff),
                    "mlp.w2": he_normal(rng, (d_ff, d_model), d_ff),
                    "mlp.b2": small(rng, d_model)})
    return weights


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)),
                        help="directory to write the weight files into")
    args = parser.parse_args()
    cnn_path = os.path.join(args.out, "cnn.npz")
    np.savez(cnn_path, **cnn_weights())
    transformer_path = os.path.join(args.out, "transformer_block.safetensors")
    safetensors_io.write(transformer_path, transformer_weights())
    for path in (cnn_path, transformer_path):
        print(f"wrote {path} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()

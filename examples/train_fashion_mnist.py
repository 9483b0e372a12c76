"""Trains the classic Keras Fashion-MNIST MLP with NumPy alone and writes its weights.

Model: Flatten -> Dense(128, relu) -> Dense(10, softmax) on x/255, trained the way the
Keras tutorial does it: Glorot-uniform kernels, zero biases, Adam (lr 1e-3, beta1 0.9,
beta2 0.999, eps 1e-7), sparse categorical cross-entropy, batch 32, 5 epochs, a fresh
shuffle each epoch from a fixed seed. Everything is float32; BLAS runs single-threaded so
the result is bit-for-bit repeatable on one machine (a CPU with other BLAS kernels may
train to slightly different weights).

Reads the real data set from /usr/share/datasets/fashion-mnist (Debian package
dataset-fashion-mnist) or --data DIR, and writes next to this script:
  fashion_mnist_mlp.safetensors    dense1.kernel [784,128], dense1.bias [128],
                                   dense2.kernel [128,10], dense2.bias [10] (f32)
  fashion_mnist_mlp.expected.json  test-set result of the float32 NumPy forward pass that
                                   dlc's compiled fashion_mnist_mlp.json must reproduce.
Deliberately not here: validation splits, callbacks, any framework.
"""

import argparse
import gzip
import json
import os
import struct
import sys
import time

# A multi-threaded BLAS sums in an order that depends on the thread count, and training
# amplifies the last-bit differences: pin it to one thread before NumPy loads.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402

DEFAULT_DATA = "/usr/share/datasets/fashion-mnist"
SEED = 20240611
EPOCHS = 5
BATCH = 32
LR, BETA1, BETA2, EPS = 1e-3, 0.9, 0.999, 1e-7


def load_idx(path):
    """Returns the array stored in a (gzipped) IDX file."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    zero, dtype_code, rank = struct.unpack(">HBB", raw[:4])
    if zero != 0 or dtype_code != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    dims = struct.unpack(">" + "I" * rank, raw[4:4 + 4 * rank])
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * rank)
    if data.size != int(np.prod(dims)):
        raise ValueError(f"{path}: {data.size} bytes of data for dims {dims}")
    return data.reshape(dims)


def load_split(data_dir, split):
    images = load_idx(os.path.join(data_dir, f"{split}-images-idx3-ubyte.gz"))
    labels = load_idx(os.path.join(data_dir, f"{split}-labels-idx1-ubyte.gz"))
    if images.shape[0] != labels.shape[0]:
        raise ValueError(f"{data_dir}: {split}: {images.shape[0]} images, {labels.shape[0]} labels")
    return images, labels


def glorot_uniform(rng, fan_in, fan_out):
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype(np.float32)


def softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def forward(params, images_u8):
    """The float32 inference forward pass that fashion_mnist_mlp.json describes."""
    w1, b1, w2, b2 = params
    x = images_u8.astype(np.float32) * np.float32(1.0 / 255.0)
    x = x.reshape(x.shape[0], -1)
    h = np.maximum(x @ w1 + b1, np.float32(0))
    return softmax(h @ w2 + b2)


class Adam:
    """Keras' Adam update, in float32, in place."""

    def __init__(self, params):
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.step = 0

    def update(self, params, grads):
        self.step += 1
        alpha = np.float32(LR * np.sqrt(1 - BETA2 ** self.step) / (1 - BETA1 ** self.step))
        for p, g, m, v in zip(params, grads, self.m, self.v):
            m += (g - m) * np.float32(1 - BETA1)
            v += (g * g - v) * np.float32(1 - BETA2)
            p -= (m * alpha) / (np.sqrt(v) + np.float32(EPS))


def train(train_x, train_y, test_x, test_y, rng):
    w1 = glorot_uniform(rng, 784, 128)
    b1 = np.zeros(128, np.float32)
    w2 = glorot_uniform(rng, 128, 10)
    b2 = np.zeros(10, np.float32)
    params = [w1, b1, w2, b2]
    adam = Adam(params)
    n = train_x.shape[0]
    for epoch in range(EPOCHS):
        start = time.time()
        order = rng.permutation(n)
        loss_sum, correct = 0.0, 0
        for begin in range(0, n, BATCH):
            idx = order[begin:begin + BATCH]
            x, y = train_x[idx], train_y[idx]
            b = x.shape[0]
            pre = x @ w1 + b1
            h = np.maximum(pre, np.float32(0))
            p = softmax(h @ w2 + b2)
            picked = np.clip(p[np.arange(b), y], 1e-7, 1 - 1e-7)
            loss_sum += float(-np.log(picked).sum())
            correct += int((p.argmax(axis=1) == y).sum())
            dz = p
            dz[np.arange(b), y] -= np.float32(1)
            dz *= np.float32(1.0 / b)
            dh = (dz @ w2.T) * (pre > 0)
            grads = [x.T @ dh, dh.sum(axis=0), h.T @ dz, dz.sum(axis=0)]
            adam.update(params, grads)
        test_acc = float((forward(params, test_x).argmax(axis=1) == test_y).mean())
        print(f"epoch {epoch + 1}/{EPOCHS}: loss {loss_sum / n:.4f}  accuracy {correct / n:.4f}"
              f"  test accuracy {test_acc:.4f}  ({time.time() - start:.1f} s)", flush=True)
    return params


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=DEFAULT_DATA, help="directory of the IDX .gz files")
    parser.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)),
                        help="directory to write the weights and expected results into")
    args = parser.parse_args()

    train_images, train_y = load_split(args.data, "train")
    test_images, test_y = load_split(args.data, "t10k")
    train_x = (train_images.astype(np.float32) * np.float32(1.0 / 255.0)).reshape(-1, 784)
    train_y = train_y.astype(np.int64)
    test_y = test_y.astype(np.int64)
    print(f"train {train_images.shape}, test {test_images.shape}", flush=True)

    rng = np.random.default_rng(SEED)
    w1, b1, w2, b2 = train(train_x, train_y, test_images, test_y, rng)

    predictions = forward((w1, b1, w2, b2), test_images).argmax(axis=1)
    correct = int((predictions == test_y).sum())
    accuracy = correct / test_y.shape[0]
    safetensors_io.write(os.path.join(args.out, "fashion_mnist_mlp.safetensors"), {
        "dense1.kernel": w1, "dense1.bias": b1, "dense2.kernel": w2, "dense2.bias": b2})
    expected = {"test_images": int(test_y.shape[0]), "correct": correct,
                "accuracy": round(accuracy, 6), "epochs": EPOCHS,
                "first_predictions": [int(c) for c in predictions[:32]]}
    with open(os.path.join(args.out, "fashion_mnist_mlp.expected.json"), "w") as f:
        f.write("{\n" + ",\n".join(f'  "{k}": {json.dumps(v)}' for k, v in expected.items())
                + "\n}\n")
    print(f"test: {correct}/{test_y.shape[0]} correct, accuracy {accuracy:.4f}")


if __name__ == "__main__":
    main()

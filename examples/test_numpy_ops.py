"""Checks numpy_ops and reference_check against independent, naive implementations.

Run: .venv/bin/python -m unittest discover -s examples -p 'test_*.py'
Covers: conv2d (strides, pads, dilations, groups) against a 7-deep loop, pooling with
padding, ONNX slice corner cases, cast saturation, the four example models against
hand-written forward passes, and (when the data set is installed) the Fashion-MNIST MLP's
test-set result against fashion_mnist_mlp.expected.json. Not a test of dlc itself.
"""

import gzip
import json
import math
import os
import sys
import unittest

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import numpy_ops  # noqa: E402
import reference_check  # noqa: E402

OPS = numpy_ops.OPS


def naive_conv(x, w, b, stride, pads, dil, groups):
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    top, left, bottom, right = pads
    oh = (h + top + bottom - dil[0] * (kh - 1) - 1) // stride[0] + 1
    ow = (wd + left + right - dil[1] * (kw - 1) - 1) // stride[1] + 1
    out = np.zeros((n, o, oh, ow), np.float64)
    og = o // groups
    for bi in range(n):
        for oc in range(o):
            g = oc // og
            for y in range(oh):
                for xx in range(ow):
                    acc = b[oc]
                    for ci in range(cg):
                        for i in range(kh):
                            for j in range(kw):
                                iy = y * stride[0] - top + i * dil[0]
                                ix = xx * stride[1] - left + j * dil[1]
                                if 0 <= iy < h and 0 <= ix < wd:
                                    acc += x[bi, g * cg + ci, iy, ix] * w[oc, ci, i, j]
                    out[bi, oc, y, xx] = acc
    return out


def naive_pool(x, k, s, pads, kind, include_pad=False):
    n, c, h, w = x.shape
    top, left, bottom, right = pads
    oh = (h + top + bottom - k[0]) // s[0] + 1
    ow = (w + left + right - k[1]) // s[1] + 1
    out = np.zeros((n, c, oh, ow))
    for y in range(oh):
        for xx in range(ow):
            vals = [x[:, :, y * s[0] - top + i, xx * s[1] - left + j]
                    for i in range(k[0]) for j in range(k[1])
                    if 0 <= y * s[0] - top + i < h and 0 <= xx * s[1] - left + j < w]
            if kind == "max":
                out[:, :, y, xx] = np.max(vals, axis=0)
            else:
                out[:, :, y, xx] = np.sum(vals, axis=0) / (k[0] * k[1] if include_pad else len(vals))
    return out


class OpTest(unittest.TestCase):
    def test_conv2d_matches_loops(self):
        rng = np.random.default_rng(1)
        x = rng.standard_normal((2, 4, 7, 6)).astype(np.float32)
        w = rng.standard_normal((6, 2, 3, 2)).astype(np.float32)
        b = rng.standard_normal(6).astype(np.float32)
        attrs = {"strides": [2, 1], "pads": [1, 0, 2, 1], "dilations": [1, 2], "groups": 2}
        got = OPS["conv2d"]([x, w, b], attrs, 2)
        want = naive_conv(x, w, b, [2, 1], [1, 0, 2, 1], [1, 2], 2)
        self.assertEqual(got.shape, (2, 6, 4, 5))
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)

    def test_pools_with_padding(self):
        x = np.random.default_rng(2).standard_normal((1, 2, 5, 5)).astype(np.float32) - 3
        attrs = {"kernel": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1]}
        np.testing.assert_allclose(OPS["max_pool2d"]([x], attrs, 1),
                                   naive_pool(x, [3, 3], [2, 2], [1, 1, 1, 1], "max"), rtol=1e-6)
        np.testing.assert_allclose(OPS["avg_pool2d"]([x], attrs, 1),
                                   naive_pool(x, [3, 3], [2, 2], [1, 1, 1, 1], "avg"), rtol=1e-5)
        attrs["count_include_pad"] = 1
        np.testing.assert_allclose(OPS["avg_pool2d"]([x], attrs, 1),
                                   naive_pool(x, [3, 3], [2, 2], [1, 1, 1, 1], "avg", True),
                                   rtol=1e-5)

    def test_slice_onnx_semantics(self):
        x = np.arange(10, dtype=np.int32)
        self.assertEqual(OPS["slice"]([x], {"starts": [-3], "ends": [100]}, 1).tolist(), [7, 8, 9])
        self.assertEqual(OPS["slice"]([x], {"starts": [-1], "ends": [-100], "steps": [-3]}, 1)
                         .tolist(), [9, 6, 3, 0])
        self.assertEqual(OPS["slice"]([x], {"starts": [20], "ends": [0], "steps": [-4]}, 1)
                         .tolist(), [9, 5, 1])

    def test_cast_truncates_and_saturates(self):
        x = np.array([-1.7, 2.9, 300.0, np.nan, -5e9], np.float32)
        self.assertEqual(OPS["cast"]([x], {"to": "u8"}, 1).tolist(), [0, 2, 255, 0, 0])
        self.assertEqual(OPS["cast"]([x], {"to": "i32"}, 1).tolist(),
                         [-1, 2, 300, 0, -2147483648])
        self.assertEqual(OPS["cast"]([x], {"to": "bool"}, 1).tolist(),
                         [True, True, True, True, True])

    def test_reshape_zero_and_batch(self):
        x = np.zeros((3, 16, 64), np.float32)
        self.assertEqual(OPS["reshape"]([x], {"shape": [0, 16, 4, 16]}, 3).shape, (3, 16, 4, 16))
        self.assertEqual(OPS["reshape"]([x], {"shape": ["N", 1024]}, 3).shape, (3, 1024))

    def test_gelu_and_int_div(self):
        x = np.array([-1.0, 0.5, 2.0], np.float32)
        exact = [0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in x]
        np.testing.assert_allclose(OPS["gelu"]([x], {}, 1), exact, rtol=1e-6)
        a, b = np.array([7, -7, 7, -7], np.int32), np.array([2, 2, -2, -2], np.int32)
        self.assertEqual(OPS["div"]([a, b], {}, 1).tolist(), [3, -3, -3, 3])


def load_example(name, batch=2, seed=0):
    return reference_check.run_model(os.path.join(HERE, name), batch, seed)


def softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


class ExampleTest(unittest.TestCase):
    def test_cnn_matches_loops(self):
        _, inputs, outputs = load_example("cnn.json")
        with np.load(os.path.join(HERE, "cnn.npz")) as f:
            p = {k: f[k].astype(np.float64) for k in f.files}
        h = inputs["image"].astype(np.float64)
        for i in (1, 2):
            h = naive_conv(h, p[f"conv{i}.kernel"], p[f"conv{i}.bias"], [1, 1], [1] * 4, [1, 1], 1)
            bn = {k: p[f"bn{i}.{k}"].reshape(1, -1, 1, 1) for k in ("scale", "bias", "mean", "var")}
            h = (h - bn["mean"]) / np.sqrt(bn["var"] + 1e-5) * bn["scale"] + bn["bias"]
            h = naive_pool(np.maximum(h, 0), [2, 2], [2, 2], [0] * 4, "max")
        want = softmax(h.reshape(2, -1) @ p["dense.kernel"] + p["dense.bias"])
        np.testing.assert_allclose(outputs["probs"], want, rtol=1e-4, atol=1e-6)

    def test_transformer_matches_einsum(self):
        _, inputs, outputs = load_example("transformer_block.json")
        p = {k: v.astype(np.float64) for k, v in reference_check.safetensors_io.read(
            os.path.join(HERE, "transformer_block.safetensors")).items()}
        x = inputs["x"].astype(np.float64)

        def ln(v, g, b):
            m = v.mean(-1, keepdims=True)
            return (v - m) / np.sqrt(((v - m) ** 2).mean(-1, keepdims=True) + 1e-5) * g + b

        a = ln(x, p["ln1.gamma"], p["ln1.beta"])
        q, k, v = (np.reshape(a @ p[f"attn.w{n}"] + p[f"attn.b{n}"], (2, 16, 4, 16))
                   for n in "qkv")
        att = softmax(np.einsum("bqhd,bkhd->bhqk", q, k) / 4.0)
        ctx = np.einsum("bhqk,bkhd->bqhd", att, v).reshape(2, 16, 64)
        h = x + ctx @ p["attn.wo"] + p["attn.bo"]
        m = ln(h, p["ln2.gamma"], p["ln2.beta"]) @ p["mlp.w1"] + p["mlp.b1"]
        m = 0.5 * m * (1 + np.tanh(math.sqrt(2 / math.pi) * (m + 0.044715 * m ** 3)))
        want = h + m @ p["mlp.w2"] + p["mlp.b2"]
        np.testing.assert_allclose(outputs["out"], want, rtol=1e-4, atol=1e-4)

    def test_elementwise_chain_formula(self):
        model, _, _ = load_example("elementwise_chain.json")
        self.assertGreaterEqual(len(model["nodes"]), 8)
        rng = np.random.default_rng(3)
        x = rng.standard_normal((64, 4096)).astype(np.float32) * 3
        y = rng.standard_normal(4096).astype(np.float32) * 3
        values = reference_check.load_constants(model, "elementwise_chain.json")
        values.update(x=x, y=y)
        got = reference_check.evaluate(model, values, 1)["out"]
        s = x.astype(np.float64) * 0.5 + y
        e = np.exp(np.maximum(np.tanh(s) * s - 0.25, 0) * -0.5)
        want = 1 / (1 + np.exp(-e * y)) + x
        self.assertTrue(np.isfinite(got).all())
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)

    def test_mlp_reproduces_expected_test_accuracy(self):
        data = "/usr/share/datasets/fashion-mnist"
        if not os.path.exists(os.path.join(data, "t10k-images-idx3-ubyte.gz")):
            self.skipTest("Fashion-MNIST not installed")
        with gzip.open(os.path.join(data, "t10k-images-idx3-ubyte.gz")) as f:
            images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)
        with gzip.open(os.path.join(data, "t10k-labels-idx1-ubyte.gz")) as f:
            labels = np.frombuffer(f.read(), np.uint8, offset=8)
        with open(os.path.join(HERE, "fashion_mnist_mlp.json")) as f:
            model = json.load(f)
        values = reference_check.load_constants(model, os.path.join(HERE, "fashion_mnist_mlp.json"))
        values["image"] = images
        predicted = reference_check.evaluate(model, values, len(images))["probs"].argmax(1)
        with open(os.path.join(HERE, "fashion_mnist_mlp.expected.json")) as f:
            expected = json.load(f)
        self.assertEqual(int((predicted == labels).sum()), expected["correct"])
        self.assertEqual(predicted[:32].tolist(), expected["first_predictions"])


if __name__ == "__main__":
    unittest.main()

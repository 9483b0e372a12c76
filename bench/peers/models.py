"""The benchmark's models and cases: which model files, which batches, how work is counted.

A `Spec` names one model (its dlc JSON in the work dir written by make_models.py), the
batches it runs at, its output tolerance and how one run's work is counted for throughput
(items, bytes or FLOPs). `cases()` expands the specs a run selects into (spec, batch) pairs.
Deliberately not here: writing the models (make_models.py) or running them (engines/).
"""

import zlib
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Spec:
    key: str           # the name used on the command line and in the tables
    file: str          # the dlc JSON, relative to the work dir
    batches: tuple     # batch sizes; (1,) for a model without the batch dimension
    has_batch: bool    # whether the model's inputs hold "N"
    unit: str          # throughput unit: "items/s", "GB/s" or "GFLOP/s"
    work: float        # per run: bytes (GB/s), FLOPs (GFLOP/s); items/s uses the batch
    rtol: float = 1e-3
    atol: float = 1e-4

    def throughput(self, batch, seconds):
        if self.unit == "items/s":
            return batch / seconds
        return self.work / seconds / 1e9


def _matmul(n):
    # Each output sums n products of U(-1,1) values (partial sums up to ~√n): engines that
    # block K differently differ by ~√n·eps·√n absolutely, whatever the element's size, so
    # atol grows with √n (1e-3 at 1024, 2e-3 at 4096; max differences seen: 7e-5 and 4e-4).
    return Spec(f"matmul{n}", f"matmul_{n}.json", (1,), False, "GFLOP/s", 2.0 * n ** 3,
                atol=3e-5 * n ** 0.5)


SPECS = [
    # x [4096,4096] and out [4096,4096] f32 cross memory once each; y (16 KiB) is negligible.
    Spec("chain", "elementwise_chain.json", (1,), False, "GB/s", 2 * 4 * 4096 * 4096),
    Spec("mlp", "fashion_mnist_mlp.json", (1, 64, 1024), True, "items/s", 0),
    Spec("cnn", "cnn.json", (1, 64), True, "items/s", 0),
    Spec("tfm256", "transformer_256.json", (1, 8), True, "items/s", 0),
    Spec("tfm768", "transformer_768.json", (1, 8), True, "items/s", 0),
    _matmul(1024),
    _matmul(4096),
]
BY_KEY = {s.key: s for s in SPECS}
QUICK = {"mlp": (1, 64), "chain": (1,), "matmul1024": (1,)}


def cases(keys, quick):
    """(spec, batch) pairs for `keys`; --quick keeps QUICK's batches (else the first batch)."""
    unknown = [k for k in keys if k not in BY_KEY]
    if unknown:
        raise SystemExit(f"unknown model(s) {', '.join(unknown)}; known: {', '.join(BY_KEY)}")
    result = []
    for key in keys:
        spec = BY_KEY[key]
        batches = QUICK.get(key, spec.batches[:1]) if quick else spec.batches
        result.extend((spec, b) for b in batches)
    return result


def make_inputs(model, spec, batch):
    """Deterministic inputs of `model` at `batch`: f32 uniform in [-1, 1), u8 in [0, 255]."""
    rng = np.random.default_rng(zlib.crc32(f"{spec.key}/{batch}".encode()))
    arrays = []
    for inp in model.inputs:
        shape = inp.concrete_shape(batch)
        if inp.dtype in ("u8", "uint8"):
            arrays.append(rng.integers(0, 256, size=shape, dtype=np.uint8))
        else:
            arrays.append(rng.uniform(-1.0, 1.0, size=shape).astype(np.float32))
    return arrays

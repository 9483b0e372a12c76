"""The engines the benchmark runs, one module each, behind one small interface.

Each engine module has VERSION and `prepare(ctx, inputs) -> Prepared` (inputs: NumPy arrays),
and imports its framework at module import time (so the worker can measure the RSS of an
idle engine before `prepare`).
`ctx` is a Context: the case, the model files, the thread count and the run's options.
Prepared.run() executes the model once, synchronously, on inputs bound in `prepare`, and
returns the engine's own result objects; Prepared.fetch(result) converts them to NumPy
(outside the timed region). setup_s is the compile/load time measured in `prepare`.
Deliberately not here: timing and process isolation (worker.py).
"""

import importlib
from dataclasses import dataclass, field
from typing import Callable

MODULES = {"dlc": "dlc_engine", "jax": "jax_engine", "ort": "ort_engine",
           "openvino": "openvino_engine", "tvm": "tvm_engine", "tvm-tuned": "tvm_engine"}
# What the "compile / load" column measures for each engine.
COMPILE_MEANING = {
    "dlc": "dlc build (subprocess wall time) + dlc_model_load",
    "jax": "what jax.jit's first call spends before running: jit(f).lower(args).compile()",
    "ort": "onnxruntime.InferenceSession creation (graph optimisation)",
    "openvino": "Core.read_model + reshape to the batch + compile_model",
    "tvm": "relax.frontend.onnx.from_onnx + tvm.compile + VirtualMachine",
    "tvm-tuned": "as tvm, plus applying the tuning database (tuning time reported separately)",
}


@dataclass
class Context:
    engine: str
    spec: object        # models.Spec
    batch: int
    model: object       # dlc_model.Model (inputs, weights)
    json_path: str
    onnx_path: str
    threads: int
    work: str           # scratch folder for artifacts and tuning logs
    options: dict       # dlc, libdlcrt, tvm_trials


@dataclass
class Prepared:
    run: Callable
    fetch: Callable
    setup_s: float
    extra: dict = field(default_factory=dict)  # engine-specific facts for the report
    finish: Callable = None  # called after the timed runs; may add facts to `extra`


def load(name):
    """Imports and returns the module of engine `name`."""
    return importlib.import_module(f"engines.{MODULES[name]}")

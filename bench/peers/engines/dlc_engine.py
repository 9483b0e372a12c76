"""dlc: `dlc build` of the JSON model, then the runtime's public C API through ctypes.

The compile time is the wall time of the `dlc build` subprocess plus dlc_model_load. Inputs
and outputs are caller-owned NumPy buffers (dlc_model_run writes the outputs in place).
After the timed runs, dlc_model_report_json gives the per-kernel table (time, bytes, FLOPs,
GB/s) that the roofline uses. Threads: DLC_NUM_THREADS from the worker's environment.
Deliberately not here: the C++ API, CUDA.
"""

import ctypes
import json
import os
import subprocess
import time

import numpy as np

from engines import Prepared

MAX_RANK = 8
DTYPES = {np.dtype(np.float32): 0, np.dtype(np.uint8): 3, np.dtype(np.int32): 4,
          np.dtype(np.int64): 5, np.dtype(np.bool_): 6}
NUMPY_OF = {0: np.float32, 3: np.uint8, 4: np.int32, 5: np.int64, 6: np.bool_}
VERSION = "dlc at the git commit in machine.md"


class Tensor(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("dtype", ctypes.c_int), ("rank", ctypes.c_int32),
                ("dims", ctypes.c_int64 * MAX_RANK)]


def _tensor(array):
    t = Tensor(array.ctypes.data, DTYPES[array.dtype], array.ndim)
    for i, d in enumerate(array.shape):
        t.dims[i] = d
    return t


class Runtime:
    """The few C API functions the benchmark calls, each checked."""

    def __init__(self, path):
        self.lib = ctypes.CDLL(path)
        self.lib.dlc_last_error.restype = ctypes.c_char_p
        self.lib.dlc_model_load.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
        self.lib.dlc_model_run.argtypes = [ctypes.c_void_p, ctypes.c_int64, ctypes.POINTER(Tensor),
                                           ctypes.c_int32, ctypes.POINTER(Tensor), ctypes.c_int32]
        self.lib.dlc_model_report_json.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_char_p)]
        for name in ("dlc_model_num_outputs",):
            getattr(self.lib, name).argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int32)]
        for name in ("dlc_model_output_dtype", "dlc_model_output_rank"):
            getattr(self.lib, name).argtypes = [ctypes.c_void_p, ctypes.c_int32, ctypes.c_void_p]
        self.lib.dlc_model_output_dims.argtypes = [ctypes.c_void_p, ctypes.c_int32,
                                                   ctypes.POINTER(ctypes.c_int64), ctypes.c_int32]

    def check(self, status, what):
        if status != 0:
            raise RuntimeError(f"{what}: {self.lib.dlc_last_error().decode()}")

    def load(self, path):
        handle = ctypes.c_void_p()
        self.check(self.lib.dlc_model_load(path.encode(), ctypes.byref(handle)), "dlc_model_load")
        return handle

    def output_buffers(self, handle, batch):
        """Zeroed NumPy arrays of every output's dtype and shape at `batch`."""
        count = ctypes.c_int32()
        self.check(self.lib.dlc_model_num_outputs(handle, ctypes.byref(count)), "num_outputs")
        buffers = []
        for i in range(count.value):
            dtype, rank = ctypes.c_int(), ctypes.c_int32()
            self.check(self.lib.dlc_model_output_dtype(handle, i, ctypes.byref(dtype)), "dtype")
            self.check(self.lib.dlc_model_output_rank(handle, i, ctypes.byref(rank)), "rank")
            dims = (ctypes.c_int64 * MAX_RANK)()
            self.check(self.lib.dlc_model_output_dims(handle, i, dims, MAX_RANK), "dims")
            shape = [batch if d == -1 else d for d in dims[:rank.value]]
            buffers.append(np.zeros(shape, NUMPY_OF[dtype.value]))
        return buffers

    def report(self, handle):
        text = ctypes.c_char_p()
        self.check(self.lib.dlc_model_report_json(handle, ctypes.byref(text)), "report_json")
        return json.loads(text.value.decode())


def prepare(ctx, inputs):
    artifact = os.path.join(ctx.work, f"{ctx.spec.key}-{os.getpid()}.dlc")
    start = time.perf_counter()
    built = subprocess.run([ctx.options["dlc"], "build", ctx.json_path, "-o", artifact],
                           capture_output=True, text=True)
    if built.returncode != 0:
        raise RuntimeError(f"dlc build: {(built.stderr or built.stdout).strip()}")
    build_s = time.perf_counter() - start
    runtime = Runtime(ctx.options["libdlcrt"])
    handle = runtime.load(artifact)
    setup = time.perf_counter() - start
    os.unlink(artifact)
    outputs = runtime.output_buffers(handle, ctx.batch)
    in_tensors = (Tensor * len(inputs))(*[_tensor(x) for x in inputs])
    out_tensors = (Tensor * len(outputs))(*[_tensor(y) for y in outputs])
    run_fn = runtime.lib.dlc_model_run

    def run():
        runtime.check(run_fn(handle, ctx.batch, in_tensors, len(inputs), out_tensors,
                             len(outputs)), "dlc_model_run")

    extra = {"build_s": build_s, "build_log": built.stdout.strip()}
    return Prepared(run=run, fetch=lambda _: [y.copy() for y in outputs], setup_s=setup,
                    extra=extra, finish=lambda: extra.update(report=runtime.report(handle)))

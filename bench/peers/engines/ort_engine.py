"""ONNX Runtime (CPU execution provider) on the exported ONNX model.

Threads: intra_op_num_threads = ctx.threads, inter_op_num_threads = 1, sequential execution,
all graph optimisations. Inputs are NumPy arrays bound once; the batch stays symbolic ("N"),
as the model was exported. Deliberately not here: IO binding or other providers.
"""

import time

import onnxruntime as ort

from engines import Prepared

VERSION = ort.__version__


def prepare(ctx, inputs):
    options = ort.SessionOptions()
    options.intra_op_num_threads = ctx.threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    start = time.perf_counter()
    session = ort.InferenceSession(ctx.onnx_path, options, providers=["CPUExecutionProvider"])
    setup = time.perf_counter() - start
    feeds = {i.name: x for i, x in zip(ctx.model.inputs, inputs)}
    return Prepared(run=lambda: session.run(None, feeds), fetch=list, setup_s=setup)

"""OpenVINO (CPU plugin) on the exported ONNX model, reshaped to the case's static batch.

Properties: INFERENCE_NUM_THREADS = ctx.threads, PERFORMANCE_HINT = LATENCY, and
INFERENCE_PRECISION_HINT = f32: on CPUs with AMX/AVX512-BF16 OpenVINO otherwise computes in
bf16, which is a different computation from everyone else's. One infer request with the
inputs bound once (shared memory). Deliberately not here: async requests or streams.
"""

import time

import numpy as np
import openvino as ov

from engines import Prepared

VERSION = ov.get_version()


def prepare(ctx, inputs):
    core = ov.Core()
    config = {"INFERENCE_NUM_THREADS": ctx.threads, "PERFORMANCE_HINT": "LATENCY",
              "INFERENCE_PRECISION_HINT": "f32"}
    start = time.perf_counter()
    model = core.read_model(ctx.onnx_path)
    model.reshape({i.name: ov.PartialShape(list(x.shape))
                   for i, x in zip(ctx.model.inputs, inputs)})
    compiled = core.compile_model(model, "CPU", config)
    setup = time.perf_counter() - start
    request = compiled.create_infer_request()
    for i, x in zip(ctx.model.inputs, inputs):
        request.set_tensor(i.name, ov.Tensor(x, shared_memory=True))
    outputs = compiled.outputs

    def fetch(_):
        return [np.array(request.get_tensor(o).data) for o in outputs]

    return Prepared(run=request.infer, fetch=fetch, setup_s=setup,
                    extra={"precision": str(compiled.get_property("INFERENCE_PRECISION_HINT"))})

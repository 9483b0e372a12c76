"""Apache TVM (Relax) on the exported ONNX model, compiled for the host CPU at a static batch.

"tvm": relax.frontend.onnx.from_onnx with the case's concrete input shapes, then
tvm.compile with the default CPU pipeline (no tuning: TIR as legalised, no schedules).
"tvm-tuned": first the static-shape tuning pipeline (MetaSchedule, N trials), then
tvm.compile. Tuning runs once per (model, batch, N) with every CPU of the run's mask,
its database kept under ctx.work and reused by later runs (both thread counts); its time is
reported separately from the compile time. Threads: TVM_NUM_THREADS from the worker's
environment. Deliberately not here: weight prepacking, other targets.
"""

import json
import os
import time

import numpy as np
import onnx
import tvm
from tvm import relax
from tvm.s_tir import meta_schedule as ms
from tvm.relax.frontend.onnx import from_onnx

from engines import Prepared

VERSION = tvm.__version__
TUNE_TIMEOUT_S = 300
TVM_DTYPES = {"f32": "float32", "float32": "float32", "u8": "uint8", "uint8": "uint8"}


def _target(cores):
    return tvm.target.Target({"kind": "llvm", "mcpu": tvm.target.codegen.llvm_get_system_cpu(),
                              "num-cores": cores})


def _tune(mod, ctx, trials):
    """The module with the case's tuning database applied, tuning first if there is none.

    As relax.get_pipeline("static_shape_tuning") does, with MetaSchedule's builder and runner
    given generous timeouts (its 30 s build timeout fails every candidate on a busy 2-core
    machine). Returns (module, tuning seconds, whether an earlier run's database was reused).
    """
    all_cpus = ctx.options["all_cpus"]
    log_dir = os.path.join(ctx.work, "tvm-tune", f"{ctx.spec.key}-b{ctx.batch}-t{trials}")
    stamp = os.path.join(log_dir, "tuning.json")
    target = _target(len(all_cpus))
    with target:
        mod = tvm.transform.Sequential([relax.transform.DecomposeOpsForInference(),
                                        relax.transform.CanonicalizeBindings(),
                                        relax.get_pipeline("zero")])(mod)
    reused = os.path.exists(stamp)
    if reused:
        with open(stamp) as f:
            tuning_s = json.load(f)["seconds"]
    else:
        os.makedirs(log_dir, exist_ok=True)
        pinned = os.sched_getaffinity(0)
        os.sched_setaffinity(0, all_cpus)  # tune with every CPU, whatever this run's threads
        try:
            start = time.perf_counter()
            ms.relax_integration.tune_relax(
                mod, {}, target, log_dir, max_trials_global=trials,
                num_trials_per_iter=min(trials, 64),
                builder=ms.builder.LocalBuilder(timeout_sec=TUNE_TIMEOUT_S),
                runner=ms.runner.LocalRunner(timeout_sec=TUNE_TIMEOUT_S))
            tuning_s = time.perf_counter() - start
        finally:
            os.sched_setaffinity(0, pinned)
        with open(stamp, "w") as f:
            json.dump({"seconds": tuning_s, "trials": trials}, f)
    with target:
        mod = relax.transform.MetaScheduleApplyDatabase(log_dir)(mod)
    return mod, tuning_s, reused


def prepare(ctx, inputs):
    trials = ctx.options["tvm_trials"] if ctx.engine == "tvm-tuned" else 0
    start = time.perf_counter()
    proto = onnx.load(ctx.onnx_path)
    shapes = {i.name: list(x.shape) for i, x in zip(ctx.model.inputs, inputs)}
    dtypes = {i.name: TVM_DTYPES[i.dtype] for i in ctx.model.inputs}
    mod = from_onnx(proto, shape_dict=shapes, dtype_dict=dtypes)
    extra, tuning_excluded = {}, 0.0
    if trials:
        tune_start = time.perf_counter()
        mod, tuning_s, reused = _tune(mod, ctx, trials)
        if not reused:  # fresh tuning is reported as tuning_s, not as compile time
            tuning_excluded = time.perf_counter() - tune_start
        extra = {"tuning_s": tuning_s, "trials": trials, "tuning_reused": reused}
    executable = tvm.compile(mod, target=_target(ctx.threads))
    vm = relax.VirtualMachine(executable, tvm.cpu())
    setup = time.perf_counter() - start - tuning_excluded
    device_inputs = [tvm.runtime.tensor(x) for x in inputs]
    main = vm["main"]

    def fetch(result):
        results = result if isinstance(result, (list, tuple, tvm.ir.Array)) else [result]
        return [np.asarray(r.numpy()) for r in results]

    return Prepared(run=lambda: main(*device_inputs), fetch=fetch, setup_s=setup, extra=extra)

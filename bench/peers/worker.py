"""One measurement in its own process: one engine, one model, one batch, one thread count.

run.py starts `python worker.py SPEC.json` with the engines' thread variables already in the
environment; the worker pins itself to the CPUs in the spec (os.sched_setaffinity) before it
imports the engine, so every thread the engine starts inherits the mask. It records the RSS
after the imports (base) and the process's peak RSS at the end (VmHWM: unlike ru_maxrss it
does not carry the parent's peak across exec), writes the
outputs of the first run to SPEC["outputs"] (.npz) and its result to SPEC["result"] (JSON):
an "error" (first line, plus the traceback) instead of numbers when anything fails.
Deliberately not here: comparing outputs or choosing what to run (run.py).
"""

import json
import os
import sys
import traceback

import numpy as np


def _status_mib(field):
    """A memory field of /proc/self/status (VmRSS: now, VmHWM: peak) in MiB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def measure(spec):
    """Runs the measurement `spec` describes; returns the result dict."""
    import dlc_model
    import engines
    import models
    import timing
    engine = engines.load(spec["engine"])
    base_rss = _status_mib("VmRSS")
    model_spec = models.BY_KEY[spec["model"]]
    model = dlc_model.load(spec["json_path"])
    inputs = models.make_inputs(model, model_spec, spec["batch"])
    ctx = engines.Context(engine=spec["engine"], spec=model_spec, batch=spec["batch"],
                          model=model, json_path=spec["json_path"], onnx_path=spec["onnx_path"],
                          threads=spec["threads"], work=spec["work"], options=spec["options"])
    prepared = engine.prepare(ctx, inputs)
    result, stats = timing.measure(prepared.run, spec["min_time"], spec["max_run_seconds"])
    if prepared.finish:
        prepared.finish()
    outputs = prepared.fetch(result)
    np.savez(spec["outputs"], *[np.asarray(o) for o in outputs])
    return {"version": engine.VERSION, "stats": stats, "compile_s": prepared.setup_s,
            "base_rss_mib": base_rss,
            "peak_rss_mib": _status_mib("VmHWM"),
            "extra": prepared.extra}


def main():
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    os.sched_setaffinity(0, spec["cpus"])
    try:
        result = measure(spec)
    except Exception as e:  # any failure of a peer is a result, not a crash of the run
        message = (str(e).strip() or type(e).__name__).splitlines()[0]
        result = {"error": f"{type(e).__name__}: {message}", "traceback": traceback.format_exc()}
    with open(spec["result"], "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()

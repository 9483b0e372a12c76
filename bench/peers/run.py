"""The peer benchmark: dlc against XLA:CPU (jax), ONNX Runtime, OpenVINO and TVM, one run.

Writes the models (make_models.py), measures the machine's limits, then for every
(model, batch, threads, engine) starts worker.py in a fresh process, compares the engine's
outputs with dlc's at the same thread count, and finally measures the limits again and writes
results.json, results.md, chart.svg and machine.md into --out. Exit code 1 when dlc fails
or any engine's outputs disagree with dlc's beyond the model's tolerance; a peer that fails
is recorded as failed and the run goes on. Usage: bench/peers.sh --help.
"""

import argparse
import datetime
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np

import engines
import limits
import machine
import make_models
import models
import report

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
ENGINES = ["dlc", "jax", "ort", "openvino", "tvm", "tvm-tuned"]
FULL_TVM_TUNE_TRIALS = 64
TUNE_SECONDS_PER_TRIAL = 20  # tvm-tuned workers get this much more time per trial to tune


def parse_args(argv):
    p = argparse.ArgumentParser(prog="bench/peers.sh", description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true",
                   help="smoke run: mlp b1/b64, chain, matmul1024, min-time 0.3 s, no tuning")
    p.add_argument("--models", default=None,
                   help=f"comma list of {','.join(models.BY_KEY)} (default: all; quick: its subset)")
    p.add_argument("--engines", default=",".join(ENGINES), help="comma list (dlc always runs)")
    p.add_argument("--threads", default="1,all", help="comma list of 1 and/or all")
    p.add_argument("--min-time", type=float, default=None,
                   help="seconds of timed runs per measurement (default 1.0; quick 0.3)")
    p.add_argument("--max-run-seconds", type=float, default=5.0,
                   help="a run slower than this is timed once and marked slow")
    p.add_argument("--tvm-tune-trials", type=int, default=None,
                   help=f"MetaSchedule trials for tvm-tuned (default {FULL_TVM_TUNE_TRIALS}; "
                        "quick 0 = tvm-tuned off)")
    p.add_argument("--tvm-tune-models", default="mlp,matmul1024",
                   help="models tvm-tuned runs on (tuning on few cores is slow)")
    p.add_argument("--worker-timeout", type=float, default=180.0,
                   help="seconds before one measurement process is stopped and marked failed "
                        f"(tvm-tuned: plus {TUNE_SECONDS_PER_TRIAL} s per tuning trial)")
    p.add_argument("--build", default=os.path.join(REPO, "build"), help="dlc build dir")
    p.add_argument("--machine-limits", default=None,
                   help="machine_limits binary (default BUILD/bench/machine_limits)")
    p.add_argument("--work", default=os.path.join(REPO, "bench", ".work"),
                   help="scratch dir for models, artifacts, outputs and tuning logs")
    p.add_argument("--out", default=None,
                   help="results dir (default bench/results/<date>-<cpu>[-quick])")
    args = p.parse_args(argv)
    args.argv = list(argv)
    args.min_time = args.min_time if args.min_time is not None else (0.3 if args.quick else 1.0)
    if args.tvm_tune_trials is None:
        args.tvm_tune_trials = 0 if args.quick else FULL_TVM_TUNE_TRIALS
    keys = args.models.split(",") if args.models else (
        list(models.QUICK) if args.quick else list(models.BY_KEY))
    args.cases = models.cases(keys, args.quick)
    args.engines = ["dlc"] + [e for e in args.engines.split(",") if e != "dlc"]
    unknown = [e for e in args.engines if e not in ENGINES]
    bad_threads = [t for t in args.threads.split(",") if t not in ("1", "all")]
    if unknown or bad_threads:
        p.error(f"unknown engine(s) {unknown} or thread setting(s) {bad_threads}")
    if args.tvm_tune_trials == 0 and "tvm-tuned" in args.engines:
        args.engines.remove("tvm-tuned")
    args.threads = args.threads.split(",")
    return args


def cpu_slug():
    text = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    name = re.search(r"Model name:\s*(.+)", text)
    slug = re.sub(r"\(r\)|\(tm\)|cpu|@.*", "", (name.group(1) if name else "cpu").lower())
    return re.sub(r"[^a-z0-9]+", "-", slug).strip("-")


def thread_settings(labels):
    """label -> (cpus for the affinity mask, thread count, extra environment)."""
    mask = sorted(os.sched_getaffinity(0))
    settings = {}
    for label in labels:
        cpus = mask[:1] if label == "1" else mask
        n = len(cpus)
        env = {"DLC_NUM_THREADS": str(n), "TVM_NUM_THREADS": str(n), "OMP_NUM_THREADS": str(n)}
        if n == 1:
            env["XLA_FLAGS"] = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
        settings[label] = (cpus, n, env)
    return settings


def run_worker(spec, env, timeout):
    """Runs worker.py on `spec`; returns its result dict (an error on timeout or crash)."""
    with tempfile.TemporaryDirectory(dir=spec["work"]) as tmp:
        spec = dict(spec, result=os.path.join(tmp, "result.json"))
        spec_path = os.path.join(tmp, "spec.json")
        with open(spec_path, "w") as f:
            json.dump(spec, f)
        try:
            done = subprocess.run([sys.executable, os.path.join(HERE, "worker.py"), spec_path],
                                  env=dict(os.environ, **env), capture_output=True, text=True,
                                  timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"error": f"timeout: no result within {timeout:.0f} s"}
        if not os.path.exists(spec["result"]):
            tail = (done.stderr or done.stdout).strip().splitlines()[-1:]
            return {"error": f"worker died (exit {done.returncode}): {' '.join(tail)}"}
        with open(spec["result"]) as f:
            return json.load(f)


def compare(outputs_path, reference_path, spec):
    """Max abs/rel difference of an engine's outputs against dlc's, and whether they agree."""
    with np.load(outputs_path) as got, np.load(reference_path) as want:
        if len(got.files) != len(want.files):
            return {"agree": False, "why": f"{len(got.files)} outputs, dlc has {len(want.files)}"}
        max_abs = max_rel = 0.0
        agree = True
        for key in want.files:
            a, b = got[key].astype(np.float64), want[key].astype(np.float64)
            if a.shape != b.shape:
                return {"agree": False, "why": f"shape {a.shape}, dlc has {b.shape}"}
            diff = np.abs(a - b)
            max_abs = max(max_abs, float(diff.max(initial=0.0)))
            floor = spec.atol / spec.rtol  # below it, atol decides; a relative error means little
            max_rel = max(max_rel, float((diff / np.maximum(np.abs(b), floor)).max(initial=0.0)))
            agree = agree and bool(np.all(diff <= spec.atol + spec.rtol * np.abs(b)))
    return {"agree": agree, "max_abs": max_abs, "max_rel": max_rel}


def record(spec, batch, engine, label, n, result):
    row = {"model": spec.key, "batch": batch, "engine": engine, "threads": label, "nthreads": n,
           "unit": spec.unit}
    if "error" in result:
        row.update(status="failed", error=result["error"])
        return row
    stats = result["stats"]
    row.update(status="ok", version=result["version"], compile_s=result["compile_s"],
               base_rss_mib=result["base_rss_mib"], peak_rss_mib=result["peak_rss_mib"],
               throughput=spec.throughput(batch, stats["median_s"]), extra=result["extra"],
               **stats)
    return row


def measure_case(args, spec, batch, settings, options):
    """All engines at every thread setting for one (model, batch); returns the rows."""
    rows = []
    json_path = os.path.join(args.work, spec.file)
    for label, (cpus, n, env) in settings.items():
        reference = None
        for engine in args.engines:
            if engine == "tvm-tuned" and spec.key not in args.tvm_tune_models.split(","):
                continue
            outputs = os.path.join(args.work, f"out-{spec.key}-b{batch}-{label}-{engine}.npz")
            worker_spec = {"engine": engine, "model": spec.key, "batch": batch, "threads": n,
                           "cpus": cpus, "json_path": json_path,
                           "onnx_path": json_path[:-len(".json")] + ".onnx", "work": args.work,
                           "options": options, "min_time": args.min_time,
                           "max_run_seconds": args.max_run_seconds, "outputs": outputs}
            timeout = args.worker_timeout + (
                TUNE_SECONDS_PER_TRIAL * args.tvm_tune_trials if engine == "tvm-tuned" else 0)
            start = time.time()
            row = record(spec, batch, engine, label, n, run_worker(worker_spec, env, timeout))
            if row["status"] == "ok" and engine == "dlc":
                reference = outputs
            elif row["status"] == "ok" and reference:
                row.update(compare(outputs, reference, spec))
                row["status"] = "ok" if row["agree"] else "wrong"
                os.unlink(outputs)
            elif row["status"] == "ok":
                row["status"], row["why"] = "unchecked", "dlc produced no reference output"
            print(progress_line(row, time.time() - start), flush=True)
            rows.append(row)
        if reference:
            os.unlink(reference)
    return rows


def progress_line(row, wall):
    head = f"  {row['model']:>10} b{row['batch']:<5} {row['threads']:>3}t {row['engine']:<9}"
    if row["status"] == "failed":
        return f"{head} failed: {row['error']}  ({wall:.0f} s)"
    diff = f"  max|diff| {row['max_abs']:.1e}" if "max_abs" in row else ""
    return (f"{head} {row['median_s'] * 1e3:10.3f} ms  compile {row['compile_s']:.2f} s"
            f"{diff}  {row['status']}  ({wall:.0f} s)")


def main(argv):
    args = parse_args(argv)
    started = datetime.datetime.now()
    args.out = args.out or os.path.join(
        REPO, "bench", "results",
        f"{started:%Y-%m-%d}-{cpu_slug()}" + ("-quick" if args.quick else ""))
    os.makedirs(args.out, exist_ok=True)
    dlc = os.path.join(args.build, "compiler", "tools", "dlc", "dlc")
    libdlcrt = os.path.join(args.build, "runtime", "libdlcrt.so")
    limits_bin = args.machine_limits or os.path.join(args.build, "bench", "machine_limits")
    for path in (dlc, libdlcrt):
        if not os.path.exists(path):
            raise SystemExit(f"run.py: {path} not found; build dlc first (scripts/build.sh)")
    print(f"peers: writing models into {args.work}", flush=True)
    exporter = make_models.export_onnx(dlc, make_models.write_models(args.work))
    print(f"peers: ONNX exported by {exporter}", flush=True)
    settings = thread_settings(args.threads)
    all_cpus = sorted(os.sched_getaffinity(0))
    options = {"dlc": dlc, "libdlcrt": libdlcrt, "tvm_trials": args.tvm_tune_trials,
               "all_cpus": all_cpus}
    machine_limits = {label: {"start": limits.measure(limits_bin, n)}
                      for label, (_, n, _) in settings.items()}
    print(f"peers: machine limits measured ({limits_bin})", flush=True)
    rows = []
    for spec, batch in args.cases:
        print(f"peers: {spec.key} batch {batch}", flush=True)
        rows += measure_case(args, spec, batch, settings, options)
    for label, (_, n, _) in settings.items():
        machine_limits[label]["end"] = limits.measure(limits_bin, n)
    versions = {r["engine"]: r["version"] for r in rows if "version" in r}
    results = {"started": started.isoformat(timespec="seconds"),
               "seconds": (datetime.datetime.now() - started).total_seconds(),
               "args": {k: v for k, v in vars(args).items() if k != "cases"},
               "onnx_exporter": exporter, "compile_meaning": engines.COMPILE_MEANING,
               "tolerances": {s.key: {"rtol": s.rtol, "atol": s.atol} for s, _ in args.cases},
               "limits": machine_limits, "versions": versions, "rows": rows}
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    machine.write(os.path.join(args.out, "machine.md"), REPO, versions,
                  {"ONNX exporter": exporter, "dlc build dir": args.build,
                   "machine_limits": limits_bin,
                   "started": results["started"], "wall seconds": f"{results['seconds']:.0f}"})
    report.write(args.out, results)
    print(f"peers: wrote {args.out}/results.md, chart.svg, results.json, machine.md", flush=True)
    failures = report.failures(results)
    for line in failures:
        print(f"peers: {line}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

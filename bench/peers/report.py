"""results.md and chart.svg from results.json's dict (run.py builds it).

results.md: how it was measured; the machine limits at the start and end of the run; the
issue's targets with measured value, target and PASS/MISS; one table per model (every
engine × thread setting × batch: median, p10–p90, throughput, compile/load, memory, the
largest difference from dlc's outputs and the ratio dlc/peer); a roofline table of every dlc
kernel against the measured ceilings. A peer whose outputs disagree with dlc's is WRONG and
left out of every ratio. Deliberately not here: measuring (run.py) or drawing (chart.py).
"""

import os

import chart
import limits
import models

PEERS = ["jax", "ort", "openvino", "tvm", "tvm-tuned"]
SMALL_BATCH = {("mlp", 1), ("tfm256", 1), ("tfm768", 1)}


def _ms(s):
    return f"{s * 1e3:.3g}" if s < 1 else f"{s * 1e3:.0f}"


def _num(x, digits=3):
    return "–" if x is None else f"{x:.{digits}g}"


def _cases(rows):
    seen = []
    for r in rows:
        if (r["model"], r["batch"]) not in seen:
            seen.append((r["model"], r["batch"]))
    return seen


def _index(rows):
    return {(r["model"], r["batch"], r["threads"], r["engine"]): r for r in rows}


def ratio(rows_by_key, model, batch, threads, peer):
    """dlc median / peer median, or None when either has no checked time."""
    dlc = rows_by_key.get((model, batch, threads, "dlc"))
    other = rows_by_key.get((model, batch, threads, peer))
    if not dlc or not other or dlc["status"] != "ok" or other["status"] != "ok":
        return None
    return dlc["median_s"] / other["median_s"]


def _limit_rows(results):
    out = ["| threads | when | STREAM copy best / median GB/s | triad best / median GB/s | "
           "FMA peak GFLOP/s | vector bits | ISA |", "|---|---|---|---|---|---|---|"]
    for label, entries in results["limits"].items():
        for when, entry in entries.items():
            if "error" in entry:
                out.append(f"| {label} | {when} | {entry['error']} | | | | |")
                continue
            s, f = entry.get("stream", {}), entry.get("fma", {})
            copy, triad = s.get("copy", {}), s.get("triad", {})
            out.append(f"| {label} | {when} | {_num(copy.get('best_gbs'))} / "
                       f"{_num(copy.get('median_gbs'))} | {_num(triad.get('best_gbs'))} / "
                       f"{_num(triad.get('median_gbs'))} | {_num(f.get('gflops'))} | "
                       f"{f.get('vector_bits', '–')} | {f.get('isa', '–')} |")
    return out


def _ceilings(results, threads):
    return limits.ceilings(results["limits"].get(threads, {}).get("start"))


def _target(name, value, goal, passed, note=""):
    verdict = "–" if passed is None else ("PASS" if passed else "MISS")
    return f"| {name} | {value} | {goal} | {verdict} | {note} |"


def _targets(results, by_key):
    rows = results["rows"]
    out = ["| target | measured | goal | verdict | where |", "|---|---|---|---|---|"]
    cases = _cases(rows)
    threads = list(results["limits"])
    for peer in PEERS:
        worst = [(ratio(by_key, m, b, t, peer), f"{m} b{b} {t}t") for m, b in cases
                 for t in threads if ratio(by_key, m, b, t, peer) is not None]
        if worst:
            value, where = max(worst)
            out.append(_target(f"dlc/{peer} median time, every model", f"{value:.2f}", "≤ 1.0",
                               value <= 1.0, f"worst: {where}"))
        small = [w for w in worst if (w[1].split()[0], int(w[1].split()[1][1:])) in SMALL_BATCH]
        if small:
            value, where = max(small)
            out.append(_target(f"dlc/{peer}, small-batch MLP and transformer", f"{value:.2f}",
                               "≤ 0.5", value <= 0.5, f"worst: {where}"))
    for t in threads:
        copy, triad, peak = _ceilings(results, t)
        chain = by_key.get(("chain", 1, t, "dlc"))
        if chain and chain["status"] == "ok" and triad:
            frac = chain["throughput"] / triad
            out.append(_target(f"elementwise chain, {t} thread(s)", f"{frac:.0%} of STREAM triad "
                               f"({chain['throughput']:.1f} / {triad:.1f} GB/s)", "≥ 90%",
                               frac >= 0.9, f"STREAM copy best: {_num(copy)} GB/s"))
        for m in ("matmul1024", "matmul4096"):
            row = by_key.get((m, 1, t, "dlc"))
            if row and row["status"] == "ok" and peak:
                frac = row["throughput"] / peak
                out.append(_target(f"{m}, {t} thread(s)", f"{frac:.0%} of FMA peak "
                                   f"({row['throughput']:.0f} / {peak:.0f} GFLOP/s)", "≥ 80%",
                                   frac >= 0.8))
    builds = []
    for m, b in cases:
        for t in threads:
            dlc, jax = by_key.get((m, b, t, "dlc")), by_key.get((m, b, t, "jax"))
            if (dlc and jax and dlc["status"] == "ok" and jax["status"] in ("ok", "wrong")
                    and jax["compile_s"] > 0):
                builds.append((dlc["extra"]["build_s"] / jax["compile_s"], f"{m} b{b} {t}t"))
    if builds:
        value, where = max(builds)
        out.append(_target("dlc build / jax.jit first-call compile", f"{value:.2f}", "≤ 0.2",
                           value <= 0.2, f"worst: {where}"))
    return out


def _model_table(results, by_key, model):
    rows = [r for r in results["rows"] if r["model"] == model]
    unit = rows[0]["unit"]
    out = [f"| batch | threads | engine | median ms | p10–p90 ms | {unit} | compile / load s | "
           "base / peak MiB | max abs / rel diff vs dlc | dlc/peer |",
           "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        head = f"| {r['batch']} | {r['threads']} | {r['engine']} |"
        if r["status"] == "failed":
            out.append(f"{head} failed: {r['error']} | | | | | | |")
            continue
        spread = f"{_ms(r['p10_s'])}–{_ms(r['p90_s'])}"
        if r["slow"]:
            spread += f" (slow, {r['runs']} run{'s' if r['runs'] > 1 else ''})"
        compile_s = _num(r["compile_s"])
        if "tuning_s" in r["extra"]:
            compile_s += f" (+ tuning {r['extra']['tuning_s']:.0f} s, {r['extra']['trials']} trials)"
        diff = "reference" if r["engine"] == "dlc" else (
            f"{r['max_abs']:.1e} / {r['max_rel']:.1e}" if "max_abs" in r else r.get("why", "–"))
        if r["status"] == "wrong":
            diff = f"**WRONG** {diff}"
        rat = ratio(by_key, model, r["batch"], r["threads"], r["engine"])
        rat_text = "–" if r["engine"] == "dlc" or rat is None else f"{rat:.2f}"
        out.append(f"{head} {_ms(r['median_s'])} | {spread} | {_num(r['throughput'], 4)} | "
                   f"{compile_s} | {r['base_rss_mib']:.0f} / {r['peak_rss_mib']:.0f} | {diff} | "
                   f"{rat_text} |")
    return out


def _roofline(results):
    out = ["| model | batch | threads | kernel | kind | time ms | GB/s | % of triad | GFLOP/s | "
           "% of FMA peak |", "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results["rows"]:
        if r["engine"] != "dlc" or r["status"] != "ok" or "report" not in r["extra"]:
            continue
        _, triad, peak = _ceilings(results, r["threads"])
        for k in r["extra"]["report"]["kernels"]:
            seconds = k["time_ms"] * 1e-3
            gflops = k["flops"] / seconds / 1e9 if seconds > 0 else None
            out.append(f"| {r['model']} | {r['batch']} | {r['threads']} | {k['label']} | "
                       f"{k['kind']} | {k['time_ms']:.3g} | {k['gbs']:.1f} | "
                       f"{_pct(k['gbs'], triad)} | {_num(gflops)} | {_pct(gflops, peak)} |")
    return out


def _pct(value, ceiling):
    return "–" if value is None or not ceiling else f"{value / ceiling:.0%}"


def _chart(results, by_key):
    peers = [p for p in PEERS if any(r["engine"] == p for r in results["rows"])]
    panels = []
    for t in results["limits"]:
        groups = []
        for m, b in _cases(results["rows"]):
            present = {p: ratio(by_key, m, b, t, p) for p in peers if (m, b, t, p) in by_key}
            label = f"{m} b{b}" if models.BY_KEY[m].has_batch else m
            groups.append((label, {p: 1 / v if v else None for p, v in present.items()}))
        panels.append((f"{'1 thread' if t == '1' else 'all threads'}", groups))
    return chart.svg(panels, peers)


def failures(results):
    """Lines saying why the run fails: dlc failed, or an engine disagrees with dlc."""
    lines = []
    for r in results["rows"]:
        where = f"{r['model']} b{r['batch']} {r['threads']}t {r['engine']}"
        if r["engine"] == "dlc" and r["status"] == "failed":
            lines.append(f"dlc failed on {where}: {r['error']}")
        elif r["status"] == "wrong":
            lines.append(f"outputs disagree with dlc: {where}: max abs {r.get('max_abs', '–')}, "
                         f"max rel {r.get('max_rel', '–')} {r.get('why', '')}".rstrip())
    return lines


def write(out, results):
    by_key = _index(results["rows"])
    args = results["args"]
    lines = [f"# dlc against peers, {results['started']}", "",
             f"Command: `bench/peers.sh {' '.join(args['argv'])}` (dlc build dir "
             f"`{args['build']}`); {results['seconds']:.0f} s. Machine: machine.md.", "",
             "Each (model, batch, threads, engine) ran in its own process, pinned to the CPUs of "
             "its thread setting (`1`: one CPU, every engine's thread knob 1; `all`: every CPU "
             f"of the run's mask). Timing: warm-up, then ≥ {args['min_time']} s and ≥ 10 timed "
             "runs (at most 1000); median and p10–p90. A run slower than "
             f"{args['max_run_seconds']} s is timed once (`slow`). Every engine gets the same "
             "inputs (seeded per model and batch) and the same weights; its outputs are compared "
             "with dlc's at the same thread count (|peer − dlc| ≤ atol + rtol·|dlc|; "
             "rel = |peer − dlc| / max(|dlc|, atol/rtol)); a disagreement is **WRONG** and has no ratio.",
             "", f"ONNX for ORT, OpenVINO and TVM: {results['onnx_exporter']}. jax: the dlc model "
             "translated by jax_model.py, weights passed as jit arguments. OpenVINO and TVM "
             "compile for the case's static batch; OpenVINO with INFERENCE_PRECISION_HINT=f32. "
             "Memory: base = RSS after importing the engine, peak = the process's peak RSS (VmHWM).",
             "",
             "Compile / load column: " + "; ".join(f"{e}: {m}" for e, m in
                                                    results["compile_meaning"].items()) + ".", "",
             "Tolerances: " + ", ".join(f"{k} rtol {v['rtol']:g} atol {v['atol']:g}"
                                         for k, v in results["tolerances"].items()) + ".", "",
             "## Machine limits (bench/machine_limits, at the start and the end of the run)", ""]
    lines += _limit_rows(results)
    lines += ["", "## Targets", ""] + _targets(results, by_key)
    for model in dict.fromkeys(r["model"] for r in results["rows"]):
        lines += ["", f"## {model}", ""] + _model_table(results, by_key, model)
    lines += ["", "## Roofline: every dlc kernel against the measured ceilings", "",
              "GB/s = the compiler's bytes read + written / the kernel's median time; ceilings: "
              "STREAM triad best and FMA peak at the run's thread count. Kernels whose data fits in "
              "the caches can exceed the DRAM ceiling (> 100%).", ""]
    lines += _roofline(results)
    lines += ["", "![peer time relative to dlc](chart.svg)", ""]
    with open(os.path.join(out, "results.md"), "w") as f:
        f.write("\n".join(lines))
    with open(os.path.join(out, "chart.svg"), "w") as f:
        f.write(_chart(results, by_key))

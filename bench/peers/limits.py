"""The machine's limits, measured in the same run by bench/machine_limits.

`measure(binary, threads)` runs `machine_limits --json --threads N` and returns its JSON:
{"stream": {"copy": {"best_gbs", "median_gbs"}, "triad": {...}, ...},
 "fma": {"gflops", "vector_bits", "isa"}, ...}, or {"error": "..."} when the binary is
missing or fails (the run goes on; the roofline then has no ceiling). `ceilings(entry)`
extracts the two numbers the report divides by. Deliberately not here: measuring anything
itself.
"""

import json
import os
import subprocess


def measure(binary, threads):
    if not os.path.exists(binary):
        return {"error": f"{binary} not found (build the machine_limits target)"}
    done = subprocess.run([binary, "--json", "--threads", str(threads)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        return {"error": f"machine_limits exit {done.returncode}: "
                         f"{(done.stderr or done.stdout).strip().splitlines()[:1]}"}
    try:
        return json.loads(done.stdout)
    except json.JSONDecodeError as e:
        return {"error": f"machine_limits printed no JSON: {e}"}


def ceilings(entry):
    """(STREAM copy best GB/s, triad best GB/s, FMA peak GFLOP/s), None where unknown."""
    stream = entry.get("stream", {}) if entry else {}
    fma = entry.get("fma", {}) if entry else {}
    return (stream.get("copy", {}).get("best_gbs"), stream.get("triad", {}).get("best_gbs"),
            fma.get("gflops"))

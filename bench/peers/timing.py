"""Times a zero-argument function: a first call, warm-up, then timed runs.

The first call is timed on its own. Warm-up runs until at least WARMUP_RUNS runs and
WARMUP_SECONDS have passed; timed runs continue until at least `min_time` seconds and
MIN_RUNS runs, at most MAX_RUNS. A first call slower than `max_run_seconds` is the only
sample; a timed run that slow ends the timing there; both are marked slow. Deliberately not
here: statistics beyond percentiles.
"""

import time

import numpy as np

WARMUP_RUNS, WARMUP_SECONDS = 3, 0.2
MIN_RUNS, MAX_RUNS = 10, 1000


def measure(fn, min_time, max_run_seconds):
    """Returns (first call result, stats dict)."""
    start = time.perf_counter()
    result = fn()
    first = time.perf_counter() - start
    times = []
    if first > max_run_seconds:
        times.append(first)  # too slow to repeat: the first call is the one sample
    else:
        warm_start, runs = time.perf_counter(), 0
        while runs < WARMUP_RUNS or time.perf_counter() - warm_start < WARMUP_SECONDS:
            fn()
            runs += 1
    timed_start = time.perf_counter()
    while not times or times[-1] <= max_run_seconds:
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
        elapsed = time.perf_counter() - timed_start
        if len(times) >= MAX_RUNS or (len(times) >= MIN_RUNS and elapsed >= min_time):
            break
    samples = np.array(times)
    return result, {"first_s": first, "runs": len(times), "slow": times[-1] > max_run_seconds,
                    "median_s": float(np.median(samples)),
                    "p10_s": float(np.percentile(samples, 10)),
                    "p90_s": float(np.percentile(samples, 90))}

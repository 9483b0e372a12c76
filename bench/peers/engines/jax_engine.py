"""XLA:CPU through jax.jit of jax_model.py's translation of the dlc model.

Weights are jit arguments placed on the device once (not constants XLA could fold); inputs
are device arrays placed once; each run blocks until the outputs are ready. The compile time
is what jax.jit's first call spends before running: trace, lower and XLA compile, timed
ahead of time (jit(fn).lower(...).compile()) so that a long first run cannot blur it.
Threads are set by the worker's environment (XLA_FLAGS) and CPU affinity, not here.
"""

import time

import jax
import jaxlib

import jax_model
from engines import Prepared

VERSION = f"jax {jax.__version__}, jaxlib {jaxlib.__version__}"


def prepare(ctx, inputs):
    fn, weights = jax_model.build(ctx.model)
    device_inputs = [jax.device_put(x) for x in inputs]
    device_weights = {k: jax.device_put(v) for k, v in weights.items()}
    start = time.perf_counter()
    compiled = jax.jit(fn).lower(device_inputs, device_weights).compile()
    setup = time.perf_counter() - start

    def run():
        return jax.block_until_ready(compiled(device_inputs, device_weights))

    return Prepared(run=run, fetch=lambda r: [jax.device_get(x) for x in r], setup_s=setup,
                    extra={"weights": "jit arguments"})

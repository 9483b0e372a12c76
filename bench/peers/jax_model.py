"""Translates a dlc model (dlc_model.Model) into a JAX function with dlc's op semantics.

`build(model)` returns (fn, weights): fn(inputs, weights) computes the model's outputs (a
list) from the graph inputs (a list, in the model's order) and the weights (a dict of the
constants read from weight files). Weights are arguments, not closed-over constants, so XLA
cannot fold them into the program at compile time (dlc does not either); inline scalar
constants (a `value` in the JSON) are literals. An op outside OPS is an error naming the
node. Deliberately not here: jit, devices, timing (engines/jax_engine.py).
"""

import math

import jax
import jax.numpy as jnp
from jax import lax

import dlc_model


def _reshape(x, a):
    shape = [-1 if d == "N" else d for d in a["shape"]]
    return jnp.reshape(x, [x.shape[i] if d == 0 else d for i, d in enumerate(shape)])


def _flatten(x, a):
    axis = a.get("axis", 1)
    return jnp.reshape(x, (math.prod(x.shape[:axis]), math.prod(x.shape[axis:])))


def _dense(x, w, b=None):
    y = jnp.matmul(x, w)
    return y if b is None else y + b


def _matmul(x, y, a):
    if a.get("transpose_a", 0):
        x = jnp.swapaxes(x, -1, -2)
    if a.get("transpose_b", 0):
        y = jnp.swapaxes(y, -1, -2)
    return jnp.matmul(x, y)


def _conv2d(x, w, b=None, a=None):
    top, left, bottom, right = a.get("pads", [0, 0, 0, 0])
    y = lax.conv_general_dilated(x, w, window_strides=a.get("strides", [1, 1]),
                                 padding=[(top, bottom), (left, right)],
                                 rhs_dilation=a.get("dilations", [1, 1]),
                                 dimension_numbers=("NCHW", "OIHW", "NCHW"),
                                 feature_group_count=a.get("groups", 1))
    return y if b is None else y + b[None, :, None, None]


def _batch_norm(x, scale, bias, mean, var, a):
    def per_channel(v):
        return v.reshape((1, -1) + (1,) * (x.ndim - 2))
    inv = scale / jnp.sqrt(var + a.get("epsilon", 1e-5))
    return (x - per_channel(mean)) * per_channel(inv) + per_channel(bias)


def _max_pool2d(x, a):
    kh, kw = a["kernel"]
    sh, sw = a.get("strides", a["kernel"])
    top, left, bottom, right = a.get("pads", [0, 0, 0, 0])
    return lax.reduce_window(x, -jnp.inf, lax.max, (1, 1, kh, kw), (1, 1, sh, sw),
                             [(0, 0), (0, 0), (top, bottom), (left, right)])


def _layer_norm(x, gamma=None, beta=None, a=None):
    axis = a.get("axis", -1) % x.ndim
    axes = tuple(range(axis, x.ndim))
    mean = jnp.mean(x, axis=axes, keepdims=True)
    var = jnp.mean(jnp.square(x - mean), axis=axes, keepdims=True)
    y = (x - mean) * lax.rsqrt(var + a.get("epsilon", 1e-5))
    if gamma is not None:
        y = y * gamma
    return y if beta is None else y + beta


def _transpose(x, a):
    return jnp.transpose(x, a.get("perm"))


# op -> f(attrs, *inputs)
OPS = {
    "add": lambda a, x, y: x + y,
    "sub": lambda a, x, y: x - y,
    "mul": lambda a, x, y: x * y,
    "div": lambda a, x, y: x / y,
    "maximum": lambda a, x, y: jnp.maximum(x, y),
    "minimum": lambda a, x, y: jnp.minimum(x, y),
    "tanh": lambda a, x: jnp.tanh(x),
    "exp": lambda a, x: jnp.exp(x),
    "sigmoid": lambda a, x: jax.nn.sigmoid(x),
    "relu": lambda a, x: jnp.maximum(x, 0),
    "gelu": lambda a, x: jax.nn.gelu(x, approximate=a.get("approximate", "none") == "tanh"),
    "cast": lambda a, x: x.astype(dlc_model.NUMPY_DTYPES[a["to"]]),
    "flatten": lambda a, x: _flatten(x, a),
    "reshape": lambda a, x: _reshape(x, a),
    "transpose": lambda a, x: _transpose(x, a),
    "dense": lambda a, *xs: _dense(*xs),
    "matmul": lambda a, x, y: _matmul(x, y, a),
    "softmax": lambda a, x: jax.nn.softmax(x, axis=a.get("axis", -1)),
    "conv2d": lambda a, *xs: _conv2d(*xs, a=a),
    "batch_norm": lambda a, *xs: _batch_norm(*xs, a),
    "max_pool2d": lambda a, x: _max_pool2d(x, a),
    "layer_norm": lambda a, *xs: _layer_norm(*xs, a=a),
}


def build(model):
    """Returns (fn, weights) for `model`; fn(inputs, weights) -> list of outputs."""
    unknown = [f"{n.name!r} ({n.op})" for n in model.nodes if n.op not in OPS]
    if unknown:
        raise ValueError(f"{model.path}: jax_model.py has no translation for node(s) "
                         + ", ".join(unknown))
    literals = {k: v for k, v in model.constants.items() if k in model.inline}
    weights = {k: v for k, v in model.constants.items() if k not in model.inline}

    def fn(inputs, weights):
        values = dict(literals)
        values.update(weights)
        values.update(zip((i.name for i in model.inputs), inputs))
        for node in model.nodes:
            values[node.name] = OPS[node.op](node.attrs, *(values[i] for i in node.inputs))
        return [values[o] for o in model.outputs]

    return fn, weights

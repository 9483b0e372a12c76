"""NumPy implementations of dlc's ops, following docs/ops.md exactly.

OPS maps each JSON op name to a function f(inputs, attrs, batch) -> np.ndarray, where
`inputs` are NumPy arrays, `attrs` the node's JSON attributes and `batch` the runtime value of
the batch symbol N. Float math runs in float32 (f16 is computed in f32 and rounded on store,
as the spec says). Used by reference_check.py to produce the NumPy side of dlc's cross-checks.

Deliberately not here: bf16 (NumPy has no such dtype), shape inference for symbolic shapes,
any speed beyond what BLAS gives for free.
"""

import math

import numpy as np

DTYPES = {"f32": np.float32, "f16": np.float16, "u8": np.uint8, "i32": np.int32,
          "i64": np.int64, "bool": np.bool_}


class OpError(ValueError):
    """A node whose inputs or attributes break the op's contract."""


def _is_float(a):
    return a.dtype.kind == "f"


def _float_op(fn):
    """Runs fn in float32 on float inputs and rounds the result to the input dtype."""
    def op(inputs, attrs, batch):
        x = inputs[0]
        if not _is_float(x):
            raise OpError(f"expects a float input, got {x.dtype}")
        return fn(x.astype(np.float32), attrs).astype(x.dtype)
    return op


def _same_dtype(inputs):
    dtypes = {a.dtype for a in inputs}
    if len(dtypes) != 1:
        raise OpError(f"operands must share a dtype, got {sorted(str(d) for d in dtypes)}")


def _binary(fn, kinds="fiub"):
    def op(inputs, attrs, batch):
        a, b = inputs
        _same_dtype(inputs)
        if a.dtype.kind not in kinds:
            raise OpError(f"does not take {a.dtype}")
        if _is_float(a):
            return fn(a.astype(np.float32), b.astype(np.float32)).astype(a.dtype)
        return fn(a, b).astype(a.dtype)
    return op


def _compare(fn):
    def op(inputs, attrs, batch):
        _same_dtype(inputs)
        return fn(inputs[0], inputs[1])
    return op


def _int_div(a, b):
    if a.dtype.kind in "iu":
        q = np.abs(a.astype(np.int64)) // np.abs(b.astype(np.int64))
        return np.where((a < 0) != (b < 0), -q, q)
    return a / b


_erf = np.frompyfunc(math.erf, 1, 1)


def erf(x):
    return _erf(x.astype(np.float64)).astype(np.float32)


def gelu(x, attrs):
    mode = attrs.get("approximate", "none")
    if mode == "tanh":
        c = np.float32(math.sqrt(2.0 / math.pi))
        return np.float32(0.5) * x * (1 + np.tanh(c * (x + np.float32(0.044715) * x * x * x)))
    if mode == "none":
        return np.float32(0.5) * x * (1 + erf(x / np.float32(math.sqrt(2.0))))
    raise OpError(f'approximate must be "none" or "tanh", got {mode!r}')


def cast(inputs, attrs, batch):
    x = inputs[0]
    to = attrs.get("to")
    if to not in DTYPES:
        raise OpError(f"cast to unsupported dtype {to!r}")
    target = np.dtype(DTYPES[to])
    if target == np.bool_:
        return x != 0
    if target.kind in "iu" and _is_float(x):
        info = np.iinfo(target)
        t = np.trunc(np.nan_to_num(x.astype(np.float64), nan=0.0))
        return np.clip(t, info.min, info.max).astype(target)
    return x.astype(target)


def _normalize_axis(axis, rank, allow_end=False):
    limit = rank + 1 if allow_end else rank
    a = axis + limit if axis < 0 else axis
    if not 0 <= a < limit:
        raise OpError(f"axis {axis} out of range for rank {rank}")
    return a


def _resolve_shape(entries, batch):
    return [batch if e == "N" else int(e) for e in entries]


def reshape(inputs, attrs, batch):
    x = inputs[0]
    target = []
    for i, e in enumerate(attrs["shape"]):
        if e == "N":
            target.append(-1)
        elif e == 0:
            target.append(x.shape[i])
        else:
            target.append(int(e))
    return x.reshape(target)


def flatten(inputs, attrs, batch):
    x = inputs[0]
    axis = _normalize_axis(attrs.get("axis", 1), x.ndim, allow_end=True)
    return x.reshape(int(np.prod(x.shape[:axis])), int(np.prod(x.shape[axis:])))


def transpose(inputs, attrs, batch):
    x = inputs[0]
    return np.transpose(x, attrs.get("perm", list(range(x.ndim))[::-1])).copy()


def broadcast_to(inputs, attrs, batch):
    shape = [batch if e in ("N", -1) else int(e) for e in attrs["shape"]]
    return np.broadcast_to(inputs[0], shape).copy()


def concat(inputs, attrs, batch):
    _same_dtype(inputs)
    return np.concatenate(inputs, axis=attrs["axis"])


def slice_(inputs, attrs, batch):
    """ONNX Slice: negative indices count from the end, then clamp."""
    x = inputs[0]
    starts, ends = attrs["starts"], attrs["ends"]
    axes = attrs.get("axes", list(range(len(starts))))
    steps = attrs.get("steps", [1] * len(starts))
    index = [slice(None)] * x.ndim
    for start, end, axis, step in zip(starts, ends, axes, steps):
        axis = _normalize_axis(axis, x.ndim)
        dim = x.shape[axis]
        if step == 0:
            raise OpError("slice step 0")
        start = start + dim if start < 0 else start
        end = end + dim if end < 0 else end
        if step > 0:
            start, end = min(max(start, 0), dim), min(max(end, 0), dim)
        else:
            start, end = min(max(start, 0), dim - 1), min(max(end, -1), dim - 1)
        index[axis] = np.arange(start, end, step, dtype=np.int64)
        x = x[tuple(index)]
        index[axis] = slice(None)
    return x.copy()


def pad(inputs, attrs, batch):
    x = inputs[0]
    pads = attrs["pads"]
    if len(pads) != 2 * x.ndim or min(pads) < 0:
        raise OpError(f"pads {pads} must hold 2*{x.ndim} non-negative entries")
    widths = [(pads[i], pads[i + x.ndim]) for i in range(x.ndim)]
    return np.pad(x, widths, constant_values=attrs.get("value", 0.0))


def _reduce(kind):
    def op(inputs, attrs, batch):
        x = inputs[0]
        axes = attrs.get("axes")
        axes = tuple(range(x.ndim)) if axes is None else tuple(
            _normalize_axis(a, x.ndim) for a in axes)
        keep = bool(attrs.get("keepdims", 0))
        if kind == "sum":
            return np.sum(x, axis=axes, keepdims=keep, dtype=x.dtype)
        if kind == "mean":
            count = int(np.prod([x.shape[a] for a in axes]))
            total = np.sum(x, axis=axes, keepdims=keep, dtype=x.dtype)
            return total if count == 0 else (total / count).astype(x.dtype)
        big = np.inf if _is_float(x) else np.iinfo(x.dtype).max
        if kind == "max":
            return np.max(x, axis=axes, keepdims=keep, initial=-big)
        return np.min(x, axis=axes, keepdims=keep, initial=big)
    return op


def softmax(x, attrs):
    axis = attrs.get("axis", -1)
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(x, attrs):
    axis = attrs.get("axis", -1)
    z = x - x.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


def layer_norm(inputs, attrs, batch):
    x = inputs[0].astype(np.float32)
    axis = _normalize_axis(attrs.get("axis", -1), x.ndim)
    axes = tuple(range(axis, x.ndim))
    mean = x.mean(axis=axes, keepdims=True)
    var = np.square(x - mean).mean(axis=axes, keepdims=True)
    y = (x - mean) / np.sqrt(var + np.float32(attrs.get("epsilon", 1e-5)))
    if len(inputs) > 1:
        y = y * inputs[1].astype(np.float32)
    if len(inputs) > 2:
        y = y + inputs[2].astype(np.float32)
    return y.astype(inputs[0].dtype)


def batch_norm(inputs, attrs, batch):
    x = inputs[0]
    shape = [1, x.shape[1]] + [1] * (x.ndim - 2)
    scale, bias, mean, var = (p.astype(np.float32).reshape(shape) for p in inputs[1:])
    eps = np.float32(attrs.get("epsilon", 1e-5))
    y = (x.astype(np.float32) - mean) / np.sqrt(var + eps) * scale + bias
    return y.astype(x.dtype)


def matmul(inputs, attrs, batch):
    a, b = inputs
    _same_dtype(inputs)
    if attrs.get("transpose_a", 0):
        a = np.swapaxes(a, -1, -2)
    if attrs.get("transpose_b", 0):
        b = np.swapaxes(b, -1, -2)
    return np.matmul(a, b)


def dense(inputs, attrs, batch):
    y = inputs[0] @ inputs[1]
    return y + inputs[2] if len(inputs) > 2 else y


def conv2d(inputs, attrs, batch):
    x, w = inputs[0], inputs[1]
    sh, sw = attrs.get("strides", [1, 1])
    top, left, bottom, right = attrs.get("pads", [0, 0, 0, 0])
    dh, dw = attrs.get("dilations", [1, 1])
    groups = attrs.get("groups", 1)
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    if cg * groups != c or o % groups:
        raise OpError(f"weights {list(w.shape)} do not fit {c} channels in {groups} groups")
    xp = np.pad(x, [(0, 0), (0, 0), (top, bottom), (left, right)])
    oh = (h + top + bottom - dh * (kh - 1) - 1) // sh + 1
    ow = (wd + left + right - dw * (kw - 1) - 1) // sw + 1
    # cols[n, c, i, j, oh, ow] = the input under kernel tap (i, j) for each output pixel.
    cols = np.empty((n, c, kh, kw, oh, ow), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            cols[:, :, i, j] = xp[:, :, i * dh:i * dh + sh * (oh - 1) + 1:sh,
                                  j * dw:j * dw + sw * (ow - 1) + 1:sw]
    og = o // groups
    out = np.empty((n, o, oh, ow), dtype=x.dtype)
    for g in range(groups):
        patch = cols[:, g * cg:(g + 1) * cg].reshape(n, cg * kh * kw, oh * ow)
        kernel = w[g * og:(g + 1) * og].reshape(og, cg * kh * kw)
        out[:, g * og:(g + 1) * og] = np.matmul(kernel, patch).reshape(n, og, oh, ow)
    if len(inputs) > 2:
        out += inputs[2].reshape(1, o, 1, 1)
    return out


def _pool(kind):
    def op(inputs, attrs, batch):
        x = inputs[0]
        kh, kw = attrs["kernel"]
        sh, sw = attrs.get("strides", [kh, kw])
        top, left, bottom, right = attrs.get("pads", [0, 0, 0, 0])
        n, c, h, w = x.shape
        oh = (h + top + bottom - kh) // sh + 1
        ow = (w + left + right - kw) // sw + 1
        widths = [(0, 0), (0, 0), (top, bottom), (left, right)]
        fill = -np.inf if kind == "max" else 0.0
        xp = np.pad(x.astype(np.float32), widths, constant_values=fill)
        inside = np.pad(np.ones((h, w), np.float32), widths[2:])
        acc = np.full((n, c, oh, ow), fill, np.float32)
        count = np.zeros((oh, ow), np.float32)
        for i in range(kh):
            for j in range(kw):
                window = xp[:, :, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw]
                acc = np.maximum(acc, window) if kind == "max" else acc + window
                count += inside[i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw]
        if kind == "avg":
            acc = acc / (kh * kw if attrs.get("count_include_pad", 0) else count)
        return acc.astype(x.dtype)
    return op


def global_avg_pool(inputs, attrs, batch):
    x = inputs[0]
    return x.astype(np.float32).mean(axis=(2, 3), keepdims=True).astype(x.dtype)


def _unary(fn):
    return _float_op(lambda x, attrs: fn(x))


def _signed_unary(fn):
    def op(inputs, attrs, batch):
        x = inputs[0]
        return (fn(x.astype(np.float32)).astype(x.dtype) if _is_float(x) else fn(x))
    return op


def _logical(fn):
    def op(inputs, attrs, batch):
        if any(a.dtype != np.bool_ for a in inputs):
            raise OpError("logical ops take bool")
        return fn(*inputs)
    return op


OPS = {
    "neg": _signed_unary(np.negative), "abs": _signed_unary(np.abs),
    "exp": _unary(np.exp), "log": _unary(np.log), "sqrt": _unary(np.sqrt),
    "rsqrt": _unary(lambda x: np.float32(1) / np.sqrt(x)),
    "reciprocal": _unary(lambda x: np.float32(1) / x), "tanh": _unary(np.tanh),
    "sigmoid": _unary(lambda x: np.float32(1) / (np.float32(1) + np.exp(-x))),
    "relu": _unary(lambda x: np.maximum(x, np.float32(0))),
    "leaky_relu": _float_op(lambda x, a: np.where(x >= 0, x, np.float32(a.get("alpha", 0.01)) * x)),
    "gelu": _float_op(gelu), "erf": _unary(erf),
    "floor": _unary(np.floor), "ceil": _unary(np.ceil),
    "cast": cast, "logical_not": _logical(np.logical_not),
    "add": _binary(np.add, "fiu"), "sub": _binary(np.subtract, "fiu"),
    "mul": _binary(np.multiply, "fiu"), "div": _binary(_int_div, "fiu"),
    "pow": _binary(np.power, "f"), "maximum": _binary(np.maximum, "fiu"),
    "minimum": _binary(np.minimum, "fiu"),
    "logical_and": _logical(np.logical_and), "logical_or": _logical(np.logical_or),
    "equal": _compare(np.equal), "not_equal": _compare(np.not_equal),
    "less": _compare(np.less), "less_equal": _compare(np.less_equal),
    "greater": _compare(np.greater), "greater_equal": _compare(np.greater_equal),
    "reshape": reshape, "flatten": flatten, "transpose": transpose,
    "broadcast_to": broadcast_to, "concat": concat, "slice": slice_, "pad": pad,
    "reduce_sum": _reduce("sum"), "reduce_mean": _reduce("mean"),
    "reduce_max": _reduce("max"), "reduce_min": _reduce("min"),
    "softmax": _float_op(softmax), "log_softmax": _float_op(log_softmax),
    "layer_norm": layer_norm, "batch_norm": batch_norm,
    "matmul": matmul, "dense": dense, "conv2d": conv2d,
    "max_pool2d": _pool("max"), "avg_pool2d": _pool("avg"), "global_avg_pool": global_avg_pool,
}


def _select(inputs, attrs, batch):
    cond, a, b = inputs
    if cond.dtype != np.bool_:
        raise OpError(f"select's condition must be bool, got {cond.dtype}")
    _same_dtype([a, b])
    return np.where(cond, a, b)


OPS["select"] = OPS["where"] = _select

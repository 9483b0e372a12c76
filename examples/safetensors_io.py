"""Reads and writes the safetensors weight format with NumPy alone.

Layout: an 8-byte little-endian header length, a JSON header mapping each key to
{"dtype", "shape", "data_offsets": [begin, end]} (offsets relative to the end of the
header), then the raw little-endian tensor bytes. The header is padded with spaces to a
multiple of 8 bytes so every tensor starts 8-byte aligned.

Deliberately not here: memory mapping, lazy loading, and dtypes NumPy lacks (BF16, F8).
"""

import json
import struct

import numpy as np

_TO_NUMPY = {
    "F64": np.float64, "F32": np.float32, "F16": np.float16,
    "I64": np.int64, "I32": np.int32, "I16": np.int16, "I8": np.int8,
    "U8": np.uint8, "BOOL": np.bool_,
}
_FROM_NUMPY = {np.dtype(v): k for k, v in _TO_NUMPY.items()}


def write(path, tensors):
    """Writes {key: np.ndarray} to `path`, keys in insertion order."""
    header = {}
    blobs = []
    offset = 0
    for key, array in tensors.items():
        array = np.ascontiguousarray(array)
        if array.dtype not in _FROM_NUMPY:
            raise ValueError(f"{path}: {key}: unsupported dtype {array.dtype}")
        data = array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes()
        header[key] = {"dtype": _FROM_NUMPY[array.dtype], "shape": list(array.shape),
                       "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for data in blobs:
            f.write(data)


def read(path):
    """Returns {key: np.ndarray} for every tensor in the safetensors file `path`."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise ValueError(f"{path}: too short for a safetensors header")
    (length,) = struct.unpack("<Q", raw[:8])
    if 8 + length > len(raw):
        raise ValueError(f"{path}: header length {length} runs past the end of the file")
    header = json.loads(raw[8:8 + length].decode("utf-8"))
    body = memoryview(raw)[8 + length:]
    tensors = {}
    for key, info in header.items():
        if key == "__metadata__":
            continue
        dtype = _TO_NUMPY.get(info["dtype"])
        if dtype is None:
            raise ValueError(f"{path}: {key}: unsupported dtype {info['dtype']}")
        begin, end = info["data_offsets"]
        if not 0 <= begin <= end <= len(body):
            raise ValueError(f"{path}: {key}: data_offsets {begin}..{end} out of range")
        array = np.frombuffer(body[begin:end], dtype=np.dtype(dtype).newbyteorder("<"))
        tensors[key] = array.reshape(info["shape"]).astype(dtype)
    return tensors

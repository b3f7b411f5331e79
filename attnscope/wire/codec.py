"""ndarray <-> ``{"dtype", "shape", "buffer"}``, how every array travels between kernel and page.

The buffer holds the array's bytes, little-endian and C-contiguous. ipywidgets
sends any ``bytes``/``memoryview`` found in a synced trait as a binary frame, so
arrays never travel as JSON lists of numbers.
"""

from __future__ import annotations

import math
import sys

import numpy as np

#: wire dtype -> little-endian numpy dtype
WIRE_DTYPES = {
    "float16": np.dtype("<f2"),
    "float32": np.dtype("<f4"),
    "uint8": np.dtype("u1"),
}

_KEYS = {"dtype", "shape", "buffer"}


def _check_dtype(dtype: object, name: str) -> np.dtype:
    if not isinstance(dtype, str) or dtype not in WIRE_DTYPES:
        raise ValueError(
            f"{name}: dtype {dtype!r} is not supported on the wire; "
            f"expected one of {sorted(WIRE_DTYPES)}."
        )
    return WIRE_DTYPES[dtype]


def to_wire(array, dtype: str = "float16") -> dict:
    """Encode ``array`` as ``{"dtype": dtype, "shape": [...], "buffer": memoryview}``.

    float16/float32: the values are cast (float16 keeps ~3 significant digits;
    values beyond the float16 range raise ValueError instead of becoming inf).
    uint8: an integer array must already lie in 0..255 and is sent as is; a float
    array must lie in [0, 1] and is quantised to round(x * 255) (the frontend
    divides by 255).
    """
    wire = _check_dtype(dtype, "to_wire")
    arr = np.asarray(array)
    if arr.dtype.kind not in "fiub":
        raise TypeError(
            f"to_wire: got an array of dtype {arr.dtype}; expected numbers (float, int)."
        )
    if dtype == "uint8":
        arr = _to_uint8(arr)
    else:
        finite_in = np.isfinite(arr)
        with np.errstate(over="ignore"):
            arr = arr.astype(wire, copy=False)
        if not np.array_equal(np.isfinite(arr), finite_in):
            raise ValueError(
                f"to_wire: values exceed the {dtype} range (max {np.finfo(wire).max}); "
                "rescale them or use dtype='float32'."
            )
    arr = np.ascontiguousarray(arr, dtype=wire)
    if isinstance(array, np.ndarray) and np.may_share_memory(arr, array):
        arr = arr.copy()  # the wire must not change when the caller mutates its array
    return {
        "dtype": dtype,
        "shape": [int(n) for n in arr.shape],
        "buffer": memoryview(arr.reshape(-1)).cast("B"),
    }


def _to_uint8(arr: np.ndarray) -> np.ndarray:
    if arr.dtype.kind == "f":
        if arr.size and (not np.all(np.isfinite(arr)) or arr.min() < 0 or arr.max() > 1):
            raise ValueError("to_wire: a float array sent as uint8 must lie in [0, 1].")
        return np.rint(arr * 255.0).astype(np.uint8)
    if arr.size and (arr.min() < 0 or arr.max() > 255):
        raise ValueError("to_wire: an integer array sent as uint8 must lie in 0..255.")
    return arr.astype(np.uint8)


def from_wire(d: dict, name: str = "from_wire") -> np.ndarray:
    """Decode a wire dict into a new numpy array of the wire dtype (native byte order)."""
    if not isinstance(d, dict):
        raise TypeError(f"{name}: expected a dict with keys {sorted(_KEYS)}, got {type(d).__name__}.")
    keys = set(d)
    if keys != _KEYS:
        raise ValueError(f"{name}: expected keys {sorted(_KEYS)}, got {sorted(map(str, keys))}.")
    wire = _check_dtype(d["dtype"], name)
    shape = d["shape"]
    if not isinstance(shape, (list, tuple)) or not all(
        isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape
    ):
        raise ValueError(f"{name}: shape {shape!r} must be a list of non-negative ints.")
    buf = d["buffer"]
    if not isinstance(buf, (bytes, bytearray, memoryview)):
        raise TypeError(f"{name}: buffer must be bytes or memoryview, got {type(buf).__name__}.")
    raw = memoryview(buf).cast("B") if isinstance(buf, memoryview) else memoryview(buf)
    expected = math.prod(shape) * wire.itemsize
    if raw.nbytes != expected:
        raise ValueError(
            f"{name}: buffer has {raw.nbytes} bytes; shape {list(shape)} of {d['dtype']} "
            f"needs {expected}."
        )
    out = np.frombuffer(raw, dtype=wire).reshape(shape)
    return out.astype(wire.newbyteorder("="), copy=True)


def _array_to_json(value, widget=None):
    return None if value is None else to_wire(value)


def _json_to_array(value, widget=None):
    return None if value is None else from_wire(value)


#: serializers for a trait that holds one ndarray: ``Instance(np.ndarray).tag(sync=True, **array_serialization)``
array_serialization = dict(to_json=_array_to_json, from_json=_json_to_array)


def raw_wire(arr: np.ndarray) -> dict:
    """A C-contiguous array as a wire dict without a copy (its dtype must be one of WIRE_DTYPES)."""
    return {"dtype": str(arr.dtype), "shape": [int(n) for n in arr.shape],
            "buffer": memoryview(np.ascontiguousarray(arr).reshape(-1)).cast("B")}


def view(wire: dict) -> np.ndarray:
    """Zero-copy numpy view of a wire array's buffer, shaped (its wire dtype)."""
    dtype = WIRE_DTYPES[wire["dtype"]]
    return np.frombuffer(memoryview(wire["buffer"]).cast("B"), dtype=dtype).reshape(wire["shape"])


_F16_TABLE = np.arange(1 << 16, dtype=np.uint32).astype(np.uint16).view(np.float16).astype(np.float32)


def as_float32(a: np.ndarray, wire_dtype: str) -> np.ndarray:
    """New float32 values of (a slice of) wire data (uint8 -> value / 255).

    float16 goes through a 65536-entry table: numpy's own conversion is ~5x slower on subnormal
    float16, which most weights of long inputs are (below 6.1e-5)."""
    if wire_dtype == "float16":
        return _F16_TABLE[a.view(np.uint16)]
    out = a.astype(np.float32)
    return out / 255.0 if wire_dtype == "uint8" else out


F16_MAX = float(np.finfo(np.float16).max)


def to_float16(out: np.ndarray, x: np.ndarray) -> None:
    """out[...] = x (float32 -> float16); through torch when it is loaded (about 30x faster than numpy)."""
    torch = sys.modules.get("torch")
    if torch is not None and hasattr(torch, "from_numpy"):
        torch.from_numpy(out).copy_(torch.from_numpy(np.ascontiguousarray(x)))
    else:
        out[...] = x

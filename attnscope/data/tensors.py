"""Small helpers for torch tensors and numpy arrays, with torch imported only when a tensor is met.

Reading copies straight into a float32 destination: torch converts dtype and device in one copy.
"""

from __future__ import annotations

import sys
import warnings

import numpy as np


def torch():
    """The torch module (imported here, lazily: only reached when the user passed a torch tensor)."""
    import torch as _torch

    return _torch


def is_torch(x) -> bool:
    return type(x).__module__.startswith("torch") and hasattr(x, "detach")


def torch_loaded() -> bool:
    return "torch" in sys.modules


def dense(x):
    """A torch tensor detached and strided (a dense copy only for a sparse tensor); numpy as is."""
    if is_torch(x):
        x = x.detach()
        if x.layout != torch().strided:
            x = x.to_dense()
    return x


_TORCH_KINDS = {"f": (2, 4, 8), "i": (1, 2, 4, 8), "u": (1,)}


def as_torch(a: np.ndarray):
    """A torch view of numpy weights (a copy only when torch cannot view them: strides, dtype)."""
    a = np.asarray(a)
    if a.dtype.itemsize not in _TORCH_KINDS.get(a.dtype.kind, ()) or not a.dtype.isnative:
        a = a.astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "non-writable array": it is only read
        return torch().from_numpy(np.ascontiguousarray(a))


def fill(out, x, heads) -> None:
    """out[i] = x[heads[i]] converted to float32; out is numpy or a CPU torch tensor, x torch or numpy."""
    if is_torch(x) or is_torch(out):
        dest = out if is_torch(out) else torch().from_numpy(out)
        for i, h in enumerate(heads):
            dest[i].copy_(x[h] if is_torch(x) else as_torch(x[h]))
    else:
        for i, h in enumerate(heads):
            out[i] = x[h]


def faster(out: np.ndarray):
    """``out`` as a torch tensor (same memory) when torch is loaded: torch converts float16 far faster."""
    return torch().from_numpy(out) if torch_loaded() else out


def itemsize(x) -> int:
    return x.element_size() if is_torch(x) else x.dtype.itemsize

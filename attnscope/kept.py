"""The caller's tensors as a lazy widget keeps them: never copied, read one (layer, heads) slice at a time.

A Hugging Face tuple stays the tuple (layer l is ``t[l][0]``, or ``t[l]`` when it is [H, Q, K]); a
[L, 1, H, Q, K] or [L, H, Q, K] torch tensor or numpy array stays as it is, on its device and in its
dtype. Only the slices asked for are converted to float32 (torch converts dtype and device in one
copy straight into the destination).
"""

from __future__ import annotations

import sys
import warnings

import numpy as np

from . import validation as v


def _is_torch(x) -> bool:
    return v._is_torch(x)


def _layer_of(value, l: int, batched: bool):
    """[H, ...] weights of layer l, a view (a dense copy of that layer only for a sparse tensor)."""
    x = value[l]
    if batched:
        x = x[0]
    if _is_torch(x):
        x = x.detach()
        if x.layout != v._torch().strided:
            x = x.to_dense()
    return x


def _fill(out, x, heads) -> None:
    """out[i] = x[heads[i]] converted to float32; out is numpy or a CPU torch tensor, x torch or numpy."""
    if _is_torch(x) or _is_torch(out):
        dest = out if _is_torch(out) else v._torch().from_numpy(out)
        for i, h in enumerate(heads):
            dest[i].copy_(x[h] if _is_torch(x) else _as_torch(x[h]))
    else:
        for i, h in enumerate(heads):
            out[i] = x[h]


def _faster(out: np.ndarray):
    """``out`` as a torch tensor (same memory) when torch is loaded: torch converts float16 far faster."""
    return v._torch().from_numpy(out) if "torch" in sys.modules else out


_TORCH_KINDS = {"f": (2, 4, 8), "i": (1, 2, 4, 8), "u": (1,)}


def _as_torch(a: np.ndarray):
    """A torch view of one head of numpy weights (a copy only when torch cannot view it: strides, dtype)."""
    a = np.asarray(a)
    if a.dtype.itemsize not in _TORCH_KINDS.get(a.dtype.kind, ()) or not a.dtype.isnative:
        a = a.astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "non-writable array": it is only read
        return v._torch().from_numpy(np.ascontiguousarray(a))


class KeptAttention:
    """Attention weights [L, H, Q, K] as the caller passed them (see the module doc).

    Built with the checks attention_array makes before reading data (same messages): dtype, device,
    batch, dimensions, empty axes, square. The weights themselves are checked by attnscope.lazy.
    """

    def __init__(self, value, name: str, square: bool = False):
        self.shape = v.peek_attention(value, name, square)
        self.value = value
        self.name = name
        self._batched = (len(value[0].shape) == 4) if v.is_layer_tuple(value) else len(value.shape) == 5

    @property
    def nbytes(self) -> int:
        """Bytes the caller's weights occupy (what the lazy widget keeps instead of a copy)."""
        if v.is_layer_tuple(self.value):
            return sum(_itemsize(x) * int(np.prod(x.shape)) for x in self.value)
        return _itemsize(self.value) * int(np.prod(self.value.shape))

    def layer(self, l: int):
        """Layer l as [H, Q, K] (a torch tensor or numpy array, not copied)."""
        return _layer_of(self.value, l, self._batched)

    def is_torch(self, l: int) -> bool:
        """Whether layer l is a torch tensor (else a numpy array)."""
        return _is_torch(self.value[l])

    def read(self, l: int, heads, out):
        """out[:len(heads)] = float32 weights of (layer l, heads); out is a float32 buffer [n >= len(heads),
        Q, K], numpy or CPU torch. Returns that part of out."""
        dest = out[: len(heads)]
        _fill(dest, self.layer(l), heads)
        return dest

    def floats(self, l: int, heads) -> np.ndarray:
        """New float32 numpy [len(heads), Q, K] of (layer l, heads) (real indices)."""
        _, _, n_q, n_k = self.shape
        out = np.empty((len(heads), n_q, n_k), dtype=np.float32)
        _fill(_faster(out), self.layer(l), heads)
        return out


class KeptVectors:
    """Query or key vectors [L, H, positions, d] as the caller passed them (nested lists: one numpy copy)."""

    def __init__(self, value, name: str):
        if _is_torch(value):
            v._check_torch(value, name)
            dtype = np.dtype(np.float32)  # what eager mode would show: it converts torch to float32 first
        else:
            if not isinstance(value, np.ndarray):
                value = np.asarray(value)
            dtype = value.dtype
        shape = tuple(int(n) for n in value.shape)
        if dtype.kind not in "fiu" or len(shape) != 4 or 0 in shape:
            raise ValueError(f"{name}: got dtype {dtype}, shape {shape}; expected real numbers "
                             "[layers, heads, positions, head_dim].")
        self.value, self.name, self.shape = value, name, shape

    def floats(self, l: int, heads) -> np.ndarray:
        """New float32 numpy [len(heads), positions, d] of (layer l, heads)."""
        out = np.empty((len(heads),) + self.shape[2:], dtype=np.float32)
        _fill(_faster(out), _layer_of(self.value, l, False), heads)
        return out


def _itemsize(x) -> int:
    return x.element_size() if _is_torch(x) else x.dtype.itemsize

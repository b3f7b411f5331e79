"""Where a section's numbers come from: the AttentionSource protocol and its two kinds.

Every reader (the wire, the static picture, statistics, analysis) asks a source for float32 slices
by REAL layer and head ids, so none of them knows whether the weights were copied (eager) or kept.
- ArraySource: a checked float32 copy [len(layers), len(heads), Q, K] (eager mode).
- KeptArraySource: a float32 array the kernel computed (rollout, flow) served as a lazy section.
- KeptSource: the caller's tensor as passed (lazy mode), never copied: a Hugging Face tuple stays the
  tuple (layer l is ``t[l][0]``, or ``t[l]`` when it is [H, Q, K]); a [L, 1, H, Q, K] or [L, H, Q, K]
  torch tensor or numpy array stays on its device and in its dtype. Only the slices read are converted.
Query and key vectors [L, H, positions, d] have the same two kinds (ArrayVectors, KeptVectors).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from . import tensors as t


class AttentionSource(Protocol):
    """Attention weights readable one (layer, heads) slice at a time, by real ids."""

    #: [L, H, Q, K] of what is held (eager: the included layers and heads; kept: the whole input)
    shape: tuple
    #: True for the caller's tensors kept as they are (lazy mode)
    kept: bool
    #: bytes held
    nbytes: int

    def read(self, layer: int, heads, out=None):
        """float32 [len(heads), Q, K] of (layer, heads); into ``out`` (numpy or CPU torch, at least that
        long) when given, which is then returned (its first len(heads) rows)."""

    def is_torch(self, layer: int) -> bool:
        """Whether layer ``layer`` is a torch tensor (readers then use torch buffers)."""


def _slots(ids) -> dict:
    return {int(real): slot for slot, real in enumerate(ids)}


class ArraySource:
    """A checked float32 array [len(layers), len(heads), Q, K] whose slices carry the given real ids."""

    kept = False

    def __init__(self, array: np.ndarray, layers, heads):
        self.array = array
        self.shape = tuple(int(n) for n in array.shape)
        self._layer_slot, self._head_slot = _slots(layers), _slots(heads)

    @property
    def nbytes(self) -> int:
        return int(self.array.nbytes)

    def is_torch(self, layer: int) -> bool:
        return False

    def read(self, layer: int, heads, out=None):
        rows = self.array[self._layer_slot[int(layer)]]
        slots = [self._head_slot[int(h)] for h in heads]
        if out is None:
            return rows[slots]
        dest = out[: len(slots)]
        t.fill(dest, rows, slots)
        return dest


class KeptArraySource(ArraySource):
    """A float32 array computed in the kernel (a derived section of a lazy widget: rollout, flow), kept
    there and served like the caller's kept tensors (summary and fetched slices), by real ids."""

    kept = True


class KeptSource:
    """The caller's weights [L, H, Q, K] (see the module doc); built after attnscope.inputs checked them."""

    kept = True

    def __init__(self, value, shape, name: str):
        self.value, self.shape, self.name = value, tuple(shape), name
        self._tuple = isinstance(value, (list, tuple))
        self._batched = len(value[0].shape) == 4 if self._tuple else len(value.shape) == 5

    @property
    def nbytes(self) -> int:
        """Bytes the caller's weights occupy (what the lazy widget keeps instead of a copy)."""
        if self._tuple:
            return sum(t.itemsize(x) * int(np.prod(x.shape)) for x in self.value)
        return t.itemsize(self.value) * int(np.prod(self.value.shape))

    def layer(self, layer: int):
        """[H, Q, K] of one layer, a view (a dense copy of that layer only for a sparse tensor)."""
        x = self.value[layer]
        return t.dense(x[0] if self._batched else x)

    def is_torch(self, layer: int) -> bool:
        return t.is_torch(self.value[layer])

    def read(self, layer: int, heads, out=None):
        if out is None:
            out = np.empty((len(heads),) + self.shape[2:], dtype=np.float32)
            t.fill(t.faster(out), self.layer(layer), heads)
            return out
        dest = out[: len(heads)]
        t.fill(dest, self.layer(layer), heads)
        return dest


class VectorSource(Protocol):
    """Query or key vectors [L, H, positions, d] readable by (layer, heads), real ids."""

    shape: tuple
    kept: bool

    def read(self, layer: int, heads) -> np.ndarray:
        """New float32 [len(heads), positions, d]."""


class ArrayVectors:
    """A checked float32 array [len(layers), len(heads), positions, d] with real ids."""

    kept = False

    def __init__(self, array: np.ndarray, layers, heads):
        self.array = array
        self.shape = tuple(int(n) for n in array.shape)
        self._layer_slot, self._head_slot = _slots(layers), _slots(heads)

    def read(self, layer: int, heads) -> np.ndarray:
        return self.array[self._layer_slot[int(layer)]][[self._head_slot[int(h)] for h in heads]]


class KeptVectors:
    """The caller's vectors [L, H, positions, d] as passed (nested lists: one numpy copy), read on demand."""

    kept = True

    def __init__(self, value, shape, name: str):
        self.value, self.shape, self.name = value, tuple(shape), name

    def read(self, layer: int, heads) -> np.ndarray:
        out = np.empty((len(heads),) + self.shape[2:], dtype=np.float32)
        t.fill(t.faster(out), t.dense(self.value[layer]), heads)
        return out

"""Checks of query and key vectors (the neuron view): shapes that fit the attention, finite real numbers,
the scale and the causal flag."""

from __future__ import annotations

import numbers

import numpy as np

from ..data.tensors import dense, is_torch
from .convert import check_torch, torch_to_numpy


def _describe(value, name: str):
    """(dtype, shape) of vectors as passed (nested lists: one numpy copy), after the torch checks."""
    if is_torch(value):
        check_torch(value, name)
        return value, np.dtype(np.float32), tuple(int(n) for n in value.shape)  # eager shows torch as float32
    if not isinstance(value, np.ndarray):
        value = np.asarray(value)
    return value, value.dtype, tuple(int(n) for n in value.shape)


def _check_kind(dtype, shape, name: str) -> None:
    if dtype.kind not in "fiu" or len(shape) != 4 or 0 in shape:
        raise ValueError(f"{name}: got dtype {dtype}, shape {shape}; expected real numbers "
                         "[layers, heads, positions, head_dim].")


def _not_finite(name: str) -> ValueError:
    return ValueError(f"{name}: contains inf or nan; check the model's dtype.")


def vector_array(value, name: str) -> np.ndarray:
    """Eager: a checked float32 copy [L, H, positions, d]."""
    if is_torch(value):
        value = torch_to_numpy(value, name)
    arr = np.asarray(value)
    _check_kind(arr.dtype, arr.shape, name)
    arr = np.ascontiguousarray(arr, dtype=np.float32)
    if not np.isfinite(arr).all():
        raise _not_finite(name)
    return arr


def kept_vectors(value, name: str, layers, heads):
    """Lazy: (value as kept, shape), after checking dtype, shape and that the shown layers are finite."""
    value, dtype, shape = _describe(value, name)
    _check_kind(dtype, shape, name)
    for layer in layers:
        x = dense(value[layer])
        x = x[list(heads)] if not is_torch(x) else x[list(heads)].float().cpu().numpy()
        if not np.isfinite(np.asarray(x, dtype=np.float32)).all():
            raise _not_finite(name)
    return value, shape


def check_fit(q_shape, k_shape, attention_shape) -> int:
    """The head dimension d, after checking queries [L, H, Q, d] and keys [L, H, K, d] against the attention."""
    L, H, Q, K = attention_shape
    d = q_shape[3]
    if tuple(q_shape) != (L, H, Q, d) or tuple(k_shape) != (L, H, K, d):
        raise ValueError(f"queries/keys: got shapes {tuple(q_shape)} and {tuple(k_shape)}; with attention "
                         f"{tuple(attention_shape)} they must be [{L}, {H}, {Q}, d] and [{L}, {H}, {K}, d] "
                         "(keys per query head).")
    return d


def check_both(queries, keys) -> None:
    if queries is None or keys is None:
        raise ValueError("queries/keys: give both or neither (the neuron view needs q and k).")


def check_scale(scale, d: int) -> float:
    if scale is None:
        scale = d ** -0.5
    if not isinstance(scale, numbers.Real) or isinstance(scale, bool) or not np.isfinite(scale) or scale <= 0:
        raise ValueError(f"scale: got {scale!r}; expected a positive finite number (normally d ** -0.5).")
    return float(scale)


def check_causal(causal) -> bool:
    if not isinstance(causal, (bool, np.bool_)):
        raise TypeError(f"causal: got {type(causal).__name__}; expected True or False.")
    return bool(causal)

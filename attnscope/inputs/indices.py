"""Checks of indices: what an integer is (once, for every argument, message and trait), lists of distinct
ids in range, real layer and head ids, the ids a section shows, sentence B's start."""

from __future__ import annotations

import numbers

import numpy as np

from ..data.tensors import is_torch, torch
from .convert import short


def as_index(x):
    """``x`` as a Python int when it is an integer (int, numpy integer, 0-d integer array or torch
    tensor), else None. Booleans are not indices."""
    if isinstance(x, (bool, np.bool_)):
        return None
    if isinstance(x, numbers.Integral):
        return int(x)
    if (isinstance(x, np.ndarray) or is_torch(x)) and getattr(x, "ndim", None) == 0:
        dtype = x.dtype
        is_int = dtype.kind in "iu" if isinstance(x, np.ndarray) else not (
            dtype.is_floating_point or dtype.is_complex or dtype == torch().bool)
        return int(x.item()) if is_int and not (is_torch(x) and x.device.type == "meta") else None
    return None


def is_int(x) -> bool:
    """Whether ``x`` is an integer index (see :func:`as_index`)."""
    return as_index(x) is not None


def int_list(value, name: str, n: int, what: str) -> list[int]:
    """A non-empty list of distinct ints in 0..n-1 (a single int is accepted too).

    Items may be numpy integers or integer scalars; a 1-D numpy array or torch tensor of ints is a list.
    """
    if is_int(value):
        value = [value]
    if is_torch(value) and getattr(value, "ndim", None) == 1:
        if value.dtype.is_floating_point or value.dtype.is_complex or value.dtype == torch().bool:
            raise TypeError(f"{name}: got a torch tensor of dtype {value.dtype}; expected int {what} indices.")
        value = value.tolist()
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple, range, np.ndarray)):
        raise TypeError(f"{name}: got {type(value).__name__} {short(value)}; expected a list of {what} indices.")
    items = list(value)
    if not items:
        raise ValueError(f"{name}: got an empty list; expected at least one {what} index (or None for all).")
    for i, x in enumerate(items):
        if not is_int(x):
            raise TypeError(f"{name}: item {x!r} is {type(x).__name__}; expected int {what} indices.")
        items[i] = x = as_index(x)
        if not 0 <= x < n:
            raise ValueError(f"{name}: {what} {x} is out of range; expected 0..{n - 1} ({n} {what}s).")
    check_distinct(items, name, what)
    return [int(x) for x in items]


def check_distinct(items, name: str, what: str) -> None:
    if len(set(items)) != len(items):
        dup = sorted({x for x in items if items.count(x) > 1})
        raise ValueError(f"{name}: {short(list(items))} names a {what} twice: it repeats {what} {dup}; "
                         f"list each {what} once.")


def ids_among(ids, allowed, name: str, where: str) -> list[int]:
    """``ids`` (ints) all among ``allowed`` (the real ids a section shows); ``where`` names them in the
    message, e.g. "section 'self''s heads" or "include_heads"."""
    allowed = [int(a) for a in allowed]
    missing = [int(x) for x in ids if x not in allowed]
    if missing:
        raise ValueError(f"{name}: {missing} not among {where} {allowed}.")
    return [int(x) for x in ids]


def member(value, allowed, name: str, what: str, where: str) -> int:
    """One int ``value`` among ``allowed``: e.g. a layer of a section (``where`` names the section)."""
    if not is_int(value):
        raise ValueError(f"{name}: got {type(value).__name__} {value!r}; expected an int {what} index.")
    value = as_index(value)
    if value not in allowed:
        raise ValueError(f"{name}: {value} is not one of {where}'s {what}s {list(allowed)}.")
    return value


def layer_index(layer, layers: list[int], n: int) -> int:
    """``layer`` is a REAL layer index; it must be one of the shown ``layers``."""
    if layer is None:
        return layers[0]
    if not is_int(layer):
        raise TypeError(f"layer: got {type(layer).__name__} {short(layer)}; expected an int layer index.")
    layer = as_index(layer)
    if not 0 <= layer < n:
        raise ValueError(f"layer: {layer} is out of range; expected 0..{n - 1} ({n} layers).")
    if layer not in layers:
        raise ValueError(f"layer: {layer} is not in include_layers {layers}; pick one of them.")
    return int(layer)


def head_index(head, n: int, name: str = "head") -> int:
    """One REAL head index (neuron_view's ``head``) in 0..n-1."""
    if not is_int(head):
        raise TypeError(f"{name}: got {type(head).__name__} {short(head)}; expected an int head index.")
    head = as_index(head)
    if not 0 <= head < n:
        raise ValueError(f"{name}: {head} is out of range; expected 0..{n - 1} ({n} heads).")
    return head


def initial_heads(heads, shown: list[int], n: int) -> list[int]:
    """The heads active at first: ``heads`` (real ids, or None for every shown head), checked; sorted."""
    if heads is None:
        return sorted(shown)
    chosen = int_list(heads, "heads", n, "head")
    return sorted(ids_among(chosen, shown, "heads", "include_heads"))


def sentence_b(start, n_tokens: int):
    if start is None:
        return None
    if not is_int(start):
        raise TypeError(f"sentence_b_start: got {type(start).__name__} {short(start)}; expected an int.")
    start = as_index(start)
    if not 1 <= start <= n_tokens - 1:
        raise ValueError(
            f"sentence_b_start: {start} is out of range; expected 1..{n_tokens - 1} "
            f"(index of the first token of sentence B among {n_tokens} tokens)."
        )
    return int(start)

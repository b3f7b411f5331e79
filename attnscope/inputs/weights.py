"""Checks of attention weights: finite, non-negative, rows summing to 1 (a warning), and the float32 copy
eager mode sends. Lazy mode reads the weights a block at a time (attnscope.analysis.summary) and raises
the same errors, built here, with real layer and head ids; RowSums gathers its row-sum warning."""

from __future__ import annotations

import warnings

import numpy as np

from .convert import as_numpy, check_kind, check_layout

ROW_SUM_TOLERANCE = 1e-2


def nonfinite_error(name: str, value, l: int, h: int, q: int, k: int) -> ValueError:
    return ValueError(
        f"{name}: contains {value} at layer {l}, head {h} (query {q}, key {k}); "
        "attention weights must be finite. Check the model's dtype (float16 overflow)."
    )


def negative_error(name: str, value, l: int, h: int, q: int, k: int) -> ValueError:
    return ValueError(
        f"{name}: contains a negative weight {value:g} at layer {l}, head {h} "
        f"(query {q}, key {k}); expected softmax probabilities >= 0. Pass weights, not scores."
    )


def attention_array(value, name: str, square: bool = False) -> np.ndarray:
    """Validate attention weights; returns float32, C-contiguous, shape [L, H, Q, K].

    square: self-attention, so queries and keys must be the same positions.
    """
    arr = as_numpy(value, name)
    check_kind(arr.dtype, name)
    check_layout(arr.shape, name, square)
    if arr.ndim == 5:  # a batch of one: dropped (a view)
        arr = arr[:, 0]
    arr = np.ascontiguousarray(arr, dtype=np.float32)  # the one float32 copy (none if it already is one)
    lo, hi = arr.min(), arr.max()  # NaN propagates, inf shows: no temporary mask as large as the input
    if not (np.isfinite(lo) and np.isfinite(hi)):
        l, h, q, k = (int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        raise nonfinite_error(name, arr[l, h, q, k], l, h, q, k)
    if lo < 0:
        l, h, q, k = (int(i) for i in np.argwhere(arr < 0)[0])
        raise negative_error(name, arr[l, h, q, k], l, h, q, k)
    _warn_row_sums(arr, name)
    return arr


def _warn_row_sums(arr: np.ndarray, name: str) -> None:
    dev = np.abs(arr.sum(axis=-1, dtype=np.float64) - 1.0)
    worst = np.unravel_index(int(np.argmax(dev)), dev.shape)
    if dev[worst] > ROW_SUM_TOLERANCE:
        l, h, q = (int(i) for i in worst)
        warn_row_sums(name, int((dev > ROW_SUM_TOLERANCE).sum()), dev.size, (l, h, q),
                      arr[l, h, q].sum(dtype=np.float64), stacklevel=4)


def warn_row_sums(name: str, n_bad: int, n_rows: int, worst: tuple, worst_sum: float, stacklevel: int) -> None:
    """The warning for rows that do not sum to 1: how many, and the worst (layer, head, query) with its sum."""
    l, h, q = worst
    warnings.warn(
        f"{name}: rows should sum to 1 (softmax weights); {n_bad} of {n_rows} rows are off by more "
        f"than {ROW_SUM_TOLERANCE:g}; the worst, layer {l}, head {h}, query {q}, sums to "
        f"{worst_sum:.4g}. Pass softmax outputs (the views draw the weights as given).",
        UserWarning,
        stacklevel=stacklevel,
    )


class RowSums:
    """Rows whose weights do not sum to 1, over every block read: how many, and the worst one."""

    def __init__(self):
        self.n_bad, self.worst_dev, self.worst, self.worst_sum = 0, -1.0, None, 0.0

    def add(self, sums: np.ndarray, layer, block) -> None:
        """sums: float64 [len(block), Q] row sums of (layer, block heads)."""
        dev = np.abs(sums - 1.0)
        self.n_bad += int((dev > ROW_SUM_TOLERANCE).sum())
        i, q = np.unravel_index(int(np.argmax(dev)), dev.shape)
        if dev[i, q] > self.worst_dev:
            self.worst_dev, self.worst, self.worst_sum = float(dev[i, q]), (layer, block[i], int(q)), sums[i, q]

    def warn(self, name: str, n_rows: int, stacklevel: int = 5) -> None:
        if self.worst_dev > ROW_SUM_TOLERANCE:
            warn_row_sums(name, self.n_bad, n_rows, self.worst, float(self.worst_sum), stacklevel=stacklevel)

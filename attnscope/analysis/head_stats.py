"""Per-head statistics, pure functions of float32 blocks ``w`` [n heads, Q, K] (numpy arrays, or CPU torch
tensors when the caller's weights are torch: torch runs the elementwise work on every core), and
:func:`head_statistics` of a whole section, read a block of heads at a time from its source.

stats [n, 5] in the order of STAT_NAMES: "entropy" mean over rows of -sum w ln w (nats), "max" mean
of each row's largest weight, "first" mean weight on key 0 (the sink), "previous" mean of w[q, q-1]
over q >= 1, "distance" mean over rows of sum_k w |q - k|. previous and distance are 0 when the
positions of queries and keys differ (a section whose same_positions is False, or Q != K).
"""

from __future__ import annotations

import threading

import numpy as np

from ..data.blocks import blocks
from ..progress import progress

STAT_NAMES = ("entropy", "max", "first", "previous", "distance")
_TINY = np.finfo(np.float32).tiny  # log(max(w, tiny)): w = 0 contributes 0 * log(tiny) = 0


class HeadStats:
    """Statistics of [n, Q, K] blocks of one section (the |q - k| matrix for "distance" and a block-sized
    buffer for the logarithms are made once)."""

    def __init__(self, n_q: int, n_k: int, same_positions: bool):
        self.n_q, self.n_k = n_q, n_k
        self.same = same_positions and n_q == n_k
        self._distance = None
        self._scratch = None

    def __call__(self, w) -> np.ndarray:
        """float64 [n, len(STAT_NAMES)] of finite, non-negative w [n, Q, K] float32 (numpy or CPU torch)."""
        if type(w).__module__.startswith("torch"):
            return self._stats_torch(w)
        return self._stats_numpy(w)

    def distance_matrix(self) -> np.ndarray:
        if self._distance is None:
            q = np.arange(self.n_q, dtype=np.float32)
            self._distance = q[:, None] - q[None, :]
            np.abs(self._distance, out=self._distance)
        return self._distance

    def _scratch_for(self, w, make):
        if self._scratch is None or self._scratch.shape[0] < w.shape[0] or type(self._scratch) is not type(w):
            self._scratch = make(w.shape)
        return self._scratch[: w.shape[0]]

    def _stats_numpy(self, w: np.ndarray) -> np.ndarray:
        n, n_q = w.shape[0], self.n_q
        scratch = self._scratch_for(w, lambda shape: np.empty(shape, np.float32))
        stats = np.zeros((n, len(STAT_NAMES)))
        np.log(np.maximum(w, _TINY, out=scratch), out=scratch)
        stats[:, 0] = -_total(np.multiply(scratch, w, out=scratch).sum(axis=-1)) / n_q
        stats[:, 1] = _total(w.max(axis=-1)) / n_q
        stats[:, 2] = _total(w[:, :, 0]) / n_q
        if self.same:
            if n_q > 1:
                stats[:, 3] = _total(np.diagonal(w, -1, 1, 2)) / (n_q - 1)
            stats[:, 4] = _total(np.multiply(w, self.distance_matrix(), out=scratch).sum(axis=-1)) / n_q
        return stats

    def _stats_torch(self, w) -> np.ndarray:
        import torch

        n, n_q = w.shape[0], self.n_q
        scratch = self._scratch_for(w, lambda shape: torch.empty(shape, dtype=torch.float32))
        stats = np.zeros((n, len(STAT_NAMES)))
        # entropy in bits, then nats: log2 is about twice as fast as log on the CPU. w = 0 gives
        # 0 * -inf = nan, which nansum counts as 0 (w is finite here: the caller checked lo and hi)
        torch.log2(w, out=scratch).mul_(w)
        stats[:, 0] = -_total(torch.nansum(scratch, dim=-1).numpy()) * _LN2 / n_q
        stats[:, 1] = _total(w.amax(dim=-1).numpy()) / n_q
        stats[:, 2] = _total(w[:, :, 0].numpy()) / n_q
        if self.same:
            if n_q > 1:
                stats[:, 3] = _total(torch.diagonal(w, -1, 1, 2).numpy()) / (n_q - 1)
            distance = torch.from_numpy(self.distance_matrix())
            stats[:, 4] = _total(torch.mul(w, distance, out=scratch).sum(dim=-1).numpy()) / n_q
        return stats


def head_statistics(section, cancelled=lambda: False, bar=None):
    """float32 [len(layers), len(heads), len(STAT_NAMES)] statistics of a section's shown weights (eager or
    kept alike), read a block of heads at a time; None when ``cancelled()`` turns true. ``bar`` (with
    ``update(n)``) counts the heads done; without it, a bar shows in the cell when called from the cell."""
    _, _, n_q, n_k = section.shape
    stats = HeadStats(n_q, n_k, section.same_positions)
    out = np.empty((len(section.layers), len(section.heads), len(STAT_NAMES)), np.float32)
    # a bar in the cell only when asked from the cell (a thread's caller passes its own bar)
    in_cell = threading.current_thread() is threading.main_thread()
    with progress(out.shape[0] * out.shape[1], "attnscope: head statistics", unit="head",
                  enabled=None if in_cell and bar is None else False) as cell_bar:
        bar = cell_bar if bar is None else bar
        for i, j, _layer, block, w in blocks(section.source, section.layers, section.heads):
            if cancelled():
                return None
            out[i, j:j + len(block)] = stats(w)
            bar.update(len(block))
    return out


_LN2 = float(np.log(2.0))


def _total(x: np.ndarray) -> np.ndarray:
    """Sum over the last axis in float64 (x holds per-row float32 values: each already summed over K)."""
    return x.sum(axis=-1, dtype=np.float64)

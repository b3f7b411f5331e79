"""Per-head summary of attention weights for lazy views: mean-pooled thumbnails and head statistics.

Pure functions of float32 blocks ``w`` [n heads, Q, K] (numpy arrays, or CPU torch tensors when the
caller's weights are torch: torch runs the elementwise work on every core). Nothing here reads the
caller's tensors; attnscope.lazy feeds the blocks one layer (a few heads) at a time.

- pooled [n, Rq, Rk], Rq = min(Q, SUMMARY_RESOLUTION), Rk = min(K, SUMMARY_RESOLUTION): query q goes
  to row floor(q * Rq / Q), key k to column floor(k * Rk / K) (src/render/thumbnails.ts poolMatrix);
  a cell is the mean of the weights that land in it. Q, K <= 64: the matrix itself.
- stats [n, 5] in the order of STAT_NAMES: "entropy" mean over rows of -sum w ln w (nats), "max" mean
  of each row's largest weight, "first" mean weight on key 0 (the sink), "previous" mean of w[q, q-1]
  over q >= 1, "distance" mean over rows of sum_k w |q - k|. previous and distance are 0 when the
  positions of queries and keys differ (cross-attention, or Q != K).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SUMMARY_RESOLUTION = 64
STAT_NAMES = ("entropy", "max", "first", "previous", "distance")
_TINY = np.finfo(np.float32).tiny  # log(max(w, tiny)): w = 0 contributes 0 * log(tiny) = 0


def bin_starts(n: int, r: int) -> np.ndarray:
    """First index of each of the r bins of n positions (position i goes to bin floor(i * r / n))."""
    return np.array([-(-i * n // r) for i in range(r)], dtype=np.int64)


def pool(att: np.ndarray, r_q: int, r_k: int) -> np.ndarray:
    """Mean-pool [..., Q, K] to [..., r_q, r_k] with the binning of the module doc (float32)."""
    n_q, n_k = att.shape[-2:]
    sq, sk = bin_starts(n_q, r_q), bin_starts(n_k, r_k)
    out = np.add.reduceat(att, sk, axis=-1, dtype=np.float32)
    out = np.add.reduceat(out, sq, axis=-2, dtype=np.float32)
    cq = np.diff(np.append(sq, n_q)).astype(np.float32)
    ck = np.diff(np.append(sk, n_k)).astype(np.float32)
    return out / cq[:, None] / ck[None, :]


@dataclass
class Block:
    """The summary of a block of heads, plus what validation needs from it."""

    pooled: np.ndarray  # float32 [n, Rq, Rk]
    stats: np.ndarray  # float64 [n, len(STAT_NAMES)]
    row_sums: np.ndarray  # float64 [n, Q]
    lo: float  # smallest weight (nan when there is a nan)
    hi: float  # largest weight (nan when there is a nan)


class Summarizer:
    """Summaries of [n, Q, K] blocks of one section's weights (the constants and scratch memory are
    made once: the |q - k| matrix for "distance" and a block-sized buffer for the logarithms)."""

    def __init__(self, n_q: int, n_k: int, same_positions: bool):
        self.n_q, self.n_k = n_q, n_k
        self.same = same_positions and n_q == n_k
        self.r_q, self.r_k = min(n_q, SUMMARY_RESOLUTION), min(n_k, SUMMARY_RESOLUTION)
        self._distance = None
        self._scratch = None

    def __call__(self, w, stats: bool = True) -> Block:
        """Summary of w [n, Q, K] float32 (numpy, or a CPU torch tensor); stops after lo/hi when they are
        not finite or lo < 0 (the caller raises), so pooled and stats are then None. ``stats=False``
        leaves out the statistics (Block.stats None): the pooled heads, row sums and lo/hi cost a few
        passes over w, the statistics several more (a logarithm of every weight); see :meth:`stats`."""
        torch_block = type(w).__module__.startswith("torch")
        lo, hi = _min_max(w, torch_block)
        if not (np.isfinite(lo) and np.isfinite(hi)) or lo < 0:
            return Block(None, None, None, lo, hi)
        pooled, row_sums = (self._pool_torch if torch_block else self._pool_numpy)(w)
        return Block(pooled, self.stats(w) if stats else None, row_sums, lo, hi)

    def stats(self, w) -> np.ndarray:
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

    def _pool_numpy(self, w: np.ndarray):
        return pool(w, self.r_q, self.r_k), w.sum(axis=-1, dtype=np.float64)

    def _pool_torch(self, w):
        n, n_q, n_k = w.shape
        if n_q % self.r_q or n_k % self.r_k:  # unequal bins: numpy's reduceat (the same binning)
            return self._pool_numpy(w.numpy())
        # equal bins: reshapes, on every core; the column sums also give each row's sum
        cols = w.reshape(n, n_q, self.r_k, n_k // self.r_k).sum(dim=-1)  # [n, Q, Rk]: no large temporary
        row_sums = cols.sum(dim=-1, dtype=_torch_float64()).numpy()
        pooled = cols.reshape(n, self.r_q, n_q // self.r_q, self.r_k).sum(dim=2).numpy()
        pooled /= (n_q // self.r_q) * (n_k // self.r_k)
        return pooled, row_sums

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


def _min_max(w, torch_block: bool):
    if torch_block:
        import torch

        return tuple(float(x) for x in torch.aminmax(w))  # nan propagates, inf shows
    return float(w.min()), float(w.max())


def _torch_float64():
    import torch

    return torch.float64


_LN2 = float(np.log(2.0))


def _total(x: np.ndarray) -> np.ndarray:
    """Sum over the last axis in float64 (x holds per-row float32 values: each already summed over K)."""
    return x.sum(axis=-1, dtype=np.float64)

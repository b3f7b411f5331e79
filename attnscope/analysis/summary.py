"""The summary a lazy section sends instead of its weights, computed in one pass that also checks them.

:func:`summarize` reads the shown (layer, heads) of a section a block of heads at a time
(attnscope.data.blocks), raises the errors eager checking raises (attnscope.inputs.weights: non-finite,
negative, with real layer/head ids; the row-sum warning names the worst row over every layer) and keeps
each head mean-pooled to at most SUMMARY_RESOLUTION x SUMMARY_RESOLUTION (attnscope.analysis.pooling),
plus the head statistics when asked (attnscope.analysis.head_stats). Reading the weights once for both
the checks and the pooling is why the checks of kept weights run here rather than in attnscope.inputs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..data.blocks import as_numpy, blocks
from ..inputs import weights as checks
from ..progress import progress
from .head_stats import STAT_NAMES, HeadStats
from .pooling import pool, summary_size


@dataclass
class Block:
    """The summary of a block of heads, plus what the checks need from it."""

    pooled: np.ndarray  # float32 [n, Rq, Rk]
    stats: np.ndarray  # float64 [n, len(STAT_NAMES)]
    row_sums: np.ndarray  # float64 [n, Q]
    lo: float  # smallest weight (nan when there is a nan)
    hi: float  # largest weight (nan when there is a nan)


class Summarizer:
    """Summaries of [n, Q, K] blocks of one section's weights."""

    def __init__(self, n_q: int, n_k: int, same_positions: bool):
        self.n_q, self.n_k = n_q, n_k
        self.r_q, self.r_k = summary_size(n_q, n_k)
        self.head_stats = HeadStats(n_q, n_k, same_positions)
        self.same = self.head_stats.same

    def __call__(self, w, stats: bool = True, signed: bool = False) -> Block:
        """Summary of w [n, Q, K] float32 (numpy, or a CPU torch tensor); stops after lo/hi when they are
        not finite or lo < 0 (the caller raises), so pooled and stats are then None. ``stats=False``
        leaves out the statistics (Block.stats None): the pooled heads, row sums and lo/hi cost a few
        passes over w, the statistics several more (a logarithm of every weight)."""
        torch_block = type(w).__module__.startswith("torch")
        lo, hi = _min_max(w, torch_block)
        if not (np.isfinite(lo) and np.isfinite(hi)) or (lo < 0 and not signed):
            return Block(None, None, None, lo, hi)
        pooled, row_sums = (self._pool_torch if torch_block else self._pool_numpy)(w)
        return Block(pooled, self.head_stats(w) if stats else None, row_sums, lo, hi)

    def stats(self, w) -> np.ndarray:
        return self.head_stats(w)

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


def summarize(section, stats: bool = True) -> dict:
    """{"pooled": float32 [L, H, Rq, Rk], "stats": float32 [L, H, len(STAT_NAMES)] or None} of a section's
    shown weights, checked on the way (module doc). A signed section (Section.signed: a difference,
    attention x gradient) is checked for non-finite values only, and its five statistics, which are defined
    for softmax rows, are 0 (as cross-attention's positional ones are on the wire): its own score table
    (Section.scores) says what its heads do."""
    signed = bool(getattr(section, "signed", False))
    stats = stats and not signed
    source = section.source
    _, _, n_q, n_k = section.shape
    summarizer = Summarizer(n_q, n_k, section.same_positions)
    n_l, n_h = len(section.layers), len(section.heads)
    pooled = np.empty((n_l, n_h, summarizer.r_q, summarizer.r_k), np.float32)
    all_stats = np.empty((n_l, n_h, len(STAT_NAMES)), np.float32) if stats else None
    rows = checks.RowSums()
    name = getattr(source, "name", section.key)
    negative = None  # raised after every layer was checked for non-finite weights, as eager checking does
    with progress(n_l * n_h, f"attnscope: checking and pooling {name}", unit="head") as bar:
        for i, j, layer, block, w in blocks(source, section.layers, section.heads):
            b = summarizer(w, stats=stats, signed=signed)  # the block's one read: pooled, checked, row sums
            bar.update(len(block))
            if not (np.isfinite(b.lo) and np.isfinite(b.hi)):
                raise checks.nonfinite_error(name, *_first(w, ~np.isfinite(as_numpy(w)), layer, block))
            if b.lo < 0 and not signed:
                negative = negative or checks.negative_error(name, *_first(w, as_numpy(w) < 0, layer, block))
                continue
            pooled[i, j:j + len(block)] = b.pooled
            if stats:
                all_stats[i, j:j + len(block)] = b.stats
            rows.add(b.row_sums, layer, block)
    if negative is not None:
        raise negative
    if signed:
        return {"pooled": pooled, "stats": np.zeros((n_l, n_h, len(STAT_NAMES)), np.float32)}
    rows.warn(name, n_l * n_h * n_q)
    return {"pooled": pooled, "stats": all_stats}


def _first(w, mask, layer, block):
    """(value, layer, head, query, key) of the first True of mask [n, Q, K] (real ids)."""
    i, q, k = (int(x) for x in np.argwhere(mask)[0])
    return as_numpy(w)[i, q, k], layer, block[i], q, k


def _min_max(w, torch_block: bool):
    if torch_block:
        import torch

        return tuple(float(x) for x in torch.aminmax(w))  # nan propagates, inf shows
    return float(w.min()), float(w.max())


def _torch_float64():
    import torch

    return torch.float64

"""Mean pooling of [..., Q, K] matrices to [..., r_q, r_k]: the binning of the widget's thumbnails.

Query q goes to row floor(q * r_q / Q), key k to column floor(k * r_k / K) (src/render/thumbnails.ts
poolMatrix); a cell is the mean of the weights that land in it.
"""

from __future__ import annotations

import numpy as np

from ..constants import SUMMARY_RESOLUTION


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


def summary_size(n_q: int, n_k: int) -> tuple[int, int]:
    """(rows, columns) of a lazy summary's pooled heads: at most SUMMARY_RESOLUTION each."""
    return min(n_q, SUMMARY_RESOLUTION), min(n_k, SUMMARY_RESOLUTION)

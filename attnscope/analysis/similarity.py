"""Head similarity: how alike the attention patterns of two heads are, for every pair of heads of a
section (within each layer and across the model), with the flags it gives (redundant pairs, collapsed
layers) and an order of the heads that puts similar heads side by side.

Measure: the mean over query rows of 1 - JSD(row of head a, row of head b), the Jensen-Shannon divergence
in bits (so in [0, 1]: 1 for identical rows, 0 for rows on disjoint keys). Rows are probability
distributions, and JSD compares them as such: it is symmetric, bounded, defined when a row puts zero on
a key the other does not (KL is not), and it does not let a few large weights dominate as the cosine of
flattened patterns does (two heads that both put 0.9 on the first token look alike to a cosine whatever
they do with the rest; JSD weighs the whole distribution). Heads are first mean-pooled to at most
``resolution`` x ``resolution`` (the thumbnails' binning, attnscope.analysis.pooling) and each pooled
row renormalised: a pooled row is the average distribution of its queries over bins of keys, which keeps
the cost of every pair at resolution^2 whatever the length (``resolution=None``: the exact rows).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..data.blocks import as_numpy, blocks
from .head_scores import attention_section
from .pooling import pool

#: default: pairs at or above this similarity are redundant; a layer whose heads all are, collapsed
REDUNDANT_ABOVE = 0.9


def pooled_rows(section, resolution=64) -> np.ndarray:
    """float32 [L * H, r_q, r_k] of a section's heads, pooled and each row renormalised to sum 1."""
    _, _, n_q, n_k = section.shape
    if resolution is not None and (isinstance(resolution, bool) or not isinstance(resolution, int)
                                   or resolution < 1):
        raise ValueError(f"resolution: got {resolution!r}; expected a positive int or None (exact rows).")
    r_q, r_k = (n_q, n_k) if resolution is None else (min(n_q, resolution), min(n_k, resolution))
    n_h = len(section.heads)
    out = np.empty((len(section.layers) * n_h, r_q, r_k), np.float32)
    for i, j, _layer, block, w in blocks(section.source, section.layers, section.heads):
        w = as_numpy(w)
        out[i * n_h + j: i * n_h + j + len(block)] = w if (r_q, r_k) == (n_q, n_k) else pool(w, r_q, r_k)
    sums = out.sum(axis=-1, keepdims=True)
    np.divide(out, sums, out=out, where=sums > 0)
    return out


def _entropy_bits(p: np.ndarray) -> np.ndarray:
    """-sum p log2 p over the last axis (0 log 0 = 0), float64."""
    logs = np.log2(np.where(p > 0, p, 1.0))
    return -(p * logs).sum(axis=-1, dtype=np.float64)


def js_similarity(rows: np.ndarray) -> np.ndarray:
    """float32 [N, N] of the mean over rows of 1 - JSD (bits) between heads ``rows`` [N, R, K]."""
    n = rows.shape[0]
    h = _entropy_bits(rows)  # [N, R]
    out = np.eye(n, dtype=np.float32)
    for a in range(n - 1):
        m = (rows[a] + rows[a + 1:]) * 0.5  # [N - a - 1, R, K]
        jsd = _entropy_bits(m) - 0.5 * (h[a] + h[a + 1:])  # JSD = H(m) - (H(p) + H(q)) / 2
        sim = 1.0 - np.clip(jsd, 0.0, 1.0).mean(axis=-1)
        out[a, a + 1:] = out[a + 1:, a] = sim
    return out


@dataclass
class HeadSimilarity:
    """Similarities of every pair of heads (``matrix`` [L * H, L * H], heads in layer-major order of the
    real ids ``layers`` x ``heads``) and what they flag."""

    matrix: np.ndarray
    layers: list
    heads: list

    @property
    def per_layer(self) -> np.ndarray:
        """float32 [L, H, H]: the similarities within each layer."""
        n_h = len(self.heads)
        return np.stack([self.matrix[i * n_h:(i + 1) * n_h, i * n_h:(i + 1) * n_h] for i in range(len(self.layers))])

    def _id(self, slot: int) -> tuple:
        return int(self.layers[slot // len(self.heads)]), int(self.heads[slot % len(self.heads)])

    def redundant(self, threshold: float = REDUNDANT_ABOVE, same_layer: bool = False) -> list:
        """[((layer, head), (layer, head), similarity)] of the pairs at or above ``threshold``, most similar
        first (real ids); ``same_layer=True``: only pairs of one layer."""
        upper = np.triu(self.matrix >= threshold, 1)
        if same_layer:
            n_h = len(self.heads)
            layer_of = np.arange(self.matrix.shape[0]) // n_h
            upper &= layer_of[:, None] == layer_of[None, :]
        pairs = [(self._id(a), self._id(b), float(self.matrix[a, b])) for a, b in zip(*np.nonzero(upper))]
        return sorted(pairs, key=lambda p: -p[2])

    def collapsed_layers(self, threshold: float = REDUNDANT_ABOVE) -> list:
        """Real ids of the layers (of two heads or more) whose heads are all mutually at or above ``threshold``."""
        if len(self.heads) < 2:
            return []
        return [int(layer) for layer, m in zip(self.layers, self.per_layer) if bool((m >= threshold).all())]

    def order(self, within_layer: bool = False) -> list:
        """Heads as (layer, head) in an order that puts similar heads next to each other: a greedy
        nearest-neighbour chain (start at the first head; go on to the most similar head not yet placed).
        ``within_layer=True``: layer by layer, each layer's heads chained among themselves."""
        if not within_layer:
            return [self._id(s) for s in _chain(self.matrix)]
        n_h = len(self.heads)
        return [self._id(i * n_h + s) for i, m in enumerate(self.per_layer) for s in _chain(m)]


def _chain(sim: np.ndarray) -> list:
    n = sim.shape[0]
    if n == 0:
        return []
    placed, order = np.zeros(n, bool), [0]
    placed[0] = True
    for _ in range(n - 1):
        row = np.where(placed, -np.inf, sim[order[-1]])
        nxt = int(np.argmax(row))
        placed[nxt] = True
        order.append(nxt)
    return order


def section_similarity(section, resolution=64) -> HeadSimilarity:
    """The :class:`HeadSimilarity` of a section's shown heads."""
    return HeadSimilarity(js_similarity(pooled_rows(section, resolution)), list(section.layers),
                          list(section.heads))


def head_similarity(attention, resolution=64) -> HeadSimilarity:
    """Head similarity (module doc) of one self-attention stack [layers, heads, Q, K] (any form
    :func:`attnscope.head_view` takes), read a block of heads at a time: ``.matrix`` [L*H, L*H],
    ``.per_layer`` [L, H, H], ``.redundant(threshold)``, ``.collapsed_layers(threshold)``, ``.order()``."""
    return section_similarity(attention_section(attention, None, "head_similarity"), resolution)

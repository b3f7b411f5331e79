"""Head similarity: how alike the attention patterns of two heads are, for every pair of heads of a
section (within each layer and across the model), with the flags it gives (redundant pairs, collapsed
layers) and an order of the heads that puts similar heads side by side.

Measure: the mean over query rows of 1 - JSD(row of head a, row of head b), the Jensen-Shannon divergence
in bits (so in [0, 1]: 1 for identical rows, 0 for rows on disjoint keys). Rows are probability
distributions, and JSD compares them as such: it is symmetric, bounded, defined when a row puts zero on
a key the other does not (KL is not), and it does not let a few large weights dominate as the cosine of
flattened patterns does (two heads that both put 0.9 on the first token look alike to a cosine whatever
they do with the rest; JSD weighs the whole distribution).

Cost: every pair compares ``rows`` query rows (default 64, evenly spaced, exact rows: pooling rows and
keys alike would merge the previous-token, self and local heads into one diagonal bin) over at most
``keys`` key bins (default 512; longer rows are mean-pooled, attnscope.analysis.pooling, and
renormalised). The first SKIP_ROWS rows are left out: in a causal head they see a few keys only, so
every head looks alike there.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np

from ..data.blocks import as_numpy, blocks
from .head_scores import attention_section
from .pooling import pool

#: default: pairs at or above this similarity are redundant; a layer whose heads all are, collapsed
REDUNDANT_ABOVE = 0.9
#: the first query rows are left out (when there are more than twice as many): in a causal head they see
#: a few keys only, so every head looks alike there
SKIP_ROWS = 8


class RowSampler:
    """Collects the sampled rows of a section's heads from its blocks as they are read (so a caller that
    reads every block anyway, the head scores, needs no second pass): :meth:`take` each block,
    :meth:`rows` at the end."""

    def __init__(self, section, rows=64, keys=512, exclude_bos=False, layer_only=False):
        _, _, n_q, n_k = section.shape
        for name, value in (("rows", rows), ("keys", keys)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise ValueError(f"{name}: got {value!r}; expected a positive int or None (all).")
        first = SKIP_ROWS if n_q > 2 * SKIP_ROWS else 0
        self.picked = np.arange(first, n_q) if rows is None or n_q - first <= rows else \
            np.unique(np.linspace(first, n_q - 1, rows).round().astype(np.int64))
        self.r_k = n_k if keys is None else min(n_k, keys)
        self.n_k, self.n_h, self.exclude_bos = n_k, len(section.heads), exclude_bos
        # layer_only: one layer's rows at a time (layer_rows), else the whole section's (rows)
        n = self.n_h if layer_only else len(section.layers) * self.n_h
        self.out = np.empty((n, len(self.picked), self.r_k), np.float32)
        self.layer_only = layer_only

    def take(self, i: int, j: int, w) -> None:
        """Block ``w`` [n, Q, K] of layer slot i, head slots j..j+n."""
        w = as_numpy(w[:, self.picked])  # a copy of the rows picked only
        if self.exclude_bos:
            w[:, :, 0] = 0
        at = j if self.layer_only else i * self.n_h + j
        self.out[at: at + len(w)] = w if self.r_k == self.n_k else pool(w, len(self.picked), self.r_k)

    def rows(self) -> np.ndarray:
        """The rows taken, renormalised: [L * H, r, k] (or the last layer's [H, r, k] with layer_only)."""
        sums = self.out.sum(axis=-1, keepdims=True)
        np.divide(self.out, sums, out=self.out, where=sums > 0)
        return self.out

    def layer_rows(self) -> np.ndarray:
        """(layer_only) The layer just taken, [H, r, k] renormalised; valid until the next layer is taken."""
        return self.rows()


def sampled_rows(section, rows=64, keys=512, exclude_bos=False) -> np.ndarray:
    """float32 [L * H, r, k] of a section's heads: at most ``rows`` query rows, evenly spaced (the first
    SKIP_ROWS left out when there are more), their keys mean-pooled to at most ``keys`` bins, each row
    renormalised to sum 1 (``exclude_bos``: the first key's weight left out first)."""
    sampler = RowSampler(section, rows, keys, exclude_bos)
    for i, j, _layer, _block, w in blocks(section.source, section.layers, section.heads):
        sampler.take(i, j, w)
    return sampler.rows()


def _entropy_bits(p: np.ndarray) -> np.ndarray:
    """-sum p log2 p over the last axis (0 log 0 = 0), float64."""
    logs = np.log2(np.where(p > 0, p, 1.0))
    return -(p * logs).sum(axis=-1, dtype=np.float64)


def js_similarity(rows: np.ndarray) -> np.ndarray:
    """float32 [N, N] of the mean over rows of 1 - JSD (bits) between heads ``rows`` [N, R, K]."""
    if "torch" in sys.modules:
        return _js_torch(rows)
    n = rows.shape[0]
    h = _entropy_bits(rows)  # [N, R]
    out = np.eye(n, dtype=np.float32)
    for a in range(n - 1):
        m = (rows[a] + rows[a + 1:]) * 0.5  # [N - a - 1, R, K]
        jsd = _entropy_bits(m) - 0.5 * (h[a] + h[a + 1:])  # JSD = H(m) - (H(p) + H(q)) / 2
        out[a, a + 1:] = out[a + 1:, a] = 1.0 - np.clip(jsd, 0.0, 1.0).mean(axis=-1)
    return out


def _js_torch(rows: np.ndarray) -> np.ndarray:
    """js_similarity with torch (every core)."""
    import torch

    p = torch.from_numpy(rows)
    n = p.shape[0]

    def entropy(x):
        return -torch.special.xlogy(x, x).sum(dim=-1, dtype=torch.float64) / np.log(2.0)

    h = entropy(p)
    out = torch.eye(n, dtype=torch.float32)
    for a in range(n - 1):
        jsd = entropy((p[a] + p[a + 1:]) * 0.5) - 0.5 * (h[a] + h[a + 1:])
        out[a, a + 1:] = out[a + 1:, a] = (1.0 - jsd.clamp(0.0, 1.0).mean(dim=-1)).float()
    return out.numpy()


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


def section_similarity(section, rows=64, keys=512, exclude_bos=False) -> HeadSimilarity:
    """The :class:`HeadSimilarity` of a section's shown heads."""
    return HeadSimilarity(js_similarity(sampled_rows(section, rows, keys, exclude_bos)), list(section.layers),
                          list(section.heads))


def head_similarity(attention, rows=64, keys=512, exclude_bos=False) -> HeadSimilarity:
    """Head similarity (module doc) of one self-attention stack [layers, heads, Q, K] (any form
    :func:`attnscope.head_view` takes), read a block of heads at a time: ``.matrix`` [L*H, L*H],
    ``rows`` / ``keys``: how many query rows are compared and the key bins they are pooled to (module doc;
    None: all). ``.per_layer`` [L, H, H], ``.redundant(threshold)``, ``.collapsed_layers(threshold)``, ``.order()``.
    ``exclude_bos=True`` compares the rows without the first key (renormalised): in decoders most heads
    park much of their weight on the first token, which alone makes them look alike."""
    if not isinstance(exclude_bos, (bool, np.bool_)):
        raise TypeError(f"exclude_bos: got {exclude_bos!r}; expected True or False.")
    return section_similarity(attention_section(attention, None, "head_similarity"), rows, keys, exclude_bos)


def layer_similarity(section, rows=64, keys=512, threshold=REDUNDANT_ABOVE) -> dict:
    """What the model view shows of head similarity, within each layer (pairs across layers cost L^2 more
    and are :func:`head_similarity`'s): {"order": [[head slots of layer l, similar heads side by side]],
    "redundant": [[layer slot, head slot, head slot, similarity]] (pairs at or above ``threshold``, most
    similar first), "collapsed": [layer slots whose heads are all alike], "threshold", "measure"}."""
    acc = LayerSimilarity(section, rows, keys, threshold)
    for i, j, _layer, _block, w in blocks(section.source, section.layers, section.heads):
        acc.take(i, j, w)
    return acc.result()


class LayerSimilarity:
    """:func:`layer_similarity` fed block by block by a reader that reads every block anyway (the head
    scores' pass): each layer's sampled rows are kept only until its last head arrives (one layer's rows
    in memory, not the model's)."""

    def __init__(self, section, rows=64, keys=512, threshold=REDUNDANT_ABOVE):
        self.sampler = RowSampler(section, rows, keys, layer_only=True)
        self.threshold, self.n_h = float(threshold), len(section.heads)
        self.order = [None] * len(section.layers)
        self.redundant, self.collapsed, self._seen = [], [], {}

    def take(self, i: int, j: int, w) -> None:
        self.sampler.take(i, j, w)
        self._seen[i] = self._seen.get(i, 0) + len(w)
        if self._seen[i] == self.n_h:
            self._layer(i, self.sampler.layer_rows())

    def _layer(self, li: int, rows: np.ndarray) -> None:
        sim = js_similarity(rows)
        self.order[li] = [int(s) for s in _chain(sim)]
        for a, b in zip(*np.nonzero(np.triu(sim >= self.threshold, 1))):
            self.redundant.append([li, int(a), int(b), round(float(sim[a, b]), 4)])
        if self.n_h > 1 and bool((sim >= self.threshold).all()):
            self.collapsed.append(li)

    def result(self) -> dict:
        if any(o is None for o in self.order):
            raise ValueError("LayerSimilarity: not every head of every layer was taken")
        return {"order": self.order, "redundant": sorted(self.redundant, key=lambda r: -r[3]),
                "collapsed": sorted(self.collapsed), "threshold": self.threshold,
                "measure": "mean over sampled query rows of 1 - Jensen-Shannon divergence (bits)"}

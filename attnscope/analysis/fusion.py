"""One layer's attention as rollout and flow use it: the heads fused, the smallest weights discarded, the
residual connection mixed in, rows renormalised (Abnar & Zuidema 2020; the discard step from vit-explain).

Per layer, from a source read a block of heads at a time (attnscope.data.blocks: never more than one
block of the layer in float32 besides the [Q, Q] result):
1. fuse the heads: their mean, max or min (``head_fusion``);
2. discard: the ``int(Q * Q * discard_ratio)`` smallest fused weights of the whole matrix are set to 0,
   as jacobgil/vit-explain does over the flattened matrix, but never a diagonal weight (vit-explain spares
   only the [0, 0] weight of the class token; the issue asks to keep the diagonal, which also keeps each
   position's link to itself). Ties are broken arbitrarily. For causal attention the zeros above the
   diagonal are among the smallest, so a ratio below about one half discards little;
3. A = (1 - residual) * fused + residual * I;
4. each row divided by its sum (a row summing to 0, possible only with residual 0, stays 0). vit-explain
   writes ``a / a.sum(dim=-1)``, which broadcasts over columns; rows are normalised here, as the paper says.
The matrices are numpy, or CPU torch tensors when the blocks are (torch weights, or torch loaded:
attnscope.data.blocks), so the products that follow run on torch's threads.
"""

from __future__ import annotations

import numpy as np

from ..data.blocks import as_numpy, blocks
from ..data.tensors import is_torch as _is_torch
from ..inputs import weights as checks


def _fuse(w, how: str):
    """[Q, K] of the block w [n, Q, K]: its sum (mean: divided later), max or min over heads."""
    if _is_torch(w):
        import torch

        return {"mean": torch.sum, "max": torch.amax, "min": torch.amin}[how](w, dim=0)
    return {"mean": np.sum, "max": np.amax, "min": np.amin}[how](w, axis=0)


def _combine(acc, part, how: str):
    if acc is None:
        return part
    if how == "mean":
        return acc + part
    if _is_torch(part):
        import torch

        return torch.maximum(acc, part) if how == "max" else torch.minimum(acc, part)
    return np.maximum(acc, part) if how == "max" else np.minimum(acc, part)


def _check_block(w, name: str, layer: int, heads) -> None:
    """The errors eager checking raises, for a block of the caller's weights (non-finite, negative)."""
    lo, hi = (float(w.min()), float(w.max()))
    if np.isfinite(lo) and np.isfinite(hi) and lo >= 0:
        return
    a = as_numpy(w)
    nonfinite = not (np.isfinite(lo) and np.isfinite(hi))
    i, q, k = (int(x) for x in np.argwhere(~np.isfinite(a) if nonfinite else a < 0)[0])
    error = checks.nonfinite_error if nonfinite else checks.negative_error
    raise error(name, a[i, q, k], layer, heads[i], q, k)


def fused_layer(source, layer: int, heads, head_fusion: str, name: str = "attention"):
    """The heads of (layer, heads) fused: float32 [Q, K], numpy or CPU torch (step 1 of the module doc).
    The weights of a kept source are checked on the way (non-finite or negative: ValueError)."""
    acc = None
    for _, _, _, block, w in blocks(source, [layer], list(heads)):
        if source.kept:
            _check_block(w, name, layer, block)
        acc = _combine(acc, _fuse(w, head_fusion), head_fusion)
    return acc / len(heads) if head_fusion == "mean" else acc


def _discard(fused, ratio: float):
    """Step 2 of the module doc, in place."""
    n = fused.shape[0]
    count = min(int(n * n * ratio), n * n - n)
    if count <= 0:
        return fused
    if _is_torch(fused):
        import torch

        flat = fused.reshape(-1)
        keyed = flat.clone()
        keyed[:: n + 1] = float("inf")  # the diagonal is never among the smallest
        flat[torch.topk(keyed, count, largest=False).indices] = 0
        return fused
    flat = fused.reshape(-1)
    keyed = flat.copy()
    keyed[:: n + 1] = np.inf
    flat[np.argpartition(keyed, count - 1)[:count]] = 0
    return fused


def mix(fused, residual: float, discard_ratio: float = 0.0):
    """Steps 2-4 of the module doc: the row-stochastic [Q, Q] matrix of one layer (same kind as ``fused``)."""
    fused = _discard(fused, discard_ratio)
    a = fused * (1.0 - residual)
    n = a.shape[0]
    a.reshape(-1)[:: n + 1] += residual
    sums = a.sum(-1, keepdims=True) if not _is_torch(a) else a.sum(dim=-1, keepdim=True)
    sums[sums == 0] = 1
    return a / sums


def layer_matrices(source, layers, heads, residual, head_fusion, discard_ratio, name="attention"):
    """(slot, layer, A) for each of ``layers`` in order: A the row-stochastic [Q, Q] of the module doc."""
    for i, layer in enumerate(layers):
        yield i, layer, mix(fused_layer(source, layer, heads, head_fusion, name), residual, discard_ratio)

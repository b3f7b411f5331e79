"""Comparing two attention stacks of the same shape (before / after fine-tuning, or two inputs that differ
in a word): the difference B - A of every head, and per-head change scores.

Change scores, {name: float32 [layers, heads]}, both in [0, 1] for rows that are distributions:
- ``mean_abs_diff``: mean over queries of sum_k |b - a| / 2, the total variation distance of the two rows.
  It is linear in the moved mass (half the weight that moved from some keys to others), so it reads as
  "how much attention moved" and does not care whether the weights involved are large or tiny.
- ``js_divergence``: mean over queries of the Jensen-Shannon divergence of the two rows, in bits
  (0.5 KL(a || m) + 0.5 KL(b || m), m = (a + b) / 2, with 0 log 0 = 0). It weighs changes by how
  surprising they are: mass moved onto keys a row ignored counts more than the same mass reshuffled among
  keys it already attended to, so a head whose pattern changed shape ranks above one whose weights were
  only rescaled. Both are kept because they disagree exactly in those cases, and both are bounded, so heads
  of different layers can be ranked on one scale.

The weights are read a layer at a time from AttentionSources (eager copies and the caller's kept tensors
alike, attnscope.data.source); the arithmetic runs in torch when either side's layer is a torch tensor, else
numpy, and the sums in float64. Identical inputs give a difference and scores that are exactly 0.
"""

from __future__ import annotations

import numpy as np

from ..data import tensors as t
from ..data.blocks import as_numpy
from ..inputs import derived
from .fusion import _check_block

SCORE_NAMES = ("mean_abs_diff", "js_divergence")


def row_changes(a, b):
    """(tvd, js) of blocks a, b [n, Q, K] (numpy or torch alike): float64 numpy [n, Q] each, the total
    variation distance and the Jensen-Shannon divergence (bits) of every pair of rows (module doc)."""
    if t.is_torch(a) or t.is_torch(b):
        return _row_changes_torch(a, b)
    a64, b64 = np.asarray(a, np.float64), np.asarray(b, np.float64)
    tvd = 0.5 * np.abs(b64 - a64).sum(axis=-1)
    m = 0.5 * (a64 + b64)
    with np.errstate(divide="ignore", invalid="ignore"):
        ka = np.where(a64 > 0, a64 * (np.log2(a64) - np.log2(m)), 0.0)
        kb = np.where(b64 > 0, b64 * (np.log2(b64) - np.log2(m)), 0.0)
    js = 0.5 * (ka.sum(axis=-1) + kb.sum(axis=-1))
    return tvd, np.clip(js, 0.0, 1.0)


def _row_changes_torch(a, b):
    torch = t.torch()
    a64 = (a if t.is_torch(a) else t.as_torch(a)).to(torch.float64)
    b64 = (b if t.is_torch(b) else t.as_torch(b)).to(torch.float64)
    tvd = 0.5 * (b64 - a64).abs().sum(dim=-1)
    m = 0.5 * (a64 + b64)
    # xlogy(x, x) - xlogy(x, m) is 0 wherever x = 0 (m >= x / 2 > 0 elsewhere)
    ka = torch.xlogy(a64, a64) - torch.xlogy(a64, m)
    kb = torch.xlogy(b64, b64) - torch.xlogy(b64, m)
    js = (0.5 / np.log(2.0)) * (ka.sum(dim=-1) + kb.sum(dim=-1))
    return tvd.numpy(), np.clip(js.numpy(), 0.0, 1.0)


def _read(source, layer, heads, torch_layer: bool):
    shape = (len(heads),) + tuple(source.shape[2:])
    out = t.torch().empty(shape, dtype=t.torch().float32) if torch_layer else np.empty(shape, np.float32)
    return source.read(layer, heads, out)


def compare_sources(source_a, source_b, layers, heads, *, names=("a", "b"), check=True):
    """(difference float32 [len(layers), len(heads), Q, K] = B - A, scores {SCORE_NAMES: float32
    [len(layers), len(heads)]}) of two sources of one shape, over the real ``layers`` and ``heads``, read a
    layer at a time. ``check``: raise the errors of attnscope.inputs.weights (non-finite, negative, naming
    ``names``) for weights that were not checked yet (kept tensors)."""
    n_q, n_k = source_a.shape[2:]
    diff = np.empty((len(layers), len(heads), n_q, n_k), np.float32)
    scores = {name: np.empty((len(layers), len(heads)), np.float32) for name in SCORE_NAMES}
    heads = list(heads)
    for i, layer in enumerate(layers):
        torch_layer = source_a.is_torch(layer) or source_b.is_torch(layer)
        a = _read(source_a, layer, heads, torch_layer)
        b = _read(source_b, layer, heads, torch_layer)
        if check:
            _check_block(a, names[0], layer, heads)
            _check_block(b, names[1], layer, heads)
        diff[i] = as_numpy(b - a)
        tvd, js = row_changes(a, b)
        scores["mean_abs_diff"][i] = tvd.mean(axis=-1)
        scores["js_divergence"][i] = js.mean(axis=-1)
    return diff, scores


def _sources(a, b, caller: str):
    sa = derived.attention_source(a, "a", caller) if not hasattr(a, "read") else a
    sb = derived.attention_source(b, "b", caller) if not hasattr(b, "read") else b
    if tuple(sa.shape) != tuple(sb.shape):
        raise ValueError(f"{caller}: a has shape {list(sa.shape)} and b has shape {list(sb.shape)}; expected "
                         "the same [layers, heads, queries, keys] (the same model shape and token count).")
    return sa, sb


def change_scores(a, b) -> dict:
    """Per-head change scores from attention ``a`` to ``b`` (what :func:`attnscope.head_view` takes, same
    shape [L, H, Q, Q]): {"mean_abs_diff", "js_divergence": float32 [layers, heads]} (module doc)."""
    sa, sb = _sources(a, b, "change_scores")
    return compare_sources(sa, sb, range(sa.shape[0]), range(sa.shape[1]))[1]


def difference(a, b) -> np.ndarray:
    """float32 [layers, heads, queries, keys]: b - a, for two attention stacks of the same shape."""
    sa, sb = _sources(a, b, "difference")
    return compare_sources(sa, sb, range(sa.shape[0]), range(sa.shape[1]))[0]

"""Attention rollout (Abnar & Zuidema 2020, "Quantifying Attention Flow in Transformers"): how much each
input position reaches each position after a number of layers, when attention is followed through the
layers and the residual connection is counted as attention to oneself.

joint_0 = A_0 and joint_l = A_l @ joint_(l-1), with A_l the row-stochastic matrix of layer l
(attnscope.analysis.fusion: heads fused, smallest weights discarded, residual mixed in, rows
renormalised). Entry l of the result is joint_l, the rollout through layers 0..l, so each entry's rows
sum to 1 and a causal input stays lower triangular. Layers are read one at a time (a block of heads at
a time), the products run in float32 with torch when the blocks are torch tensors, else numpy.
"""

from __future__ import annotations

import numpy as np

from ..data.blocks import as_numpy
from ..inputs import derived
from ..progress import progress
from .fusion import layer_matrices


def rollout_of(source, layers, heads, residual=0.5, head_fusion="mean", discard_ratio=0.0,
               name="attention") -> np.ndarray:
    """float32 [len(layers), Q, Q]: the rollout through ``layers`` (real ids, in order) of ``source``
    fused over ``heads``; parameters already checked (attnscope.inputs.derived.check_params)."""
    n = source.shape[2]
    out = np.empty((len(layers), n, n), np.float32)
    joint = None
    with progress(len(layers), f"attnscope: rollout of {name}") as bar:
        for i, _, a in layer_matrices(source, layers, heads, residual, head_fusion, discard_ratio, name):
            joint = a if joint is None else a @ joint
            out[i] = as_numpy(joint)
            bar.update(1)
    return out


def rollout(attention, residual=0.5, head_fusion="mean", discard_ratio=0.0, *, name="attention") -> np.ndarray:
    """Attention rollout of self-attention weights: float32 [layers, queries, keys], entry l the rollout
    through layers 0..l (module doc).

    attention: what :func:`attnscope.head_view` takes ([L, H, Q, Q] torch tensor or numpy array, a Hugging
        Face tuple of per-layer tensors, nested lists); it is read a layer at a time, not copied.
    residual: weight of the identity mixed into each layer for the residual connection, in [0, 1].
    head_fusion: "mean", "max" or "min" over the heads of a layer.
    discard_ratio: in [0, 1): the fraction of each layer's smallest fused weights set to 0 (never the
        diagonal), as in jacobgil/vit-explain.
    name: the argument named in error messages.
    """
    params = derived.check_params(residual, head_fusion, discard_ratio, caller="rollout")
    source = derived.attention_source(attention, name, "rollout")
    n_l, n_h = source.shape[:2]
    return rollout_of(source, range(n_l), range(n_h), **params, name=name)

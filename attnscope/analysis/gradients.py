"""Attention x gradient ("high attention does not mean important"): the attention weights A of every head
weighted by the gradient dy/dA of a target y (a logit, or any scalar of the model's output), and Chefer et
al. 2021's generic gradient rollout ("Generic Attention-model Explainability for Interpreting Bi-Modal and
Encoder-Decoder Transformers", eq. 5-6 for self-attention):

- attention x gradient, per head: relu(A * dy/dA), float32 [L, H, Q, K] (the positive part: the weights
  whose increase would raise y);
- gradient rollout: per layer Abar_l = mean over heads of relu(dy/dA_l * A_l); R_0 = I and
  R <- R + Abar_l @ R layer after layer; entry l of the result is R after layer l, float32 [L, Q, K]
  (rows are not normalised, as in the paper; causal attention stays lower triangular).

:func:`gradient_sections` makes the two derived sections ("attn_grad", "grad_rollout") of a self-attention
section from those arrays, for its shown layers and heads, as attnscope.analysis.derived does for rollout.
"""

from __future__ import annotations

import numpy as np

from ..data.section import Section
from ..data.source import ArraySource, KeptArraySource

#: head label of the gradient rollout's one head slot
ROLLOUT_HEAD_LABEL = "gradient rollout"


def attention_x_gradient(attention, gradient) -> np.ndarray:
    """relu(A * dy/dA): float32 [L, H, Q, K] of two float arrays of that shape (numpy)."""
    a, g = np.asarray(attention, np.float32), np.asarray(gradient, np.float32)
    if a.shape != g.shape:
        raise ValueError(f"gradient: shape {list(g.shape)} does not match attention {list(a.shape)}.")
    return np.maximum(a * g, 0.0).astype(np.float32)


def gradient_rollout(attention, gradient) -> np.ndarray:
    """Chefer et al. 2021 gradient rollout (module doc): float32 [L, Q, Q], entry l the relevance after
    layer l, computed in float64."""
    relevance = attention_x_gradient(attention, gradient)
    n_l, _, n_q, n_k = relevance.shape
    if n_q != n_k:
        raise ValueError(f"gradient_rollout: attention has {n_q} queries and {n_k} keys; the rollout needs "
                         "self-attention (queries and keys over the same positions).")
    out = np.empty((n_l, n_q, n_q), np.float32)
    r = np.eye(n_q)
    for layer in range(n_l):
        r = r + relevance[layer].astype(np.float64).mean(axis=0) @ r
        out[layer] = r
    return out


def gradient_sections(section: Section, gradients: dict) -> list[Section]:
    """The "attn_grad" and "grad_rollout" sections of the self-attention ``section`` from ``gradients``
    {"attn_grad": [L, H, Q, K], "grad_rollout": [L, Q, K]} over ALL the model's layers and heads, restricted
    to the section's shown layers and heads (real ids)."""
    layers, heads = list(section.layers), list(section.heads)
    kind = KeptArraySource if section.lazy else ArraySource
    per_head = np.ascontiguousarray(np.asarray(gradients["attn_grad"], np.float32)[np.ix_(layers, heads)])
    rolled = np.ascontiguousarray(np.asarray(gradients["grad_rollout"], np.float32)[layers][:, None])
    common = dict(query_tokens=list(section.query_tokens), key_tokens=list(section.key_tokens), same_positions=True,
                  n_layers=section.n_layers, words=section.words, derived_from=section.key,
                  params={"target": str(gradients.get("target_label", "target"))}, causal=section.causal)
    return [
        Section(key="attn_grad", source=kind(per_head, layers, heads), layers=layers, heads=heads,
                n_heads=section.n_heads, derived="attention_x_gradient", **common),
        Section(key="grad_rollout", source=kind(rolled, layers, [0]), layers=layers, heads=[0], n_heads=1,
                derived="gradient_rollout", head_labels=[ROLLOUT_HEAD_LABEL], **common),
    ]

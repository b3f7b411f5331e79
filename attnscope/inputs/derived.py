"""Checks of the arguments of the analyses that derive a section from attention (rollout, attention flow):
their parameters, the ``rollout=`` / ``flow=`` options of the views, and the attention they read, kept
as the caller passed it (no float32 copy of the whole input: the analyses read it a layer at a time).
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from ..data.source import KeptSource
from . import convert

HEAD_FUSIONS = ("mean", "max", "min")
#: the parameters of rollout and flow, with their defaults (Abnar & Zuidema 2020: residual 0.5, mean)
DEFAULTS = {"residual": 0.5, "head_fusion": "mean", "discard_ratio": 0.0}
#: what rollout and flow need from the attention (said when they get cross attention)
SAME_POSITIONS_NEEDED = ("needs queries and keys over the same positions (self-attention: encoder, "
                         "decoder or one stack), because it multiplies layer after layer")


def _number(value, name: str, caller: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{caller}: {name} got {type(value).__name__} {convert.short(value)}; expected a number.")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{caller}: {name} got {value}; expected a finite number.")
    return value


def check_params(residual=0.5, head_fusion="mean", discard_ratio=0.0, caller="rollout") -> dict:
    """{"residual", "head_fusion", "discard_ratio"} checked: residual in [0, 1] (the weight of the identity
    added for the residual connection), head_fusion one of HEAD_FUSIONS, discard_ratio in [0, 1)."""
    residual = _number(residual, "residual", caller)
    if not 0.0 <= residual <= 1.0:
        raise ValueError(f"{caller}: residual got {residual:g}; expected a number in [0, 1] (the weight of the "
                         "identity mixed in for the residual connection; 0.5 in Abnar & Zuidema 2020).")
    if not isinstance(head_fusion, str) or head_fusion not in HEAD_FUSIONS:
        raise ValueError(f"{caller}: head_fusion got {convert.short(head_fusion)}; expected one of "
                         f"{list(HEAD_FUSIONS)} (how the heads of a layer are combined).")
    discard_ratio = _number(discard_ratio, "discard_ratio", caller)
    if not 0.0 <= discard_ratio < 1.0:
        raise ValueError(f"{caller}: discard_ratio got {discard_ratio:g}; expected a number in [0, 1) (the "
                         "fraction of each layer's smallest fused weights set to 0).")
    return {"residual": residual, "head_fusion": head_fusion, "discard_ratio": discard_ratio}


def derived_option(value, name: str):
    """The ``rollout=`` / ``flow=`` option of a view: None when off (False or None), else the checked
    parameters (True: the defaults; a dict of residual, head_fusion, discard_ratio)."""
    if value is None or value is False:
        return None
    if value is True:
        return dict(DEFAULTS)
    if not isinstance(value, dict):
        raise TypeError(f"{name}: got {type(value).__name__} {convert.short(value)}; expected False, True or a "
                        f"dict with some of {list(DEFAULTS)}.")
    unknown = sorted(set(value) - set(DEFAULTS), key=str)
    if unknown:
        raise ValueError(f"{name}: unknown parameters {unknown}; expected some of {list(DEFAULTS)}.")
    return check_params(**{**DEFAULTS, **value}, caller=name)


def attention_source(attention, name: str = "attention", caller: str = "rollout") -> KeptSource:
    """The caller's self-attention as a KeptSource [L, H, Q, K] (nested lists: one numpy copy), after the
    checks made before any weight is read; the weights themselves are checked as they are read."""
    if attention is None:
        raise TypeError(f"{caller}: {name} got None; expected attention weights [layers, heads, queries, keys] "
                        "(what head_view takes) or an Attentions from attnscope.from_model.")
    value = convert.lists_to_array(attention, name)
    shape = convert.peek_attention(value, name)
    if shape[2] != shape[3]:
        raise ValueError(f"{caller}: {name} has {shape[2]} queries and {shape[3]} keys (shape {shape}); "
                         f"{caller} {SAME_POSITIONS_NEEDED}. Cross attention has no rollout.")
    return KeptSource(value, shape, name)


def section_choice(section, available, caller: str = "rollout") -> str:
    """The self-attention section ("self", "encoder" or "decoder") an analysis of an Attentions reads:
    ``section`` checked against the ``available`` keys; None picks "self" when it is there."""
    if section is None:
        if "self" in available:
            return "self"
        raise ValueError(f"{caller}: section missing; this encoder-decoder result has "
                         f"{[k for k in available if k != 'cross']}: pass section='encoder' or section='decoder'.")
    if section == "cross":
        raise ValueError(f"{caller}: section 'cross' is cross attention (decoder queries, encoder keys); "
                         f"{caller} {SAME_POSITIONS_NEEDED}. Pass section='encoder' or section='decoder'.")
    if section not in available:
        raise ValueError(f"{caller}: section got {convert.short(section)}; expected one of "
                         f"{[k for k in available if k != 'cross']}.")
    return section

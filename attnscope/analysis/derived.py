"""Derived sections: rollout and attention flow of each self-attention section, as sections of their own
that travel and are shown like attention (the wire contract of issue 11).

A derived section has the key "rollout" / "flow" (of "self") or "encoder_rollout", "decoder_flow"...,
shape [L, 1, Q, K] where layer slot l holds the rollout (or flow) through the source section's shown
layers up to its l-th (with include_layers, only the included layers are multiplied; with include_heads,
only the included heads are fused), the source's real layer ids, one head slot (real id 0) labelled
"rollout" / "flow", and the source's tokens and words. Cross attention gets none (its queries and keys
are different positions). Eager sections get an ArraySource; lazy ones a KeptArraySource, so the
summary, the fetches and the background statistics serve them as they serve the caller's tensors (the
statistics of their one head are cheap, and computed like any section's).
"""

from __future__ import annotations

from ..data.section import DERIVED_KINDS, Section, derived_key
from ..data.source import ArraySource, KeptArraySource
from .flow import check_flow_size, flow_of
from .rollout import rollout_of

_COMPUTE = {"rollout": rollout_of, "flow": flow_of}


def _name(section: Section) -> str:
    """The argument a section came from, for messages ("attention", "encoder_attention"...)."""
    own = getattr(section.source, "name", None)
    return own or ("attention" if section.key == "self" else f"{section.key}_attention")


def derived_section(section: Section, kind: str, params: dict) -> Section:
    """The ``kind`` ("rollout" or "flow") section of a self-attention section (module doc)."""
    key = derived_key(section.key, kind)
    name = _name(section)
    values = _COMPUTE[kind](section.source, section.layers, section.heads, **params, name=name)[:, None]
    source = (KeptArraySource if section.lazy else ArraySource)(values, section.layers, [0])
    causal = section.vectors.causal if section.vectors is not None else section.causal
    return Section(key=key, source=source, layers=list(section.layers), heads=[0],
                   query_tokens=list(section.query_tokens), key_tokens=list(section.key_tokens),
                   same_positions=True, n_layers=section.n_layers, n_heads=1, words=section.words,
                   derived=kind, derived_from=section.key, params=dict(params), head_labels=[DERIVED_KINDS[kind]],
                   causal=causal, generation=section.generation)


def derived_sections(sections, rollout=None, flow=None) -> list[Section]:
    """The rollout (``rollout``: checked parameters, or None) and flow sections of every self-attention
    section; the flow size limit is checked for every section before anything is computed."""
    asked = [(kind, params) for kind, params in (("rollout", rollout), ("flow", flow)) if params is not None]
    own = [s for s in sections if s.same_positions and s.derived is None]
    if flow is not None:
        for s in own:
            check_flow_size(len(s.layers), len(s.query_tokens), _name(s))
    return [derived_section(s, kind, params) for s in own for kind, params in asked]

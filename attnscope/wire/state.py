"""Sections -> the synced widget state, through one section-to-wire function.

A section on the wire is ``{key, label, layers, heads, query_tokens, key_tokens}`` and either
- eager: ``attention {dtype, shape [L, H, Q, K], buffer}`` (+ ``queries`` [L, H, Q, d] / ``keys``
  [L, H, K, d] float32, ``scale``, ``causal`` with vectors), or
- lazy: ``lazy: true, shape [L, H, Q, K], summary {pooled [L, H, Rq, Rk] float16, stats [L, H, S]
  float32 or None until computed, stat_names}, fetched [saved slices]`` (+ ``head_dim``, ``scale``,
  ``causal`` with vectors; the vectors come with each slice);
and, when known, ``words`` {query, key, query_labels, key_labels} (attnscope.inputs.words). A derived
section (rollout, flow: attnscope.analysis.derived) adds ``derived``, ``derived_from``, ``params``,
``head_labels``, ``same_positions`` and its source's ``causal`` when known. A section may carry ``scores``, its
score table with the labels each head earned (attnscope.wire.scores): a comparison's change scores come with
the section; the head scores of attention from a model are computed after the widget is shown and come in a
"stats" message (attnscope.widget.scoring), or with the state of an offline page. A section whose query tokens a
model generated (attnscope.from_generate: self, decoder, cross and their derived sections) adds
``generation`` {prompt_length: P, generated: [query positions]}: P query positions (the prompt; 1, the start
token, for an encoder-decoder's decoder) came before the first generated token, ``generated`` are the
positions of the generated tokens (increasing, in P..Q-1). A comparison's sections
(attnscope.compare) add ``differing_tokens`` (positions whose tokens differ between the two inputs) and
``same_positions``; their label comes from the comparison (Section.title).
The state holds the STATE_TRAITS of the widget. This module also rebuilds sources from a wire state
(:func:`wire_sources`), so that readers of a saved or restored state read through an AttentionSource.
"""

from __future__ import annotations

import numpy as np

from ..analysis.head_stats import STAT_NAMES
from ..data.section import SAME_POSITIONS, SECTION_LABELS, Section, ordered
from ..data.source import ArraySource
from ..inputs import limits
from ..inputs.options import DEFAULT_VIEW_OPTIONS
from .codec import WIRE_DTYPES, as_float32, to_wire, view
from .messages import saved_slice, slice_bytes, stats_wire
from .scores import scores_of_wire, scores_wire

#: the traits that describe what the views show (what saving and the static picture need)
STATE_TRAITS = ("sections", "sentence_b_start", "layer", "heads", "section", "views", "view_options", "selection")


def section_shape(wire_sec: dict) -> list:
    """[L, H, Q, K] of a wire section: its attention's shape, or ``shape`` for a lazy section."""
    return wire_sec["shape"] if wire_sec.get("lazy") else wire_sec["attention"]["shape"]


def wire_section(section: Section, *, dtype: str = "float16", summary: dict | None = None) -> dict:
    """The wire form of one section (module doc); a lazy section needs its ``summary`` {pooled, stats}.
    Keys keep the order saved notebooks have always had (the state's buffer paths follow it)."""
    out = {"key": section.key, "label": section.label}
    if not section.lazy:
        out["attention"] = to_wire(section.source.array, dtype)
    out.update(layers=[int(i) for i in section.layers], heads=[int(h) for h in section.heads],
               query_tokens=list(section.query_tokens), key_tokens=list(section.key_tokens))
    vec = section.vectors
    if section.lazy:
        out.update(lazy=True, shape=list(section.shape), summary={
            "pooled": to_wire(summary["pooled"], "float16"),
            "stats": None if summary["stats"] is None else stats_wire(summary["stats"]),
            "stat_names": list(STAT_NAMES)}, fetched=[])
        if vec is not None:
            out.update(head_dim=int(vec.queries.shape[3]), scale=float(vec.scale), causal=bool(vec.causal))
    elif vec is not None:
        out.update(queries=to_wire(vec.queries.array, "float32"), keys=to_wire(vec.keys.array, "float32"),
                   scale=float(vec.scale), causal=bool(vec.causal))
    out.update(_analysis_fields(section))
    if section.scores is not None:  # computed with the section (a comparison's change scores)
        out["scores"] = scores_wire(section.scores, with_labels=False)
    return out


def _analysis_fields(section: Section) -> dict:
    """The optional fields of issue 11 (module doc), JSON only (no buffers)."""
    out = {}
    if section.derived is not None:
        out.update(derived=section.derived, derived_from=section.derived_from, params=dict(section.params),
                   same_positions=bool(section.same_positions))
        if section.causal is not None:
            out["causal"] = bool(section.causal)
    if section.head_labels is not None:
        out["head_labels"] = [str(h) for h in section.head_labels]
    if section.words is not None:
        out["words"] = {k: list(v) for k, v in section.words.items()}
    if section.generation is not None:
        out["generation"] = {"prompt_length": int(section.generation["prompt_length"]),
                             "generated": [int(g) for g in section.generation["generated"]]}
    if section.differing_tokens is not None:
        out["differing_tokens"] = [int(p) for p in section.differing_tokens]
    return out


def initial_fetch_limit() -> int:
    """The initially shown layer of a lazy section goes with the state when its slice is at most this many
    bytes."""
    limit = limits.LAZY_ABOVE_BYTES if limits.LAZY_ABOVE_BYTES is not None else 16_000_000
    return limit // 4


def wire_state(sections, *, layer=None, heads=None, sentence_b_start=None, section=None, views=("head",),
               dtype: str = "float16", summaries=None, view_options=None) -> dict:
    """The widget state (STATE_TRAITS but selection) of checked sections. ``summaries``: key -> {pooled,
    stats} for the lazy ones; the shown layer of the first lazy section goes in its ``fetched`` when small.
    ``heads`` None means every head of the shown section; ``view_options`` None the defaults
    (attnscope.inputs.options.DEFAULT_VIEW_OPTIONS)."""
    if dtype not in WIRE_DTYPES:
        raise ValueError(f"dtype: got {dtype!r}; expected one of {sorted(WIRE_DTYPES)}.")
    sections = ordered(sections)
    wire = [wire_section(s, dtype=dtype, summary=(summaries or {}).get(s.key)) for s in sections]
    key = section if section is not None else wire[0]["key"]
    first = next(s for s in sections if s.key == key)
    layer = first.layers[0] if layer is None else layer
    if first.lazy and slice_bytes(first, first.heads) <= initial_fetch_limit():
        next(w for w in wire if w["key"] == key)["fetched"] = [saved_slice(first, layer, first.heads)]
    return {"sections": wire, "section": key, "layer": int(layer),
            "heads": sorted(first.heads) if heads is None else [int(h) for h in heads],
            "sentence_b_start": sentence_b_start, "views": list(views),
            "view_options": dict(DEFAULT_VIEW_OPTIONS if view_options is None else view_options)}


def shown(state: dict) -> tuple[dict, int]:
    """(wire section, real layer) the views show first: the selection's, else the state's."""
    sel = state.get("selection") or {}
    key = sel.get("section", state["section"])
    sec = next(s for s in state["sections"] if s["key"] == key)
    return sec, sel.get("layer", state["layer"] if key == state["section"] else sec["layers"][0])


def with_shown_layer(state: dict, sections: dict) -> dict:
    """A copy of ``state`` whose shown lazy section's ``fetched`` holds exactly the shown layer (all its
    heads), read from ``sections`` (key -> Section), for a saved page or a static picture (the other layers
    are "not saved")."""
    sec, layer = shown(state)
    out = []
    for s in state["sections"]:
        if s.get("lazy") and s["key"] == sec["key"]:
            have = [f for f in s.get("fetched") or [] if f["layer"] == layer and f["heads"] == s["heads"]]
            s = {**s, "fetched": have[:1] or [saved_slice(sections[s["key"]], layer, s["heads"])]}
        out.append(s)
    return {**state, "sections": out}


class WireSource:
    """The weights a lazy wire section carries: its fetched slices (float16), else ``kept`` (the kernel's
    source, when there is one). Reading a layer neither fetched nor kept raises ValueError."""

    kept = True

    def __init__(self, wire_sec: dict, kept=None):
        self._sec, self._kept = wire_sec, kept
        self.shape = tuple(kept.shape) if kept is not None else tuple(wire_sec["shape"])
        self.nbytes = 0

    def is_torch(self, layer: int) -> bool:
        return False

    def read(self, layer: int, heads, out=None):
        rows = [self._head(layer, h) for h in heads]
        arr = np.stack(rows) if rows else np.empty((0,) + self.shape[2:], np.float32)
        if out is None:
            return arr
        out[: len(heads)] = arr
        return out[: len(heads)]

    def _head(self, layer, head):
        for got in self._sec.get("fetched") or []:
            if got["layer"] == layer and head in got["heads"]:
                wire = got["attention"]
                return as_float32(view(wire)[got["heads"].index(head)], wire["dtype"])
        if self._kept is None:
            raise ValueError(f"layer {layer} of the lazy section {self._sec['key']!r} was neither fetched nor given")
        return self._kept.read(layer, [head])[0]


class EagerWireSource(ArraySource):
    """The weights of an eager wire section, decoded (float16 -> float32, what the page draws) a slice at a
    time as they are read."""

    def __init__(self, wire_sec: dict):
        self._wire = wire_sec["attention"]
        super().__init__(view(self._wire), wire_sec["layers"], _heads(wire_sec))

    @property
    def nbytes(self) -> int:
        return int(np.prod(self.shape)) * 4

    def read(self, layer: int, heads, out=None):
        rows = self.array[self._layer_slot[int(layer)]]
        got = as_float32(rows[[self._head_slot[int(h)] for h in heads]], self._wire["dtype"])
        if out is None:
            return got
        out[: len(heads)] = got if not hasattr(out, "numpy") else _torch_of(got)
        return out[: len(heads)]


def _torch_of(a):
    import torch

    return torch.from_numpy(a)


def wire_section_source(wire_sec: dict, kept=None):
    """An AttentionSource over a wire section: eager ones decode their weights as read, lazy ones read
    fetched slices or ``kept``."""
    if wire_sec.get("lazy"):
        return WireSource(wire_sec, kept)
    return EagerWireSource(wire_sec)


def _heads(wire_sec: dict) -> list:
    return list(wire_sec.get("heads", range(section_shape(wire_sec)[1])))


def wire_sections(state: dict, kept: dict | None = None) -> dict:
    """key -> Section rebuilt from a wire state (``kept``: key -> the kernel's source of a lazy section)."""
    out = {}
    for s in state["sections"]:
        n_l, n_h = section_shape(s)[:2]
        out[s["key"]] = Section(key=s["key"], source=wire_section_source(s, (kept or {}).get(s["key"])),
                                layers=list(s["layers"]), heads=_heads(s), query_tokens=list(s["query_tokens"]),
                                key_tokens=list(s["key_tokens"]), same_positions=SAME_POSITIONS[s["key"]],
                                n_layers=max(s["layers"]) + 1, n_heads=max(_heads(s)) + 1, words=s.get("words"),
                                derived=s.get("derived"), derived_from=s.get("derived_from"),
                                params=s.get("params"), head_labels=s.get("head_labels"),
                                generation=s.get("generation"), differing_tokens=s.get("differing_tokens"),
                                # a derived section's own table (change scores); attention's come from its weights
                                scores=scores_of_wire(s.get("scores")) if s.get("derived") else None,
                                title=s["label"] if s["label"] != SECTION_LABELS.get(s["key"]) else None)
        if s.get("same_positions") is not None:
            out[s["key"]].same_positions = bool(s["same_positions"])
    return out


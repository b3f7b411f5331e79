"""Static SVG picture of a widget's initial view, for places that cannot run widgets (GitHub, nbviewer).

Pure Python and numpy, built with xml.etree (every token is XML-escaped text, never markup). The first of
the widget's views that has a picture is drawn (head, else model; a widget of neuron, matrix or text
views only gets the head picture of its shown section): head.py and model.py draw what the widget draws,
with the line rules of lines.py and the constants of render-constants.json. Weights are read through
sources rebuilt from the wire state (eager: the float16 weights the page decodes; lazy: the fetched
slices, else the kernel's kept tensor for the head picture, and the pooled summary for the model picture).
"""

from __future__ import annotations

import warnings

import numpy as np

from ...data.source import ArraySource
from ...wire.codec import as_float32, view
from ...wire.state import shown, wire_sections
from .head import head_svg
from .model import model_svg
from .svg import xml_text

#: the picture stays under this many bytes (UTF-8)
MAX_BYTES = 200_000
#: what the layout aims for: it is saved in the notebook with every display of the widget
TARGET_BYTES = 120_000

__all__ = ["MAX_BYTES", "TARGET_BYTES", "fallback_svg", "render_svg", "xml_text"]


def fallback_svg(state: dict, kept=None) -> str | None:
    """The picture for ``_repr_mimebundle_``, or None (with a warning) if it cannot be drawn."""
    try:
        return render_svg(state, kept)
    except Exception as err:  # noqa: BLE001 - the widget must display even when its picture fails
        warnings.warn(f"attnscope: no static picture for this widget ({type(err).__name__}: {err})",
                      RuntimeWarning, stacklevel=3)
        return None


def render_svg(state: dict, kept=None) -> str:
    """SVG text of the initial view of a widget state; ``kept``: key -> the kernel's source of each lazy
    section (to read a head-view layer that was not fetched)."""
    view_name = next((v for v in state["views"] if v in ("head", "model")), "head")
    wire_sec, layer = shown(state)
    section = wire_sections(state, kept)[wire_sec["key"]]
    sel = dict(state.get("selection") or {})
    own = sel.get("section", state["section"]) == state["section"]
    active = sel.get("heads") or (state.get("heads") if own else None) or section.heads
    head_slots = sorted(section.heads.index(h) for h in active)
    pinned = sel.get("pinned")
    if view_name == "model":
        grid = _grid(wire_sec, section)
        if section.derived == "difference":  # opacity draws a size: the picture says it shows |B - A|
            grid = _Magnitude(grid)
        return model_svg(section, grid, pinned, TARGET_BYTES, MAX_BYTES)
    return head_svg(section, layer, head_slots, pinned, TARGET_BYTES, MAX_BYTES)


def _grid(wire_sec: dict, section):
    """What the model picture reads: the weights, or a lazy section's pooled summary (at most 64 x 64)."""
    if not wire_sec.get("lazy"):
        return section.source
    wire = wire_sec["summary"]["pooled"]
    return ArraySource(as_float32(view(wire), wire["dtype"]), section.layers, section.heads)


class _Magnitude:
    """Reads |values| of a source (a difference's static model picture)."""

    def __init__(self, source):
        self._source = source

    def read(self, layer: int, heads, out=None):
        return np.abs(np.asarray(self._source.read(layer, heads), dtype=np.float32))

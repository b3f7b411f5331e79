"""AttentionWidget: the synced state of linked attention views, built from checked sections.

Arrays travel as ``{"dtype", "shape", "buffer"}`` dicts nested in the ``sections`` trait (attnscope.wire);
ipywidgets pulls every ``memoryview`` out of the state and sends it as a binary frame, so no weight is
ever sent as a JSON number. This class holds every weight (eager mode); LazyAttentionWidget (lazy.py)
keeps the caller's tensors in the kernel and answers the page's fetches.
"""

from __future__ import annotations

import contextlib

from ipywidgets import DOMWidget
from traitlets import Dict, Int, List, TraitError, Unicode, validate

from .._frontend import MODULE_NAME, MODULE_VERSION, VIEW_MIMETYPE, VIEW_MIMETYPE_VERSION
from ..inputs import build, limits
from ..inputs.indices import ids_among
from ..inputs.options import DEFAULT_VIEW_OPTIONS, check_views, view_options_value
from ..output.display import inline_page, resolve_display
from ..output.html import html_document, write_html
from ..output.static_svg import fallback_svg
from ..wire import messages
from ..wire.codec import WIRE_DTYPES
from ..wire.state import STATE_TRAITS, section_shape, wire_state
from . import cells
from . import selection as sel
from .scoring import ScoresMixin


class StateError(TraitError, ValueError):
    """A value set on the widget that does not fit its data (catch it as TraitError or ValueError)."""


class AttentionWidget(ScoresMixin, DOMWidget):
    """Linked head, model and neuron views of transformer attention.

    Build it with :func:`attnscope.head_view`, :func:`attnscope.model_view`, :func:`attnscope.show`,
    :func:`attnscope.neuron_view` or ``from_model(...).show(views=...)``.
    """

    _model_name = Unicode("AttentionModel").tag(sync=True)
    _view_name = Unicode("AttentionView").tag(sync=True)
    _model_module = Unicode(MODULE_NAME).tag(sync=True)
    _view_module = Unicode(MODULE_NAME).tag(sync=True)
    _model_module_version = Unicode(MODULE_VERSION).tag(sync=True)
    _view_module_version = Unicode(MODULE_VERSION).tag(sync=True)

    sections = List(
        Dict(),
        help="One dict per attention kind (self, encoder, decoder, cross): key, label, "
        "attention {dtype, shape [L,H,Q,K], buffer}, layers and heads (real indices), query_tokens, "
        "key_tokens; optional queries [L,H,Q,d] / keys [L,H,K,d] (float32), scale, causal (neuron view). "
        "A lazy section has instead lazy: true, shape [L,H,Q,K], summary {pooled [L,H,Rq,Rk] float16, "
        "stats [L,H,S] float32, stat_names} and fetched [slices] (+ head_dim with vectors). Optional: words "
        "{query, key, query_labels, key_labels}; a rollout/flow section has derived, derived_from, params, "
        "head_labels, same_positions: see attnscope.wire.",
    ).tag(sync=True)
    sentence_b_start = Int(
        None, allow_none=True, help="Index of the first token of sentence B (self section), or None."
    ).tag(sync=True)
    layer = Int(0, help="Real index of the layer shown first; one of the section's layers.").tag(sync=True)
    heads = List(Int(), help="Real head ids active at first, sorted (every head of the section by default). "
                 "Setting [] selects every head too (the form saved notebooks of version 0.1 hold); the "
                 "value read back is then the full list.").tag(sync=True)
    section = Unicode("", help="Key of the section shown first.").tag(sync=True)
    views = List(Unicode(), default_value=["head"],
                 help="Views shown together and linked, in order: 'head', 'model', 'neuron', 'matrix', "
                 "'text'.").tag(sync=True)
    view_options = Dict(
        default_value=dict(DEFAULT_VIEW_OPTIONS),
        help="Drawing options of the matrix and text views: {colormap: None|'viridis'|'blues'|'magma'|'greys', "
        "scale: None|'linear'|'sqrt'|'log', group: 'token'|'word'}; None follows the JupyterLab setting.",
    ).tag(sync=True)
    selection = Dict(
        help="{section, layer, heads, pinned: {side, index} | None, open_head: {layer, head} | None}, "
        "written by the browser on click; set any subset from Python to move the views.",
    ).tag(sync=True)

    # Not a trait: key -> Section of the checked sections the state was built from (empty for a widget made
    # from a raw state: they are then rebuilt from the wire when needed).
    _checked: dict = {}
    # Not a trait: set by show() for the rest of the running cell, so that a widget displayed by
    # head_view() and also returned as the cell's value is not shown twice.
    _shown_in_this_cell = False
    # Not a trait: the notebook cells that displayed this widget (see attnscope.widget.CLOSE_ON_RERUN).
    _display_cells: frozenset = frozenset()

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._checked, self._stats = {}, {}
        self.on_msg(self._on_custom_msg)

    @classmethod
    def from_arrays(cls, sections, *, layer=None, heads=None, sentence_b_start=None,
                    section=None, views=("head",), dtype="float16", **kwargs):
        """Build a widget from checked sections: Section objects, or dicts with "key", "attention" (float32
        ndarray [L,H,Q,K]), "layers" (real index of each of the L slices), "query_tokens", "key_tokens";
        optional "heads" (real index of each slice along axis 1), "queries" [L,H,Q,d] and "keys" [L,H,K,d]
        (sent as float32), "scale", "causal". Weights go as float16 by default (rows sum to 1; ~3
        significant digits). The size limit applies (attnscope.validation.MAX_INPUT_BYTES)."""
        if dtype not in WIRE_DTYPES:
            raise ValueError(f"dtype: got {dtype!r}; expected one of {sorted(WIRE_DTYPES)}.")
        sections = [build.from_dict(s) for s in sections]
        limits.check_size(build.size_parts(sections, WIRE_DTYPES[dtype].itemsize), "AttentionWidget")
        return cls._from_sections(sections, layer=layer, heads=heads, sentence_b_start=sentence_b_start,
                                  section=section, views=views, dtype=dtype, **kwargs)

    @classmethod
    def _from_sections(cls, sections, *, layer=None, heads=None, sentence_b_start=None, section=None,
                       views=("head",), dtype="float16", view_options=None, **kwargs):
        """A widget of sections already checked (size included)."""
        state = wire_state(sections, layer=layer, heads=heads, sentence_b_start=sentence_b_start,
                           section=section, views=views, dtype=dtype, view_options=view_options)
        widget = cls(**state, **kwargs)
        widget._checked = {s.key: s for s in sections}
        widget._start_scores()
        return widget

    @property
    def lazy(self) -> bool:
        """True when the kernel keeps the tensors and the browser fetches (layer, heads) slices (read-only)."""
        return False

    def _section_key(self, section) -> str:
        key = self.section if section is None else section
        if self._section(key) is None:
            raise ValueError(f"section: {key!r} is not one of the sections {[s.get('key') for s in self.sections]}.")
        return key

    def _on_custom_msg(self, _widget, content, buffers):
        self._handle_fetch(content, buffers)

    def _answer(self, content) -> tuple[dict, list]:
        """(reply, buffers) to a custom message: an eager widget has nothing to fetch."""
        return messages.answer(None, content)

    def _handle_fetch(self, content, buffers=None):
        """Answer a custom message from the browser (attnscope.wire.messages); never raises. The head-scores
        job waits meanwhile (StatsJob.paused): the page is waiting for this answer, the scores are not urgent."""
        job = self._stats_job
        with job.paused() if job is not None else contextlib.nullcontext():
            answer = self._answer(content)
        self._send_quietly(answer, "answer a fetch")

    def _section(self, key: str):
        return next((s for s in self.sections if s.get("key") == key), None)

    @validate("section")
    def _check_section(self, proposal):
        key = proposal["value"]
        if self.sections and self._section(key) is None:
            keys = [s.get("key") for s in self.sections]
            raise StateError(f"section: {key!r} is not one of the sections {keys}.")
        return key

    @validate("layer")
    def _check_layer(self, proposal):
        layer, sec = proposal["value"], self._section(self.section)
        if sec is not None and layer not in sec["layers"]:
            raise StateError(f"layer: {layer} is not one of section {sec['key']!r}'s layers {sec['layers']}.")
        return layer

    @validate("heads")
    def _check_heads(self, proposal):
        heads, sec = proposal["value"], self._section(self.section)
        if sec is None:
            return sorted(set(heads))
        real = sec.get("heads", list(range(section_shape(sec)[1])))
        if not heads:  # [] means every head (saved notebooks of version 0.1 hold it)
            return sorted(real)
        try:
            return sorted(set(ids_among(heads, real, "heads", f"section {sec['key']!r}'s heads")))
        except ValueError as err:
            raise StateError(str(err)) from None

    @validate("views")
    def _check_views(self, proposal):
        try:
            return check_views(list(proposal["value"]))
        except ValueError as err:
            raise StateError(str(err)) from None

    @validate("view_options")
    def _check_view_options(self, proposal):
        try:
            return view_options_value(dict(proposal["value"]))
        except ValueError as err:
            raise StateError(str(err)) from None

    @validate("selection")
    def _check_selection(self, proposal):
        try:
            return sel.merge(self.selection, proposal["value"], self.sections, self.section)
        except ValueError as err:
            raise StateError(str(err)) from None

    def _ipython_display_(self):
        if self._shown_in_this_cell:
            return
        from IPython import get_ipython
        from IPython.display import display

        bundle = self._repr_mimebundle_()
        if bundle:
            display(bundle, raw=True)
            cells.tracker.displayed(self, get_ipython())

    def show(self):
        """Display the widget now and return it. If it is also the cell's value, it is not shown twice."""
        self._ipython_display_()
        from IPython import get_ipython

        shell = get_ipython()
        if shell is not None:
            self._shown_in_this_cell = True

            def _cell_done(*_args):
                self._shown_in_this_cell = False
                shell.events.unregister("post_run_cell", _cell_done)

            shell.events.register("post_run_cell", _cell_done)
        return self

    def _state(self) -> dict:
        """The synced traits that describe the views (sections with their buffers, layer, heads, ...)."""
        return {name: getattr(self, name) for name in STATE_TRAITS}

    def _kept_sources(self):
        """key -> the kernel's source of each lazy section (none here)."""
        return None

    def _repr_mimebundle_(self, **kwargs):
        """The widget view, plus a static SVG of the initial view for places that cannot run widgets, plus
        attnscope's own view mimetype (only the model id: the labextension renders it from the live model
        or from the notebook's saved widget state); in the "html" display mode (attnscope.set_display,
        auto in Colab and VS Code) the offline page inline instead."""
        if resolve_display() == "html":
            return {"text/html": inline_page(self.to_html()), "text/plain": _plain(self)}
        data = super()._repr_mimebundle_(**kwargs)
        if data is not None:
            data[VIEW_MIMETYPE] = {"model_id": self.model_id, "version": VIEW_MIMETYPE_VERSION}
            svg = fallback_svg(self._state(), self._kept_sources())
            if svg is not None:
                data["image/svg+xml"] = svg
        return data

    def to_html(self) -> str:
        """One self-contained HTML page of the current views (bundle inlined, data compressed)."""
        return html_document(self._page_state())

    def save_html(self, path):
        """Write :meth:`to_html` to ``path`` (UTF-8); it opens in a browser with no network. Returns the Path."""
        return write_html(path, self._page_state())

    def _saved_state(self) -> dict:
        """The state a saved page holds."""
        return self._state()

    def close(self):
        """Close the widget in the kernel and the browser; the head scores still computing stop."""
        if self._stats_job is not None:
            self._stats_job.cancel()
        super().close()


def _plain(widget) -> str:
    """The text/plain of an inline page: what it shows, for frontends that show only text."""
    wire_sec = widget._section(widget.section)
    dims = " x ".join(str(n) for n in section_shape(wire_sec)) if wire_sec else "?"
    return f"attnscope views ({', '.join(widget.views)}) of {widget.section} attention [{dims}]"

"""AttentionWidget: the synced state of one attention view (contract: /tmp/contract.md).

Arrays travel as ``{"dtype", "shape", "buffer"}`` dicts nested in the ``sections``
trait; ipywidgets pulls every ``memoryview`` out of the state and sends it as a
binary frame, so no weight is ever sent as a JSON number.
"""

from __future__ import annotations

import weakref

from ipywidgets import DOMWidget
from traitlets import Dict, Int, List, TraitError, Unicode, validate

from . import selection as sel
from ._frontend import MODULE_NAME, MODULE_VERSION
from .serialization import to_wire

SECTION_LABELS = {"self": "Attention", "encoder": "Encoder", "decoder": "Decoder", "cross": "Cross"}
SECTION_ORDER = tuple(SECTION_LABELS)
VIEWS = ("head", "model", "neuron")

#: Re-running a notebook cell closes the attnscope widgets that its previous run displayed and this
#: run did not display again: the notebook has cleared that output, and an open widget keeps its
#: data in the kernel and in the browser (ipywidgets closes nothing by itself). A widget also
#: displayed by another cell stays open.
#: Set to False to keep every widget open until ``w.close()``.
CLOSE_ON_RERUN = True


class _CellTracker:
    """Which notebook cell (JupyterLab's cellId) displayed which widgets, to close them on a re-run."""

    def __init__(self):
        self.by_cell: dict[str, list] = {}  # cell id -> weak references to the widgets its last run displayed
        self.previous: list = []  # what the running cell's previous run displayed
        self.running = None  # id of the running cell
        self.shell = None

    def install(self, shell) -> None:
        if shell is None or self.shell is shell:
            return
        shell.events.register("pre_run_cell", self.pre_run_cell)
        shell.events.register("post_run_cell", self.post_run_cell)
        self.shell = shell

    @staticmethod
    def cell_id(shell, info=None):
        cid = getattr(info, "cell_id", None)
        if cid is None:
            try:  # the execute request being handled carries the cell id in its metadata
                cid = (shell.kernel.get_parent().get("metadata") or {}).get("cellId")
            except Exception:  # noqa: BLE001 - no kernel (plain IPython), or an older ipykernel
                return None
        return cid if isinstance(cid, str) and cid else None

    def pre_run_cell(self, info) -> None:
        cid = self.cell_id(self.shell, info)
        self.running = cid
        self.previous = self.by_cell.pop(cid, []) if cid is not None else []

    def post_run_cell(self, *_args) -> None:
        """Closes what the previous run of this cell displayed, unless this run displayed it again."""
        cid, old = self.running, self.previous
        self.running, self.previous = None, []
        if cid is None or not CLOSE_ON_RERUN:
            return
        shown_now = {id(r()) for r in self.by_cell.get(cid, []) if r() is not None}
        for ref in old:
            w = ref()
            if w is not None and id(w) not in shown_now and w.comm is not None and w._display_cells <= {cid}:
                w.close()

    def displayed(self, widget, shell) -> None:
        self.install(shell)
        cid = self.cell_id(shell)
        if cid is None:
            return
        widget._display_cells = widget._display_cells | {cid}
        refs = self.by_cell.setdefault(cid, [])
        if not any(r() is widget for r in refs):
            refs.append(weakref.ref(widget))


_cells = _CellTracker()


class StateError(TraitError, ValueError):
    """A value set on the widget that does not fit its data (catch it as TraitError or ValueError)."""


class AttentionWidget(DOMWidget):
    """Linked head, model and neuron views of transformer attention.

    Build it with :func:`attnscope.head_view`, :func:`attnscope.model_view`,
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
        "stats [L,H,S] float32, stat_names} and fetched [slices] (+ head_dim with vectors): see attnscope.lazy.",
    ).tag(sync=True)
    sentence_b_start = Int(
        None, allow_none=True, help="Index of the first token of sentence B (self section), or None."
    ).tag(sync=True)
    layer = Int(0, help="Real index of the layer shown first; one of the section's layers.").tag(sync=True)
    heads = List(Int(), help="Real head ids active at first, sorted; an empty list means all.").tag(sync=True)
    section = Unicode("", help="Key of the section shown first.").tag(sync=True)
    views = List(Unicode(), default_value=["head"],
                 help="Views shown together and linked, in order: 'head', 'model', 'neuron'.").tag(sync=True)
    selection = Dict(
        help="{section, layer, heads, pinned: {side, index} | None, open_head: {layer, head} | None}, "
        "written by the browser on click; set any subset from Python to move the views.",
    ).tag(sync=True)

    # Not a trait: the kept tensors of a lazy widget (attnscope.fetch.LazyStore), None when eager.
    _lazy_store = None
    # Not a trait: the thread computing a lazy widget's head statistics (attnscope.stats_job), or None.
    _stats_job = None

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.on_msg(self._on_custom_msg)

    @classmethod
    def _from_lazy(cls, state: dict, store, **kwargs):
        """A lazy widget: ``state`` from attnscope.lazy.lazy_state, ``store`` answers the browser's fetches."""
        widget = cls(**state, **kwargs)
        widget._lazy_store = store
        pending = [sec["key"] for sec in widget.sections if sec.get("lazy") and sec["summary"].get("stats") is None]
        if pending:
            from .stats_job import StatsJob

            widget._stats_job = StatsJob(store, pending, widget._stats_ready).start()
        return widget

    def _stats_ready(self, key: str, stats) -> None:
        """(stats thread) Keep a section's statistics in its state and send them to the page."""
        from .serialization import to_wire
        from .summary import STAT_NAMES

        wire = to_wire(stats, "float32")
        sec = self._section(key)
        if sec is None:
            return
        sec["summary"]["stats"] = wire  # in place: a later save_html or static picture carries them
        if self.comm is None:
            return
        msg = {"type": "stats", "section": key, "stat_names": list(STAT_NAMES),
               "stats": {"dtype": wire["dtype"], "shape": wire["shape"], "buffer": 0}}
        try:
            self.send(msg, [wire["buffer"]])
        except Exception as err:  # noqa: BLE001 - the kernel carries on without them
            if self.comm is None or getattr(self.comm, "_closed", False):
                return  # closed meanwhile (w.close(), a re-run cell): nobody to tell
            import warnings

            warnings.warn(f"attnscope: could not send the head statistics ({type(err).__name__}: {err})",
                          RuntimeWarning, stacklevel=2)

    def head_statistics(self, section: str | None = None, timeout: float | None = None) -> dict:
        """Per-head statistics of a lazy widget: ``{name: float32 array [layers, heads]}`` for the names of
        attnscope.summary.STAT_NAMES (entropy in nats, max, first-token weight, previous-token weight,
        mean distance), rows and columns in the order of the section's real ``layers`` and ``heads``.
        They are computed after the widget is shown; this waits for them (at most ``timeout`` s)."""
        from .serialization import from_wire
        from .summary import STAT_NAMES

        key = self.section if section is None else section
        sec = self._section(key)
        if sec is None:
            raise ValueError(f"section: {key!r} is not one of the sections {[s.get('key') for s in self.sections]}.")
        if not sec.get("lazy"):
            raise ValueError(f"head_statistics: section {key!r} is eager (sent whole); the per-head statistics "
                             "are part of a lazy widget's summary. Pass lazy=True to the view to get them.")
        job = self._stats_job
        if sec["summary"].get("stats") is None and job is not None and not job.wait(timeout):
            raise TimeoutError(f"head_statistics: still computing after {timeout} s; call it again later.")
        if sec["summary"].get("stats") is None:
            why = f": {job.error}" if job is not None and job.error is not None else " (the widget was closed)"
            raise RuntimeError(f"head_statistics: no statistics for section {key!r}{why}.")
        stats = from_wire(sec["summary"]["stats"])
        return {name: stats[..., i] for i, name in enumerate(STAT_NAMES)}

    @property
    def lazy(self) -> bool:
        """True when the kernel keeps the tensors and the browser fetches (layer, heads) slices (read-only)."""
        return self._lazy_store is not None

    def _on_custom_msg(self, _widget, content, buffers):
        self._handle_fetch(content, buffers)

    def _handle_fetch(self, content, buffers=None):
        """Answer a fetch from the browser with the slice (or an error reply); never raises (attnscope.fetch)."""
        from .fetch import answer

        reply, out = answer(self._lazy_store, content)
        try:
            self.send(reply, out)
        except Exception as err:  # noqa: BLE001 - e.g. the comm was closed meanwhile; the kernel carries on
            import warnings

            warnings.warn(f"attnscope: could not answer a fetch ({type(err).__name__}: {err})", RuntimeWarning,
                          stacklevel=2)

    def close(self):
        """Close the widget in the kernel and the browser, and let go of the tensors a lazy widget keeps."""
        self._lazy_store = None
        if self._stats_job is not None:
            self._stats_job.cancel()
        super().close()

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
        if sec is not None:
            real = sec.get("heads", list(range(section_shape(sec)[1])))
            bad = [h for h in heads if h not in real]
            if bad:
                raise StateError(f"heads: {bad} not among section {sec['key']!r}'s heads {real}.")
        return sorted(set(heads))

    @validate("views")
    def _check_views(self, proposal):
        views = proposal["value"]
        bad = [v for v in views if v not in VIEWS]
        if bad:
            raise StateError(f"views: {bad} unknown; expected some of {list(VIEWS)}.")
        if not views or len(set(views)) != len(views):
            raise StateError(f"views: got {list(views)}; expected a non-empty list naming each view once.")
        return views

    @validate("selection")
    def _check_selection(self, proposal):
        try:
            return sel.merge(self.selection, proposal["value"], self.sections, self.section)
        except ValueError as err:
            raise StateError(str(err)) from None

    # Not a trait: set by show() for the rest of the running cell, so that a widget displayed by
    # head_view() and also returned as the cell's value is not shown twice.
    _shown_in_this_cell = False
    # Not a trait: the notebook cells that displayed this widget (see CLOSE_ON_RERUN).
    _display_cells: frozenset = frozenset()

    def _ipython_display_(self):
        if self._shown_in_this_cell:
            return
        from IPython import get_ipython
        from IPython.display import display

        bundle = self._repr_mimebundle_()
        if bundle:
            display(bundle, raw=True)
            _cells.displayed(self, get_ipython())

    def show(self):
        """Display the widget now and return it. If it is also the cell's value, it is not shown twice."""
        self._ipython_display_()
        try:
            from IPython import get_ipython
        except ImportError:  # pragma: no cover - IPython comes with ipywidgets
            return self
        shell = get_ipython()
        if shell is not None:
            self._shown_in_this_cell = True

            def _cell_done(*_args):
                self._shown_in_this_cell = False
                shell.events.unregister("post_run_cell", _cell_done)

            shell.events.register("post_run_cell", _cell_done)
        return self

    @classmethod
    def from_arrays(cls, sections, *, layer=None, heads=(), sentence_b_start=None,
                    section=None, views=("head",), dtype="float16", **kwargs):
        """Build a widget from validated sections.

        ``sections``: dicts with "key", "attention" (float32 ndarray [L,H,Q,K]),
        "layers" (real index of each of the L slices), "query_tokens", "key_tokens".
        Optional: "heads" (real index of each slice along axis 1), "queries" [L,H,Q,d] and
        "keys" [L,H,K,d] (sent as float32), "scale", "causal".
        Weights go as float16 by default (rows sum to 1; ~3 significant digits).
        """
        return cls(**wire_state(sections, layer=layer, heads=heads, sentence_b_start=sentence_b_start,
                                section=section, views=views, dtype=dtype), **kwargs)

    def _state(self) -> dict:
        """The synced traits that describe the views (sections with their buffers, layer, heads, ...)."""
        return {name: getattr(self, name) for name in STATE_TRAITS}

    def _repr_mimebundle_(self, **kwargs):
        """The widget view, plus a static SVG of the initial view for places that cannot run widgets."""
        data = super()._repr_mimebundle_(**kwargs)
        if data is not None:
            from .fallback import fallback_svg

            svg = fallback_svg(self._state(), self._lazy_store.floats if self.lazy else None)
            if svg is not None:
                data["image/svg+xml"] = svg
        return data

    def to_html(self) -> str:
        """One self-contained HTML page of the current views (bundle inlined, data compressed)."""
        from .export import html_document

        return html_document(self._saved_state())

    def save_html(self, path):
        """Write :meth:`to_html` to ``path`` (UTF-8); it opens in a browser with no network. Returns the Path."""
        from .export import write_html

        return write_html(path, self._saved_state())

    def _saved_state(self) -> dict:
        """The state a saved page holds: a lazy widget's shown layer goes with it (the others are not saved)."""
        if not self.lazy:
            return self._state()
        from .lazy import with_shown_layer

        return with_shown_layer(self._state(), self._lazy_store)


def section_shape(sec: dict) -> list:
    """[L, H, Q, K] of a wire section: its attention's shape, or ``shape`` for a lazy section."""
    return sec["shape"] if sec.get("lazy") else sec["attention"]["shape"]


#: the traits that describe what the views show (what saving and the static picture need)
STATE_TRAITS = ("sections", "sentence_b_start", "layer", "heads", "section", "views", "selection")


def wire_state(sections, *, layer=None, heads=(), sentence_b_start=None, section=None, views=("head",),
               dtype="float16") -> dict:
    """The widget state (STATE_TRAITS) for validated sections, without building a widget (see from_arrays)."""
    from .sections import check_size
    from .serialization import WIRE_DTYPES

    if dtype not in WIRE_DTYPES:
        raise ValueError(f"dtype: got {dtype!r}; expected one of {sorted(WIRE_DTYPES)}.")
    check_size(sections, "AttentionWidget", WIRE_DTYPES[dtype].itemsize)  # before any byte is converted
    wire = [_wire_section(s, dtype) for s in sorted(sections, key=lambda s: SECTION_ORDER.index(s["key"]))]
    section = section if section is not None else wire[0]["key"]
    first = next(s for s in wire if s["key"] == section)
    return {
        "sections": wire,
        "section": section,
        "layer": first["layers"][0] if layer is None else layer,
        "heads": list(heads),
        "sentence_b_start": sentence_b_start,
        "views": list(views),
    }


def _wire_section(sec: dict, dtype: str) -> dict:
    key = sec["key"]
    att = sec["attention"]
    if key not in SECTION_LABELS:
        raise ValueError(f"section key {key!r} unknown; expected one of {list(SECTION_LABELS)}.")
    if len(sec["layers"]) != att.shape[0]:
        raise ValueError(f"section {key!r}: {len(sec['layers'])} layer indices for {att.shape[0]} layers.")
    if (len(sec["query_tokens"]), len(sec["key_tokens"])) != tuple(att.shape[2:]):
        raise ValueError(f"section {key!r}: token counts do not match attention shape {att.shape}.")
    heads = [int(h) for h in sec.get("heads", range(att.shape[1]))]
    if len(heads) != att.shape[1]:
        raise ValueError(f"section {key!r}: {len(heads)} head indices for {att.shape[1]} heads.")
    out = {
        "key": key,
        "label": SECTION_LABELS[key],
        "attention": to_wire(att, dtype),
        "layers": [int(i) for i in sec["layers"]],
        "heads": heads,
        "query_tokens": list(sec["query_tokens"]),
        "key_tokens": list(sec["key_tokens"]),
    }
    if sec.get("queries") is not None or sec.get("keys") is not None:
        q, k = sec["queries"], sec["keys"]
        L, H, Q, K = att.shape
        if q.ndim != 4 or q.shape[:3] != (L, H, Q) or k.shape != (L, H, K, q.shape[3]):
            raise ValueError(f"section {key!r}: queries {q.shape} / keys {k.shape} do not fit attention "
                             f"{att.shape}; expected [{L}, {H}, {Q}, d] and [{L}, {H}, {K}, d].")
        out.update(queries=to_wire(q, "float32"), keys=to_wire(k, "float32"),
                   scale=float(sec["scale"]), causal=bool(sec.get("causal", False)))
    return out

"""Lazy mode: the weights are checked and summarised layer by layer; the widget state carries the summary.

summarize(sections): for each lazy section (attnscope.sections.build with lazy) read the shown
(layer, heads) in blocks of a few heads as float32 (torch ops for torch inputs, and for numpy ones
when torch is loaded: TORCH_FOR_NUMPY), raise the errors
eager validation raises (same messages: non-finite, negative, with real layer/head ids; the row-sum
warning names the worst row over every layer), and keep the pooled heads and statistics
(attnscope.summary). Kernel memory: two float32 blocks of heads, at most BLOCK_BYTES each and at
most 2.5% of the kept weights each, plus the |q - k| matrix and the summary: never a whole copy.

lazy_state(...): the widget state (STATE_TRAITS) of lazy sections, each ``{key, label, layers, heads,
query_tokens, key_tokens, lazy: true, shape [L, H, Q, K], summary {pooled, stats, stat_names},
fetched [...]}`` (+ head_dim, scale, causal with query/key vectors), and the LazyStore that answers
the browser's fetches (attnscope.fetch).
"""

from __future__ import annotations

import sys

import numpy as np

from . import validation as v
from .fetch import LazyStore
from .serialization import to_wire
from .summary import STAT_NAMES, Summarizer
from .widget import SECTION_LABELS, SECTION_ORDER

#: largest float32 block of heads read at once (there are two: the weights and a scratch buffer)
BLOCK_BYTES = 32_000_000

#: numpy weights are summarised with torch too when torch is already imported (several times faster:
#: float16 conversion and the elementwise work on every core); False keeps them on numpy
TORCH_FOR_NUMPY = True


#: the per-head statistics are computed after the widget is shown, in a thread (StatsJob), and reach the
#: page in a "stats" message: at 32 x 32 heads x 2,048 tokens they cost 3-4x what the checks and the
#: pooled heads cost, and the model view paints from the pooled heads alone. False computes them in the cell.
STATS_IN_BACKGROUND = True


def summarize(sections, stats: bool | None = None) -> None:
    """Check the shown weights of every lazy section and add its "summary" {pooled, stats} (module doc).
    stats (default: not STATS_IN_BACKGROUND): compute the statistics now; else summary["stats"] is None
    until :func:`head_stats` (a StatsJob) fills it in."""
    if stats is None:
        stats = not STATS_IN_BACKGROUND
    for s in sections:
        if s.get("lazy"):
            s["summary"] = _summarize(s["attention"], s["layers"], s["heads"], same=s["key"] != "cross", stats=stats)
            for name in ("queries", "keys"):
                if s.get(name) is not None:
                    _check_vectors(s[name], s["layers"], s["heads"])


def head_stats(kept, layers, heads, same: bool, cancelled=lambda: False):
    """float32 [layers, heads, len(STAT_NAMES)] statistics of the checked kept weights of a lazy section
    (read again, a block of heads at a time, in the memory bound of the module doc; ``same``: queries
    and keys are the same positions, not cross-attention); None when ``cancelled()`` turns true."""
    _, _, n_q, n_k = kept.shape
    summarizer = Summarizer(n_q, n_k, same)
    out = np.empty((len(layers), len(heads), len(STAT_NAMES)), np.float32)
    for i, j, _layer, block, w in _blocks(kept, layers, heads):
        if cancelled():
            return None
        out[i, j:j + len(block)] = summarizer.stats(w)
    return out


def _blocks(kept, layers, heads):
    """(layer slot, first head slot, layer, heads, float32 weights) of the kept weights, a block of heads at a
    time, read into one reused buffer per engine (the memory bound of the module doc)."""
    _, _, n_q, n_k = kept.shape
    step = _block_heads(kept, len(heads))
    buffers = {}
    for i, layer in enumerate(layers):
        torch_layer = kept.is_torch(layer) or (TORCH_FOR_NUMPY and "torch" in sys.modules)
        if torch_layer not in buffers:
            buffers[torch_layer] = _buffer(torch_layer, (step, n_q, n_k))
        for j in range(0, len(heads), step):
            block = heads[j:j + step]
            yield i, j, layer, block, kept.read(layer, block, buffers[torch_layer])


def _block_heads(kept, n_heads: int) -> int:
    _, _, n_q, n_k = kept.shape
    budget = min(BLOCK_BYTES, kept.nbytes // 40)
    return max(1, min(n_heads, budget // (n_q * n_k * 4)))


def _summarize(kept, layers, heads, same: bool, stats: bool = True) -> dict:
    _, _, n_q, n_k = kept.shape
    summarizer = Summarizer(n_q, n_k, same)
    pooled = np.empty((len(layers), len(heads), summarizer.r_q, summarizer.r_k), np.float32)
    all_stats = np.empty((len(layers), len(heads), len(STAT_NAMES)), np.float32) if stats else None
    rows = _RowSums()
    negative = None  # raised after every layer was checked for non-finite weights, as eager does
    for i, j, layer, block, w in _blocks(kept, layers, heads):
        b = summarizer(w, stats=stats)
        if not (np.isfinite(b.lo) and np.isfinite(b.hi)):
            raise v.nonfinite_error(kept.name, *_first(w, ~np.isfinite(_numpy(w)), layer, block))
        if b.lo < 0:
            negative = negative or v.negative_error(kept.name, *_first(w, _numpy(w) < 0, layer, block))
            continue
        pooled[i, j:j + len(block)] = b.pooled
        if stats:
            all_stats[i, j:j + len(block)] = b.stats
        rows.add(b.row_sums, layer, block)
    if negative is not None:
        raise negative
    rows.warn(kept.name, len(layers) * len(heads) * n_q)
    return {"pooled": pooled, "stats": all_stats}


def _buffer(torch_layer: bool, shape):
    if torch_layer:
        return v._torch().empty(shape, dtype=v._torch().float32)
    return np.empty(shape, np.float32)


def _numpy(w) -> np.ndarray:
    return w.numpy() if v._is_torch(w) else w


def _first(w, mask, layer, block):
    """(value, layer, head, query, key) of the first True of mask [n, Q, K] (real ids)."""
    i, q, k = (int(x) for x in np.argwhere(mask)[0])
    return _numpy(w)[i, q, k], layer, block[i], q, k


class _RowSums:
    """Rows whose weights do not sum to 1, over every block: how many, and the worst one."""

    def __init__(self):
        self.n_bad, self.worst_dev, self.worst, self.worst_sum = 0, -1.0, None, 0.0

    def add(self, sums: np.ndarray, layer, block) -> None:
        dev = np.abs(sums - 1.0)
        self.n_bad += int((dev > v.ROW_SUM_TOLERANCE).sum())
        i, q = np.unravel_index(int(np.argmax(dev)), dev.shape)
        if dev[i, q] > self.worst_dev:
            self.worst_dev, self.worst, self.worst_sum = float(dev[i, q]), (layer, block[i], int(q)), sums[i, q]

    def warn(self, name: str, n_rows: int) -> None:
        if self.worst_dev > v.ROW_SUM_TOLERANCE:
            v.warn_row_sums(name, self.n_bad, n_rows, self.worst, float(self.worst_sum), stacklevel=5)


def _check_vectors(kept, layers, heads) -> None:
    for layer in layers:
        if not np.isfinite(kept.floats(layer, heads)).all():
            raise ValueError(f"{kept.name}: contains inf or nan; check the model's dtype.")


def initial_fetch_limit() -> int:
    """The initially shown layer goes with the state when its slice is at most this many bytes."""
    limit = v.LAZY_ABOVE_BYTES if v.LAZY_ABOVE_BYTES is not None else 16_000_000
    return limit // 4


def lazy_state(sections, *, layer, heads=(), sentence_b_start=None, views=("head",)):
    """(widget state, LazyStore) for checked lazy sections (see the module doc); ``layer`` is the REAL layer
    shown first in the first section, whose slice (all shown heads) goes in ``fetched`` when it is small."""
    sections = sorted(sections, key=lambda s: SECTION_ORDER.index(s["key"]))
    store = LazyStore(sections)
    wire = [_wire_section(s) for s in sections]
    first = wire[0]
    if store.slice_bytes(first["key"], first["heads"]) <= initial_fetch_limit():
        first["fetched"] = [store.payload(first["key"], layer, first["heads"])]
    state = {"sections": wire, "section": first["key"], "layer": layer, "heads": list(heads),
             "sentence_b_start": sentence_b_start, "views": list(views)}
    return state, store


def _wire_section(sec: dict) -> dict:
    L, H, Q, K = len(sec["layers"]), len(sec["heads"]), *sec["attention"].shape[2:]
    summary = sec["summary"]
    out = {
        "key": sec["key"],
        "label": SECTION_LABELS[sec["key"]],
        "layers": [int(i) for i in sec["layers"]],
        "heads": [int(h) for h in sec["heads"]],
        "query_tokens": list(sec["query_tokens"]),
        "key_tokens": list(sec["key_tokens"]),
        "lazy": True,
        "shape": [L, H, Q, K],
        "summary": {"pooled": to_wire(summary["pooled"], "float16"),
                    "stats": None if summary["stats"] is None else to_wire(summary["stats"], "float32"),
                    "stat_names": list(STAT_NAMES)},
        "fetched": [],
    }
    if sec.get("queries") is not None:
        out.update(head_dim=int(sec["queries"].shape[3]), scale=float(sec["scale"]), causal=bool(sec["causal"]))
    return out


def with_shown_layer(state: dict, store: LazyStore) -> dict:
    """A copy of ``state`` whose shown lazy section's ``fetched`` holds exactly the shown layer (all its heads),
    for a saved page or a static picture (the other layers are "not saved")."""
    sel = state.get("selection") or {}
    key = sel.get("section", state["section"])
    sections = []
    for s in state["sections"]:
        if s.get("lazy") and s["key"] == key:
            layer = sel.get("layer", state["layer"] if key == state["section"] else s["layers"][0])
            have = [f for f in s.get("fetched") or [] if f["layer"] == layer and f["heads"] == s["heads"]]
            s = {**s, "fetched": have[:1] or [store.payload(key, layer, s["heads"])]}
        sections.append(s)
    return {**state, "sections": sections}

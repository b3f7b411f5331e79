"""Static SVG picture of a widget's initial view, for places that cannot run widgets (GitHub, nbviewer).

Pure Python and numpy, built with xml.etree (every token is XML-escaped text, never markup).
- head view (and neuron-only widgets): query tokens left, key tokens right, one line per
  (active head, query, key) of the shown layer, stroke-opacity = weight / active heads; lines
  under 1/255 are skipped and only the strongest are kept so the file stays under MAX_BYTES
  (the caption says so when lines were left out). A pinned token keeps only its lines.
- model view: the layers x heads grid, each head a mean-pooled heatmap (opacity sqrt(v / max),
  as the widget's thumbnails), at the resolution that fits MAX_BYTES.

Characters XML 1.0 forbids cannot appear in the picture: C0 control characters (and tab, line
feed, carriage return, DEL, which would be invisible) become the visible symbols of Unicode's
Control Pictures block (U+0000 -> U+2400 '␀', ..., U+001F -> U+241F, DEL -> U+2421 '␡');
lone surrogates, U+FFFE and U+FFFF become U+FFFD.
"""

from __future__ import annotations

import math
import warnings
import xml.etree.ElementTree as ET

import numpy as np

from .serialization import WIRE_DTYPES
from .summary import pool as _pool
from .widget import section_shape

#: the picture stays under this many bytes (UTF-8)
MAX_BYTES = 200_000
#: what the layout aims for: it is saved in the notebook with every display of the widget
TARGET_BYTES = 120_000

#: BASE_HEAD_COLORS of src/render/palette.ts (head slot i gets colour i; more than 64 heads repeat)
HEAD_COLORS = (
    "#1f77b4", "#e17800", "#00a52d", "#e10f96", "#78694b", "#784bd2", "#00a596", "#d21e3c",
    "#969600", "#b478b4", "#d27878", "#4b87ff", "#3c783c", "#8796a5", "#875a00", "#e15ae1",
    "#a53c69", "#b44b1e", "#1e6978", "#ff4b87", "#875a69", "#695aa5", "#a53c96", "#5a6900",
    "#00a569", "#69a500", "#b478e1", "#789678", "#c3875a", "#2d7800", "#b43c4b", "#f05a2d",
    "#96964b", "#c3871e", "#1e5ae1", "#e169b4", "#f0695a", "#7878a5", "#0096b4", "#965a4b",
    "#c30f69", "#696969", "#1e69c3", "#5aa54b", "#00785a", "#b40fa5", "#0096f0", "#963cb4",
    "#b48787", "#8787e1", "#c37896", "#5a9696", "#8778f0", "#4b694b", "#78962d", "#874b87",
    "#6996c3", "#a587a5", "#87780f", "#e1783c", "#4b5ac3", "#96783c", "#e16987", "#69692d",
)

MIN_ALPHA = 1 / 255
MAX_TOKEN_CHARS = 40
ROW = 16  # px per token row in the head picture
FONT = "12px"
TEXT_COLOR = "#222222"
MUTED = "#666666"
SVG_NS = "http://www.w3.org/2000/svg"

_XML_SAFE = {c: 0x2400 + c for c in range(0x20)}
_XML_SAFE[0x7F] = 0x2421
_XML_SAFE.update({c: 0xFFFD for c in (*range(0xD800, 0xE000), 0xFFFE, 0xFFFF)})


def xml_text(text: str) -> str:
    """``text`` with every character XML 1.0 forbids (and invisible controls) made visible (module doc)."""
    return str(text).translate(_XML_SAFE)


def head_color(slot: int) -> str:
    return HEAD_COLORS[slot % len(HEAD_COLORS)]


def fallback_svg(state: dict, slices=None) -> str | None:
    """The picture for ``_repr_mimebundle_``, or None (with a warning) if it cannot be drawn."""
    try:
        return render_svg(state) if slices is None else render_svg(state, slices)
    except Exception as err:  # noqa: BLE001 - the widget must display even when its picture fails
        warnings.warn(f"attnscope: no static picture for this widget ({type(err).__name__}: {err})",
                      RuntimeWarning, stacklevel=3)
        return None


def render_svg(state: dict, slices=None) -> str:
    """SVG text of the first of the widget's views that has a picture (head, else model; neuron -> head).

    A lazy section is drawn from its summary (model) or from the shown layer's slice (head): from its
    ``fetched`` slices, else from ``slices(section_key, layer, [head]) -> float32 [1, Q, K]`` (the kept tensor).
    """
    view = next((v for v in state["views"] if v in ("head", "model")), "head")
    shown = _initial(state)
    if view == "model":
        return _model_svg(state, **shown)
    return _head_svg(state, **shown, head_weights=_head_weights(shown["sec"], shown["layer_slot"], slices))


def _initial(state: dict) -> dict:
    """Section, layer slot, active head slots and pinned token the views open with."""
    sel = dict(state.get("selection") or {})
    key = sel.get("section", state["section"])
    sec = next(s for s in state["sections"] if s["key"] == key)
    same = key == state["section"]
    layers = list(sec["layers"])
    heads = list(sec.get("heads", range(section_shape(sec)[1])))
    layer = sel.get("layer", state["layer"] if same else layers[0])
    active = sel.get("heads") or (state.get("heads") if same else None) or heads
    return {"sec": sec, "layer_slot": layers.index(layer), "head_slots": sorted(heads.index(h) for h in active),
            "pinned": sel.get("pinned")}


def _weights(wire: dict) -> np.ndarray:
    """Zero-copy view of a wire array's buffer (float16/float32/uint8), shaped."""
    dtype = WIRE_DTYPES[wire["dtype"]]
    return np.frombuffer(memoryview(wire["buffer"]).cast("B"), dtype=dtype).reshape(wire["shape"])


_F16_TABLE = np.arange(1 << 16, dtype=np.uint32).astype(np.uint16).view(np.float16).astype(np.float32)


def _as_float(a: np.ndarray, wire_dtype: str) -> np.ndarray:
    """float32 values of a slice of wire data (uint8 -> value / 255).

    float16 goes through a 65536-entry table: numpy's own conversion is ~5x slower on subnormal
    float16, which most weights of long inputs are (below 6.1e-5)."""
    if wire_dtype == "float16":
        return _F16_TABLE[a.view(np.uint16)]
    out = a.astype(np.float32)
    return out / 255.0 if wire_dtype == "uint8" else out


def _num(x: float) -> str:
    """Short decimal for an attribute: 0.1234 -> '0.123', 12.0 -> '12'."""
    s = f"{x:.3f}".rstrip("0").rstrip(".")
    return s or "0"


def _short_token(t: str) -> str:
    t = xml_text(t)
    return t if len(t) <= MAX_TOKEN_CHARS else t[: MAX_TOKEN_CHARS - 1] + "…"


def _svg(width: float, height: float, caption: list[str]) -> ET.Element:
    """The root element, white background and caption lines (the picture widens to fit them)."""
    width = max(width, 16 + 7 * max(len(line) for line in caption))
    root = ET.Element("svg", {"xmlns": SVG_NS, "width": _num(width), "height": _num(height),
                              "viewBox": f"0 0 {_num(width)} {_num(height)}", "font-family": "sans-serif",
                              "font-size": FONT})
    ET.SubElement(root, "rect", {"width": "100%", "height": "100%", "fill": "#ffffff"})
    for i, line in enumerate(caption):
        _text(root, 8, 16 + 16 * i, xml_text(line), fill=TEXT_COLOR if i == 0 else MUTED)
    return root


def _text(parent, x, y, text, **attrs) -> ET.Element:
    el = ET.SubElement(parent, "text", {"x": _num(x), "y": _num(y), **attrs})
    el.text = text
    return el


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _serialize(root: ET.Element) -> str:
    return ET.tostring(root, encoding="unicode")


# ---------------------------------------------------------------------------------------------- head


def _head_weights(sec, layer_slot, slices):
    """head slot -> float32 [Q, K] of the shown layer: from the wire (eager), else a fetched slice or the kernel."""
    if not sec.get("lazy"):
        wire = sec["attention"]
        return lambda slot: _as_float(_weights(wire)[layer_slot][slot], wire["dtype"])
    layer, heads = sec["layers"][layer_slot], list(sec["heads"])

    def weights(slot):
        for got in sec.get("fetched") or []:
            if got["layer"] == layer and heads[slot] in got["heads"]:
                wire = got["attention"]
                return _as_float(_weights(wire)[got["heads"].index(heads[slot])], wire["dtype"])
        if slices is None:
            raise ValueError(f"layer {layer} of the lazy section {sec['key']!r} was neither fetched nor given")
        return slices(sec["key"], layer, [heads[slot]])[0]

    return weights


#: the head picture never draws more lines than this (see _head_svg), so only so many are kept per head
_KEEP_LINES = TARGET_BYTES // 52


def _strongest(alpha: np.ndarray, threshold, keep: int):
    """(how many alpha >= threshold, flat indices in order of the ``keep`` largest of them, ties by index)."""
    flat = alpha.reshape(-1)
    visible = flat[flat >= threshold]
    count = visible.size
    if count <= keep:
        return count, np.flatnonzero(flat >= threshold)
    visible.partition(count - keep)
    kth = visible[count - keep]  # the keep-th largest visible alpha
    del visible
    above = np.flatnonzero(flat > kth)
    ties = np.flatnonzero(flat == kth)[: keep - above.size]
    return count, np.sort(np.concatenate([above, ties]))


def _head_lines(head_weights, head_slots, pinned):
    """(head slot, query, key, alpha) arrays of the strongest visible lines, strongest first (ties: head
    slot, query, key), and how many lines are visible in all. One head is converted at a time."""
    threshold = MIN_ALPHA if pinned is None else np.finfo(np.float32).tiny
    found, total = [], 0
    for slot in head_slots:
        alpha = head_weights(slot)  # a new float32 array
        alpha /= max(1, len(head_slots))
        if pinned is not None:  # as the widget: only the pinned token's lines, every non-zero one
            mask = np.zeros(alpha.shape, dtype=bool)
            if pinned["side"] == "query":
                mask[pinned["index"], :] = True
            else:
                mask[:, pinned["index"]] = True
            alpha = np.where(mask, alpha, 0)
        count, idx = _strongest(alpha, threshold, _KEEP_LINES)
        total += count
        q, k = np.divmod(idx, alpha.shape[1])
        found.append((np.full(idx.size, slot), q, k, alpha.reshape(-1)[idx]))
    h, q, k, a = (np.concatenate(parts) for parts in zip(*found))
    order = np.argsort(-a, kind="stable")
    return h[order], q[order], k[order], a[order], total


def _head_svg(state, sec, layer_slot, head_slots, pinned, head_weights) -> str:
    qt = [_short_token(t) for t in sec["query_tokens"]]
    kt = [_short_token(t) for t in sec["key_tokens"]]
    hs, qs, ks, alphas, total = _head_lines(head_weights, head_slots, pinned)
    real_heads = list(sec.get("heads", range(section_shape(sec)[1])))

    def draw(cap):
        return _draw_head(sec, layer_slot, head_slots, pinned, qt, kt, hs[:cap], qs[:cap], ks[:cap],
                          alphas[:cap], total, real_heads)

    base = len(draw(0).encode("utf-8")) + 200  # everything but the lines (+ the caption's cap note)
    cap = min(len(alphas), max(0, (TARGET_BYTES - base) // _LINE_BYTES))
    while True:
        svg = draw(cap)
        size = len(svg.encode("utf-8"))
        if size <= MAX_BYTES or cap == 0:
            return svg
        cap = max(0, min(cap - 1, int(cap * (MAX_BYTES * 0.9 - base) / max(1, size - base))))


_LINE_BYTES = 52  # a '<path d="M170 84 390 148" stroke-opacity="0.083" />' element, roughly


def _draw_head(sec, layer_slot, head_slots, pinned, qt, kt, hs, qs, ks, alphas, total, real_heads):
    n_rows = max(len(qt), len(kt))
    char_w = 7
    col_w = min(MAX_TOKEN_CHARS, max([len(t) for t in qt + kt] + [4])) * char_w + 8
    link_w = 220
    x_left = 8 + col_w  # right edge of the query column
    x0, x1 = x_left + 6, x_left + 6 + link_w
    x_right = x1 + 6
    width = x_right + col_w + 8
    shown = len(alphas)
    layer = sec["layers"][layer_slot]
    heads_txt = "all heads" if len(head_slots) == len(real_heads) else \
        "heads " + ", ".join(str(real_heads[s]) for s in head_slots)
    lines = [f"attnscope · head view · {sec['label']} · layer {layer} · {heads_txt} · "
             f"{_plural(len(qt), 'token')}" + ("" if sec["key"] != "cross" else f" → {_plural(len(kt), 'token')}"),
             "Static picture of the initial view; run the notebook for the interactive widget."]
    if shown < total:
        lines.append(f"Showing the {shown:,} strongest of {total:,} lines (capped to keep this picture small).")
    if pinned is not None:
        tok = (qt if pinned["side"] == "query" else kt)[pinned["index"]]
        lines.append(f"Pinned {pinned['side']} token {pinned['index']}: {tok}")
    legend_y = 16 * len(lines) + 12
    top = legend_y + 20
    height = top + n_rows * ROW + 8
    root = _svg(width, height, lines)
    # legend: one swatch per active head, labelled with its real index
    x = 8
    for s in head_slots:
        ET.SubElement(root, "rect", {"x": _num(x), "y": _num(legend_y - 9), "width": "10", "height": "10",
                                     "fill": head_color(s)})
        label = str(real_heads[s])
        _text(root, x + 13, legend_y, label, fill=MUTED)
        x += 13 + 7 * len(label) + 8
        if x > width - 40:
            break

    def y(i):
        return top + i * ROW + ROW / 2

    pin_q = pinned["index"] if pinned is not None and pinned["side"] == "query" else None
    pin_k = pinned["index"] if pinned is not None and pinned["side"] == "key" else None
    g = ET.SubElement(root, "g", {"fill": TEXT_COLOR, "text-anchor": "end", "dominant-baseline": "middle"})
    for i, t in enumerate(qt):
        _text(g, x_left, y(i), t, **({"font-weight": "bold"} if i == pin_q else {}))
    g = ET.SubElement(root, "g", {"fill": TEXT_COLOR, "dominant-baseline": "middle"})
    for i, t in enumerate(kt):
        _text(g, x_right, y(i), t, **({"font-weight": "bold"} if i == pin_k else {}))
    # lines: one group per head, weakest first inside it
    links = ET.SubElement(root, "g", {"stroke-width": "2", "fill": "none"})
    for s in head_slots:
        idx = np.nonzero(hs == s)[0][::-1]
        if not len(idx):
            continue
        hg = ET.SubElement(links, "g", {"stroke": head_color(s)})
        for q, k, a in zip(qs[idx].tolist(), ks[idx].tolist(), alphas[idx].tolist()):
            ET.SubElement(hg, "path", {"d": f"M{x0} {_num(y(q))} {x1} {_num(y(k))}",
                                       "stroke-opacity": _num(max(a, 0.001))})
    return _serialize(root)


# --------------------------------------------------------------------------------------------- model

LEVELS = 8  # heatmap opacity levels
THUMB = 48  # px per thumbnail
GAP = 6  # px between thumbnails, roughly


def _model_svg(state, sec, layer_slot, head_slots, pinned) -> str:
    n_l, n_h, n_q, n_k = section_shape(sec)
    if sec.get("lazy"):  # the summary: every head pooled to at most 64 x 64 (pooled again below)
        wire = sec["summary"]["pooled"]
        n_q, n_k = wire["shape"][2:]
    else:
        wire = sec["attention"]
    att = _weights(wire)
    n_show = n_l
    cells = max(1, (TARGET_BYTES - 6000 - 60 * n_h * (n_l + 1)) // _CELL_BYTES)
    res = max(1, min(16, int(math.sqrt(cells / max(1, n_l * n_h)))))
    while True:
        r_q, r_k = min(res, n_q), min(res, n_k)
        pooled = np.stack([_pool(_as_float(att[i], wire["dtype"]), r_q, r_k) for i in range(n_show)])
        svg = _draw_model(sec, pooled)
        if len(svg.encode("utf-8")) <= MAX_BYTES or (res == 1 and n_show == 1):
            return svg
        if res > 1:
            res = max(1, int(res * 0.75))
        else:
            n_show = max(1, n_show // 2)


_CELL_BYTES = 13  # 'M12 34h2v1h-2z' per drawn run of heatmap cells, roughly


def _draw_model(sec, pooled):
    n_show, n_h, r_q, r_k = pooled.shape
    real_heads = list(sec.get("heads", range(n_h)))
    layers = sec["layers"]
    res = max(r_q, r_k)
    unit = THUMB / res  # px per cell; thumbnails are res x res units, gap units apart
    gap = max(1, round(GAP / unit))
    pitch = (res + gap) * unit  # px from one thumbnail to the next
    cw, ch = res / r_k, res / r_q  # units per pooled cell (a short side is stretched to the square)
    lines = [f"attnscope · model view · {sec['label']} · {_plural(len(layers), 'layer')} × "
             f"{_plural(n_h, 'head')} · {_plural(len(sec['query_tokens']), 'token')}",
             f"Static picture (heads mean-pooled to {r_q}×{r_k}); run the notebook for the interactive widget."]
    if n_show < len(layers):
        lines.append(f"Showing the first {n_show} of {len(layers)} layers (capped to keep this picture small).")
    label_w = 40
    top = 16 * len(lines) + 28
    width = label_w + n_h * pitch + 8
    height = top + n_show * pitch + 8
    root = _svg(width, height, lines)
    g = ET.SubElement(root, "g", {"fill": MUTED, "text-anchor": "middle"})
    for h in range(n_h):
        _text(g, label_w + h * pitch + THUMB / 2, top - 6, str(real_heads[h]))
    g = ET.SubElement(root, "g", {"fill": MUTED, "text-anchor": "end", "dominant-baseline": "middle"})
    for i in range(n_show):
        _text(g, label_w - 6, top + i * pitch + THUMB / 2, str(layers[i]))
    frames = "".join(f"M{(res + gap) * h} {(res + gap) * i}h{res}v{res}h-{res}z"
                     for i in range(n_show) for h in range(n_h))
    grid = ET.SubElement(root, "g", {"transform": f"translate({label_w} {top}) scale({_num(unit)})"})
    ET.SubElement(grid, "path", {"d": frames, "fill": "none", "stroke": "#dddddd",
                                 "stroke-width": _num(1 / unit)})
    peak = pooled.max(axis=(2, 3), keepdims=True)
    alpha = np.sqrt(np.clip(pooled, 0, None) / np.where(peak > 0, peak, 1))
    level = np.rint(alpha * LEVELS).astype(np.int16)  # 0 = not drawn
    for h in range(n_h):
        hg = ET.SubElement(grid, "g", {"fill": head_color(h)})
        by_level = {}
        ox = (res + gap) * h
        for i in range(n_show):
            oy = (res + gap) * i
            for r, row in enumerate(level[i, h].tolist()):
                c = 0
                while c < r_k:  # a run of equal levels along a row becomes one rectangle
                    lv, c2 = row[c], c + 1
                    while c2 < r_k and row[c2] == lv:
                        c2 += 1
                    if lv:
                        x, y, w = _num(ox + c * cw), _num(oy + r * ch), _num((c2 - c) * cw)
                        by_level.setdefault(lv, []).append(f"M{x} {y}h{w}v{_num(ch)}h-{w}z")
                    c = c2
        for lv in sorted(by_level):
            ET.SubElement(hg, "path", {"fill-opacity": _num(lv / LEVELS), "d": "".join(by_level[lv])})
    return _serialize(root)

"""The head view's static picture: query tokens left, key tokens right, one line per (active head, query,
key) of the shown layer (the rule of lines.py). Only the strongest lines are kept so that the file stays
under MAX_BYTES (the caption says so when lines were left out). A pinned token keeps only its lines."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np

from ...constants import head_color
from . import svg
from .lines import head_lines
from .svg import MAX_TOKEN_CHARS, MUTED, TEXT_COLOR, num, plural

ROW = 16  # px per token row
_LINE_BYTES = 52  # a '<path d="M170 84 390 148" stroke-opacity="0.083" />' element, roughly


def head_svg(section, layer: int, head_slots, pinned, target_bytes: int, max_bytes: int) -> str:
    """The picture of ``section`` (a Section) at real ``layer``, active head slots, pinned token or None."""
    qt = [svg.short_token(t) for t in section.query_tokens]
    kt = [svg.short_token(t) for t in section.key_tokens]
    heads = list(section.heads)

    def weights_of(slot):
        return np.array(section.source.read(layer, [heads[slot]])[0], dtype=np.float32)

    drawn_slots, read, legend = head_slots, weights_of, [(head_color(s), str(heads[s])) for s in head_slots]
    if section.derived == "difference":  # B - A: gained lines red, lost blue (the widget's head view does the same)
        drawn_slots, read, legend = signed_lines(weights_of, head_slots, [section.params.get("a", "A"),
                                                                          section.params.get("b", "B")])
    hs, qs, ks, alphas, total = head_lines(read, drawn_slots, pinned, keep=target_bytes // _LINE_BYTES)

    def draw(cap):
        return _draw(section, layer, head_slots, pinned, qt, kt, hs[:cap], qs[:cap], ks[:cap], alphas[:cap], total,
                     drawn_slots, legend)

    base = len(draw(0).encode("utf-8")) + 200  # everything but the lines (+ the caption's cap note)
    cap = min(len(alphas), max(0, (target_bytes - base) // _LINE_BYTES))
    while True:
        picture = draw(cap)
        size = len(picture.encode("utf-8"))
        if size <= max_bytes or cap == 0:
            return picture
        cap = max(0, min(cap - 1, int(cap * (max_bytes * 0.9 - base) / max(1, size - base))))


def _caption(section, layer, head_slots, pinned, qt, kt, shown, total):
    heads = section.heads
    heads_txt = "all heads" if len(head_slots) == len(heads) else \
        "heads " + ", ".join(str(heads[s]) for s in head_slots)
    same = section.query_tokens == section.key_tokens
    lines = [f"attnscope · head view · {section.label} · layer {layer} · {heads_txt} · "
             f"{plural(len(qt), 'token')}" + ("" if same else f" → {plural(len(kt), 'token')}"),
             "Static picture of the initial view; run the notebook for the interactive widget."]
    if shown < total:
        lines.append(f"Showing the {shown:,} strongest of {total:,} lines (capped to keep this picture small).")
    if pinned is not None:
        tok = (qt if pinned["side"] == "query" else kt)[pinned["index"]]
        lines.append(f"Pinned {pinned['side']} token {pinned['index']}: {tok}")
    return lines


#: the ends of the widget's diverging scale (src/render/diverging.ts GAINED, LOST)
GAINED, LOST = "#b2182b", "#2166ac"


def signed_lines(weights_of, head_slots, labels):
    """A difference's heads as 2n line sets: slot 2i the weight head_slots[i] gained (B > A), 2i + 1 what it
    lost, scaled so that a line's opacity is |difference| / m (m the largest |difference| of these heads)."""
    mats = [weights_of(s) for s in head_slots]
    m = max([float(np.abs(w).max()) for w in mats] + [0.0])
    k = 2 * len(mats) / m if m > 0 else 0.0

    def read(v):
        w = mats[v // 2]
        return (np.maximum(w, 0) if v % 2 == 0 else np.maximum(-w, 0)).astype(np.float32) * k

    a, b = labels
    legend = [(GAINED, f"{b} > {a}"), (LOST, f"{b} < {a}")]
    return list(range(2 * len(mats))), read, legend


def _draw(section, layer, head_slots, pinned, qt, kt, hs, qs, ks, alphas, total, drawn_slots, legend):
    n_rows = max(len(qt), len(kt))
    char_w = 7
    col_w = min(MAX_TOKEN_CHARS, max([len(t) for t in qt + kt] + [4])) * char_w + 8
    link_w = 220
    x_left = 8 + col_w  # right edge of the query column
    x0, x1 = x_left + 6, x_left + 6 + link_w
    x_right = x1 + 6
    width = x_right + col_w + 8
    lines = _caption(section, layer, head_slots, pinned, qt, kt, len(alphas), total)
    legend_y = 16 * len(lines) + 12
    top = legend_y + 20
    height = top + n_rows * ROW + 8
    root = svg.root(width, height, lines)
    x = 8  # legend: one swatch per active head, labelled with its real index (a difference: gained, lost)
    for color, label in legend:
        ET.SubElement(root, "rect", {"x": num(x), "y": num(legend_y - 9), "width": "10", "height": "10",
                                     "fill": color})
        svg.text(root, x + 13, legend_y, label, fill=MUTED)
        x += 13 + 7 * len(label) + 8
        if x > width - 40:
            break

    def y(i):
        return top + i * ROW + ROW / 2

    pin_q = pinned["index"] if pinned is not None and pinned["side"] == "query" else None
    pin_k = pinned["index"] if pinned is not None and pinned["side"] == "key" else None
    g = ET.SubElement(root, "g", {"fill": TEXT_COLOR, "text-anchor": "end", "dominant-baseline": "middle"})
    for i, t in enumerate(qt):
        svg.text(g, x_left, y(i), t, **({"font-weight": "bold"} if i == pin_q else {}))
    g = ET.SubElement(root, "g", {"fill": TEXT_COLOR, "dominant-baseline": "middle"})
    for i, t in enumerate(kt):
        svg.text(g, x_right, y(i), t, **({"font-weight": "bold"} if i == pin_k else {}))
    links = ET.SubElement(root, "g", {"stroke-width": "2", "fill": "none"})  # one group per head, weakest first
    signed = len(drawn_slots) != len(head_slots)
    for s in drawn_slots:
        idx = np.nonzero(hs == s)[0][::-1]
        if not len(idx):
            continue
        color = (GAINED if s % 2 == 0 else LOST) if signed else head_color(s)
        head = section.heads[head_slots[s // 2]] if signed else section.heads[s]
        hg = ET.SubElement(links, "g", {"stroke": color, "data-head": str(head)})
        for q, k, a in zip(qs[idx].tolist(), ks[idx].tolist(), alphas[idx].tolist()):
            ET.SubElement(hg, "path", {"d": f"M{x0} {num(y(q))} {x1} {num(y(k))}",
                                       "stroke-opacity": num(max(a, 0.001))})
    return svg.serialize(root)

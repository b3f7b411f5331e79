"""The model view's static picture: the layers x heads grid of thumbnails, drawn as the widget's
thumbnails are (src/render/thumbnails.ts): lines (opacity = weight, the rule of lines.py) when neither
side has more than MAX_LINE_TOKENS tokens, else each head mean-pooled to a heatmap (opacity =
(value / the thumbnail's largest) ** HEATMAP_ALPHA_EXPONENT, in LEVELS steps). Lines are capped to the
strongest of each head, and layers to the first ones, so that the file stays under MAX_BYTES."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import numpy as np

from ...analysis.pooling import pool
from ...constants import HEATMAP_ALPHA_EXPONENT, MAX_LINE_TOKENS, head_color
from . import svg
from .lines import strongest, thumbnail_alpha, visible
from .svg import MUTED, num, plural

LEVELS = 8  # heatmap opacity levels
THUMB = 48  # px per thumbnail
GAP = 6  # px between thumbnails, roughly
_CELL_BYTES = 13  # 'M12 34h2v1h-2z' per drawn run of heatmap cells, roughly
_LINE_BYTES = 22  # 'M7.2 12.5 40.8 3.5' per line, roughly


def model_svg(section, grid, pinned, target_bytes: int, max_bytes: int) -> str:
    """The picture of ``section`` (a Section: tokens, ids); ``grid`` reads its weights by real (layer,
    heads): the weights themselves, or a lazy section's pooled summary."""
    if max(len(section.query_tokens), len(section.key_tokens)) <= MAX_LINE_TOKENS:
        return _lines_svg(section, grid, pinned, target_bytes, max_bytes)
    return _heatmap_svg(section, grid, target_bytes, max_bytes)


def _frame(section, n_show, lines, pitch=THUMB + GAP):
    """(root, label width, top, pitch) of the grid with its axis labels (real layer and head ids)."""
    n_h = len(section.heads)
    if n_show < len(section.layers):
        lines.append(f"Showing the first {n_show} of {len(section.layers)} layers (capped to keep this picture small).")
    label_w, top = 40, 16 * len(lines) + 28
    root = svg.root(label_w + n_h * pitch + 8, top + n_show * pitch + 8, lines)
    g = ET.SubElement(root, "g", {"fill": MUTED, "text-anchor": "middle"})
    for h in range(n_h):
        svg.text(g, label_w + h * pitch + THUMB / 2, top - 6, str(section.heads[h]))
    g = ET.SubElement(root, "g", {"fill": MUTED, "text-anchor": "end", "dominant-baseline": "middle"})
    for i in range(n_show):
        svg.text(g, label_w - 6, top + i * pitch + THUMB / 2, str(section.layers[i]))
    return root, label_w, top, pitch


def _title(section, what: str) -> list[str]:
    lines = [f"attnscope · model view · {section.label} · {plural(len(section.layers), 'layer')} × "
             f"{plural(len(section.heads), 'head')} · {plural(len(section.query_tokens), 'token')}",
             f"Static picture ({what}); run the notebook for the interactive widget."]
    if section.derived == "difference":
        lines.append("A difference: drawn is its size |B − A| (the widget shows its sign in red and blue).")
    return lines


# ------------------------------------------------------------------------------------------- lines


def _thumb_lines(grid, section, n_show, pinned, keep):
    """[(layer slot, head slot, q, k, alpha)] per thumbnail, and whether any was capped."""
    out, capped = [], False
    for i, layer in enumerate(section.layers[:n_show]):
        w_all = np.asarray(grid.read(layer, section.heads), dtype=np.float32)
        for h in range(len(section.heads)):
            w = w_all[h]
            alpha = thumbnail_alpha(w)
            alpha = np.where(visible(alpha, w, pinned), alpha, 0).astype(np.float32)
            count, idx = strongest(alpha, keep)
            capped = capped or count > idx.size
            q, k = np.divmod(idx, w.shape[1])
            out.append((i, h, q, k, alpha.reshape(-1)[idx]))
    return out, capped


def _lines_svg(section, grid, pinned, target_bytes, max_bytes) -> str:
    n_l, n_h = len(section.layers), len(section.heads)
    n_q, n_k = len(section.query_tokens), len(section.key_tokens)
    n_show = n_l
    keep = max(1, (target_bytes - 6000 - 60 * n_h * (n_l + 1)) // _LINE_BYTES // max(1, n_l * n_h))
    while keep < 8 and n_show > 1:  # too many thumbnails for readable lines: show fewer layers
        n_show = max(1, n_show // 2)
        keep = max(1, (target_bytes - 6000 - 60 * n_h * (n_show + 1)) // _LINE_BYTES // max(1, n_show * n_h))
    while True:
        thumbs, capped = _thumb_lines(grid, section, n_show, pinned, keep)
        picture = _draw_lines(section, n_show, thumbs, capped, keep, pinned, n_q, n_k)
        if len(picture.encode("utf-8")) <= max_bytes or (keep == 1 and n_show == 1):
            return picture
        if keep > 1:
            keep = max(1, int(keep * 0.75))
        else:
            n_show = max(1, n_show // 2)


def _draw_lines(section, n_show, thumbs, capped, keep, pinned, n_q, n_k) -> str:
    lines = _title(section, "each head as lines, opacity = weight")
    if capped:
        lines.append(f"Showing the {keep:,} strongest lines of each head (capped to keep this picture small).")
    if pinned is not None:
        lines.append(f"Pinned {pinned['side']} token {pinned['index']}: only its lines are drawn.")
    root, label_w, top, pitch = _frame(section, n_show, lines)
    frames = "".join(f"M{num(label_w + h * pitch)} {num(top + i * pitch)}h{THUMB}v{THUMB}h-{THUMB}z"
                     for i in range(n_show) for h in range(len(section.heads)))
    ET.SubElement(root, "path", {"d": frames, "fill": "none", "stroke": "#dddddd", "stroke-width": "1"})
    x0, x1 = THUMB * 0.15, THUMB * 0.85
    group = ET.SubElement(root, "g", {"fill": "none", "stroke-width": "1"})
    for i, h, qs, ks, alphas in thumbs:
        ox, oy = label_w + h * pitch, top + i * pitch
        hg = ET.SubElement(group, "g", {"stroke": head_color(h), "transform": f"translate({num(ox)} {num(oy)})",
                                        "data-layer": str(section.layers[i]), "data-head": str(section.heads[h])})
        by_level = {}
        for q, k, a in zip(qs.tolist(), ks.tolist(), alphas.tolist()):
            level = max(1, round(a * 100))
            by_level.setdefault(level, []).append(
                f"M{num(x0)} {num((q + 0.5) * THUMB / n_q)} {num(x1)} {num((k + 0.5) * THUMB / n_k)}")
        for level in sorted(by_level):
            ET.SubElement(hg, "path", {"stroke-opacity": num(level / 100), "d": "".join(by_level[level])})
        if pinned is not None:
            n = n_q if pinned["side"] == "query" else n_k
            y = (pinned["index"] + 0.5) * THUMB / n
            ET.SubElement(hg, "rect", {"x": "0" if pinned["side"] == "query" else num(x1 + 1), "y": num(y - 1.5),
                                       "width": num(x0 - 1), "height": "3", "fill": head_color(h), "stroke": "none"})
    return svg.serialize(root)


# ----------------------------------------------------------------------------------------- heatmap


def _heatmap_svg(section, grid, target_bytes, max_bytes) -> str:
    n_l, n_h = len(section.layers), len(section.heads)
    _, _, n_q, n_k = grid.shape
    n_show = n_l
    cells = max(1, (target_bytes - 6000 - 60 * n_h * (n_l + 1)) // _CELL_BYTES)
    res = max(1, min(16, int(math.sqrt(cells / max(1, n_l * n_h)))))
    while True:
        r_q, r_k = min(res, n_q), min(res, n_k)
        pooled = np.stack([pool(np.asarray(grid.read(layer, section.heads), dtype=np.float32), r_q, r_k)
                           for layer in section.layers[:n_show]])
        picture = _draw_heatmap(section, pooled)
        if len(picture.encode("utf-8")) <= max_bytes or (res == 1 and n_show == 1):
            return picture
        if res > 1:
            res = max(1, int(res * 0.75))
        else:
            n_show = max(1, n_show // 2)


def heat_levels(pooled: np.ndarray) -> np.ndarray:
    """int16 [..., r_q, r_k] opacity levels 0..LEVELS of pooled heads (0: not drawn), as the widget's heatAlpha."""
    peak = pooled.max(axis=(-2, -1), keepdims=True)
    alpha = (np.clip(pooled, 0, None) / np.where(peak > 0, peak, 1)) ** HEATMAP_ALPHA_EXPONENT
    return np.rint(alpha * LEVELS).astype(np.int16)


def _draw_heatmap(section, pooled) -> str:
    n_show, n_h, r_q, r_k = pooled.shape
    res = max(r_q, r_k)
    unit = THUMB / res  # px per cell; thumbnails are res x res units, gap units apart
    gap = max(1, round(GAP / unit))
    cw, ch = res / r_k, res / r_q  # units per pooled cell (a short side is stretched to the square)
    lines = _title(section, f"heads mean-pooled to {r_q}×{r_k}")
    root, label_w, top, _ = _frame(section, n_show, lines, pitch=(res + gap) * unit)
    frames = "".join(f"M{(res + gap) * h} {(res + gap) * i}h{res}v{res}h-{res}z"
                     for i in range(n_show) for h in range(n_h))
    grid = ET.SubElement(root, "g", {"transform": f"translate({label_w} {top}) scale({num(unit)})"})
    ET.SubElement(grid, "path", {"d": frames, "fill": "none", "stroke": "#dddddd", "stroke-width": num(1 / unit)})
    level = heat_levels(pooled)
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
                        x, y, w = num(ox + c * cw), num(oy + r * ch), num((c2 - c) * cw)
                        by_level.setdefault(lv, []).append(f"M{x} {y}h{w}v{num(ch)}h-{w}z")
                    c = c2
        for lv in sorted(by_level):
            ET.SubElement(hg, "path", {"fill-opacity": num(lv / LEVELS), "d": "".join(by_level[lv])})
    return svg.serialize(root)

"""Which lines the pictures draw: the head view's rule (src/render/links.ts collectLinks) and the
thumbnails' rule (src/render/thumbnails.ts), as pure functions of one layer's weights.

Head view: alpha = weight / number of active heads; only weight > 0; without a focus, lines with
alpha < MIN_LINE_ALPHA are left out; with a focus (the pinned token), only that token's lines, every
one with weight > 0. Thumbnails: alpha = min(1, weight), the same filters with weight itself compared
to MIN_LINE_ALPHA. tests/fixtures/golden_lines.json holds the head-view rule's expected lines.
"""

from __future__ import annotations

import numpy as np

from ...constants import MIN_LINE_ALPHA


def focus_mask(shape, focus) -> np.ndarray | None:
    """bool [Q, K]: the focused token's row (query) or column (key); None without a focus."""
    if focus is None:
        return None
    mask = np.zeros(shape, dtype=bool)
    if focus["side"] == "query":
        mask[focus["index"], :] = True
    else:
        mask[:, focus["index"]] = True
    return mask


def visible(alpha: np.ndarray, weights: np.ndarray, focus) -> np.ndarray:
    """bool [Q, K] of the lines drawn, given their alphas and weights (module doc)."""
    drawn = weights > 0
    mask = focus_mask(weights.shape, focus)
    if mask is None:
        return drawn & (alpha >= MIN_LINE_ALPHA)
    return drawn & mask


def head_alpha(weights: np.ndarray, n_active: int) -> np.ndarray:
    return weights / max(1, n_active)


def thumbnail_alpha(weights: np.ndarray) -> np.ndarray:
    return np.minimum(weights, 1.0)


def strongest(alpha: np.ndarray, keep: int) -> tuple[int, np.ndarray]:
    """(how many alpha > 0, flat indices of the ``keep`` largest of them in index order, ties by index);
    ``alpha`` holds 0 where no line is drawn."""
    flat = alpha.reshape(-1)
    shown = flat[flat > 0]
    count = shown.size
    if count <= keep:
        return count, np.flatnonzero(flat > 0)
    if keep <= 0:
        return count, np.empty(0, dtype=np.int64)
    shown.partition(count - keep)
    kth = shown[count - keep]  # the keep-th largest alpha
    del shown
    above = np.flatnonzero(flat > kth)
    ties = np.flatnonzero(flat == kth)[: keep - above.size]
    return count, np.sort(np.concatenate([above, ties]))


def head_lines(weights_of, head_slots, focus, keep: int):
    """(head slot, query, key, alpha) arrays of the strongest ``keep`` drawn lines of each head, strongest
    first (ties: head slot, query, key), and how many lines are drawn in all. ``weights_of(slot)`` gives
    float32 [Q, K]; one head is read at a time."""
    found, total = [], 0
    for slot in head_slots:
        w = weights_of(slot)
        alpha = head_alpha(w, len(head_slots)).astype(np.float32, copy=False)
        alpha = np.where(visible(alpha, w, focus), alpha, 0).astype(np.float32)
        count, idx = strongest(alpha, keep)
        total += count
        q, k = np.divmod(idx, alpha.shape[1])
        found.append((np.full(idx.size, slot), q, k, alpha.reshape(-1)[idx]))
    h, q, k, a = (np.concatenate(parts) for parts in zip(*found))
    order = np.argsort(-a, kind="stable")
    return h[order], q[order], k[order], a[order], total

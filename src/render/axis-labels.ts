/**
 * Thinning of the matrix view's axis labels (pure): when a cell is smaller than a label, only every
 * k-th label is shown, k = ceil(labelPx / cellPx). The labels kept are the multiples of k, so they
 * do not jump while the window moves; the full token stays in each label's title and the tooltip.
 */

/** Show every k-th label. */
export function thinStep(labelPx: number, cellPx: number): number {
  if (!(cellPx > 0)) {
    return Number.MAX_SAFE_INTEGER;
  }
  return Math.max(1, Math.ceil(labelPx / cellPx - 1e-9));
}

/** Indices in [start, end) whose labels are shown with step k. */
export function shownLabels(start: number, end: number, k: number): number[] {
  const out: number[] = [];
  const step = Math.max(1, Math.floor(k));
  for (let i = Math.ceil(start / step) * step; i < end; i += step) {
    out.push(i);
  }
  return out;
}

/**
 * Viewport-sized canvases over tall token columns (pure). The head view's body scrolls; each canvas
 * covers only a band of the columns around what is visible and is redrawn when the view leaves it.
 * Coordinates are content pixels: row r of a column spans [r * rowHeight, (r + 1) * rowHeight).
 */

/** The slice of the columns a canvas covers: placed at `top`, drawn translated by -top. */
export interface Band {
  top: number;
  height: number;
}

export interface ViewportInput {
  /** Scroll offset of the scrolling body, CSS pixels. */
  scrollTop: number;
  /** Visible height of the scrolling body; 0 when not laid out (then as much as maxHeight shows). */
  viewHeight: number;
  /** Height of the token rows: the taller column. */
  contentHeight: number;
  /** Extra pixels drawn above and below the visible part, so that short scrolls need no redraw. */
  overscan: number;
  /** Cap on a canvas height whatever the layout says (Chromium draws nothing above 32,767 px). */
  maxHeight: number;
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/** Height of the band: the visible part plus overscan, never more than the content or the cap. */
export function bandHeight(v: ViewportInput): number {
  const wanted = v.viewHeight > 0 ? v.viewHeight + 2 * v.overscan : Infinity;
  return Math.max(0, Math.floor(Math.min(wanted, v.contentHeight, v.maxHeight)));
}

/** The content range visible now, [top, bottom). */
export function visibleRange(v: ViewportInput): { top: number; bottom: number } {
  const view = v.viewHeight > 0 ? v.viewHeight : bandHeight(v);
  const top = clamp(Math.floor(v.scrollTop), 0, Math.max(0, v.contentHeight - view));
  return { top, bottom: Math.min(v.contentHeight, top + view) };
}

/**
 * The band to draw: `prev` while it still covers everything visible (the canvas scrolls with the
 * rows, nothing to redraw), else a band of the same height centred on the visible part.
 */
export function canvasBand(prev: Band | null, v: ViewportInput): Band {
  const height = bandHeight(v);
  const { top: viewTop, bottom: viewBottom } = visibleRange(v);
  if (prev && prev.height === height && prev.top <= viewTop && prev.top + height >= viewBottom && prev.top + height <= v.contentHeight) {
    return prev;
  }
  const spare = Math.max(0, height - (viewBottom - viewTop));
  const top = clamp(Math.floor(viewTop - spare / 2), 0, Math.max(0, v.contentHeight - height));
  return { top, height };
}

/** Rows of a column of `count` rows that intersect the band: [first, end). */
export function rowsInBand(band: Band, rowHeight: number, count: number): { first: number; end: number } {
  const first = clamp(Math.floor(band.top / rowHeight), 0, count);
  const end = clamp(Math.ceil((band.top + band.height) / rowHeight), first, count);
  return { first, end };
}

/** Whether a straight segment between heights y1 and y2 crosses [top, bottom]: ends outside count. */
export function crossesBand(y1: number, y2: number, top: number, bottom: number): boolean {
  return Math.min(y1, y2) <= bottom && Math.max(y1, y2) >= top;
}

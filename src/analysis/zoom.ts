/**
 * Zoom maths of the matrix view (pure): the visible window of rows and columns, each axis a
 * half-open integer span [a0, a1) inside [0, n] and at least MIN_WINDOW cells long (or n when
 * smaller). The wheel zooms around the pointer (the cell under it stays under it), a dragged
 * rectangle becomes the window, reset shows everything.
 */

export const MIN_WINDOW = 4;
/** Zoom factor of one wheel notch. */
export const WHEEL_FACTOR = 1.25;

export interface Span {
  a0: number;
  a1: number;
}

export interface ZoomWindow {
  r0: number;
  r1: number;
  c0: number;
  c1: number;
}

export function fullWindow(rows: number, cols: number): ZoomWindow {
  return { r0: 0, r1: rows, c0: 0, c1: cols };
}

export function isFull(w: ZoomWindow, rows: number, cols: number): boolean {
  return w.r0 === 0 && w.c0 === 0 && w.r1 === rows && w.c1 === cols;
}

/** A span rounded to cells, at least min(MIN_WINDOW, n) long, moved (not cut) to lie inside [0, n]. */
export function clampSpan(a0: number, a1: number, n: number): Span {
  if (n <= 0) {
    return { a0: 0, a1: 0 };
  }
  const lo = Math.min(a0, a1);
  const hi = Math.max(a0, a1);
  let len = Math.round(hi - lo);
  len = Math.max(Math.min(MIN_WINDOW, n), Math.min(n, len));
  const centre = (lo + hi) / 2;
  let start = Math.round(centre - len / 2);
  start = Math.max(0, Math.min(n - len, start));
  return { a0: start, a1: start + len };
}

/** One axis zoomed by `factor` (> 1 in) around position p (cells, fractional): p keeps its place. */
export function zoomSpan(s: Span, n: number, p: number, factor: number): Span {
  const len = s.a1 - s.a0;
  const f = factor > 0 && Number.isFinite(factor) ? factor : 1;
  const newLen = Math.max(Math.min(MIN_WINDOW, n), Math.min(n, Math.round(len / f)));
  if (newLen === len) {
    // rounding kept the length: make one notch always change something, when it can
    const step = f > 1 ? -1 : f < 1 ? 1 : 0;
    const forced = Math.max(Math.min(MIN_WINDOW, n), Math.min(n, len + step));
    if (forced === len) {
      return { a0: s.a0, a1: s.a1 };
    }
    return place(s, n, p, forced);
  }
  return place(s, n, p, newLen);
}

function place(s: Span, n: number, p: number, newLen: number): Span {
  const len = s.a1 - s.a0;
  const at = Math.max(s.a0, Math.min(s.a1, p));
  const frac = len > 0 ? (at - s.a0) / len : 0.5;
  let start = Math.round(at - frac * newLen);
  start = Math.max(0, Math.min(n - newLen, start));
  return { a0: start, a1: start + newLen };
}

/** The window zoomed around the cell position (row, col) by factor (WHEEL_FACTOR per notch in, 1 / it out). */
export function zoomAt(w: ZoomWindow, rows: number, cols: number, row: number, col: number, factor: number): ZoomWindow {
  const r = zoomSpan({ a0: w.r0, a1: w.r1 }, rows, row, factor);
  const c = zoomSpan({ a0: w.c0, a1: w.c1 }, cols, col, factor);
  return { r0: r.a0, r1: r.a1, c0: c.a0, c1: c.a1 };
}

/**
 * The window of a dragged rectangle between two cell positions (fractional, any order): the cells
 * it touches, grown to MIN_WINDOW where smaller and kept inside the matrix.
 */
export function rectWindow(rowA: number, colA: number, rowB: number, colB: number, rows: number, cols: number): ZoomWindow {
  const span = (a: number, b: number, n: number): Span => {
    const lo = Math.max(0, Math.floor(Math.min(a, b)));
    const hi = Math.min(n, Math.ceil(Math.max(a, b)));
    return clampSpan(lo, Math.max(hi, lo + 1), n);
  };
  const r = span(rowA, rowB, rows);
  const c = span(colA, colB, cols);
  return { r0: r.a0, r1: r.a1, c0: c.a0, c1: c.a1 };
}

/** The window moved (same size) so that the cell (row, col) is inside it. */
export function showCell(w: ZoomWindow, rows: number, cols: number, row: number, col: number): ZoomWindow {
  const move = (a0: number, a1: number, n: number, i: number): Span => {
    const len = a1 - a0;
    const start = i < a0 ? i : i >= a1 ? i - len + 1 : a0;
    const s = Math.max(0, Math.min(n - len, start));
    return { a0: s, a1: s + len };
  };
  const r = move(w.r0, w.r1, rows, row);
  const c = move(w.c0, w.c1, cols, col);
  return { r0: r.a0, r1: r.a1, c0: c.a0, c1: c.a1 };
}

const STEPS: Readonly<Record<string, readonly [number, number]>> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1], Home: [0, -Infinity], End: [0, Infinity] };

/** The keyboard cursor moved by an arrow key (Home/End: the row's ends), kept in the matrix; null for other keys. */
export function keyStep(cell: { row: number; col: number }, key: string, rows: number, cols: number): { row: number; col: number } | null {
  const step = STEPS[key];
  if (!step) {
    return null;
  }
  const clamp = (v: number, n: number): number => Math.max(0, Math.min(n - 1, v));
  return { row: clamp(cell.row + step[0], rows), col: clamp(cell.col + step[1], cols) };
}

/** The cell moved into the window (the nearest cell of the window). */
export function inWindow(cell: { row: number; col: number }, w: ZoomWindow): { row: number; col: number } {
  return { row: Math.max(w.r0, Math.min(w.r1 - 1, cell.row)), col: Math.max(w.c0, Math.min(w.c1 - 1, cell.col)) };
}

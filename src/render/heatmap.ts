/**
 * A matrix as RGBA bytes, one pixel per cell (pure): the matrix view puts them in one ImageData
 * and scales it up without smoothing, so a 2,048 x 2,048 head is one 16 MB image, never an element
 * per cell. Non-finite weights are transparent.
 */
import { ColormapName, ScaleName } from '../wire/view-options';
import { colormapTable } from './colormap';
import { scalePosition } from './legend';

/** A half-open window of rows [r0, r1) and columns [c0, c1). */
export interface CellWindow {
  r0: number;
  r1: number;
  c0: number;
  c1: number;
}

/** Largest finite value of a matrix (0 when none is positive). */
export function matrixMax(w: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < w.length; i++) {
    const v = w[i];
    if (v > max && v !== Infinity) {
      max = v;
    }
  }
  return max;
}

/**
 * RGBA bytes of the window of a row-major [rows, cols] matrix, (r1 - r0) x (c1 - c0) pixels, each cell
 * the entry of `table` (size x [r, g, b]) at position(value) in [0, 1]; non-finite cells transparent.
 * Writes into `out` when it is large enough. The one loop of the sequential and diverging scales.
 */
export function tableRGBA(
  w: ArrayLike<number>,
  cols: number,
  win: CellWindow,
  table: Uint8Array,
  position: (v: number) => number,
  out?: Uint8ClampedArray
): Uint8ClampedArray {
  const width = win.c1 - win.c0;
  const height = win.r1 - win.r0;
  const bytes = out && out.length >= width * height * 4 ? out : new Uint8ClampedArray(width * height * 4);
  const last = table.length / 3 - 1;
  let p = 0;
  for (let r = win.r0; r < win.r1; r++) {
    const row = r * cols;
    for (let c = win.c0; c < win.c1; c++) {
      const v = w[row + c];
      if (!Number.isFinite(v)) {
        bytes[p] = bytes[p + 1] = bytes[p + 2] = bytes[p + 3] = 0;
        p += 4;
        continue;
      }
      const i = Math.round(position(v) * last) * 3;
      bytes[p] = table[i];
      bytes[p + 1] = table[i + 1];
      bytes[p + 2] = table[i + 2];
      bytes[p + 3] = 255;
      p += 4;
    }
  }
  return bytes;
}

/**
 * RGBA bytes of the window of a row-major [rows, cols] matrix, (r1 - r0) x (c1 - c0) pixels,
 * coloured by `colormap` on `scale` over [0, max]. Writes into `out` when it is large enough.
 */
export function heatmapRGBA(
  w: ArrayLike<number>,
  cols: number,
  win: CellWindow,
  colormap: ColormapName,
  scale: ScaleName,
  max: number,
  out?: Uint8ClampedArray
): Uint8ClampedArray {
  const inv = max > 0 ? 1 / max : 0;
  const linear = (v: number): number => (v > 0 ? Math.min(1, v * inv) : 0);
  return tableRGBA(w, cols, win, colormapTable(colormap), scale === 'linear' ? linear : v => scalePosition(v, max, scale), out);
}

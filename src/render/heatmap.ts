/**
 * A matrix as RGBA bytes, one pixel per cell (pure): the matrix view puts them in one ImageData
 * and scales it up without smoothing, so a 2,048 x 2,048 head is one 16 MB image, never an element
 * per cell. Non-finite weights are transparent.
 */
import { ColormapName, ScaleName } from '../wire/view-options';
import { colormapTable, TABLE_SIZE } from './colormap';
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
  const width = win.c1 - win.c0;
  const height = win.r1 - win.r0;
  const bytes = out && out.length >= width * height * 4 ? out : new Uint8ClampedArray(width * height * 4);
  const table = colormapTable(colormap);
  // one scale evaluation per table entry boundary would be faster; the per-cell work is a multiply for linear
  const last = TABLE_SIZE - 1;
  const inv = max > 0 ? 1 / max : 0;
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
      let t: number;
      if (scale === 'linear') {
        t = v > 0 ? v * inv : 0;
        t = t >= 1 ? 1 : t;
      } else {
        t = scalePosition(v, max, scale);
      }
      const i = Math.round(t * last) * 3;
      bytes[p] = table[i];
      bytes[p + 1] = table[i + 1];
      bytes[p + 2] = table[i + 2];
      bytes[p + 3] = 255;
      p += 4;
    }
  }
  return bytes;
}

/**
 * The diverging colour scale of differences (B - A, attnscope.compare): ColorBrewer RdBu, blue for
 * weight lost (A > B), white for no change, red for weight gained (B > A), over a domain symmetric
 * about zero, [-m, m] with m the largest |difference| shown, so equal changes of either sign get
 * equally strong colours. Pure.
 */
import { stopsTable } from './colormap';
import { CellWindow, tableRGBA } from './heatmap';
import { tickLabel } from './legend';
import type { Tick } from './legend';

/** RdBu's 11 published stops, from blue (t = 0: most lost) through white (t = 0.5) to red (t = 1: most gained). */
export const DIVERGING_STOPS: readonly string[] = [
  '#053061', '#2166ac', '#4393c3', '#92c5de', '#d1e5f0', '#f7f7f7', '#fddbc7', '#f4a582', '#d6604d', '#b2182b', '#67001f'
];

/** Line and text colours of a difference: weight gained (B > A) and lost (A > B), from the map's ends. */
export const GAINED = '#b2182b';
export const LOST = '#2166ac';

// odd, so that no change (t = 0.5) is exactly the middle stop, white
const SIZE = 257;
let table: Uint8Array | null = null;

/** 257 x [r, g, b] of the diverging map (cached; do not write into it). */
export function divergingTable(): Uint8Array {
  table ??= stopsTable(DIVERGING_STOPS, SIZE);
  return table;
}

/** Largest |v| of the finite values (0 when all are 0). */
export function absMax(w: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < w.length; i++) {
    const a = Math.abs(w[i]);
    if (a > m && a !== Infinity) {
      m = a;
    }
  }
  return m;
}

/** Position of a difference v on [-m, m] -> [0, 1] (0.5 is no change; clamped; m = 0 -> 0.5). */
export function signedPosition(v: number, m: number): number {
  if (!(m > 0) || !Number.isFinite(v)) {
    return 0.5;
  }
  return Math.min(1, Math.max(0, 0.5 + (0.5 * v) / m));
}

/** "#rrggbb" of a difference v on [-m, m]. */
export function divergingColor(v: number, m: number): string {
  const t = divergingTable();
  const i = Math.round(signedPosition(v, m) * (SIZE - 1)) * 3;
  return `#${[t[i], t[i + 1], t[i + 2]].map(x => x.toString(16).padStart(2, '0')).join('')}`;
}

/** CSS gradient of the legend bar. */
export function divergingGradient(): string {
  const parts = DIVERGING_STOPS.map((c, i) => `${c} ${((i / (DIVERGING_STOPS.length - 1)) * 100).toFixed(2)}%`);
  return `linear-gradient(to right, ${parts.join(', ')})`;
}

/** Legend ticks -m, -m/2, 0, m/2, m. */
export function signedTicks(m: number): Tick[] {
  if (!(m > 0) || !Number.isFinite(m)) {
    return [{ value: 0, t: 0.5, label: '0' }];
  }
  return [-m, -m / 2, 0, m / 2, m].map(value => ({ value, t: signedPosition(value, m), label: value > 0 ? `+${tickLabel(value)}` : tickLabel(value) }));
}

/** RGBA bytes of a window of a row-major [rows, cols] difference matrix on [-m, m] (as heatmapRGBA). */
export function divergingRGBA(w: ArrayLike<number>, cols: number, win: CellWindow, m: number, out?: Uint8ClampedArray): Uint8ClampedArray {
  return tableRGBA(w, cols, win, divergingTable(), v => signedPosition(v, m), out);
}

/** What the two ends of a difference's scale mean: "red: B gained weight over A, blue: B lost". */
export function signedMeaning(sec: { params: Readonly<Record<string, number | string>> }): string {
  const a = String(sec.params.a ?? 'A');
  const b = String(sec.params.b ?? 'B');
  return `${b} \u2212 ${a}: red where ${b} gives more weight than ${a}, blue where less`;
}

/**
 * A pooled difference [rows, cols] as RGBA pixels of a `width` x `height` thumbnail on [-m, m]: each
 * pixel the colour of the cell it falls in; no change (0) is left transparent so the grid shows through.
 */
export function divergingPixels(pooled: ArrayLike<number>, rows: number, cols: number, width: number, height: number, m: number): Uint8ClampedArray {
  const px = new Uint8ClampedArray(width * height * 4);
  const t = divergingTable();
  for (let y = 0; y < height; y++) {
    const r = Math.min(rows - 1, Math.floor((y * rows) / height));
    for (let x = 0; x < width; x++) {
      const v = pooled[r * cols + Math.min(cols - 1, Math.floor((x * cols) / width))];
      if (!(v !== 0) || !Number.isFinite(v)) {
        continue;
      }
      const i = Math.round(signedPosition(v, m) * (SIZE - 1)) * 3;
      const o = (y * width + x) * 4;
      px[o] = t[i];
      px[o + 1] = t[i + 1];
      px[o + 2] = t[i + 2];
      px[o + 3] = 255;
    }
  }
  return px;
}

/**
 * Sequential colour maps for the matrix view, as 256-entry RGB tables. Each map is its published
 * control stops (matplotlib viridis, magma, Blues, greys) linearly interpolated in RGB: close to
 * the originals, monotone in lightness, never a rainbow. A weight's position t in [0, 1] (after
 * the scale, render/legend.ts) picks entry round(t * 255).
 */
import { ColormapName } from '../wire/view-options';

export const COLORMAP_STOPS: Readonly<Record<ColormapName, readonly string[]>> = {
  viridis: ['#440154', '#482878', '#3e4989', '#31688e', '#26828e', '#1f9e89', '#35b779', '#6ece58', '#b5de2b', '#fde725'],
  magma: ['#000004', '#180f3d', '#440f76', '#721f81', '#9e2f7f', '#cd4071', '#f1605d', '#fd9668', '#feca8d', '#fcfdbf'],
  blues: ['#f7fbff', '#deebf7', '#c6dbef', '#9ecae1', '#6baed6', '#4292c6', '#2171b5', '#08519c', '#08306b'],
  greys: ['#ffffff', '#000000']
};

export const TABLE_SIZE = 256;

function rgbOf(hex: string): [number, number, number] {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

const tables = new Map<ColormapName, Uint8Array>();

/** `size` x [r, g, b] bytes of "#rrggbb" control stops, linearly interpolated in RGB, evenly spaced. */
export function stopsTable(hexStops: readonly string[], size: number): Uint8Array {
  const stops = hexStops.map(rgbOf);
  const table = new Uint8Array(size * 3);
  const segs = stops.length - 1;
  for (let i = 0; i < size; i++) {
    const x = (i / (size - 1)) * segs;
    const s = Math.min(segs - 1, Math.floor(x));
    const f = x - s;
    for (let c = 0; c < 3; c++) {
      table[i * 3 + c] = Math.round(stops[s][c] + (stops[s + 1][c] - stops[s][c]) * f);
    }
  }
  return table;
}

/** The map as 256 x [r, g, b] bytes (cached; do not write into it). */
export function colormapTable(name: ColormapName): Uint8Array {
  let table = tables.get(name);
  if (!table) {
    table = stopsTable(COLORMAP_STOPS[name] ?? COLORMAP_STOPS.viridis, TABLE_SIZE);
    tables.set(name, table);
  }
  return table;
}

/** Table entry of a position t in [0, 1] (clamped; NaN -> 0). */
export function tableIndex(t: number): number {
  if (!(t > 0)) {
    return 0;
  }
  return t >= 1 ? TABLE_SIZE - 1 : Math.round(t * (TABLE_SIZE - 1));
}

/** "#rrggbb" of entry `index` of a map. */
export function colormapHex(name: ColormapName, index: number): string {
  const t = colormapTable(name);
  const i = Math.max(0, Math.min(TABLE_SIZE - 1, Math.round(index))) * 3;
  return `#${[t[i], t[i + 1], t[i + 2]].map(v => v.toString(16).padStart(2, '0')).join('')}`;
}

/** Colour of a position t in [0, 1]. */
export function colorAt(name: ColormapName, t: number): string {
  return colormapHex(name, tableIndex(t));
}

/** Relative luminance (sRGB weights, 0..1) of table entry `index`: the tests check it is monotone. */
export function luminance(name: ColormapName, index: number): number {
  const t = colormapTable(name);
  const i = index * 3;
  return (0.2126 * t[i] + 0.7152 * t[i + 1] + 0.0722 * t[i + 2]) / 255;
}

/** A CSS linear-gradient of the map from left (0) to right (1), for the legend bar. */
export function cssGradient(name: ColormapName, steps = 16): string {
  const parts = Array.from({ length: steps + 1 }, (_, i) => `${colorAt(name, i / steps)} ${((i / steps) * 100).toFixed(2)}%`);
  return `linear-gradient(to right, ${parts.join(', ')})`;
}

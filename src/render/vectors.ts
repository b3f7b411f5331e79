/**
 * Vector rows as colour cells on a canvas (pure: draws into any object with fillStyle/fillRect).
 *
 * Colour scale: diverging and symmetric around zero, domain [-m, m] with m = max |v|, so zero is
 * always the middle colour and equal magnitudes of either sign are equally strong.
 * - light theme: ColorBrewer RdBu reversed (d3.interpolateRdBu), negative = blue, zero = near
 *   white (#f2efee), positive = red; its ends are dark enough to stand out on a white page.
 * - dark theme: the same hues interpolated in CIE Lab through a dark grey that sits just above the
 *   JupyterLab dark background, so near-zero cells recede instead of glaring white, and the ends
 *   (light blue, salmon red) stay bright on black.
 * Positive = red because q.k > 0 raises attention, the "hot" direction; blue pulls it down.
 * Values are quantised to LEVELS steps per sign.
 * Matrices are drawn with one canvas pixel per cell (image data, no per-cell fillRect: a 512 x 128
 * key matrix is 65k cells) and stretched to cellWidth x rowHeight by CSS with pixelated scaling;
 * the gaps between rows are a CSS overlay.
 */
import * as d3 from 'd3';

import { Theme } from '../config/theme';

export const LEVELS = 32;

/** What the legend needs of a 2D context. */
export interface VectorContext {
  fillStyle: string | CanvasGradient | CanvasPattern;
  fillRect(x: number, y: number, w: number, h: number): void;
}

/** What the matrices need: one pixel per cell, written as image data. */
export interface PixelContext {
  createImageData(width: number, height: number): ImageData;
  putImageData(image: ImageData, dx: number, dy: number): void;
}

/** On-screen size of one cell, CSS pixels (the canvas itself has one pixel per cell). */
export interface CellLayout {
  /** Width of one dimension. */
  cellWidth: number;
  /** Height of one row (one token). */
  rowHeight: number;
}

const DARK = { negative: '#6cb4f0', zero: '#303030', positive: '#ff7b6b' };

/** Colour of t in [-1, 1] (clamped) for a theme, as #rrggbb. */
export function divergingColor(theme: Theme, t: number): string {
  const x = Math.max(-1, Math.min(1, Number.isFinite(t) ? t : 0));
  if (theme === 'light') {
    return d3.rgb(d3.interpolateRdBu((1 - x) / 2)).formatHex();
  }
  const towards = x < 0 ? DARK.negative : DARK.positive;
  return d3.rgb(d3.interpolateLab(DARK.zero, towards)(Math.abs(x))).formatHex();
}

/** A quantised diverging scale over [-max, max]. */
export class DivergingScale {
  readonly domain: [number, number];
  /** 2 * levels + 1 colours, from -max (index 0) through 0 (index levels) to +max. */
  readonly colors: readonly string[];
  /** The same colours as opaque RGBA bytes, 4 per colour. */
  readonly rgba: Uint8Array;

  constructor(readonly theme: Theme, max: number, readonly levels: number = LEVELS) {
    const m = Number.isFinite(max) ? Math.abs(max) : 0;
    this.domain = [m === 0 ? 0 : -m, m];
    this.colors = Array.from({ length: 2 * levels + 1 }, (_, i) => divergingColor(theme, (i - levels) / levels));
    this.rgba = new Uint8Array(this.colors.length * 4);
    this.colors.forEach((c, i) => {
      const { r, g, b } = d3.rgb(c);
      this.rgba.set([r, g, b, 255], i * 4);
    });
  }

  /** Index into `colors` of a value; 0 maps to the middle. */
  level(v: number): number {
    const m = this.domain[1];
    const t = m > 0 ? Math.max(-1, Math.min(1, v / m)) : 0;
    return Math.round(t * this.levels) + this.levels;
  }

  color(v: number): string {
    return this.colors[this.level(v)];
  }
}

/** Cell width for a head dimension: up to 8 px, about 256 px per matrix, at least 1 px. */
export function cellWidthFor(dim: number): number {
  return Math.max(1, Math.min(8, Math.floor(256 / Math.max(1, dim))));
}

/**
 * Writes `rows` rows of `dim` values (row-major) into RGBA `pixels`, one pixel per cell (a canvas
 * of dim x rows pixels, stretched by CSS). Rows for which `skip` says true and non-finite values
 * are left as they are (transparent in fresh image data). Returns the number of cells written.
 */
export function rasterizeRows(
  pixels: Uint8ClampedArray,
  values: ArrayLike<number>,
  rows: number,
  dim: number,
  scale: DivergingScale,
  skip?: (row: number) => boolean
): number {
  if (pixels.length < rows * dim * 4) {
    throw new RangeError(`rasterizeRows: ${pixels.length / 4} pixels for ${rows} x ${dim} cells`);
  }
  const rgba = scale.rgba;
  let drawn = 0;
  for (let r = 0; r < rows; r++) {
    if (skip?.(r)) {
      continue;
    }
    for (let i = 0, at = r * dim; i < dim; i++, at++) {
      const v = values[at];
      if (Number.isFinite(v)) {
        const c = scale.level(v) * 4;
        const p = at * 4;
        pixels[p] = rgba[c];
        pixels[p + 1] = rgba[c + 1];
        pixels[p + 2] = rgba[c + 2];
        pixels[p + 3] = 255;
        drawn++;
      }
    }
  }
  return drawn;
}

/** Paints the rows onto a context whose canvas is dim x rows pixels. Returns the cells drawn. */
export function paintVectorRows(
  ctx: PixelContext,
  values: ArrayLike<number>,
  rows: number,
  dim: number,
  scale: DivergingScale,
  skip?: (row: number) => boolean
): number {
  if (rows === 0 || dim === 0) {
    return 0;
  }
  const image = ctx.createImageData(dim, rows);
  const drawn = rasterizeRows(image.data, values, rows, dim, scale, skip);
  ctx.putImageData(image, 0, 0);
  return drawn;
}

/** The cell under a point (CSS pixels from the canvas's top-left), or null outside the cells. */
export function cellAt(x: number, y: number, layout: CellLayout, rows: number, dim: number): { row: number; dim: number } | null {
  if (!(x >= 0 && y >= 0)) {
    return null;
  }
  const row = Math.floor(y / layout.rowHeight);
  const d = Math.floor(x / layout.cellWidth);
  return row < rows && d < dim ? { row, dim: d } : null;
}

/** The legend bar: every colour of the scale, -max on the left, +max on the right. */
export function drawLegend(ctx: VectorContext, width: number, height: number, scale: DivergingScale): void {
  const n = scale.colors.length;
  scale.colors.forEach((c, i) => {
    const x0 = Math.floor((i * width) / n);
    const x1 = Math.floor(((i + 1) * width) / n);
    ctx.fillStyle = c;
    ctx.fillRect(x0, 0, Math.max(1, x1 - x0), height);
  });
}

/** Exact enough for a float32 value: 7 significant digits, no trailing noise. */
export function formatExact(v: number): string {
  if (!Number.isFinite(v)) {
    return String(v);
  }
  return String(Number(v.toPrecision(7)));
}

/** Short label of a domain bound for the legend: 3 significant digits. */
export function formatBound(v: number): string {
  if (v === 0) {
    return '0';
  }
  return String(Number(v.toPrecision(3)));
}

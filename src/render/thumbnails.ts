/**
 * Model-view thumbnails of one head's [queries, keys] matrix. Short inputs are drawn as a miniature
 * head view (lines, opacity = weight); long ones as a pooled heatmap, because lines stop meaning
 * anything once there are more of them than pixels. Pure drawing: data in, context calls out.
 */
import { RENDER_CONSTANTS } from '../config/render-constants';
import { heatAlpha, PooledHeatmap, poolHeatmap } from '../analysis/pooling';
import { TokenRef } from '../selection/state';

export interface ThumbnailInput {
  /** One head, row-major [queries, keys]. */
  weights: Float32Array;
  nQueries: number;
  nKeys: number;
  color: string;
  focus: TokenRef | null;
}

/** Inputs with at most this many tokens on either side are drawn as lines. */
export const MAX_LINE_TOKENS: number = RENDER_CONSTANTS.max_line_tokens;

export type ThumbnailMode = 'lines' | 'heatmap';

export function thumbnailMode(nQueries: number, nKeys: number): ThumbnailMode {
  return Math.max(nQueries, nKeys) <= MAX_LINE_TOKENS ? 'lines' : 'heatmap';
}

/** Draws lines for a focused token only when focused; otherwise every line. Returns lines drawn. */
function drawLines(ctx: CanvasRenderingContext2D, p: ThumbnailInput, size: number): number {
  const x0 = size * 0.15;
  const x1 = size * 0.85;
  const yq = (i: number): number => ((i + 0.5) * size) / p.nQueries;
  const yk = (j: number): number => ((j + 0.5) * size) / p.nKeys;
  const focus = p.focus;
  let drawn = 0;
  ctx.strokeStyle = p.color;
  ctx.lineWidth = 1;
  for (let q = 0; q < p.nQueries; q++) {
    if (focus?.side === 'query' && focus.index !== q) {
      continue;
    }
    for (let k = 0; k < p.nKeys; k++) {
      if (focus?.side === 'key' && focus.index !== k) {
        continue;
      }
      const w = p.weights[q * p.nKeys + k];
      if (w * 255 < 1 && !focus) {
        continue; // invisible at 8-bit alpha
      }
      if (w > 0) {
        ctx.globalAlpha = Math.min(1, w);
        ctx.beginPath();
        ctx.moveTo(x0, yq(q));
        ctx.lineTo(x1, yk(k));
        ctx.stroke();
        drawn++;
      }
    }
  }
  if (focus) {
    ctx.globalAlpha = 1;
    ctx.fillStyle = p.color;
    const y = focus.side === 'query' ? yq(focus.index) : yk(focus.index);
    ctx.fillRect(focus.side === 'query' ? 0 : x1 + 1, y - 1.5, x0 - 1, 3);
  }
  ctx.globalAlpha = 1;
  return drawn;
}

/**
 * The heatmap as RGBA pixels, `width` x `height` device pixels, each pixel taking the cell it falls
 * in: colour `rgb`, opacity heatAlpha(). Drawn once per thumbnail with putImageData, so a hover
 * repaint of a large grid costs a copy, not thousands of rectangles.
 */
export function heatmapPixels(heat: PooledHeatmap, rgb: readonly [number, number, number], width: number, height: number): Uint8ClampedArray {
  const { pooled, rows, cols, max } = heat;
  const px = new Uint8ClampedArray(width * height * 4);
  const alphaOf = new Float32Array(rows * cols);
  for (let i = 0; i < alphaOf.length; i++) {
    alphaOf[i] = heatAlpha(pooled[i], max);
  }
  const colOf = new Uint32Array(width);
  for (let x = 0; x < width; x++) {
    colOf[x] = Math.min(cols - 1, Math.floor((x * cols) / width));
  }
  for (let y = 0; y < height; y++) {
    const r = Math.min(rows - 1, Math.floor((y * rows) / height));
    for (let x = 0; x < width; x++) {
      const a = alphaOf[r * cols + colOf[x]];
      if (a > 0) {
        const o = (y * width + x) * 4;
        px[o] = rgb[0];
        px[o + 1] = rgb[1];
        px[o + 2] = rgb[2];
        px[o + 3] = Math.round(a * 255);
      }
    }
  }
  return px;
}

/** Outlines the focused token's row (query) or column (key) among nQueries x nKeys tokens. */
export function drawHeatFocus(ctx: CanvasRenderingContext2D, focus: TokenRef, nQueries: number, nKeys: number, size: number, color: string): void {
  const n = focus.side === 'query' ? nQueries : nKeys;
  const at = (focus.index * size) / n;
  const band = Math.max(1.5, size / n);
  ctx.globalAlpha = 1;
  ctx.strokeStyle = color;
  ctx.lineWidth = 1.5;
  if (focus.side === 'query') {
    ctx.strokeRect(0.75, at, size - 1.5, band);
  } else {
    ctx.strokeRect(at, 0.75, band, size - 1.5);
  }
}

function drawHeatmap(ctx: CanvasRenderingContext2D, p: ThumbnailInput, size: number, heat?: PooledHeatmap): number {
  const { pooled, rows, cols, max } = heat ?? poolHeatmap(p.weights, p.nQueries, p.nKeys, size);
  const cw = size / cols;
  const ch = size / rows;
  ctx.fillStyle = p.color;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const a = heatAlpha(pooled[r * cols + c], max);
      if (a > 0) {
        ctx.globalAlpha = a;
        ctx.fillRect(c * cw, r * ch, cw, ch);
      }
    }
  }
  ctx.globalAlpha = 1;
  if (p.focus) {
    drawHeatFocus(ctx, p.focus, p.nQueries, p.nKeys, size, p.color);
  }
  return rows * cols;
}

/**
 * Draws one thumbnail into a context already sized to `size` CSS pixels; returns marks drawn.
 * `heat`, when given, is the thumbnail's poolHeatmap() (heatmap mode), computed once by the caller.
 */
export function drawThumbnail(ctx: CanvasRenderingContext2D, p: ThumbnailInput, size: number, heat?: PooledHeatmap): number {
  return thumbnailMode(p.nQueries, p.nKeys) === 'lines' ? drawLines(ctx, p, size) : drawHeatmap(ctx, p, size, heat);
}

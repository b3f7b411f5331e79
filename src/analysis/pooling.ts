/** Pooling a head's [queries, keys] matrix to fewer cells, for thumbnails of long inputs (pure). */
import { RENDER_CONSTANTS } from '../config/render-constants';

/**
 * Mean-pools a [nQ, nK] matrix to [rows, cols] cells (rows <= nQ, cols <= nK). Every source value
 * lands in exactly one cell, so the pooled image keeps the matrix's mass where it was.
 */
export function poolMatrix(w: Float32Array, nQ: number, nK: number, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  const counts = new Uint32Array(rows * cols);
  for (let q = 0; q < nQ; q++) {
    const r = Math.floor((q * rows) / nQ);
    for (let k = 0; k < nK; k++) {
      const c = Math.floor((k * cols) / nK);
      out[r * cols + c] += w[q * nK + k];
      counts[r * cols + c]++;
    }
  }
  for (let i = 0; i < out.length; i++) {
    out[i] = counts[i] ? out[i] / counts[i] : 0;
  }
  return out;
}

const EXPONENT = RENDER_CONSTANTS.heatmap_alpha_exponent;

/**
 * Heatmap opacity: relative to the thumbnail's strongest cell, raised to the shared exponent
 * (0.5: square-rooted, so that faint structure shows).
 */
export function heatAlpha(v: number, max: number): number {
  if (max <= 0) {
    return 0;
  }
  const r = Math.max(0, v) / max;
  return EXPONENT === 0.5 ? Math.sqrt(r) : Math.pow(r, EXPONENT);
}

/** A head's matrix pooled to a thumbnail of `size` pixels, and its strongest cell. */
export interface PooledHeatmap {
  pooled: Float32Array;
  rows: number;
  cols: number;
  max: number;
}

/** Pools once per (data, size): it does not depend on the focus, so hover repaints reuse it. */
export function poolHeatmap(weights: Float32Array, nQueries: number, nKeys: number, size: number): PooledHeatmap {
  const rows = Math.min(nQueries, Math.floor(size));
  const cols = Math.min(nKeys, Math.floor(size));
  const pooled = poolMatrix(weights, nQueries, nKeys, rows, cols);
  let max = 0;
  pooled.forEach(v => (max = Math.max(max, v)));
  return { pooled, rows, cols, max };
}

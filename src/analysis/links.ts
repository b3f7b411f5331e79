/**
 * Which attention lines of one layer to draw, and at what opacity (pure): every (head, query, key)
 * of the active heads in the shown token ranges, or only the focused token's lines.
 */
import { Range } from '../selection/filters';
import { TokenRef } from '../selection/state';
import { LayerWeights } from '../wire/tensor';
import { LineContrast } from '../config/settings';

export interface LinkQuery {
  /** One layer: row-major [queries, keys] per head slot (only the active heads are read). */
  weights: LayerWeights;
  nQueries: number;
  nKeys: number;
  /** Active heads, in display order. */
  heads: readonly number[];
  query: Range;
  key: Range;
  /** When set, only the lines of this token are collected (all with weight > 0). */
  focus: TokenRef | null;
  /** Unfocused paints skip lines whose opacity is below this (invisible at 8-bit alpha). */
  minAlpha: number;
  /** Opacity of a focused token's lines (setting "Hovered lines"); 'shared' when absent. */
  contrast?: LineContrast;
}

export type { LineContrast };

/** Struct of arrays: line n joins query q[n] to key k[n] in head head[n] at opacity alpha[n]. */
export interface LinkBatch {
  count: number;
  head: Uint16Array;
  q: Uint32Array;
  k: Uint32Array;
  alpha: Float32Array;
}

/** Opacity of a line: its weight shared among the active heads, so that all heads together stay within 1. */
export function lineAlpha(weight: number, activeHeads: number): number {
  return weight / Math.max(1, activeHeads);
}

function forEachLink(p: LinkQuery, visit: (h: number, q: number, k: number, a: number) => void): void {
  const { weights, nKeys, heads, query, key, focus } = p;
  const n = heads.length;
  let q0 = query.start;
  let q1 = query.end;
  let k0 = key.start;
  let k1 = key.end;
  if (focus) {
    const inRange = focus.side === 'query' ? focus.index >= q0 && focus.index < q1 : focus.index >= k0 && focus.index < k1;
    if (!inRange) {
      return;
    }
    if (focus.side === 'query') {
      q0 = focus.index;
      q1 = focus.index + 1;
    } else {
      k0 = focus.index;
      k1 = focus.index + 1;
    }
  }
  const threshold = focus ? 0 : p.minAlpha;
  const perRow = !!focus && p.contrast === 'row-maximum';
  for (const h of heads) {
    const hw = weights[h];
    const rowMax = perRow ? largestWeight(hw, nKeys, q0, q1, k0, k1) : 0;
    for (let q = q0; q < q1; q++) {
      const row = q * nKeys;
      for (let k = k0; k < k1; k++) {
        const w = hw[row + k];
        if (w > 0) {
          const a = perRow ? Math.min(1, w / rowMax) : w / n;
          if (a >= threshold) {
            visit(h, q, k, a);
          }
        }
      }
    }
  }
}

/** The largest weight of one head in queries [q0, q1) x keys [k0, k1). */
function largestWeight(hw: Float32Array, nKeys: number, q0: number, q1: number, k0: number, k1: number): number {
  let max = 0;
  for (let q = q0; q < q1; q++) {
    for (let k = k0; k < k1; k++) {
      max = Math.max(max, hw[q * nKeys + k]);
    }
  }
  return max;
}

/** Collects the lines to draw. Two passes (count, fill) so that memory is exactly what is drawn. */
export function collectLinks(p: LinkQuery): LinkBatch {
  let count = 0;
  forEachLink(p, () => {
    count++;
  });
  const batch: LinkBatch = {
    count,
    head: new Uint16Array(count),
    q: new Uint32Array(count),
    k: new Uint32Array(count),
    alpha: new Float32Array(count)
  };
  let i = 0;
  forEachLink(p, (h, q, k, a) => {
    batch.head[i] = h;
    batch.q[i] = q;
    batch.k[i] = k;
    batch.alpha[i] = a;
    i++;
  });
  return batch;
}

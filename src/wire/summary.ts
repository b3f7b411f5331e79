/**
 * A lazy section's overview as the wire carries it: pooled thumbnails [layers, heads, rows, cols]
 * and per-head statistics [layers, heads, names], checked against the section's shape.
 */
import { decodeWire } from './codec';
import { WireError } from './errors';
import { Tensor } from './tensor';

/** A lazy section's overview, sent up front: pooled thumbnails and per-head statistics. */
export interface Summary {
  /** Mean-pooled weights [layers, heads, rows, cols] (rows <= queries, cols <= keys; exact when equal). */
  pooled: Tensor;
  /**
   * [layers, heads, statistics], named by `statNames`; null until the kernel sends them (it computes
   * them after the widget is shown: a "stats" message, see data/stats.ts).
   */
  stats: Tensor | null;
  statNames: string[];
}

function fail(message: string): never {
  throw new WireError(message);
}

export function decodeSummary(value: unknown, where: string, shape: readonly number[]): Summary {
  if (typeof value !== 'object' || value === null) {
    fail(`${where}.summary must be an object {pooled, stats, stat_names}`);
  }
  const o = value as Record<string, unknown>;
  const pooled = decodeWire(o.pooled, `${where}.summary.pooled`);
  const [nL, nH, nQ, nK] = shape;
  const p = pooled.shape;
  if (pooled.rank !== 4 || p[0] !== nL || p[1] !== nH || p[2] < 1 || p[2] > nQ || p[3] < 1 || p[3] > nK) {
    fail(`${where}.summary.pooled must be [${nL}, ${nH}, rows <= ${nQ}, cols <= ${nK}], received [${p.join(', ')}]`);
  }
  const names = o.stat_names;
  if (!Array.isArray(names) || !names.every(n => typeof n === 'string')) {
    fail(`${where}.summary.stat_names must be a list of names`);
  }
  const stats = o.stats === null || o.stats === undefined ? null : decodeStats(o.stats, `${where}.summary.stats`, shape, names as string[]);
  return { pooled, stats, statNames: names as string[] };
}


/** Per-head statistics [layers, heads, one per name] of a section of `shape`, or a WireError. */
export function decodeStats(value: unknown, where: string, shape: readonly number[], names: readonly string[]): Tensor {
  const stats = decodeWire(value, where);
  const [nL, nH] = shape;
  if (stats.rank !== 3 || stats.shape[0] !== nL || stats.shape[1] !== nH || stats.shape[2] !== names.length) {
    fail(`${where} must be [${nL}, ${nH}, S] with S names in stat_names`);
  }
  return stats;
}


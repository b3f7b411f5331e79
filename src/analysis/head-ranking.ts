/**
 * Head triage in the model view (pure): where each head's thumbnail goes when the grid is ordered by
 * a score, which heads a threshold keeps, and the domain a score's colour scale spans.
 * - "none": the model's order (rows = layers, columns = heads);
 * - "layer": each layer's heads by the score, highest first (NaN last), rows still layers;
 * - "rank": the whole grid as one ranking, highest first, cut to `top` and to `minScore`, laid out
 *   as many per row as the model has heads (row r holds ranks r * H + 1 ...; its header "#1–12", the
 *   column headers the offset within the row).
 * - "similarity": each layer's heads with similar heads side by side (the kernel's head similarity;
 *   no score needed), columns then say nothing of the head: "1st" ...
 * In "none", "layer" and "similarity" a head below `minScore` stays in place, marked filtered out (the view dims
 * it), so the grid keeps its shape; in "rank" it leaves the ranking.
 */
import { HeadScores, scoreValue } from '../wire/head-scores';
import { SortName } from '../wire/view-options';

export interface PlacedHead {
  layerSlot: number;
  headSlot: number;
  /** The score's value (NaN when the table lacks it for this head, or there is no score). */
  value: number;
  /** 1-based rank in the whole grid by the score (0 without a score). */
  rank: number;
  /** False when `minScore` filters it out. */
  kept: boolean;
}

export interface Arrangement {
  /** One entry per grid row: its header text and its thumbnails, left to right. */
  rows: { header: string; layerSlot: number | null; heads: PlacedHead[] }[];
  /** Column header texts. */
  columns: string[];
  /** Heads kept by the filter, and in all. */
  kept: number;
  total: number;
}

export interface TriageChoice {
  score: string | null;
  sort: SortName;
  top: number | null;
  minScore: number | null;
}

/** Highest first; NaN after every number; ties by layer then head (stable, reproducible). */
function byScore(a: PlacedHead, b: PlacedHead): number {
  const av = Number.isNaN(a.value) ? -Infinity : a.value;
  const bv = Number.isNaN(b.value) ? -Infinity : b.value;
  return bv - av || a.layerSlot - b.layerSlot || a.headSlot - b.headSlot;
}

/**
 * The grid of `layerLabels.length` layers x `headLabels.length` heads arranged by `choice` (module
 * doc). Without scores (null, or a score the table lacks) every sort is the model's order.
 */
export function arrangeHeads(scores: HeadScores | null, choice: TriageChoice, layerLabels: readonly string[], headLabels: readonly string[]): Arrangement {
  const nL = layerLabels.length;
  const nH = headLabels.length;
  const name = choice.score;
  const usable = !!scores && !!name && scores.names.includes(name);
  const all: PlacedHead[] = [];
  for (let l = 0; l < nL; l++) {
    for (let h = 0; h < nH; h++) {
      const value = usable ? scoreValue(scores, name, l, h) : NaN;
      const kept = choice.minScore === null || !usable || value >= choice.minScore;
      all.push({ layerSlot: l, headSlot: h, value, rank: 0, kept });
    }
  }
  if (usable) {
    [...all].sort(byScore).forEach((p, i) => (p.rank = i + 1));
  }
  const kept = all.filter(p => p.kept).length;
  const order = scores?.similarity?.order;
  const sort = choice.sort === 'similarity' ? (order ? 'similarity' : 'none') : usable ? choice.sort : 'none';
  if (sort === 'rank') {
    const ranked = all.filter(p => p.kept).sort(byScore);
    const shown = choice.top !== null ? ranked.slice(0, Math.max(0, choice.top)) : ranked;
    const rows = [];
    for (let i = 0; i < shown.length; i += nH) {
      const heads = shown.slice(i, i + nH);
      rows.push({ header: heads.length > 1 ? `#${i + 1}\u2013${i + heads.length}` : `#${i + 1}`, layerSlot: null, heads });
    }
    // a column is no head here: its header says where each row's heads stand, the row header their ranks
    return { rows, columns: Array.from({ length: Math.min(nH, shown.length) }, (_, i) => `+${i}`), kept: shown.length, total: all.length };
  }
  const rows = layerLabels.map((header, l) => {
    const heads = all.slice(l * nH, (l + 1) * nH);
    if (sort === 'similarity' && order) {
      return { header, layerSlot: l, heads: order[l].map(h => heads[h]) };
    }
    return { header, layerSlot: l, heads: sort === 'layer' ? [...heads].sort(byScore) : heads };
  });
  const columns = sort === 'layer' || sort === 'similarity' ? headLabels.map((_, i) => `${i + 1}${ordinal(i + 1)}`) : [...headLabels];
  return { rows, columns, kept, total: all.length };
}

function ordinal(n: number): string {
  const t = n % 100;
  if (t >= 11 && t <= 13) {
    return 'th';
  }
  return ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
}

/** [min, max] of a score over every head, NaN left out; null when it has no finite value. */
export function scoreDomain(scores: HeadScores, name: string): [number, number] | null {
  const i = scores.names.indexOf(name);
  if (i < 0) {
    return null;
  }
  const [nL, nH] = scores.values.shape;
  let lo = Infinity;
  let hi = -Infinity;
  for (let l = 0; l < nL; l++) {
    for (let h = 0; h < nH; h++) {
      const v = scores.values.get(l, h, i);
      if (Number.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
  }
  return lo <= hi ? [lo, hi] : null;
}

/** Position of `v` in `domain`, 0..1 (a one-value domain maps to 1; NaN stays NaN). */
export function domainPosition(v: number, domain: [number, number]): number {
  if (Number.isNaN(v)) {
    return NaN;
  }
  const [lo, hi] = domain;
  return hi > lo ? Math.min(1, Math.max(0, (v - lo) / (hi - lo))) : 1;
}

/**
 * A section's score table as the kernel sends it (attnscope/wire/scores.py): per-head scores
 * [layers, heads, names] (NaN where a score is not defined), the labels each head earned and the
 * rules that give them. It comes with the section (a comparison's change scores, a saved state) or
 * later in a "stats" message, while "progress" messages say how far the kernel is.
 */
import { decodeWire } from './codec';
import { WireError } from './errors';
import { Tensor } from './tensor';

/** One label a head earned; `text` names the rule and the value ("previous-token: previous 0.62 >= 0.4"). */
export interface HeadLabel {
  label: string;
  text: string;
}

/** A rule of the labels: `label` when `score` >= `threshold`. */
export interface LabelRule {
  label: string;
  score: string;
  threshold: number;
  meaning: string;
}

/** Within-layer head similarity (attnscope.analysis.similarity.layer_similarity). */
export interface HeadSimilarity {
  /** order[layer slot]: the layer's head slots with similar heads side by side. */
  order: number[][];
  /** [layer slot, head slot, head slot, similarity] of the pairs at or above `threshold`, most similar first. */
  redundant: [number, number, number, number][];
  /** Layer slots whose heads are all alike (attention collapse). */
  collapsed: number[];
  threshold: number;
  measure: string;
}

export interface HeadScores {
  names: string[];
  /** [layers, heads, names.length] float32 */
  values: Tensor;
  /** labels[layer slot][head slot]; empty when the table has none (change scores). */
  labels: HeadLabel[][][];
  rules: LabelRule[];
  /** null when the kernel sent none (one head per layer, a comparison's change scores). */
  similarity: HeadSimilarity | null;
}

/** How far the kernel is with a section's scores (heads done of total). */
export interface ScoresProgress {
  done: number;
  total: number;
}

function fail(message: string): never {
  throw new WireError(message);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function decodeLabels(value: unknown, where: string, nL: number, nH: number): HeadLabel[][][] {
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) {
    return [];
  }
  const ok = (l: unknown): boolean => isRecord(l) && typeof l.label === 'string' && typeof l.text === 'string';
  if (
    !Array.isArray(value) ||
    value.length !== nL ||
    !value.every(row => Array.isArray(row) && row.length === nH && row.every(h => Array.isArray(h) && h.every(ok)))
  ) {
    fail(`${where}.labels must be [${nL}][${nH}] lists of {label, text}`);
  }
  return value as HeadLabel[][][];
}

function decodeRules(value: unknown, where: string): LabelRule[] {
  if (value === undefined || value === null) {
    return [];
  }
  const ok = (r: unknown): boolean =>
    isRecord(r) && typeof r.label === 'string' && typeof r.score === 'string' && typeof r.threshold === 'number' && typeof r.meaning === 'string';
  if (!Array.isArray(value) || !value.every(ok)) {
    fail(`${where}.rules must be a list of {label, score, threshold, meaning}`);
  }
  return value as LabelRule[];
}

function decodeSimilarity(value: unknown, where: string, nL: number, nH: number): HeadSimilarity | null {
  if (value === undefined || value === null) {
    return null;
  }
  const v = value as Record<string, unknown>;
  const slot = (x: unknown, n: number): boolean => Number.isInteger(x) && (x as number) >= 0 && (x as number) < n;
  const perm = (o: unknown): boolean => Array.isArray(o) && o.length === nH && new Set(o).size === nH && o.every(x => slot(x, nH));
  const ok =
    isRecord(value) &&
    Array.isArray(v.order) &&
    v.order.length === nL &&
    v.order.every(perm) &&
    Array.isArray(v.redundant) &&
    v.redundant.every(r => Array.isArray(r) && r.length === 4 && slot(r[0], nL) && slot(r[1], nH) && slot(r[2], nH) && typeof r[3] === 'number') &&
    Array.isArray(v.collapsed) &&
    v.collapsed.every(x => slot(x, nL)) &&
    typeof v.threshold === 'number' &&
    typeof v.measure === 'string';
  if (!ok) {
    fail(`${where}.similarity must be {order: [${nL}] orders of the ${nH} head slots, redundant, collapsed, threshold, measure}`);
  }
  return value as unknown as HeadSimilarity;
}

/** The heads of (layer slot, head slot)'s layer at or above the similarity threshold with it: [head slot, similarity]. */
export function alikeHeads(scores: HeadScores, layerSlot: number, headSlot: number): [number, number][] {
  const out: [number, number][] = [];
  for (const [l, a, b, sim] of scores.similarity?.redundant ?? []) {
    if (l === layerSlot && (a === headSlot || b === headSlot)) {
      out.push([a === headSlot ? b : a, sim]);
    }
  }
  return out;
}

/**
 * The `scores` field of a section (`where` names it) of `shape` [L, H, Q, K]; null when absent.
 * `values` may be given already decoded (a message's buffer), else it is decoded from the field.
 */
export function decodeHeadScores(value: unknown, where: string, shape: readonly number[], values?: Tensor): HeadScores | null {
  if (value === undefined || value === null) {
    return null;
  }
  if (!isRecord(value)) {
    fail(`${where} must be an object {names, values, labels, rules}`);
  }
  const names = value.names;
  if (!Array.isArray(names) || names.length === 0 || !names.every(n => typeof n === 'string' && n !== '')) {
    fail(`${where}.names must be a non-empty list of names`);
  }
  const [nL, nH] = shape;
  const table = values ?? decodeWire(value.values, `${where}.values`);
  const s = table.shape;
  if (table.rank !== 3 || s[0] !== nL || s[1] !== nH || s[2] !== names.length) {
    fail(`${where}.values must be [${nL}, ${nH}, ${names.length}], received [${s.join(', ')}]`);
  }
  return {
    names: names as string[],
    values: table,
    labels: decodeLabels(value.labels, where, nL, nH),
    rules: decodeRules(value.rules, where),
    similarity: decodeSimilarity(value.similarity, where, nL, nH)
  };
}

/** The value of score `name` for (layer slot, head slot); NaN when the table lacks it. */
export function scoreValue(scores: HeadScores, name: string, layerSlot: number, headSlot: number): number {
  const i = scores.names.indexOf(name);
  return i < 0 ? NaN : scores.values.get(layerSlot, headSlot, i);
}

/** The labels of (layer slot, head slot), [] when none. */
export function headLabelsOf(scores: HeadScores, layerSlot: number, headSlot: number): HeadLabel[] {
  return scores.labels[layerSlot]?.[headSlot] ?? [];
}

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

export interface HeadScores {
  names: string[];
  /** [layers, heads, names.length] float32 */
  values: Tensor;
  /** labels[layer slot][head slot]; empty when the table has none (change scores). */
  labels: HeadLabel[][][];
  rules: LabelRule[];
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
    rules: decodeRules(value.rules, where)
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

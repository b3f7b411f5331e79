/**
 * What the text view shades (pure): one weight per token (or word) of the running text, from one
 * [queries, keys] matrix (a head, or the mean/max of the active heads) and the focused token.
 *
 * - A focused QUERY token i: row i, each key j shaded by A[i, j] (what i attends to).
 * - A focused KEY token j (self-attention only: the text is the same tokens on both sides): column
 *   j, each token i shaded by A[i, j] (what attends to j). On cross attention the queries are not
 *   the text shown, so a key focus falls back to the no-focus rule.
 * - No focus: for derived sections (rollout, flow) the row of the output token (the first token of
 *   an encoder, the last of a causal decoder); for attention from the model the column mean (the
 *   mean weight each key receives over all queries; masked weights of a causal model count as 0).
 *
 * Grouped by words, the matrix is first grouped (analysis/words.ts groupMatrix: sum over a word's
 * keys, mean over its queries) and the same rules apply to the word of the focused token.
 */
import { isCumulative } from '../data/derived';
import { groupMatrix, Words } from './words';

export type ShadeRule =
  | { kind: 'row'; index: number; output: boolean }
  | { kind: 'column'; index: number }
  | { kind: 'column-mean' };

export interface FocusRef {
  side: 'query' | 'key';
  index: number;
}

/** What the rules need of a section. */
export interface ShadeSection {
  derived: string | null;
  causal: boolean;
  samePositions: boolean;
  nQueries: number;
  nKeys: number;
}

/** The rule for a focus, in TOKEN indices (null focus, or a focus out of range: the default). */
export function shadeRule(focus: FocusRef | null, sec: ShadeSection): ShadeRule {
  if (focus && focus.side === 'query' && focus.index >= 0 && focus.index < sec.nQueries) {
    return { kind: 'row', index: focus.index, output: false };
  }
  if (focus && focus.side === 'key' && sec.samePositions && focus.index >= 0 && focus.index < sec.nKeys) {
    return { kind: 'column', index: focus.index };
  }
  if (isCumulative(sec) && sec.nQueries > 0) {
    return { kind: 'row', index: sec.causal ? sec.nQueries - 1 : 0, output: true };
  }
  return { kind: 'column-mean' };
}

/** One value per column (row rules, column mean) or per row (column rule) of a [rows, cols] matrix. */
export function shadeValues(w: Float32Array, rows: number, cols: number, rule: ShadeRule): Float32Array {
  if (w.length !== rows * cols) {
    throw new RangeError(`shadeValues: ${w.length} values for [${rows}, ${cols}]`);
  }
  if (rule.kind === 'row') {
    return w.slice(rule.index * cols, (rule.index + 1) * cols);
  }
  if (rule.kind === 'column') {
    const out = new Float32Array(rows);
    for (let i = 0; i < rows; i++) {
      out[i] = w[i * cols + rule.index];
    }
    return out;
  }
  const out = new Float32Array(cols);
  if (rows === 0) {
    return out;
  }
  // summed in float64, then divided: the mean of many small weights keeps its digits
  const sums = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const row = i * cols;
    for (let j = 0; j < cols; j++) {
      sums[j] += w[row + j];
    }
  }
  for (let j = 0; j < cols; j++) {
    out[j] = sums[j] / rows;
  }
  return out;
}

export interface TextShadingInput extends ShadeSection {
  /** Row-major [queries, keys] weights of the chosen matrix. */
  matrix: Float32Array;
  focus: FocusRef | null;
  /** Word groups of both sides when the text is grouped by words; null for tokens. */
  words: { query: Words; key: Words } | null;
  /** groupMatrix(matrix, ...) of these words when the caller already has it (hover repaints reuse it). */
  grouped?: Float32Array | null;
}

export interface TextShading {
  /** The rule in TOKEN indices (what the caption names). */
  rule: ShadeRule;
  /** One weight per unit of the text (token, or word when grouped). */
  weights: Float32Array;
  /** Largest weight shown (0 when none): the top of the legend. */
  max: number;
  /** The focused unit (the row's or column's token or word), null for the column mean. */
  focusUnit: number | null;
}

/** The weights of the running text for a matrix, a focus and a grouping. */
export function textShading(p: TextShadingInput): TextShading {
  const rule = shadeRule(p.focus, p);
  let w = p.matrix;
  let rows = p.nQueries;
  let cols = p.nKeys;
  let unitRule = rule;
  if (p.words) {
    w = p.grouped ?? groupMatrix(p.matrix, rows, cols, p.words.query, p.words.key);
    rows = p.words.query.labels.length;
    cols = p.words.key.labels.length;
    if (rule.kind === 'row') {
      unitRule = { ...rule, index: p.words.query.of[rule.index] };
    } else if (rule.kind === 'column') {
      unitRule = { ...rule, index: p.words.key.of[rule.index] };
    }
  }
  const weights = shadeValues(w, rows, cols, unitRule);
  let max = 0;
  weights.forEach(v => (max = v > max ? v : max));
  return { rule, weights, max, focusUnit: unitRule.kind === 'column-mean' ? null : unitRule.index };
}

/** Opacity of a token's background: its weight relative to the legend's top, at most `cap` (text stays readable). */
export function shadeAlpha(weight: number, max: number, cap = 0.8): number {
  if (!(max > 0) || !(weight > 0)) {
    return 0;
  }
  return Math.min(1, weight / max) * cap;
}

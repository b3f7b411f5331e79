/**
 * What the matrix view shows at one moment (no DOM): the matrix of the chosen heads (a head, or the
 * mean/max of the active heads) at a layer, exact or, while a lazy section's slices are on their
 * way, the pooled summary (choiceOverview); grouped by words when asked and exact; its axis labels
 * and the colour domain [0, max]. The view paints it; the export draws it again.
 */
import { isSigned, layerWords } from '../../data/derived';
import { absMax } from '../../render/diverging';
import { choiceId, choiceLabel, choiceOverview, choiceSlots, HeadChoice } from '../../analysis/aggregate';
import { groupMatrix, hasSubwords, Words, wordsOf } from '../../analysis/words';
import { READY, Section } from '../../data/section';
import { SliceStatus } from '../../data/slice-store';
import { matrixMax } from '../../render/heatmap';
import { layerSlotOrFirst } from '../../selection/ids';
import { isFull, ZoomWindow } from '../../analysis/zoom';

export interface MatrixShown {
  section: Section;
  /** Real layer id. */
  layer: number;
  choice: HeadChoice;
  choiceText: string;
  /** Row-major [rows, cols] weights drawn; null while nothing can be drawn (lazy, no summary). */
  weights: Float32Array | null;
  rows: number;
  cols: number;
  /** The exact weights (false: a lazy section's pooled summary, one cell for a block of tokens). */
  exact: boolean;
  /** Rows and columns are words (exact weights only). */
  grouped: boolean;
  /** Labels of the rows (queries) and columns (keys): tokens or words. */
  rowLabels: readonly string[];
  colLabels: readonly string[];
  /** First token of each row / column (word starts when grouped; identity for tokens). */
  rowTokens: readonly number[];
  colTokens: readonly number[];
  rowWords: Words | null;
  colWords: Words | null;
  /** Largest weight shown (the colour domain [0, max]); for a signed section the largest |difference| ([-max, max]). */
  max: number;
  /** A difference B - A (data/derived.ts isSigned): drawn on the diverging scale. */
  signed: boolean;
  status: SliceStatus;
}

export interface MatrixInput {
  section: Section;
  layer: number;
  choice: HeadChoice;
  heads: readonly number[];
  grouped: boolean;
  request?: (layerSlot: number, slots: readonly number[]) => SliceStatus;
}

/** Words of both sides when grouping is on and changes something. */
export function matrixWords(sec: Section, grouped: boolean): { query: Words; key: Words } | null {
  if (!grouped) {
    return null;
  }
  const query = wordsOf(sec, 'query');
  const key = wordsOf(sec, 'key');
  return hasSubwords(key) || hasSubwords(query) ? { query, key } : null;
}

const identity = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** Cache of the last computed matrix: a hover never recomputes a mean over heads. */
export interface MatrixCache {
  section: Section | null;
  key: string;
  shown: MatrixShown | null;
}

export function emptyMatrixCache(): MatrixCache {
  return { section: null, key: '', shown: null };
}

export function matrixShown(p: MatrixInput, cache?: MatrixCache): MatrixShown {
  const sec = p.section;
  const [, , nQ, nK] = sec.shape;
  const li = layerSlotOrFirst(sec, p.layer);
  const slots = choiceSlots(p.choice, p.heads);
  const status = p.request ? p.request(li, slots) : { ...READY, heads: slots };
  const used = status.state === 'ready' ? status.heads : slots;
  const key = `${li}|${choiceId(p.choice)}|${used.join(',')}|${status.state}|${p.grouped}`;
  if (cache && cache.section === sec && cache.key === key && cache.shown) {
    return { ...cache.shown, layer: p.layer, status };
  }
  const ov = choiceOverview(sec, li, p.choice, status.state === 'ready' ? used : p.heads);
  const full = !!ov && ov.exact && ov.rows === nQ && ov.cols === nK;
  // a lazy section without a summary has nothing to draw before its slices (overview gives zeros)
  const held = !!ov && (full ? status.state === 'ready' || !sec.lazy || !!sec.summary : true);
  let weights = held && ov ? ov.weights : null;
  let rows = ov && held ? ov.rows : nQ;
  let cols = ov && held ? ov.cols : nK;
  const exact = held && full;
  const words = exact ? matrixWords(sec, p.grouped) : null;
  let rowLabels: readonly string[] = sec.queryTokens;
  let colLabels: readonly string[] = sec.keyTokens;
  let rowTokens: readonly number[] = identity(nQ);
  let colTokens: readonly number[] = identity(nK);
  if (words && weights) {
    weights = groupMatrix(weights, nQ, nK, words.query, words.key);
    rows = words.query.labels.length;
    cols = words.key.labels.length;
    rowLabels = words.query.labels;
    colLabels = words.key.labels;
    rowTokens = words.query.starts.slice(0, rows);
    colTokens = words.key.starts.slice(0, cols);
  } else if (!exact) {
    rowLabels = sec.queryTokens;
    colLabels = sec.keyTokens;
  }
  const shown: MatrixShown = {
    section: sec,
    layer: p.layer,
    choice: p.choice,
    choiceText: choiceLabel(sec, p.choice, used),
    weights,
    rows,
    cols,
    exact,
    grouped: !!words,
    rowLabels,
    colLabels,
    rowTokens,
    colTokens,
    rowWords: words?.query ?? null,
    colWords: words?.key ?? null,
    max: weights ? (isSigned(sec) ? absMax(weights) : matrixMax(weights)) : 0,
    signed: isSigned(sec),
    status
  };
  if (cache && weights) {
    Object.assign(cache, { section: sec, key, shown });
  }
  return shown;
}

/** The row (or column) unit of a token: its word when grouped, else the token itself. */
export function unitOfToken(s: MatrixShown, side: 'query' | 'key', index: number): number {
  const w = side === 'query' ? s.rowWords : s.colWords;
  return w ? (w.of[index] ?? -1) : index;
}

/** The row (query) or column (key) a Selection token falls in: its word, its pooled cell, or itself. */
export function unitOfRef(s: MatrixShown, t: { side: 'query' | 'key'; index: number }): number {
  if (s.exact) {
    return unitOfToken(s, t.side, t.index);
  }
  const n = t.side === 'query' ? s.section.shape[2] : s.section.shape[3];
  return Math.floor((t.index * (t.side === 'query' ? s.rows : s.cols)) / n);
}

/** Token range [start, end) of a row or column unit of the exact matrix, or of a pooled cell. */
export function tokensOfUnit(s: MatrixShown, side: 'query' | 'key', unit: number): [number, number] {
  const n = side === 'query' ? s.section.shape[2] : s.section.shape[3];
  const w = side === 'query' ? s.rowWords : s.colWords;
  if (w) {
    return [w.starts[unit], w.starts[unit + 1]];
  }
  const units = side === 'query' ? s.rows : s.cols;
  if (s.exact || units === n) {
    return [unit, unit + 1];
  }
  return [Math.floor((unit * n) / units), Math.max(Math.floor((unit * n) / units) + 1, Math.floor(((unit + 1) * n) / units))];
}

/** "mean of all heads, layer 3: 12 queries × 12 keys, showing rows 0–5, columns 2–9". */
export function matrixCaption(s: MatrixShown, w: ZoomWindow): string {
  const where = layerWords(s.section, s.layer);
  if (!s.weights) {
    return `loading exact weights (${s.choiceText}, ${where})\u2026`;
  }
  const size = `${s.rows} ${s.grouped ? 'query words' : 'queries'} \u00d7 ${s.cols} ${s.grouped ? 'key words' : 'keys'}`;
  const pooled = s.exact ? '' : ' (pooled summary, exact weights loading\u2026)';
  const zoom = isFull(w, s.rows, s.cols) ? '' : `, showing rows ${w.r0}\u2013${w.r1 - 1}, columns ${w.c0}\u2013${w.c1 - 1}`;
  return `${s.choiceText}, ${where}: ${size}${pooled}${zoom}`;
}

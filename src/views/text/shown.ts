/**
 * What the text view shows at one moment (no DOM): the units of the running text, the matrix it
 * shades from (a head, or the mean/max of the active heads), their weights and the caption that
 * says what they mean. The view paints it; the export draws it again.
 *
 * Lazy sections: the exact weights of the chosen heads are asked for; until they are here no
 * shading is shown (a pooled summary mixes several rows and columns in one cell, so it cannot give
 * one token's row), unless the summary holds the whole matrix (short inputs), which is then exact.
 */
import { isCumulative, layerWords } from '../../data/derived';
import { choiceId, choiceLabel, choiceMatrix, choiceOverview, choiceSlots, HeadChoice, MEAN } from '../../analysis/aggregate';
import { ShadeRule, TextShading, textShading } from '../../analysis/text-shading';
import { groupMatrix, hasSubwords, Words, wordsOf } from '../../analysis/words';
import { READY, Section } from '../../data/section';
import { SliceStatus } from '../../data/slice-store';
import { shortenToken } from '../../render/format';
import { TextUnit, tokenUnits, wordUnits } from '../../render/running-text';
import { escapeInvisible, plainText, TextLine, TextPart } from '../../render/token-text';
import { layerSlotOrFirst } from '../../selection/ids';
import { OpenHead, TokenRef } from '../../selection/state';

/** Tokens quoted in the caption are shortened to this many characters. */
export const CAPTION_TOKEN_CHARS = 32;

export interface TextShown {
  section: Section;
  /** Real layer id. */
  layer: number;
  choice: HeadChoice;
  /** "mean of all heads", "head 3", "rollout". */
  choiceText: string;
  grouped: boolean;
  units: TextUnit[];
  /** The shading, null while a lazy section's weights are on their way (or failed). */
  shading: TextShading | null;
  /** The exact weights were used (false while loading). */
  exact: boolean;
  caption: TextLine;
  status: SliceStatus;
  /** The unit of the pinned token, if any. */
  pinnedUnit: number | null;
  /** The unit of the focused token (hovered, else pinned), if any. */
  focusUnit: number | null;
}

/** The default matrix: the open head when it is in this layer, the only head of one-head sections, else the mean. */
export function defaultChoice(sec: Section, layer: number, open: OpenHead | null): HeadChoice {
  if (open && open.layer === layer && open.head < sec.shape[1]) {
    return { kind: 'head', head: open.head };
  }
  return sec.shape[1] === 1 ? { kind: 'head', head: 0 } : MEAN;
}

/** Word groups of the text, when grouping is on and changes something. */
export function groupsOf(sec: Section, grouped: boolean): { query: Words; key: Words } | null {
  if (!grouped) {
    return null;
  }
  const key = wordsOf(sec, 'key');
  return hasSubwords(key) ? { query: wordsOf(sec, 'query'), key } : null;
}

function quoted(token: string): TextPart[] {
  return ['\u2018', { token: escapeInvisible(shortenToken(token, CAPTION_TOKEN_CHARS)) }, '\u2019'];
}

function range(a: number, b: number): string {
  return a === b ? String(a) : `${a}\u2013${b}`;
}

/** "weights received from ‘it’ (query 11), mean of all heads, layer 3". */
export function captionOf(sec: Section, rule: ShadeRule, words: { query: Words; key: Words } | null, choiceText: string, layer: number): TextPart[] {
  // a cumulative section's layer slot l is the result through layers 0..l (rollout, flow, gradient rollout)
  const tail = isCumulative(sec) ? `, ${choiceText} up to layer ${layer}` : `, ${choiceText}, ${layerWords(sec, layer)}`;
  if (rule.kind === 'column-mean') {
    return [`mean weight received over all ${sec.shape[2]} queries${tail}`];
  }
  const side = rule.kind === 'row' ? 'query' : 'key';
  const w = words ? words[side] : null;
  let what: TextPart[];
  if (w) {
    const word = w.of[rule.index];
    what = ['the word ', ...quoted(w.labels[word]), ` (${side === 'query' ? 'queries' : 'keys'} ${range(w.starts[word], w.starts[word + 1] - 1)}`];
  } else {
    const tokens = side === 'query' ? sec.queryTokens : sec.keyTokens;
    what = [...quoted(tokens[rule.index]), ` (${side} ${rule.index}`];
  }
  if (rule.kind === 'row') {
    return ['weights received from ', ...what, rule.output ? ', the output token)' : ')', tail];
  }
  return ['weights given to ', ...what, ') by each token', tail];
}

/**
 * The matrix of the last paint and its word-grouped form, so that a hover repaint (a new focus on
 * the same data) reads one row instead of averaging every head again. Only matrices that exist are
 * kept; a section object is replaced when its data changes, so it is part of the key.
 */
export interface MatrixCache {
  section: Section | null;
  key: string;
  matrix: Float32Array | null;
  grouped: Float32Array | null;
}

export function emptyCache(): MatrixCache {
  return { section: null, key: '', matrix: null, grouped: null };
}

export interface ShownInput {
  section: Section;
  layer: number;
  choice: HeadChoice;
  /** Active head slots. */
  heads: readonly number[];
  grouped: boolean;
  focus: TokenRef | null;
  pinned: TokenRef | null;
  /** Asks for the slices (lazy); eager sections are always ready. */
  request?: (layerSlot: number, slots: readonly number[]) => SliceStatus;
  cache?: MatrixCache;
}

/** The unit holding token `index`. */
function unitOf(units: readonly TextUnit[], index: number): number | null {
  const u = units.findIndex(x => index >= x.index && index < x.end);
  return u < 0 ? null : u;
}

export function textShown(p: ShownInput): TextShown {
  const sec = p.section;
  const [, , nQ, nK] = sec.shape;
  const li = layerSlotOrFirst(sec, p.layer);
  const slots = choiceSlots(p.choice, p.heads);
  const status = p.request ? p.request(li, slots) : { ...READY, heads: slots };
  const used = status.state === 'ready' ? status.heads : slots;
  const words = groupsOf(sec, p.grouped);
  const key = `${li}|${choiceId(p.choice)}|${used.join(',')}|${status.state}`;
  const cache = p.cache;
  let matrix: Float32Array | null = cache && cache.section === sec && cache.key === key ? cache.matrix : null;
  const cached = !!matrix;
  if (!matrix) {
    matrix = status.state === 'ready' ? choiceMatrix(sec, li, p.choice, used) : null;
  }
  if (!matrix) {
    const ov = choiceOverview(sec, li, p.choice, p.heads);
    matrix = ov && ov.exact && ov.rows === nQ && ov.cols === nK && (sec.lazy ? !!sec.summary : true) ? ov.weights : null;
  }
  if (cache && matrix && !cached) {
    Object.assign(cache, { section: sec, key, matrix, grouped: null });
  }
  const grouped = cache && matrix && words ? (cache.grouped ??= groupMatrix(matrix, nQ, nK, words.query, words.key)) : null;
  const units = words ? wordUnits(words.key) : tokenUnits(sec.keyTokens, sec.words ? wordsOf(sec, 'key') : null);
  const choiceText = choiceLabel(sec, p.choice, used);
  const shading = matrix
    ? textShading({ matrix, nQueries: nQ, nKeys: nK, derived: sec.derived, causal: sec.causal, samePositions: sec.samePositions, focus: p.focus, words, grouped })
    : null;
  let caption: TextLine;
  if (shading) {
    caption = captionOf(sec, shading.rule, words, choiceText, p.layer);
    if (p.focus?.side === 'key' && shading.rule.kind !== 'column') {
      // cross attention: a key's column runs over the queries, which are not this text
      caption = [...caption, ` (key ${p.focus.index} is focused: what attends to it are queries, not shown here)`];
    }
  } else {
    caption = status.state === 'ready' || status.state === 'loading' ? `loading exact weights (${choiceText}, layer ${p.layer})\u2026` : status.message || 'the weights are not available';
  }
  const tokenUnit = (t: TokenRef | null): number | null => (t && (t.side === 'key' || sec.samePositions) ? unitOf(units, t.index) : null);
  return {
    section: sec,
    layer: p.layer,
    choice: p.choice,
    choiceText,
    grouped: !!words,
    units,
    shading,
    exact: !!shading,
    caption,
    status,
    pinnedUnit: tokenUnit(p.pinned),
    // the shading's unit is a query unit: the same as the text's only when queries and keys are one sequence
    focusUnit: sec.samePositions ? (shading?.focusUnit ?? tokenUnit(p.focus)) : tokenUnit(p.focus)
  };
}

/** The caption as plain text (tests, aria, file titles). */
export function captionText(s: TextShown): string {
  return plainText(s.caption);
}

/**
 * The optional fields a section may carry besides its weights: what it was derived from (rollout,
 * flow), its parameters, labels for its head slots, the words its tokens form, and which of its query
 * tokens a model generated. Checked field by field; anything malformed throws a WireError naming the field.
 */
import { WireError } from './errors';
import { decodeHeadScores, HeadScores, ScoresProgress } from './head-scores';

/** Which token of which word: word index per token (0.., non-decreasing, consecutive) and one label per word. */
export interface WordGroups {
  query: number[];
  key: number[];
  queryLabels: string[];
  keyLabels: string[];
}

/** Which query positions a model generated (attnscope.from_generate). */
export interface Generation {
  /** Query positions before the first generated token (the prompt; 1, the start token, for a decoder). */
  promptLength: number;
  /** Positions of the generated tokens, increasing, in promptLength..Q-1. */
  generated: number[];
}

export interface SectionExtras {
  /** null for attention from the model; "rollout", "flow", ... for analysis results. */
  derived: string | null;
  /** Key of the section this one was computed from. */
  derivedFrom: string | null;
  /** The analysis parameters (residual, head_fusion, ...), for labels. */
  params: Readonly<Record<string, number | string>>;
  /** One label per head slot, shown instead of "head N" (rollout: ["rollout"]). */
  headLabels: string[] | null;
  /** Word groups when the kernel knows the word boundaries, else null (each token its own word). */
  words: WordGroups | null;
  /**
   * The head scores (wire/head-scores.ts): with the section, or set when the kernel's stats message
   * arrives (data/stats.ts); null until then.
   */
  scores: HeadScores | null;
  /** How far the kernel is with the scores (its progress messages); null when not computing. */
  scoresProgress: ScoresProgress | null;
  /** The generated query positions when a model generated the query tokens, else null. */
  generation: Generation | null;
  /** A comparison's token positions whose tokens differ between its two inputs (attnscope.compare), else null. */
  differingTokens: number[] | null;
}

export const EXTRA_KEYS = ['derived', 'derived_from', 'params', 'head_labels', 'words', 'scores', 'generation', 'differing_tokens'] as const;

function fail(message: string): never {
  throw new WireError(message);
}

function optionalString(value: unknown, name: string): string | null {
  if (value === undefined || value === null) {
    return null;
  }
  if (typeof value !== 'string' || value === '') {
    fail(`${name} must be a non-empty string`);
  }
  return value;
}

function wordIndex(value: unknown, name: string, nTokens: number): number[] {
  if (!Array.isArray(value) || value.length !== nTokens) {
    fail(`${name} must list one word index per token (${nTokens})`);
  }
  let last = -1;
  for (const w of value) {
    if (!Number.isInteger(w) || (w !== last && w !== last + 1) || (last === -1 && w !== 0)) {
      fail(`${name} must start at 0 and go up by at most 1 per token`);
    }
    last = w as number;
  }
  return value as number[];
}

function labels(value: unknown, name: string, nWords: number): string[] {
  if (!Array.isArray(value) || value.length !== nWords || !value.every(t => typeof t === 'string')) {
    fail(`${name} must list ${nWords} strings, one per word`);
  }
  return value as string[];
}

function decodeWords(value: unknown, where: string, nQ: number, nK: number): WordGroups | null {
  if (value === undefined || value === null) {
    return null;
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    fail(`${where}.words must be an object {query, key, query_labels, key_labels}`);
  }
  const w = value as Record<string, unknown>;
  const query = wordIndex(w.query, `${where}.words.query`, nQ);
  const key = wordIndex(w.key, `${where}.words.key`, nK);
  return {
    query,
    key,
    queryLabels: labels(w.query_labels, `${where}.words.query_labels`, query[nQ - 1] + 1),
    keyLabels: labels(w.key_labels, `${where}.words.key_labels`, key[nK - 1] + 1)
  };
}

function decodeGeneration(value: unknown, where: string, nQ: number): Generation | null {
  if (value === undefined || value === null) {
    return null;
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    fail(`${where}.generation must be an object {prompt_length, generated}`);
  }
  const g = value as Record<string, unknown>;
  const p = g.prompt_length;
  if (!Number.isInteger(p) || (p as number) < 0 || (p as number) > nQ) {
    fail(`${where}.generation.prompt_length must be an integer in 0..${nQ}`);
  }
  const promptLength = p as number;
  const gen = g.generated;
  if (!Array.isArray(gen)) {
    fail(`${where}.generation.generated must list the positions of the generated tokens`);
  }
  let last = promptLength - 1;
  for (const i of gen) {
    if (!Number.isInteger(i) || (i as number) <= last || (i as number) >= nQ) {
      fail(`${where}.generation.generated must be increasing positions in ${promptLength}..${nQ - 1}`);
    }
    last = i as number;
  }
  return { promptLength, generated: gen as number[] };
}

function decodeParams(value: unknown, where: string): Record<string, number | string> {
  if (value === undefined || value === null) {
    return {};
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    fail(`${where}.params must be an object`);
  }
  const out: Record<string, number | string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (!(typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)))) {
      fail(`${where}.params.${k} must be a number or a string`);
    }
    out[k] = v;
  }
  return out;
}

function decodeDiffering(value: unknown, where: string, n: number): number[] | null {
  if (value === undefined || value === null) {
    return null;
  }
  if (!Array.isArray(value) || !value.every(p => Number.isInteger(p) && p >= 0 && p < n)) {
    fail(`${where}.differing_tokens must list token positions in 0..${n - 1}`);
  }
  return value as number[];
}

/** The optional fields of sections[i] (`where`), checked against its shape [L, H, Q, K]. */
export function decodeExtras(obj: Record<string, unknown>, where: string, shape: readonly number[]): SectionExtras {
  const [, nHeads, nQ, nK] = shape;
  let headLabels: string[] | null = null;
  if (obj.head_labels !== undefined && obj.head_labels !== null) {
    const v = obj.head_labels;
    if (!Array.isArray(v) || v.length !== nHeads || !v.every(t => typeof t === 'string')) {
      fail(`${where}.head_labels must list ${nHeads} strings, one per head`);
    }
    headLabels = v as string[];
  }
  return {
    derived: optionalString(obj.derived, `${where}.derived`),
    derivedFrom: optionalString(obj.derived_from, `${where}.derived_from`),
    params: decodeParams(obj.params, where),
    headLabels,
    words: decodeWords(obj.words, where, nQ, nK),
    scores: decodeHeadScores(obj.scores, `${where}.scores`, shape),
    scoresProgress: null,
    generation: decodeGeneration(obj.generation, where, nQ),
    differingTokens: decodeDiffering(obj.differing_tokens, where, Math.max(nQ, nK))
  };
}

/** A section without any of the optional fields (attention from the model, tokens as words). */
export const NO_EXTRAS: SectionExtras = {
  derived: null,
  derivedFrom: null,
  params: {},
  headLabels: null,
  words: null,
  scores: null,
  scoresProgress: null,
  generation: null,
  differingTokens: null
};

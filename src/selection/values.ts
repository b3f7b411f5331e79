/**
 * The values of the selection state, checked and compared (pure): indices, heads, tokens, open
 * heads, and which keys differ between two states.
 */
import { SelectionState, OpenHead, TokenRef } from './types';

export function checkIndex(x: number, what: string, n?: number): number {
  if (!Number.isInteger(x) || x < 0 || (n !== undefined && x >= n)) {
    const range = n === undefined ? 'a non-negative integer' : `an integer in [0, ${n})`;
    throw new RangeError(`Selection: ${what} must be ${range}, received ${String(x)}`);
  }
  return x;
}

export function checkNHeads(n: number): number {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`Selection: nHeads must be a positive integer, received ${String(n)}`);
  }
  return n;
}

export function allHeads(nHeads: number): number[] {
  return Array.from({ length: nHeads }, (_, i) => i);
}

/** Sorted, de-duplicated, range-checked heads; an empty list means all heads. */
export function normalizeHeads(hs: readonly number[], nHeads: number): number[] {
  hs.forEach(h => checkIndex(h, 'head', nHeads));
  const sorted = [...new Set(hs)].sort((a, b) => a - b);
  return sorted.length === 0 ? allHeads(nHeads) : sorted;
}

export function checkToken(t: TokenRef | null): TokenRef | null {
  if (t === null) {
    return null;
  }
  if (t.side !== 'query' && t.side !== 'key') {
    throw new RangeError(`Selection: token side must be 'query' or 'key', received ${String(t.side)}`);
  }
  checkIndex(t.index, 'token index');
  return { side: t.side, index: t.index };
}

/** A step index in [0, nSteps), or null (the whole sequence). */
export function checkStep(t: number | null, nSteps: number): number | null {
  return t === null ? null : checkIndex(t, 'step', nSteps);
}

export function sameToken(a: TokenRef | null, b: TokenRef | null): boolean {
  return a === b || (a !== null && b !== null && a.side === b.side && a.index === b.index);
}

export function sameOpen(a: OpenHead | null, b: OpenHead | null): boolean {
  return a === b || (a !== null && b !== null && a.layer === b.layer && a.head === b.head);
}

export function sameHeads(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((h, i) => h === b[i]);
}

const EQUAL: { [K in keyof SelectionState]: (a: SelectionState[K], b: SelectionState[K]) => boolean } = {
  section: Object.is,
  layer: Object.is,
  heads: sameHeads,
  nHeads: Object.is,
  hovered: sameToken,
  pinned: sameToken,
  filter: Object.is,
  openHead: sameOpen,
  nSteps: Object.is,
  step: Object.is
};

const KEYS = Object.keys(EQUAL) as (keyof SelectionState)[];

function differs<K extends keyof SelectionState>(k: K, a: SelectionState, b: SelectionState): boolean {
  const eq: (x: SelectionState[K], y: SelectionState[K]) => boolean = EQUAL[k];
  return !eq(a[k], b[k]);
}

/** The keys whose values differ between two states. */
export function diff(a: SelectionState, b: SelectionState): Set<keyof SelectionState> {
  return new Set(KEYS.filter(k => differs(k, a, b)));
}

export function freeze(s: SelectionState): Readonly<SelectionState> {
  const t = (x: TokenRef | null): TokenRef | null => (x ? Object.freeze({ ...x }) : null);
  return Object.freeze({
    ...s,
    heads: Object.freeze([...s.heads]),
    hovered: t(s.hovered),
    pinned: t(s.pinned),
    openHead: s.openHead ? Object.freeze({ ...s.openHead }) : null
  });
}

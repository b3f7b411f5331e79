/**
 * Sentence A/B pair filters for self-attention, with BertViz semantics:
 * sentence A is tokens [0, sentenceBStart), sentence B is [sentenceBStart, n);
 * queries are the left column, keys the right one. 'ab' shows queries in A
 * attending to keys in B, 'ba' the reverse. Ranges are half-open.
 */

export type PairFilter = 'all' | 'aa' | 'bb' | 'ab' | 'ba';

export interface Range {
  start: number;
  end: number;
}

const LABELS: Readonly<Record<PairFilter, string>> = {
  all: 'All',
  aa: 'Sentence A → Sentence A',
  bb: 'Sentence B → Sentence B',
  ab: 'Sentence A → Sentence B',
  ba: 'Sentence B → Sentence A'
};

/** Filters in menu order. */
export const PAIR_FILTERS: readonly PairFilter[] = ['all', 'aa', 'bb', 'ab', 'ba'];

export function isPairFilter(x: unknown): x is PairFilter {
  return typeof x === 'string' && (PAIR_FILTERS as readonly string[]).includes(x);
}

/** Which side ('a' or 'b') each filter shows for queries and keys; 'all' is absent. */
const SIDES: Readonly<Record<Exclude<PairFilter, 'all'>, readonly ['a' | 'b', 'a' | 'b']>> = {
  aa: ['a', 'a'],
  bb: ['b', 'b'],
  ab: ['a', 'b'],
  ba: ['b', 'a']
};

/** The query and key token ranges a filter shows for n tokens. */
export function filterRanges(
  n: number,
  sentenceBStart: number | null,
  f: PairFilter
): { query: Range; key: Range } {
  if (!Number.isInteger(n) || n < 0) {
    throw new RangeError(`filterRanges: n must be a non-negative integer, received ${String(n)}`);
  }
  if (!isPairFilter(f)) {
    throw new RangeError(
      `filterRanges: filter must be one of ${PAIR_FILTERS.join(', ')}, received ${String(f)}`
    );
  }
  if (f === 'all') {
    return { query: { start: 0, end: n }, key: { start: 0, end: n } };
  }
  if (sentenceBStart === null) {
    throw new RangeError(`filterRanges: filter '${f}' needs sentenceBStart, received null`);
  }
  if (!Number.isInteger(sentenceBStart) || sentenceBStart < 0 || sentenceBStart > n) {
    throw new RangeError(
      `filterRanges: sentenceBStart must be an integer in [0, ${n}], received ${String(sentenceBStart)}`
    );
  }
  const part = (side: 'a' | 'b'): Range =>
    side === 'a' ? { start: 0, end: sentenceBStart } : { start: sentenceBStart, end: n };
  const [q, k] = SIDES[f];
  return { query: part(q), key: part(k) };
}

/** Menu options: only 'all' without a sentence B, otherwise all five filters. */
export function pairFilterOptions(
  sentenceBStart: number | null
): { value: PairFilter; label: string }[] {
  const values = sentenceBStart === null ? (['all'] as const) : PAIR_FILTERS;
  return values.map(value => ({ value, label: LABELS[value] }));
}

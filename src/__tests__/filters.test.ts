import { PairFilter, filterRanges, isPairFilter, pairFilterOptions } from '../selection/filters';

// 7 tokens, sentence B starts at 3: A = [0, 3), B = [3, 7).
describe('filterRanges', () => {
  test.each<[PairFilter, number | null, [number, number], [number, number]]>([
    ['all', null, [0, 7], [0, 7]],
    ['all', 3, [0, 7], [0, 7]],
    ['aa', 3, [0, 3], [0, 3]],
    ['bb', 3, [3, 7], [3, 7]],
    ['ab', 3, [0, 3], [3, 7]],
    ['ba', 3, [3, 7], [0, 3]],
    ['ab', 0, [0, 0], [0, 7]],
    ['ba', 7, [7, 7], [0, 7]]
  ])('%s with sentenceBStart %p: queries %j, keys %j', (f, b, [qs, qe], [ks, ke]) => {
    expect(filterRanges(7, b, f)).toEqual({
      query: { start: qs, end: qe },
      key: { start: ks, end: ke }
    });
  });

  test.each<[string, () => unknown, RegExp]>([
    ['pair filter without sentence B', () => filterRanges(7, null, 'aa'), /filter 'aa' needs sentenceBStart, received null/],
    ['sentenceBStart beyond n', () => filterRanges(7, 8, 'ab'), /sentenceBStart must be an integer in \[0, 7\], received 8/],
    ['negative sentenceBStart', () => filterRanges(7, -1, 'bb'), /received -1/],
    ['fractional n', () => filterRanges(2.5, 1, 'aa'), /n must be a non-negative integer, received 2.5/],
    ['unknown filter', () => filterRanges(7, 3, 'xy' as PairFilter), /filter must be one of all, aa, bb, ab, ba, received xy/]
  ])('%s throws RangeError', (_name, call, message) => {
    expect(call).toThrow(RangeError);
    expect(call).toThrow(message);
  });
});

describe('pairFilterOptions', () => {
  test('only "all" without a sentence B', () => {
    expect(pairFilterOptions(null)).toEqual([{ value: 'all', label: 'All' }]);
  });

  test('all five pairs, BertViz order and labels, with a sentence B', () => {
    expect(pairFilterOptions(3)).toEqual([
      { value: 'all', label: 'All' },
      { value: 'aa', label: 'Sentence A → Sentence A' },
      { value: 'bb', label: 'Sentence B → Sentence B' },
      { value: 'ab', label: 'Sentence A → Sentence B' },
      { value: 'ba', label: 'Sentence B → Sentence A' }
    ]);
  });

  test.each([
    ['all', true],
    ['ba', true],
    ['AB', false],
    [3, false],
    [null, false]
  ])('isPairFilter(%p) = %p', (x, ok) => {
    expect(isPairFilter(x)).toBe(ok);
  });
});

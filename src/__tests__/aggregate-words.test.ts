import { aggregateHeads, choiceId, choiceLabel, choiceMatrix, choiceOverview, MAX, MEAN, parseChoice } from '../analysis/aggregate';
import { groupMatrix, hasSubwords, wordsOf } from '../analysis/words';
import { eager } from '../data/eager';
import { Tensor } from '../wire/tensor';

/** [1 layer, 3 heads, 2, 2]: head h has weights [[h, 1], [2, h + 3]] / 10. */
const att = new Tensor(Float32Array.from([0, 1, 2, 3, 1, 1, 2, 4, 2, 1, 2, 5].map(v => v / 10)), [1, 3, 2, 2]);
const sec = eager({ key: 'self', label: 'Attention', attention: att, layers: [7], heads: [0, 4, 9], queryTokens: ['a', 'b'], keyTokens: ['a', 'b'] });

const close = (a: Float32Array | null, b: number[]): void => {
  expect(a).not.toBeNull();
  Array.from(a as Float32Array).forEach((v, i) => expect(v).toBeCloseTo(b[i], 6));
};

describe('aggregateHeads', () => {
  it.each([
    ['mean', [[1, 2], [3, 6]], [2, 4]],
    ['max', [[1, 7], [3, 6]], [3, 7]],
    ['mean', [[1, 2]], [1, 2]],
    ['max', [[-1, 0], [-3, -6], [-2, 1]], [-1, 1]]
  ] as const)('%s of %j', (kind, mats, expected) => {
    close(aggregateHeads(mats.map(m => Float32Array.from(m)), kind), [...expected]);
  });

  it('refuses no matrices and matrices of different sizes', () => {
    expect(() => aggregateHeads([], 'mean')).toThrow('no matrices');
    expect(() => aggregateHeads([new Float32Array(2), new Float32Array(3)], 'max')).toThrow('matrix 1 has 3 values, expected 2');
  });

  it('does not change its inputs', () => {
    const a = Float32Array.from([1, 2]);
    aggregateHeads([a, Float32Array.from([3, 4])], 'mean');
    expect(Array.from(a)).toEqual([1, 2]);
  });
});

describe('choices', () => {
  it.each([
    [{ kind: 'head', head: 2 } as const, 'head:2', [0.2, 0.1, 0.2, 0.5]],
    [MEAN, 'mean', [0.15, 0.1, 0.2, 0.45]],
    [MAX, 'max', [0.2, 0.1, 0.2, 0.5]]
  ])('%j reads heads 1 and 2 when they are active', (choice, id, expected) => {
    expect(choiceId(choice)).toBe(id);
    expect(parseChoice(id)).toEqual(choice);
    close(choiceMatrix(sec, 0, choice, [1, 2]), expected);
  });

  it('names the choice with real head ids, head labels and the number of active heads', () => {
    expect(choiceLabel(sec, { kind: 'head', head: 1 }, [0])).toBe('head 4');
    expect(choiceLabel(sec, MEAN, [0, 1, 2])).toBe('mean of all heads');
    expect(choiceLabel(sec, MAX, [1])).toBe('max of 1 head');
    expect(choiceLabel({ ...sec, headLabels: ['rollout', 'x', 'y'] }, { kind: 'head', head: 0 }, [])).toBe('rollout');
  });

  it('parses nothing malformed', () => {
    expect(['', 'head:', 'head:-1', 'min', 'head:1.5'].map(parseChoice)).toEqual([null, null, null, null, null]);
  });

  it('is null without active heads, and uses the pooled summary of a lazy section until the slices come', () => {
    expect(choiceMatrix(sec, 0, MEAN, [])).toBeNull();
    const pooled = new Tensor(Float32Array.from([1, 3, 5, 7]), [1, 2, 1, 2]);
    const lazy = { ...sec, shape: [1, 2, 4, 4], heads: [0, 1], weights: () => null, summary: { pooled } } as unknown as typeof sec;
    const o = choiceOverview(lazy, 0, MEAN, [0, 1]);
    expect(o && { rows: o.rows, cols: o.cols, exact: o.exact }).toEqual({ rows: 1, cols: 2, exact: false });
    close(o ? o.weights : null, [3, 5]);
  });
});

describe('words', () => {
  const tokens = ['[CLS]', 'play', '##ing', 'now', '[SEP]'];
  const grouped = eager({
    key: 'self', label: 'Attention', attention: new Tensor(new Float32Array(25), [1, 1, 5, 5]), layers: [0], heads: [0],
    queryTokens: tokens, keyTokens: tokens,
    words: { query: [0, 1, 1, 2, 3], key: [0, 1, 1, 2, 3], queryLabels: ['[CLS]', 'playing', 'now', '[SEP]'], keyLabels: ['[CLS]', 'playing', 'now', '[SEP]'] }
  });

  it('are the tokens themselves without word groups', () => {
    const w = wordsOf({ ...grouped, words: null }, 'key');
    expect(w).toEqual({ of: [0, 1, 2, 3, 4], labels: tokens, starts: [0, 1, 2, 3, 4, 5] });
    expect(hasSubwords(w)).toBe(false);
  });

  it('know where each word starts', () => {
    const w = wordsOf(grouped, 'query');
    expect(w.starts).toEqual([0, 1, 3, 4, 5]);
    expect(hasSubwords(w)).toBe(true);
  });

  it('group a matrix: sum over a word\'s keys, mean over its queries (rows still sum to 1)', () => {
    // rows: 5 queries, each a distribution over 5 keys
    const rows = [
      [1, 0, 0, 0, 0],
      [0.5, 0.25, 0.25, 0, 0],
      [0.1, 0.2, 0.3, 0.4, 0],
      [0, 0, 0, 0, 1],
      [0.2, 0.2, 0.2, 0.2, 0.2]
    ];
    const w = Float32Array.from(rows.flat());
    const g = groupMatrix(w, 5, 5, wordsOf(grouped, 'query'), wordsOf(grouped, 'key'));
    close(g, [1, 0, 0, 0, 0.3, 0.5, 0.2, 0, 0, 0, 0, 1, 0.2, 0.4, 0.2, 0.2]);
    for (let r = 0; r < 4; r++) {
      expect(g.slice(r * 4, r * 4 + 4).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    }
  });

  it('refuses a matrix that does not fit the words', () => {
    expect(() => groupMatrix(new Float32Array(4), 2, 2, wordsOf(grouped, 'query'), wordsOf(grouped, 'key'))).toThrow('groupMatrix');
  });
});

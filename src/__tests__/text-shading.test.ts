import { shadeAlpha, shadeRule, shadeValues, textShading, TextShadingInput } from '../analysis/text-shading';
import { Words } from '../analysis/words';
import { stripMarker, tokenUnits, wordStarts, wordUnits } from '../render/running-text';

// [3 queries, 3 keys], rows sum to 1
const A = Float32Array.from([0.5, 0.3, 0.2, 0.1, 0.6, 0.3, 0.25, 0.25, 0.5]);
const base: TextShadingInput = { matrix: A, nQueries: 3, nKeys: 3, derived: null, causal: false, samePositions: true, focus: null, words: null };

const close = (a: ArrayLike<number>, b: number[]): void => {
  expect(a.length).toBe(b.length);
  Array.from(a).forEach((v, i) => expect(v).toBeCloseTo(b[i], 6));
};

describe('shadeRule', () => {
  it.each([
    ['query focus: its row', { side: 'query', index: 1 }, {}, { kind: 'row', index: 1, output: false }],
    ['key focus: its column', { side: 'key', index: 2 }, {}, { kind: 'column', index: 2 }],
    ['key focus on cross attention: the default', { side: 'key', index: 2 }, { samePositions: false }, { kind: 'column-mean' }],
    ['no focus, attention: column mean', null, {}, { kind: 'column-mean' }],
    ['no focus, encoder rollout: first token', null, { derived: 'rollout' }, { kind: 'row', index: 0, output: true }],
    ['no focus, causal rollout: last token', null, { derived: 'rollout', causal: true }, { kind: 'row', index: 2, output: true }],
    ['no focus, flow: first token', null, { derived: 'flow' }, { kind: 'row', index: 0, output: true }],
    ['focus out of range: the default', { side: 'query', index: 9 }, {}, { kind: 'column-mean' }],
    ['rollout with a query focus: the row', { side: 'query', index: 1 }, { derived: 'rollout', causal: true }, { kind: 'row', index: 1, output: false }]
  ] as const)('%s', (_name, focus, over, expected) => {
    expect(shadeRule(focus, { ...base, ...over })).toEqual(expected);
  });
});

describe('shadeValues', () => {
  it.each([
    ['row 1', { kind: 'row', index: 1, output: false }, [0.1, 0.6, 0.3]],
    ['column 0', { kind: 'column', index: 0 }, [0.5, 0.1, 0.25]],
    ['column mean', { kind: 'column-mean' }, [0.85 / 3, 1.15 / 3, 1 / 3]]
  ] as const)('%s', (_name, rule, expected) => {
    close(shadeValues(A, 3, 3, rule), [...expected]);
  });

  it('refuses a matrix of the wrong size', () => {
    expect(() => shadeValues(A, 2, 3, { kind: 'column-mean' })).toThrow('9 values for [2, 3]');
  });
});

// tokens: [CLS] play ##ing . -> words [CLS] | playing | .
const W: Words = { of: [0, 1, 1, 2], labels: ['[CLS]', 'playing', '.'], starts: [0, 1, 3, 4] };
const B4 = Float32Array.from([
  0.4, 0.2, 0.2, 0.2, //
  0.1, 0.5, 0.3, 0.1, //
  0.3, 0.3, 0.2, 0.2, //
  0.25, 0.25, 0.25, 0.25
]);

describe('textShading', () => {
  it.each([
    ['query token focus', { side: 'query', index: 1 }, null, [0.1, 0.5, 0.3, 0.1], 1],
    ['key token focus (column)', { side: 'key', index: 1 }, null, [0.2, 0.5, 0.3, 0.25], 1],
    ['no focus: column mean', null, null, [1.05 / 4, 1.25 / 4, 0.95 / 4, 0.75 / 4], null],
    // word "playing" (queries 1, 2): mean of rows 1 and 2, keys summed per word
    ['grouped, focus on a piece of a word', { side: 'query', index: 2 }, W, [0.2, 0.65, 0.15], 1],
    ['grouped, key focus', { side: 'key', index: 3 }, W, [0.2, 0.15, 0.25], 2],
    // grouped matrix rows: [0.4, 0.4, 0.2], [0.2, 0.65, 0.15], [0.25, 0.5, 0.25]; mean over the word rows
    ['grouped, no focus', null, W, [0.85 / 3, 1.55 / 3, 0.6 / 3], null]
  ] as const)('%s', (_name, focus, words, expected, unit) => {
    const s = textShading({ ...base, matrix: B4, nQueries: 4, nKeys: 4, focus, words: words ? { query: words, key: words } : null });
    close(s.weights, [...expected]);
    expect(s.max).toBeCloseTo(Math.max(...expected), 6);
    expect(s.focusUnit).toBe(unit);
  });

  it('rollout: the output token is the first for encoders, the last for causal decoders', () => {
    const enc = textShading({ ...base, derived: 'rollout' });
    close(enc.weights, [0.5, 0.3, 0.2]);
    expect(enc.rule).toEqual({ kind: 'row', index: 0, output: true });
    const dec = textShading({ ...base, derived: 'rollout', causal: true });
    close(dec.weights, [0.25, 0.25, 0.5]);
    expect(dec.focusUnit).toBe(2);
  });

  it('shadeAlpha: relative to the largest, capped, zero for nothing', () => {
    expect(shadeAlpha(0.5, 0.5)).toBeCloseTo(0.8);
    expect(shadeAlpha(0.25, 0.5)).toBeCloseTo(0.4);
    expect(shadeAlpha(0, 0.5)).toBe(0);
    expect(shadeAlpha(0.3, 0)).toBe(0);
    expect(shadeAlpha(0.5, 0.5, 1)).toBe(1);
  });
});

describe('running text', () => {
  it.each([
    ['WordPiece', ['[CLS]', 'the', 'play', '##ing', 'cat', '.', '[SEP]'], 'the playing cat. [SEP]'],
    ['byte-level', ['<s>', 'The', '\u0120cat', '\u0120sat', 'ting', '.', '</s>'], 'The cat satting. </s>'],
    ['sentencepiece', ['\u2581The', '\u2581ca', 't', '\u2581sat'], 'The cat sat'],
    ['prettified byte-level', ['The', ' cat', ' sat', 'ting', '.'], 'The cat satting.'],
    ['plain words', ['a', 'b', 'c'], 'a b c']
  ])('%s: spaces before word starts, markers removed', (_name, tokens, text) => {
    const units = tokenUnits(tokens, null);
    const joined = units.map(u => (u.space ? ' ' : '') + u.text).join('');
    expect(joined.replace(/^\[CLS\] |^<s> ?/, '')).toBe(text);
  });

  it('word groups decide where words start when the section has them', () => {
    expect(wordStarts(['[CLS]', 'play', 'ing', '.'], W)).toEqual([true, true, false, true]);
    const units = tokenUnits(['[CLS]', 'play', '##ing', '.'], W);
    expect(units.map(u => [u.text, u.space])).toEqual([['[CLS]', false], ['play', true], ['ing', false], ['.', false]]);
    expect(wordUnits(W).map(u => [u.text, u.index, u.end, u.word])).toEqual([['[CLS]', 0, 1, 0], ['playing', 1, 3, 1], ['.', 3, 4, 2]]);
  });

  it('stripMarker keeps a lone marker', () => {
    expect(stripMarker('##')).toBe('##');
    expect(stripMarker('\u0120')).toBe('\u0120');
    expect(stripMarker('##a')).toBe('a');
  });
});

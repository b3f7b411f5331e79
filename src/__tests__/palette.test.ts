import {
  BASE_HEAD_COLORS,
  DARK_BACKGROUND,
  LIGHT_BACKGROUND,
  MIN_CONTRAST,
  contrastRatio,
  farthestPointSequence,
  headColors,
  labDistance
} from '../render/palette';

function minPairwise(colors: readonly string[]): number {
  let min = Infinity;
  for (let i = 0; i < colors.length; i++) {
    for (let j = i + 1; j < colors.length; j++) {
      min = Math.min(min, labDistance(colors[i], colors[j]));
    }
  }
  return min;
}

describe('helpers', () => {
  test.each([
    ['#000000', '#ffffff', 21],
    ['#ffffff', '#ffffff', 1],
    ['#777777', '#ffffff', 4.48]
  ])('contrastRatio(%s, %s) = %d', (a, b, ratio) => {
    expect(contrastRatio(a, b)).toBeCloseTo(ratio, 2);
    expect(contrastRatio(b, a)).toBeCloseTo(ratio, 2);
  });

  test('labDistance: zero for equal colours, symmetric, ~100 from black to white', () => {
    expect(labDistance('#1f77b4', 'rgb(31, 119, 180)')).toBeCloseTo(0, 10);
    expect(labDistance('#ff0000', '#00ff00')).toBeCloseTo(labDistance('#00ff00', '#ff0000'), 10);
    expect(labDistance('#000000', '#ffffff')).toBeCloseTo(100, 3);
  });
});

describe('headColors', () => {
  // Minimum CIE76 distance between any two heads; a just-noticeable
  // difference is about 2.3, categorical palettes aim for 20+ at small n.
  test.each([
    [12, 30],
    [32, 20],
    [64, 15]
  ])('%d heads are at least %d Lab units apart', (n, threshold) => {
    const colors = headColors(n);
    expect(colors).toHaveLength(n);
    expect(new Set(colors).size).toBe(n);
    expect(minPairwise(colors)).toBeGreaterThanOrEqual(threshold);
  });

  test('deterministic, hex strings, and each list a prefix of the next', () => {
    expect(headColors(64)).toEqual(headColors(64));
    for (const n of [0, 1, 12, 32, 63]) {
      expect(headColors(n)).toEqual(headColors(64).slice(0, n));
    }
    headColors(64).forEach(c => expect(c).toMatch(/^#[0-9a-f]{6}$/));
  });

  test.each([
    ['light', LIGHT_BACKGROUND],
    ['dark', DARK_BACKGROUND]
  ])('every colour has %s-background contrast >= 3:1', (_name, background) => {
    for (const c of headColors(96)) {
      expect(contrastRatio(c, background)).toBeGreaterThanOrEqual(MIN_CONTRAST);
    }
  });

  test('the stored 64 colours are what the optimiser produces', () => {
    expect(farthestPointSequence(64)).toEqual([...BASE_HEAD_COLORS]);
  });

  test('more than 64 heads continue the sequence and stay distinct', () => {
    const colors = headColors(100);
    expect(colors.slice(0, 64)).toEqual([...BASE_HEAD_COLORS]);
    expect(new Set(colors).size).toBe(100);
    expect(minPairwise(colors)).toBeGreaterThan(8);
  });

  test('the returned list is a copy', () => {
    const a = headColors(3);
    a[0] = '#000000';
    expect(headColors(3)[0]).toBe(BASE_HEAD_COLORS[0]);
  });

  test.each([-1, 1.5, NaN])('rejects n = %p', n => {
    expect(() => headColors(n)).toThrow(RangeError);
  });
});

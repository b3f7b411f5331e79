import { splitLayer } from '../wire/tensor';
import { tooltipContent, TooltipInput } from '../views/head/tooltip';
import { formatWeight, shortenToken } from '../render/format';
import { plainText } from '../render/token-text';

const input: TooltipInput = {
  // 2 heads x 2 queries x 3 keys
  weights: splitLayer(new Float32Array([0.1, 0.2, 0.7, 0.25, 0.5, 0.25, 0.6, 0.3, 0.1, 0.00001, 0.99999, 0]), 2),
  nQueries: 2,
  nKeys: 3,
  heads: [0, 1],
  queryTokens: ['the', 'cat'],
  keyTokens: ['A', 'B', '<b>C</b>'],
  query: { start: 0, end: 2 },
  key: { start: 0, end: 3 }
};

describe('tooltipContent', () => {
  it('gives the strongest weight per head when nothing is pinned opposite', () => {
    const c = tooltipContent(input, { side: 'query', index: 0 }, null);
    expect(plainText(c.title)).toBe('query 0: the');
    expect(c.rows.map(r => [r.head, plainText(r.text)])).toEqual([
      [0, 'head 0: max 0.7000 \u2192 <b>C</b>'],
      [1, 'head 1: max 0.6000 \u2192 A']
    ]);
    // each token is a part of its own, for the renderer to isolate
    expect(c.rows[0].text).toEqual(['head 0: max 0.7000 \u2192 ', { token: '<b>C</b>' }]);
    expect(c.exact).toBeNull();
  });

  it('gives the exact weight with the pinned token on the other side', () => {
    const c = tooltipContent(input, { side: 'key', index: 0 }, { side: 'query', index: 1 });
    expect(c.rows.map(r => plainText(r.text))).toEqual(['head 0: 0.2500 \u2190 cat', 'head 1: 1.00e-5 \u2190 cat']);
  });

  it('ignores a pin on the same side', () => {
    const c = tooltipContent(input, { side: 'key', index: 1 }, { side: 'key', index: 0 });
    expect(plainText(c.rows[1].text)).toBe('head 1: max 1.0000 \u2190 cat');
  });
});

describe('formatWeight', () => {
  it.each([
    [0, '0.0000'],
    [1, '1.0000'],
    [0.12345, '0.1235'],
    [0.00004, '4.00e-5'],
    [0.00005, '0.0001'],
    [NaN, 'NaN']
  ])('%p -> %p', (w, text) => expect(formatWeight(w)).toBe(text));
});

describe('shortenToken', () => {
  it('keeps short tokens and cuts long ones on code points', () => {
    expect(shortenToken('hello', 5)).toBe('hello');
    expect(shortenToken('abcdefgh', 5)).toBe('abcd\u2026');
    expect(shortenToken('\u{1F600}\u{1F600}\u{1F600}', 2)).toBe('\u{1F600}\u2026');
  });
});

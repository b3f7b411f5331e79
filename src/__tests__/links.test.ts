/**
 * @jest-environment jsdom
 */
import { splitLayer } from '../data/tensor';
import { alphaLevel, collectLinks, drawLinksSvg, LinkQuery, lineAlpha } from '../render/links';

// One layer, 2 heads x 3 queries x 3 keys; rows sum to 1.
const W = new Float32Array([
  // head 0
  0.5, 0.5, 0, 0.2, 0.3, 0.5, 1, 0, 0,
  // head 1
  0.001, 0.009, 0.99, 1 / 3, 1 / 3, 1 / 3, 0.1, 0.8, 0.1
]);

function query(over: Partial<LinkQuery> = {}): LinkQuery {
  return {
    weights: splitLayer(W, 2),
    nQueries: 3,
    nKeys: 3,
    heads: [0, 1],
    query: { start: 0, end: 3 },
    key: { start: 0, end: 3 },
    focus: null,
    minAlpha: 1 / 255,
    ...over
  };
}

describe('collectLinks', () => {
  it('skips zero weights and lines too faint to see when nothing is focused', () => {
    const b = collectLinks(query());
    // head 0: 6 non-zero; head 1: 9 non-zero, of which 0.001/2 = 0.0005 < 1/255 is skipped.
    expect(b.count).toBe(6 + 8);
    for (let i = 0; i < b.count; i++) {
      expect(b.alpha[i]).toBeCloseTo(W[b.head[i] * 9 + b.q[i] * 3 + b.k[i]] / 2, 6);
    }
  });

  it('keeps every non-zero line of a focused query, faint ones included', () => {
    const b = collectLinks(query({ focus: { side: 'query', index: 0 } }));
    expect(b.count).toBe(2 + 3);
    expect(Array.from(b.q)).toEqual([0, 0, 0, 0, 0]);
    expect(Array.from(b.k)).toEqual([0, 1, 0, 1, 2]);
  });

  it('collects the column of a focused key', () => {
    const b = collectLinks(query({ focus: { side: 'key', index: 2 }, heads: [1] }));
    expect(Array.from(b.q)).toEqual([0, 1, 2]);
    expect(Array.from(b.alpha)).toEqual([0.99, 1 / 3, 0.1].map(w => Math.fround(w)));
  });

  it('respects sentence ranges and ignores a focus outside them', () => {
    const ranged = collectLinks(query({ query: { start: 1, end: 3 }, key: { start: 0, end: 1 } }));
    expect(Array.from(ranged.q).every(q => q >= 1)).toBe(true);
    expect(Array.from(ranged.k).every(k => k === 0)).toBe(true);
    const outside = collectLinks(query({ query: { start: 1, end: 3 }, focus: { side: 'query', index: 0 } }));
    expect(outside.count).toBe(0);
  });

  it('divides opacity by the number of active heads', () => {
    expect(lineAlpha(0.6, 3)).toBeCloseTo(0.2);
    expect(lineAlpha(0.6, 0)).toBeCloseTo(0.6);
    expect(collectLinks(query({ heads: [0] })).alpha[0]).toBeCloseTo(0.5);
  });
});

describe('alphaLevel', () => {
  it('maps opacity to the 8-bit level a canvas shows, never 0 for a drawn line', () => {
    expect(alphaLevel(1)).toBe(255);
    expect(alphaLevel(0.5)).toBe(128);
    expect(alphaLevel(1e-6)).toBe(1);
    expect(alphaLevel(2)).toBe(255);
  });
});

describe('drawLinksSvg', () => {
  it('draws one line per link with its head colour and exact opacity', () => {
    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    const b = collectLinks(query({ focus: { side: 'query', index: 1 }, heads: [0] }));
    drawLinksSvg(svg, b, { width: 100, rowHeight: 20, queryOffset: 0, keyOffset: 0, colorOf: h => `#00000${h}` });
    const lines = svg.querySelectorAll('line');
    expect(lines).toHaveLength(3);
    expect(lines[0].getAttribute('y1')).toBe('30');
    expect(lines[2].getAttribute('y2')).toBe('50');
    expect(lines[2].getAttribute('stroke-opacity')).toBe('0.5000');
    expect(lines[0].getAttribute('stroke')).toBe('#000000');
  });
});
